-- Opening hours of a real location (issue 12a): more than one block a day, the number of places, the
-- margin after closing time before a missing departure turns red, the kind of each closing day,
-- and who changed what and when.

CREATE TABLE location_opening_blocks (
    location_id  TEXT NOT NULL REFERENCES locations(id),
    weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),   -- ISO: 1 = Monday
    opens        TEXT NOT NULL CHECK (opens GLOB '[0-2][0-9]:[0-5][0-9]'),
    closes       TEXT NOT NULL CHECK (closes GLOB '[0-2][0-9]:[0-5][0-9]' AND closes > opens),
    PRIMARY KEY (location_id, weekday, opens)
) WITHOUT ROWID;

INSERT INTO location_opening_blocks (location_id, weekday, opens, closes)
    SELECT location_id, weekday, opens, closes FROM location_opening_hours;

-- A location that never had hours (added with add-location before this) gets the common week of the
-- house rules, Monday to Friday 07:00-18:00, as a new location does; staff change it on the screen.
INSERT INTO location_opening_blocks (location_id, weekday, opens, closes)
    SELECT l.id, d.weekday, '07:00', '18:00'
    FROM locations l, (SELECT 1 AS weekday UNION SELECT 2 UNION SELECT 3 UNION SELECT 4 UNION SELECT 5) d
    WHERE NOT EXISTS (SELECT 1 FROM location_opening_hours h WHERE h.location_id = l.id);

DROP TABLE location_opening_hours;

ALTER TABLE locations ADD COLUMN places INTEGER CHECK (places IS NULL OR places >= 0);
-- minutes after closing time during which a child without departure is still "nog aanwezig"
ALTER TABLE locations ADD COLUMN pickup_margin_min INTEGER NOT NULL DEFAULT 60
    CHECK (pickup_margin_min BETWEEN 0 AND 360);

ALTER TABLE location_closing_days ADD COLUMN kind TEXT NOT NULL DEFAULT 'andere'
    CHECK (kind IN ('feestdag', 'brugdag', 'kerstvakantie', 'studiedag', 'andere'));

-- Who changed the hours or closing days of a location, and when (shown on the screen).
CREATE TABLE location_schedule_changes (
    id           INTEGER PRIMARY KEY,
    location_id  TEXT NOT NULL REFERENCES locations(id),
    changed_at   TEXT NOT NULL,                  -- UTC ISO
    actor_role   TEXT NOT NULL,
    actor_id     TEXT NOT NULL,
    actor_name   TEXT NOT NULL,                  -- as shown to people
    what         TEXT NOT NULL                   -- Dutch, as shown: "dinsdag: 07:30–18:00", ...
);
CREATE INDEX location_schedule_changes_by_location ON location_schedule_changes (location_id, id);

-- A child's stay at a location: its first and (when known) last day of childcare there. NULL: not
-- known (the stay began before the hub, or no end is planned). After the last day the child's card
-- is answered "niet meer ingeschreven" at that location and its scans are not attendance.
-- Kept beside child_locations (not as its columns) so that inserts of a link stay as they are.
CREATE TABLE child_stays (
    child_id     INTEGER NOT NULL REFERENCES children(id),
    location_id  TEXT NOT NULL REFERENCES locations(id),
    first_day    TEXT CHECK (first_day IS NULL OR first_day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    last_day     TEXT CHECK (last_day IS NULL OR last_day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    PRIMARY KEY (child_id, location_id)
) WITHOUT ROWID;

-- A child known to two organisators (same first name, last name and birth date, as in AARON) is one
-- child record at both; each organisator sees only the contacts it added. NULL: added before this
-- version, stamped with the child's organisator when a second organisator links the child.
ALTER TABLE contacts ADD COLUMN organisator_id INTEGER REFERENCES organisators(id);
