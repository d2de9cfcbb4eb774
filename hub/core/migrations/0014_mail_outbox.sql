-- Mail goes out through this table: a request only adds a row; the hub's mail thread sends it
-- with retries and back-off (hub/mail/outbox.py). So an SMTP outage delays mail without losing it,
-- and a request's answer time tells nothing about what was mailed.
-- A row of a ``kind`` ('password_reset') is a request the mail thread first turns into a mail, or
-- drops (an unknown address): "wachtwoord vergeten" does the same work for any address.
CREATE TABLE mail_outbox (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL DEFAULT '',   -- '': a mail ready to send; else a request to prepare
    to_address       TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,              -- emptied once sent: a set-password link must not linger
    created_at       TEXT NOT NULL,              -- UTC ISO
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,              -- UTC ISO; due when now >= this
    claimed_until    TEXT,                       -- a sender holds it until then (one sender at a time)
    sent_at          TEXT,
    failed_at        TEXT,                       -- given up (refused for good, or too old): kept for a person
    last_error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mail_outbox_due ON mail_outbox(next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
