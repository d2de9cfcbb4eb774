-- Junk and refusals are different things (issues 13 and 14).
--
-- Junk (a message that is not a well-formed check-in) stays in dead_letters, now rolled up: one
-- row per unit and reason with a count, first and last seen, and a short prefix of the latest
-- payload; rows are pruned after a set age. A well-formed check-in the hub refuses is kept whole in
-- refused_events until a person accepts or dismisses it. Units record which unit they succeed.

ALTER TABLE dead_letters ADD COLUMN unit_id TEXT NOT NULL DEFAULT '';  -- from the topic; '' if none
ALTER TABLE dead_letters ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
ALTER TABLE dead_letters ADD COLUMN last_seen TEXT;                    -- received_at is the first
ALTER TABLE dead_letters ADD COLUMN size INTEGER NOT NULL DEFAULT 0;   -- bytes of the latest payload
UPDATE dead_letters SET last_seen = received_at, size = length(payload);
CREATE INDEX dead_letters_unit_reason ON dead_letters(unit_id, reason);
CREATE INDEX dead_letters_last_seen ON dead_letters(last_seen);

CREATE TABLE refused_events (
    id           INTEGER PRIMARY KEY,
    event_id     TEXT NOT NULL UNIQUE,           -- the check-in's id: kept once, however often sent
    unit_id      TEXT NOT NULL,                  -- the unit the check-in names
    via_unit     TEXT NOT NULL,                  -- the unit whose topic delivered it
    location_id  TEXT NOT NULL,                  -- the location of that topic: who sees it
    reason       TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '',
    payload      BLOB NOT NULL,                  -- whole, as it arrived
    received_at  TEXT NOT NULL,                  -- UTC ISO
    day          TEXT NOT NULL,                  -- UTC date of received_at, for the cap per unit and day
    state        TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'accepted', 'dismissed')),
    decided_by   TEXT,                           -- who accepted or dismissed it
    decided_at   TEXT
);
CREATE INDEX refused_events_location ON refused_events(location_id, state);
CREATE INDEX refused_events_unit_day ON refused_events(via_unit, day);

-- Check-ins that an earlier hub filed as dead letters although they were well-formed (a unit
-- revoked, unknown, or a successor delivering its predecessor's outbox) come back for a person.
INSERT OR IGNORE INTO refused_events
    (event_id, unit_id, via_unit, location_id, reason, detail, payload, received_at, day)
SELECT json_extract(body, '$.id'), json_extract(body, '$.unit'),
       substr(after_unit, 1, instr(after_unit, '/') - 1),
       substr(after_loc, 1, instr(after_loc, '/') - 1),
       reason, detail, payload, received_at, substr(received_at, 1, 10)
FROM (
    SELECT *, CASE WHEN json_valid(CAST(payload AS TEXT)) THEN CAST(payload AS TEXT) END AS body,
           substr(topic, instr(topic, '/unit/') + 6) AS after_unit,
           substr(topic, instr(topic, '/loc/') + 5) AS after_loc
    FROM dead_letters
    WHERE instr(topic, '/unit/') > 0 AND instr(topic, '/loc/') > 0
)
WHERE reason IN ('unknown_unit', 'revoked_unit', 'wrong_location', 'topic_mismatch', 'internal_error')
  AND json_extract(body, '$.type') = 'checkin' AND json_extract(body, '$.id') IS NOT NULL;
DELETE FROM dead_letters WHERE id IN (
    SELECT d.id FROM dead_letters d JOIN refused_events r ON r.payload = d.payload
);

-- Old dead letters keep the same short prefix as new ones.
UPDATE dead_letters SET payload = substr(payload, 1, 4096) WHERE length(payload) > 4096;

-- Which unit takes over from which: a replacement (new identity, same outbox) or a re-key of a
-- revoked unit (same identity, new password). The ingest accepts from a successor the check-ins
-- its predecessors made before they were revoked.
CREATE TABLE unit_successions (
    successor    TEXT NOT NULL REFERENCES units(id),
    predecessor  TEXT NOT NULL REFERENCES units(id),
    how          TEXT NOT NULL CHECK (how IN ('replace', 'rekey')),
    revoked_at   TEXT,                           -- the predecessor's revocation, as it was then
    at           TEXT NOT NULL,
    PRIMARY KEY (successor, predecessor, at)
) WITHOUT ROWID;
