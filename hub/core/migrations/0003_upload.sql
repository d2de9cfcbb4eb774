-- The monthly upload to Kind en Gezin: every version sent, its records, each attempt and the answer;
-- the warnings a person confirmed; and the day a child starts school (the subsidy ends then).

ALTER TABLE children ADD COLUMN school_start TEXT;   -- ISO date, when the location knows it

-- One sending of one location's month: a version. Kept for good, body exactly as sent.
CREATE TABLE upload_submissions (
    id             TEXT PRIMARY KEY,                 -- ULID; sent as the submission id
    location_id    TEXT NOT NULL REFERENCES locations(id),
    month          TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    version        INTEGER NOT NULL CHECK (version >= 1),
    trigger        TEXT NOT NULL CHECK (trigger IN ('schedule', 'on_demand')),
    requested_by   TEXT NOT NULL,                    -- "planning", or the person, as shown
    created_at     TEXT NOT NULL,                    -- UTC ISO
    calendar_hash  TEXT NOT NULL,                    -- the month's calendar as sent
    body           TEXT NOT NULL,                    -- the JSON batch
    -- pending: not answered yet; answered: the receiver gave its word on the records;
    -- refused: the receiver refused the whole batch (4xx); superseded: never answered, and a newer
    -- version replaced it before it was
    state          TEXT NOT NULL DEFAULT 'pending'
                   CHECK (state IN ('pending', 'answered', 'refused', 'superseded')),
    answered_at    TEXT,
    refusal        TEXT,                             -- why, as the receiver said it
    UNIQUE (location_id, month, version)
);
CREATE INDEX upload_submissions_month ON upload_submissions(location_id, month, version);

-- The records a version carried, and the receiver's word on each.
CREATE TABLE upload_records (
    submission_id  TEXT NOT NULL REFERENCES upload_submissions(id),
    child_id       INTEGER NOT NULL REFERENCES children(id),
    record         TEXT NOT NULL,                    -- location/YYYY-MM/child
    content_hash   TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'received', 'accepted', 'error')),
    error_kind     TEXT CHECK (error_kind IN ('time', 'data')),
    error_code     TEXT,
    error_message  TEXT,
    PRIMARY KEY (submission_id, child_id)
) WITHOUT ROWID;

-- Every try to deliver a version, with what came back.
CREATE TABLE upload_attempts (
    id             INTEGER PRIMARY KEY,
    submission_id  TEXT NOT NULL REFERENCES upload_submissions(id),
    attempt        INTEGER NOT NULL,
    started_at     TEXT NOT NULL,                    -- UTC ISO
    finished_at    TEXT NOT NULL,
    outcome        TEXT NOT NULL CHECK (outcome IN ('answered', 'refused', 'failed')),
    http_status    INTEGER,                          -- NULL: no answer at all
    detail         TEXT NOT NULL DEFAULT '',         -- the error, or a summary of the answer
    response       TEXT                              -- the body that came back (cut at 64 kB)
);
CREATE INDEX upload_attempts_submission ON upload_attempts(submission_id, attempt);

-- "Nu versturen": a person asked for a month to be sent; the hub's upload thread does it.
CREATE TABLE upload_requests (
    id             INTEGER PRIMARY KEY,
    location_id    TEXT NOT NULL REFERENCES locations(id),
    month          TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    requested_by   TEXT NOT NULL,
    requested_at   TEXT NOT NULL,                    -- UTC ISO
    handled_at     TEXT,
    outcome        TEXT                              -- answered, refused, failed, nothing, or the error
);
CREATE UNIQUE INDEX upload_requests_open ON upload_requests(location_id, month) WHERE handled_at IS NULL;

-- A person confirmed a warning about a child's month (e.g. older than 2.5 years).
CREATE TABLE upload_confirmations (
    location_id    TEXT NOT NULL REFERENCES locations(id),
    month          TEXT NOT NULL,
    child_id       INTEGER NOT NULL REFERENCES children(id),
    rule           TEXT NOT NULL,
    actor_role     TEXT NOT NULL CHECK (actor_role IN ('location', 'organisator')),
    actor_id       TEXT NOT NULL,
    actor_name     TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    confirmed_at   TEXT NOT NULL,
    PRIMARY KEY (location_id, month, child_id, rule)
) WITHOUT ROWID;

CREATE TRIGGER upload_submissions_are_kept BEFORE DELETE ON upload_submissions
BEGIN
    SELECT RAISE(ABORT, 'every version sent is kept');
END;
CREATE TRIGGER upload_submission_bodies_are_kept BEFORE UPDATE OF id, location_id, month, version, body
ON upload_submissions
BEGIN
    SELECT RAISE(ABORT, 'a version sent is never changed; send a new one');
END;
