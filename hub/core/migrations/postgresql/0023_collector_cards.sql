-- Collector cards ("ophaalkaart", issue 18): a card of the same stock may belong to a contact
-- instead of a child or a staff person. Its scan at a unit, paired there with a child's card,
-- makes a departure "opgehaald door" that person.
ALTER TABLE cards ADD COLUMN contact_id BIGINT REFERENCES contacts(id) ON DELETE SET NULL;
CREATE INDEX cards_contact ON cards(contact_id);

-- Departures made with a collector card. The unit sends them with direction_by 'collector';
-- events.direction_by has a CHECK on its four older values and the event log is immutable (its
-- triggers forbid changing a row), so rather than rebuilding the events table (dropping and
-- re-creating its triggers, its indexes and the tables that reference it) the event is stored with
-- direction_by NULL ("taken as sent": the presence re-derivation leaves it as registered) and this
-- side table says that a collector chose it and who. Kept like the event log: never changed,
-- never deleted. The event may sit in uncertain_checkins (clock unsure) rather than in events.
CREATE TABLE collector_departures (
    event_id        TEXT PRIMARY KEY,            -- the unit's event id (events or uncertain_checkins)
    location_id     TEXT NOT NULL REFERENCES locations(id),
    child_id        BIGINT NOT NULL,
    collector_code  TEXT NOT NULL,               -- the collector's card, as scanned
    contact_id      BIGINT,                     -- the contact whose card it was (NULL once removed)
    name            TEXT NOT NULL,               -- the collector's name when scanned: "Oma Rita"
    received_at     TEXT NOT NULL
);
CREATE OR REPLACE FUNCTION collector_departures_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.event_id IS DISTINCT FROM OLD.event_id OR NEW.location_id IS DISTINCT FROM OLD.location_id OR NEW.child_id IS DISTINCT FROM OLD.child_id OR NEW.collector_code IS DISTINCT FROM OLD.collector_code OR NEW.name IS DISTINCT FROM OLD.name OR NEW.received_at IS DISTINCT FROM OLD.received_at THEN
    RAISE EXCEPTION 'collector departures are kept as registered' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER collector_departures_are_immutable BEFORE UPDATE ON collector_departures
FOR EACH ROW EXECUTE FUNCTION collector_departures_are_immutable();
CREATE OR REPLACE FUNCTION collector_departures_are_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
RAISE EXCEPTION 'collector departures are never deleted' USING ERRCODE = 'integrity_constraint_violation';
    RETURN OLD;
END $$;
CREATE TRIGGER collector_departures_are_kept BEFORE DELETE ON collector_departures
FOR EACH ROW EXECUTE FUNCTION collector_departures_are_kept();
