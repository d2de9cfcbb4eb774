-- Operations (issue 16). Retention: the day a child left, and the one path by which expired
-- history is erased; below, the evacuation list's phone numbers and emergency notes.
--
-- The event log, the corrections and the versions sent to Kind en Gezin stay immutable for all
-- normal code. The retention job (hub/operations/retention.py) is the only writer of
-- retention_erasing: inside its own transaction it names a kind and a bound ("events before
-- 2026-06-01"), deletes what is older, and removes the row again before it commits. The delete
-- triggers let a row go only when such a bound covers it, so even the retention path cannot erase
-- anything newer than the period it declared, and outside that transaction nothing can go at all.

ALTER TABLE children ADD COLUMN left_on TEXT;   -- ISO date the child left the childcare; NULL: still here

CREATE TABLE retention_erasing (
    kind    TEXT PRIMARY KEY CHECK (kind IN ('events', 'corrections', 'uploads')),
    before  TEXT NOT NULL          -- events: UTC ISO; corrections: ISO date; uploads: YYYY-MM
) WITHOUT ROWID;

DROP TRIGGER events_are_kept;
CREATE TRIGGER events_are_kept BEFORE DELETE ON events
WHEN NOT EXISTS (SELECT 1 FROM retention_erasing WHERE kind = 'events' AND OLD.occurred_at < before)
BEGIN
    SELECT RAISE(ABORT, 'the event log is immutable; events are never deleted');
END;

DROP TRIGGER corrections_are_kept_delete;
CREATE TRIGGER corrections_are_kept_delete BEFORE DELETE ON corrections
WHEN NOT EXISTS (SELECT 1 FROM retention_erasing WHERE kind = 'corrections' AND OLD.day < before)
BEGIN
    SELECT RAISE(ABORT, 'corrections are history; add a new one instead');
END;

DROP TRIGGER upload_submissions_are_kept;
CREATE TRIGGER upload_submissions_are_kept BEFORE DELETE ON upload_submissions
WHEN NOT EXISTS (SELECT 1 FROM retention_erasing WHERE kind = 'uploads' AND OLD.month < before)
BEGIN
    SELECT RAISE(ABORT, 'every version sent is kept');
END;

-- The evacuation list ("Nu aanwezig", hub/evacuation): a phone number per contact, and what staff
-- must know about a child in an emergency (allergies, medication, who may not collect the child).
ALTER TABLE contacts ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE children ADD COLUMN emergency_notes TEXT NOT NULL DEFAULT '';
