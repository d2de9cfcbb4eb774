-- The attendance model around the event log: when locations are open, who may collect a child,
-- how units are enrolled, clock repair, corrections with their history, and closed months.

-- Locations: the staff PIN (argon2 hash, never the PIN), opening hours per weekday, closing days.
ALTER TABLE locations ADD COLUMN pin_hash TEXT;

CREATE TABLE location_opening_hours (
    location_id  TEXT NOT NULL REFERENCES locations(id),
    weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),   -- ISO: 1 = Monday
    opens        TEXT NOT NULL CHECK (opens GLOB '[0-2][0-9]:[0-5][0-9]'),
    closes       TEXT NOT NULL CHECK (closes GLOB '[0-2][0-9]:[0-5][0-9]' AND closes > opens),
    PRIMARY KEY (location_id, weekday)
) WITHOUT ROWID;

CREATE TABLE location_closing_days (
    location_id  TEXT NOT NULL REFERENCES locations(id),
    day          TEXT NOT NULL,                  -- ISO date, local
    reason       TEXT NOT NULL DEFAULT '',       -- "Paasmaandag", "pedagogische studiedag", ...
    PRIMARY KEY (location_id, day)
) WITHOUT ROWID;

-- A whole month without childcare at a location ("gesloten maand"): no attendance expected.
CREATE TABLE closed_months (
    location_id  TEXT NOT NULL REFERENCES locations(id),
    month        TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    closed_by    TEXT NOT NULL,                  -- who marked it, as shown to people
    closed_at    TEXT NOT NULL,                  -- UTC ISO
    PRIMARY KEY (location_id, month)
) WITHOUT ROWID;

-- Up to five people per child who may be contacted and may collect the child.
CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY,
    child_id   INTEGER NOT NULL REFERENCES children(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    email      TEXT COLLATE NOCASE,
    relation   TEXT NOT NULL DEFAULT ''          -- "moeder", "grootvader", ...
);
CREATE INDEX contacts_child ON contacts(child_id);
CREATE TRIGGER contacts_at_most_five BEFORE INSERT ON contacts
WHEN (SELECT count(*) FROM contacts WHERE child_id = NEW.child_id) >= 5
BEGIN
    SELECT RAISE(ABORT, 'a child has at most 5 contacts');
END;

-- Units: how they were enrolled and where their broker credentials are kept.
ALTER TABLE units ADD COLUMN label TEXT NOT NULL DEFAULT '';       -- "ingang", "uitgang"
ALTER TABLE units ADD COLUMN credentials_ref TEXT;                 -- broker account or certificate id
ALTER TABLE units ADD COLUMN enrolled_at TEXT;
ALTER TABLE units ADD COLUMN revoked_at TEXT;

-- Clock repair. A unit's events carry a boot id and a monotonic reading; the first synced event of
-- a boot (lowest monotonic reading) anchors that boot's monotonic clock to real time, and every
-- unsynced event of the boot is re-timed from it: occurred_at = anchor wall - (anchor mono - mono).
-- wall_time keeps what the unit said; retimed_by names the anchor event.
ALTER TABLE events ADD COLUMN retimed_by TEXT REFERENCES events(id);
CREATE INDEX events_unsynced ON events(unit_id, boot_id) WHERE clock_synced = 0;

CREATE TABLE clock_anchors (
    unit_id    TEXT NOT NULL,
    boot_id    TEXT NOT NULL,
    event_id   TEXT NOT NULL REFERENCES events(id),
    wall_utc   TEXT NOT NULL,                    -- UTC ISO of the anchoring event
    monotonic  REAL NOT NULL,
    PRIMARY KEY (unit_id, boot_id)
) WITHOUT ROWID;

-- The event log is immutable: only clock repair may move occurred_at, and only of unsynced events.
CREATE TRIGGER events_are_immutable BEFORE UPDATE ON events
WHEN NEW.id IS NOT OLD.id OR NEW.unit_id IS NOT OLD.unit_id OR NEW.location_id IS NOT OLD.location_id
  OR NEW.seq IS NOT OLD.seq OR NEW.direction IS NOT OLD.direction OR NEW.code IS NOT OLD.code
  OR NEW.source IS NOT OLD.source OR NEW.wall_time IS NOT OLD.wall_time
  OR NEW.clock_synced IS NOT OLD.clock_synced OR NEW.boot_id IS NOT OLD.boot_id
  OR NEW.monotonic IS NOT OLD.monotonic OR NEW.child_id IS NOT OLD.child_id
  OR NEW.received_at IS NOT OLD.received_at
  OR (OLD.clock_synced = 1 AND (NEW.occurred_at IS NOT OLD.occurred_at OR NEW.retimed_by IS NOT NULL))
BEGIN
    SELECT RAISE(ABORT, 'the event log is immutable; only clock repair re-times unsynced events');
END;
CREATE TRIGGER events_are_kept BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is immutable; events are never deleted');
END;

-- Corrections: a person replaced the registrations of one child on one day at one location.
-- The latest correction of a cell gives that day's times; scans that reach the hub after it are
-- added to them. before/after are JSON lists of [arrival, departure] (UTC ISO, departure may be
-- null), before as the hub showed the cell at that moment. Never updated, never deleted.
CREATE TABLE corrections (
    id           INTEGER PRIMARY KEY,
    location_id  TEXT NOT NULL REFERENCES locations(id),
    child_id     INTEGER NOT NULL REFERENCES children(id),
    day          TEXT NOT NULL,                  -- ISO date, local
    before       TEXT NOT NULL,
    after        TEXT NOT NULL,
    actor_role   TEXT NOT NULL CHECK (actor_role IN ('location', 'organisator')),
    actor_id     TEXT NOT NULL,
    actor_name   TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    made_at      TEXT NOT NULL                   -- UTC ISO
);
CREATE INDEX corrections_cell ON corrections(location_id, day, child_id);
CREATE TRIGGER corrections_are_kept_update BEFORE UPDATE ON corrections
BEGIN
    SELECT RAISE(ABORT, 'corrections are history; add a new one instead');
END;
CREATE TRIGGER corrections_are_kept_delete BEFORE DELETE ON corrections
BEGIN
    SELECT RAISE(ABORT, 'corrections are history; add a new one instead');
END;
