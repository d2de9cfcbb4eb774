-- The month grid is kept per location and month in each portal process (hub/attendance/kept.py) and
-- used only while the change counters of 0029 it was computed at are still the current ones.
--
-- A collector's departure (collector_departures) turns how an event reads: a collection that comes
-- after the child's scan makes that arrival a departure, without any change to the event itself.
-- It counts as a change of the event's month, for the event's location and every location of the
-- child, as the event did (0029). The kept "Opgeladen" summaries count it too.
--
-- database_identity names this database: a kept grid of a database that was removed and made anew
-- at the same place (same path, counters from zero again) is never taken for one of the new one.

CREATE TABLE database_identity (
    id  TEXT NOT NULL PRIMARY KEY
);
INSERT INTO database_identity (id) VALUES (lower(hex(randomblob(16))));

CREATE TRIGGER collector_departures_summary_insert AFTER INSERT ON collector_departures
BEGIN
    INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT e.location_id AS location_id, substr(e.occurred_at, 1, 7) AS month FROM events e WHERE e.id = NEW.event_id
        UNION SELECT cl.location_id, substr(e.occurred_at, 1, 7) FROM events e JOIN child_locations cl ON cl.child_id = e.child_id WHERE e.id = NEW.event_id
        UNION SELECT e.location_id AS location_id, coalesce(strftime('%Y-%m', e.occurred_at, '+2 hours'), '*') FROM events e WHERE e.id = NEW.event_id
        UNION SELECT cl.location_id, coalesce(strftime('%Y-%m', e.occurred_at, '+2 hours'), '*') FROM events e JOIN child_locations cl ON cl.child_id = e.child_id WHERE e.id = NEW.event_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
END;

CREATE TRIGGER collector_departures_summary_delete AFTER DELETE ON collector_departures
BEGIN
    INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT e.location_id AS location_id, substr(e.occurred_at, 1, 7) AS month FROM events e WHERE e.id = OLD.event_id
        UNION SELECT cl.location_id, substr(e.occurred_at, 1, 7) FROM events e JOIN child_locations cl ON cl.child_id = e.child_id WHERE e.id = OLD.event_id
        UNION SELECT e.location_id AS location_id, coalesce(strftime('%Y-%m', e.occurred_at, '+2 hours'), '*') FROM events e WHERE e.id = OLD.event_id
        UNION SELECT cl.location_id, coalesce(strftime('%Y-%m', e.occurred_at, '+2 hours'), '*') FROM events e JOIN child_locations cl ON cl.child_id = e.child_id WHERE e.id = OLD.event_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
END;
