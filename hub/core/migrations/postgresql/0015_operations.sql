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
);

DROP TRIGGER events_are_kept ON events;
CREATE OR REPLACE FUNCTION events_are_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM retention_erasing WHERE kind = 'events' AND OLD.occurred_at < before) THEN
    RAISE EXCEPTION 'the event log is immutable; events are never deleted' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER events_are_kept BEFORE DELETE ON events
FOR EACH ROW EXECUTE FUNCTION events_are_kept();

DROP TRIGGER corrections_are_kept_delete ON corrections;
CREATE OR REPLACE FUNCTION corrections_are_kept_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM retention_erasing WHERE kind = 'corrections' AND OLD.day < before) THEN
    RAISE EXCEPTION 'corrections are history; add a new one instead' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER corrections_are_kept_delete BEFORE DELETE ON corrections
FOR EACH ROW EXECUTE FUNCTION corrections_are_kept_delete();

DROP TRIGGER upload_submissions_are_kept ON upload_submissions;
CREATE OR REPLACE FUNCTION upload_submissions_are_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM retention_erasing WHERE kind = 'uploads' AND OLD.month < before) THEN
    RAISE EXCEPTION 'every version sent is kept' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER upload_submissions_are_kept BEFORE DELETE ON upload_submissions
FOR EACH ROW EXECUTE FUNCTION upload_submissions_are_kept();

-- The evacuation list ("Nu aanwezig", hub/evacuation): a phone number per contact, and what staff
-- must know about a child in an emergency (allergies, medication, who may not collect the child).
ALTER TABLE contacts ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE children ADD COLUMN emergency_notes TEXT NOT NULL DEFAULT '';
