-- The portal: organisator passwords and the one-time links that set them, sessions, login
-- throttling, the key that signs cookies, and linking cards (typed, or scanned at the door).

-- argon2id hash; NULL until the organisator sets a password through the mailed link.
ALTER TABLE organisators ADD COLUMN password_hash TEXT;

-- One-time links ("wachtwoord instellen", "wachtwoord vergeten"). Only the SHA-256 of the token is
-- kept: the token itself exists only in the mail. Single use; a newer link voids older ones.
CREATE TABLE account_tokens (
    token_hash      TEXT PRIMARY KEY,
    organisator_id  INTEGER NOT NULL REFERENCES organisators(id),
    purpose         TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
    created_at      TEXT NOT NULL,               -- UTC ISO
    expires_at      TEXT NOT NULL,
    used_at         TEXT
) WITHOUT ROWID;
CREATE INDEX account_tokens_organisator ON account_tokens(organisator_id);

-- Logged-in browsers. The cookie carries a random token; only its SHA-256 is kept here, so a
-- copy of the database does not let anyone in. Deleted at logout and when they expire.
CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('location', 'organisator')),
    actor_id      TEXT NOT NULL,                 -- location id, or organisator id as text
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL,                 -- absolute end, whatever the activity
    client        TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX sessions_actor ON sessions(role, actor_id);

-- Wrong PINs and passwords, per location or account and per client address; kept in the
-- database so that a restart of the hub does not give a guesser a fresh start.
CREATE TABLE login_throttle (
    key           TEXT PRIMARY KEY,              -- "pin-location:zonnebloem", "pin-client:10.0.0.7", ...
    failures      INTEGER NOT NULL,
    window_start  TEXT NOT NULL,                 -- UTC ISO of the first failure counted
    locked_until  TEXT                           -- UTC ISO
) WITHOUT ROWID;

-- The key that signs the session cookie and derives CSRF tokens; made once, here.
CREATE TABLE portal_keys (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    secret  TEXT NOT NULL
);
INSERT INTO portal_keys (id, secret) VALUES (1, lower(hex(randomblob(32))));

ALTER TABLE cards ADD COLUMN linked_at TEXT;     -- UTC ISO, when it was linked to its child
ALTER TABLE cards ADD COLUMN lost_at TEXT;       -- UTC ISO, when it was reported lost

-- "Scan aan de deur": the next card shown at a unit is linked to a child. The hub publishes a
-- link_card command with this id; the unit's card_read answers it.
CREATE TABLE link_requests (
    id            TEXT PRIMARY KEY,              -- ULID, the request id on the wire
    location_id   TEXT NOT NULL REFERENCES locations(id),
    unit_id       TEXT NOT NULL REFERENCES units(id),
    child_id      INTEGER NOT NULL REFERENCES children(id),
    requested_by  TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'linked', 'refused')),
    code          TEXT,                          -- the card read
    reason        TEXT,                          -- Dutch, for the screen, when refused
    answered_at   TEXT
) WITHOUT ROWID;
