-- Notifications to parents (issue 18, part 2): what each parent wants per child, the browsers they
-- allowed Web Push in, and the notification outbox keyed by (event, parent, channel) so one event
-- gives at most one message per parent and channel, also across a hub crash.

CREATE TABLE notify_prefs (
    account_id    INTEGER NOT NULL REFERENCES parent_accounts(id) ON DELETE CASCADE,
    child_id      INTEGER NOT NULL REFERENCES children(id) ON DELETE CASCADE,
    mode          TEXT NOT NULL DEFAULT 'geen' CHECK (mode IN ('elk', 'samenvatting', 'geen')),
    summary_hour  INTEGER NOT NULL DEFAULT 18 CHECK (summary_hour BETWEEN 0 AND 23),  -- Brussels
    by_mail       INTEGER NOT NULL DEFAULT 1,
    by_push       INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (account_id, child_id)
) WITHOUT ROWID;
CREATE INDEX notify_prefs_child ON notify_prefs(child_id);

CREATE TABLE push_subscriptions (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES parent_accounts(id) ON DELETE CASCADE,
    endpoint    TEXT NOT NULL UNIQUE,
    p256dh      TEXT NOT NULL,                    -- the browser's public key, base64url
    auth        TEXT NOT NULL,                    -- its auth secret, base64url
    created_at  TEXT NOT NULL,
    last_ok_at  TEXT
);
CREATE INDEX push_subscriptions_account ON push_subscriptions(account_id);

-- Events the notifier has looked at (whatever it decided); the scan finds stored events not here.
CREATE TABLE notify_scanned (
    event_id    TEXT PRIMARY KEY,
    scanned_at  TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX events_received ON events(received_at);

CREATE TABLE notify_outbox (
    key              TEXT NOT NULL,               -- the event id, or 'samenvatting:<child>:<day>'
    account_id       INTEGER NOT NULL REFERENCES parent_accounts(id) ON DELETE CASCADE,
    channel          TEXT NOT NULL CHECK (channel IN ('mail', 'push')),
    child_id         INTEGER NOT NULL,
    title            TEXT NOT NULL,
    body             TEXT NOT NULL,
    stored_at        TEXT NOT NULL,               -- when the hub stored the event (for the benchmark)
    created_at       TEXT NOT NULL,
    expires_at       TEXT,                        -- NULL: the daily summary, never dropped
    next_attempt_at  TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    sent_at          TEXT,                        -- push: handed to the push service; mail: queued
    dropped_at       TEXT,                        -- too late (or no browser left): not sent
    last_error       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (key, account_id, channel)
) WITHOUT ROWID;
CREATE INDEX notify_outbox_due ON notify_outbox(next_attempt_at) WHERE sent_at IS NULL AND dropped_at IS NULL;

-- A mail that is useless after a moment ("Jules is aangekomen") is dropped by the mail thread then.
ALTER TABLE mail_outbox ADD COLUMN expires_at TEXT;

-- Who may collect (issue 18): per contact "mag ophalen" (the default) or "mag niet ophalen" with a
-- note for staff; and, without a collector card, who collected a child on a day, as staff fill it in.
ALTER TABLE contacts ADD COLUMN may_collect INTEGER NOT NULL DEFAULT 1;
ALTER TABLE contacts ADD COLUMN collect_note TEXT NOT NULL DEFAULT '';

CREATE TABLE pickups (
    location_id  TEXT NOT NULL REFERENCES locations(id),
    child_id     INTEGER NOT NULL REFERENCES children(id) ON DELETE CASCADE,
    day          TEXT NOT NULL,                  -- ISO date, local
    contact_id   INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    name         TEXT NOT NULL,                  -- as shown: "Oma Rita"
    recorded_by  TEXT NOT NULL,                  -- the location or organisator, by name
    recorded_at  TEXT NOT NULL,
    PRIMARY KEY (location_id, child_id, day)
) WITHOUT ROWID;
