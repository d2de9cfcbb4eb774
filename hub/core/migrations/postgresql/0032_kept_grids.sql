-- The PostgreSQL twin of 0032_kept_grids.sql (see there): a collector's departure counts as a
-- change of its event's month; database_identity names this database.

CREATE TABLE database_identity (
    id  TEXT NOT NULL PRIMARY KEY
);
INSERT INTO database_identity (id) VALUES (md5(random()::text || clock_timestamp()::text));

CREATE OR REPLACE FUNCTION collector_departures_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT e.location_id AS location_id, substr(e.occurred_at, 1, 7) AS month FROM events e WHERE e.id = NEW.event_id
        UNION SELECT cl.location_id, substr(e.occurred_at, 1, 7) FROM events e JOIN child_locations cl ON cl.child_id = e.child_id WHERE e.id = NEW.event_id
        UNION SELECT e.location_id AS location_id, coalesce(to_char((e.occurred_at)::timestamptz AT TIME ZONE 'Europe/Brussels', 'YYYY-MM'), '*') FROM events e WHERE e.id = NEW.event_id
        UNION SELECT cl.location_id, coalesce(to_char((e.occurred_at)::timestamptz AT TIME ZONE 'Europe/Brussels', 'YYYY-MM'), '*') FROM events e JOIN child_locations cl ON cl.child_id = e.child_id WHERE e.id = NEW.event_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER collector_departures_summary_insert AFTER INSERT ON collector_departures
FOR EACH ROW EXECUTE FUNCTION collector_departures_summary_insert();

CREATE OR REPLACE FUNCTION collector_departures_summary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT e.location_id AS location_id, substr(e.occurred_at, 1, 7) AS month FROM events e WHERE e.id = OLD.event_id
        UNION SELECT cl.location_id, substr(e.occurred_at, 1, 7) FROM events e JOIN child_locations cl ON cl.child_id = e.child_id WHERE e.id = OLD.event_id
        UNION SELECT e.location_id AS location_id, coalesce(to_char((e.occurred_at)::timestamptz AT TIME ZONE 'Europe/Brussels', 'YYYY-MM'), '*') FROM events e WHERE e.id = OLD.event_id
        UNION SELECT cl.location_id, coalesce(to_char((e.occurred_at)::timestamptz AT TIME ZONE 'Europe/Brussels', 'YYYY-MM'), '*') FROM events e JOIN child_locations cl ON cl.child_id = e.child_id WHERE e.id = OLD.event_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER collector_departures_summary_delete AFTER DELETE ON collector_departures
FOR EACH ROW EXECUTE FUNCTION collector_departures_summary_delete();
