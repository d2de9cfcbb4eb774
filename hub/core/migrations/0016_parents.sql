-- Parents (issue 18, part 1): one account per e-mail address, its one-time links, its sessions,
-- and the requests parents send to a location. Which children an account sees is not stored:
-- it is read from contacts (same e-mail) on every request, so a removed contact loses access at once.

CREATE TABLE parent_accounts (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash  TEXT,                         -- NULL: logs in with a mailed link each time
    created_at     TEXT NOT NULL                 -- UTC ISO
);

CREATE TABLE parent_tokens (
    token_hash  TEXT PRIMARY KEY,                -- SHA-256 of the token that travels in the mail
    email       TEXT NOT NULL COLLATE NOCASE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('account', 'login')),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
) WITHOUT ROWID;
CREATE INDEX parent_tokens_email ON parent_tokens(email, purpose);

CREATE TABLE parent_sessions (
    token_hash    TEXT PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES parent_accounts(id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    client        TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX parent_sessions_account ON parent_sessions(account_id);

-- A parent's request to a location. Part 1 knows one kind ('correctie': the times of a day);
-- the care-plan issue adds absences, extra days and swap days with the same statuses.
CREATE TABLE parent_requests (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL DEFAULT 'correctie',
    account_id     INTEGER NOT NULL REFERENCES parent_accounts(id),
    email          TEXT NOT NULL COLLATE NOCASE,  -- who asked, as the location sees it
    location_id    TEXT NOT NULL REFERENCES locations(id),
    child_id       INTEGER NOT NULL REFERENCES children(id),
    day            TEXT NOT NULL,                 -- ISO date, local
    arrival        TEXT,                          -- proposed, HH:MM local
    departure      TEXT,
    comment        TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'ingediend'
                   CHECK (status IN ('ingediend', 'goedgekeurd', 'afgewezen', 'vervallen', 'geannuleerd')),
    reason         TEXT NOT NULL DEFAULT '',      -- why refused, for the parent
    created_at     TEXT NOT NULL,
    decided_at     TEXT,
    decided_by     TEXT NOT NULL DEFAULT '',      -- the location or organisator, by name
    correction_id  INTEGER REFERENCES corrections(id)
);
CREATE INDEX parent_requests_open ON parent_requests(location_id, status);
CREATE INDEX parent_requests_child ON parent_requests(child_id, day);
