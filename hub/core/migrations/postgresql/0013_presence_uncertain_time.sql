-- Presence and uncertain times.
--
-- direction_by: how the unit chose an event's direction ('presence', 'key', 'fixed', 'clock');
-- NULL for units of before presence (the direction is then taken as sent). Directions chosen by
-- presence are re-derived on read from the child's ordered registrations of the day.
ALTER TABLE events ADD COLUMN direction_by TEXT
    CHECK (direction_by IS NULL OR direction_by IN ('presence', 'key', 'fixed', 'clock'));
CREATE OR REPLACE FUNCTION events_direction_by_is_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.direction_by IS DISTINCT FROM OLD.direction_by THEN
    RAISE EXCEPTION 'the event log is immutable; direction_by is kept as sent' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER events_direction_by_is_kept BEFORE UPDATE OF direction_by ON events
FOR EACH ROW EXECUTE FUNCTION events_direction_by_is_kept();

-- The presence version of each location: rises in the transaction of every stored check-in or
-- correction. The hub sends units their location's presence with it; a unit ignores an older one.
CREATE TABLE presence_versions (
    location_id  TEXT PRIMARY KEY REFERENCES locations(id),
    seq          BIGINT NOT NULL
);

-- Check-ins with a time that cannot be trusted: made by a boot whose clock was not synced, before
-- any synced event of that boot reached the hub. They are not in the event log (so neither in
-- attendance nor in the upload) until their boot's anchor arrives (state 'repaired') or a person
-- places them at a time ('placed') or discards them ('discarded'). Never deleted.
CREATE TABLE uncertain_checkins (
    id            TEXT PRIMARY KEY,              -- the event id
    unit_id       TEXT NOT NULL,
    location_id   TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    direction     TEXT NOT NULL CHECK (direction IN ('arrival', 'departure')),
    direction_by  TEXT,
    code          TEXT NOT NULL,
    source        TEXT NOT NULL,
    wall_time     TEXT NOT NULL,                 -- what the unit's clock said
    boot_id       TEXT NOT NULL,
    monotonic     DOUBLE PRECISION NOT NULL,
    child_id      BIGINT REFERENCES children(id),
    received_at   TEXT NOT NULL,                 -- hub time (UTC ISO)
    state         TEXT NOT NULL DEFAULT 'waiting'
                  CHECK (state IN ('waiting', 'repaired', 'placed', 'discarded')),
    settled_at    TEXT,                          -- UTC ISO, when repaired, placed or discarded
    settled_by    TEXT,                          -- the person, or 'klokherstel' for a repair
    placed_at     TEXT                           -- UTC ISO, the time it was given
);
CREATE INDEX uncertain_checkins_boot ON uncertain_checkins(unit_id, boot_id) WHERE state = 'waiting';
CREATE INDEX uncertain_checkins_location ON uncertain_checkins(location_id, state);
CREATE OR REPLACE FUNCTION uncertain_checkins_are_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
RAISE EXCEPTION 'uncertain check-ins are kept; discard marks them' USING ERRCODE = 'integrity_constraint_violation';
    RETURN OLD;
END $$;
CREATE TRIGGER uncertain_checkins_are_kept BEFORE DELETE ON uncertain_checkins
FOR EACH ROW EXECUTE FUNCTION uncertain_checkins_are_kept();
