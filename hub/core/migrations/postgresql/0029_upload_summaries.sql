-- The "Opgeladen" overview reads a kept summary per location and month instead of preparing every
-- location's month on each request (hub/upload/summary.py computes it with the same month_detail the
-- location's own screen uses).
--
-- upload_summary_changes counts the changes that may alter a summary: per (location, month) for
-- what belongs to one month (check-ins, corrections, the upload's versions, answers, requests and
-- confirmations), per (location, '*') for what may alter every month of a location (opening hours,
-- closing days, closed months, stays, care plans, a child's data, the organisation's children). The
-- triggers below count in the same transaction as the change, so no writer can forget it. A kept
-- summary is used only while the counts it was computed at are still the current ones (and until
-- its valid_until: cells change with the clock, e.g. "nog aanwezig" turns red after closing time).
--
-- A check-in counts for the location where it was scanned and for every location the child is
-- linked to (its stays there are compared with those elsewhere), in the Brussels month of the
-- moment: the UTC month and that of two hours later (Brussels is UTC+1 or UTC+2), so the last
-- hours of a month count for both months. Counting too much only costs a recomputation.

CREATE TABLE upload_summary_changes (
    location_id  TEXT NOT NULL,
    month        TEXT NOT NULL,                  -- YYYY-MM, or '*': every month of the location
    changes      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (location_id, month)
);

CREATE TABLE upload_month_summaries (
    location_id       TEXT NOT NULL,
    month             TEXT NOT NULL,             -- YYYY-MM
    month_changes     BIGINT NOT NULL,          -- upload_summary_changes of (location, month) when computed
    location_changes  BIGINT NOT NULL,          -- and of (location, '*')
    upload_day        BIGINT NOT NULL,          -- the hub's [upload] settings it was computed with
    sending_enabled   BIGINT NOT NULL,
    computed_at       TEXT NOT NULL,             -- UTC ISO
    valid_until       TEXT NOT NULL,             -- UTC ISO: the clock changes it from then on
    status            TEXT NOT NULL,             -- hub.upload.status.Status value
    clock             BIGINT NOT NULL,          -- red clock
    cloud             BIGINT NOT NULL,          -- red cloud
    time_errors       BIGINT NOT NULL,          -- open time errors, here and from the receiver
    data_errors       BIGINT NOT NULL,          -- open data errors, here and from the receiver
    red_cells         BIGINT NOT NULL,          -- red cells in the month grid
    minutes           BIGINT NOT NULL,          -- minutes present that count, every child
    version           BIGINT,                   -- the latest version sent
    next_sending      TEXT,                      -- ISO date the hub sends by itself next
    sending           BIGINT NOT NULL,          -- a "Nu versturen" waits
    PRIMARY KEY (location_id, month)
);

CREATE OR REPLACE FUNCTION events_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT NEW.location_id AS location_id, substr(NEW.occurred_at, 1, 7) AS month
        UNION SELECT cl.location_id, substr(NEW.occurred_at, 1, 7) FROM child_locations cl WHERE cl.child_id = NEW.child_id
        UNION SELECT NEW.location_id AS location_id, coalesce(to_char((NEW.occurred_at)::timestamptz AT TIME ZONE 'Europe/Brussels', 'YYYY-MM'), '*') AS month
        UNION SELECT cl.location_id, coalesce(to_char((NEW.occurred_at)::timestamptz AT TIME ZONE 'Europe/Brussels', 'YYYY-MM'), '*') FROM child_locations cl WHERE cl.child_id = NEW.child_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER events_summary_insert AFTER INSERT ON events
FOR EACH ROW EXECUTE FUNCTION events_summary_insert();

CREATE OR REPLACE FUNCTION events_summary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT OLD.location_id AS location_id, substr(OLD.occurred_at, 1, 7) AS month
        UNION SELECT cl.location_id, substr(OLD.occurred_at, 1, 7) FROM child_locations cl WHERE cl.child_id = OLD.child_id
        UNION SELECT OLD.location_id AS location_id, coalesce(to_char((OLD.occurred_at)::timestamptz AT TIME ZONE 'Europe/Brussels', 'YYYY-MM'), '*') AS month
        UNION SELECT cl.location_id, coalesce(to_char((OLD.occurred_at)::timestamptz AT TIME ZONE 'Europe/Brussels', 'YYYY-MM'), '*') FROM child_locations cl WHERE cl.child_id = OLD.child_id
        UNION SELECT NEW.location_id AS location_id, substr(NEW.occurred_at, 1, 7) AS month
        UNION SELECT cl.location_id, substr(NEW.occurred_at, 1, 7) FROM child_locations cl WHERE cl.child_id = NEW.child_id
        UNION SELECT NEW.location_id AS location_id, coalesce(to_char((NEW.occurred_at)::timestamptz AT TIME ZONE 'Europe/Brussels', 'YYYY-MM'), '*') AS month
        UNION SELECT cl.location_id, coalesce(to_char((NEW.occurred_at)::timestamptz AT TIME ZONE 'Europe/Brussels', 'YYYY-MM'), '*') FROM child_locations cl WHERE cl.child_id = NEW.child_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER events_summary_update AFTER UPDATE ON events
FOR EACH ROW EXECUTE FUNCTION events_summary_update();

CREATE OR REPLACE FUNCTION events_summary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT OLD.location_id AS location_id, substr(OLD.occurred_at, 1, 7) AS month
        UNION SELECT cl.location_id, substr(OLD.occurred_at, 1, 7) FROM child_locations cl WHERE cl.child_id = OLD.child_id
        UNION SELECT OLD.location_id AS location_id, coalesce(to_char((OLD.occurred_at)::timestamptz AT TIME ZONE 'Europe/Brussels', 'YYYY-MM'), '*') AS month
        UNION SELECT cl.location_id, coalesce(to_char((OLD.occurred_at)::timestamptz AT TIME ZONE 'Europe/Brussels', 'YYYY-MM'), '*') FROM child_locations cl WHERE cl.child_id = OLD.child_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER events_summary_delete AFTER DELETE ON events
FOR EACH ROW EXECUTE FUNCTION events_summary_delete();

CREATE OR REPLACE FUNCTION corrections_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT NEW.location_id AS location_id, substr(NEW.day, 1, 7) AS month
        UNION SELECT cl.location_id, substr(NEW.day, 1, 7) FROM child_locations cl WHERE cl.child_id = NEW.child_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER corrections_summary_insert AFTER INSERT ON corrections
FOR EACH ROW EXECUTE FUNCTION corrections_summary_insert();

CREATE OR REPLACE FUNCTION corrections_summary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT OLD.location_id AS location_id, substr(OLD.day, 1, 7) AS month
        UNION SELECT cl.location_id, substr(OLD.day, 1, 7) FROM child_locations cl WHERE cl.child_id = OLD.child_id
        UNION SELECT NEW.location_id AS location_id, substr(NEW.day, 1, 7) AS month
        UNION SELECT cl.location_id, substr(NEW.day, 1, 7) FROM child_locations cl WHERE cl.child_id = NEW.child_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER corrections_summary_update AFTER UPDATE ON corrections
FOR EACH ROW EXECUTE FUNCTION corrections_summary_update();

CREATE OR REPLACE FUNCTION corrections_summary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT OLD.location_id AS location_id, substr(OLD.day, 1, 7) AS month
        UNION SELECT cl.location_id, substr(OLD.day, 1, 7) FROM child_locations cl WHERE cl.child_id = OLD.child_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER corrections_summary_delete AFTER DELETE ON corrections
FOR EACH ROW EXECUTE FUNCTION corrections_summary_delete();

CREATE OR REPLACE FUNCTION children_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT l2.id AS location_id, '*' AS month FROM child_locations cl JOIN locations l ON l.id = cl.location_id JOIN locations l2 ON l2.organisator_id = l.organisator_id WHERE cl.child_id = NEW.id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER children_summary_insert AFTER INSERT ON children
FOR EACH ROW EXECUTE FUNCTION children_summary_insert();

CREATE OR REPLACE FUNCTION children_summary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT l2.id AS location_id, '*' AS month FROM child_locations cl JOIN locations l ON l.id = cl.location_id JOIN locations l2 ON l2.organisator_id = l.organisator_id WHERE cl.child_id = OLD.id
        UNION SELECT l2.id AS location_id, '*' AS month FROM child_locations cl JOIN locations l ON l.id = cl.location_id JOIN locations l2 ON l2.organisator_id = l.organisator_id WHERE cl.child_id = NEW.id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER children_summary_update AFTER UPDATE ON children
FOR EACH ROW EXECUTE FUNCTION children_summary_update();

CREATE OR REPLACE FUNCTION children_summary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT l2.id AS location_id, '*' AS month FROM child_locations cl JOIN locations l ON l.id = cl.location_id JOIN locations l2 ON l2.organisator_id = l.organisator_id WHERE cl.child_id = OLD.id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER children_summary_delete AFTER DELETE ON children
FOR EACH ROW EXECUTE FUNCTION children_summary_delete();

CREATE OR REPLACE FUNCTION child_locations_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT l2.id AS location_id, '*' AS month FROM locations l JOIN locations l2 ON l2.organisator_id = l.organisator_id WHERE l.id = NEW.location_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER child_locations_summary_insert AFTER INSERT ON child_locations
FOR EACH ROW EXECUTE FUNCTION child_locations_summary_insert();

CREATE OR REPLACE FUNCTION child_locations_summary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT l2.id AS location_id, '*' AS month FROM locations l JOIN locations l2 ON l2.organisator_id = l.organisator_id WHERE l.id = OLD.location_id
        UNION SELECT l2.id AS location_id, '*' AS month FROM locations l JOIN locations l2 ON l2.organisator_id = l.organisator_id WHERE l.id = NEW.location_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER child_locations_summary_update AFTER UPDATE ON child_locations
FOR EACH ROW EXECUTE FUNCTION child_locations_summary_update();

CREATE OR REPLACE FUNCTION child_locations_summary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT l2.id AS location_id, '*' AS month FROM locations l JOIN locations l2 ON l2.organisator_id = l.organisator_id WHERE l.id = OLD.location_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER child_locations_summary_delete AFTER DELETE ON child_locations
FOR EACH ROW EXECUTE FUNCTION child_locations_summary_delete();

CREATE OR REPLACE FUNCTION child_stays_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT NEW.location_id AS location_id, '*' AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER child_stays_summary_insert AFTER INSERT ON child_stays
FOR EACH ROW EXECUTE FUNCTION child_stays_summary_insert();

CREATE OR REPLACE FUNCTION child_stays_summary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT OLD.location_id AS location_id, '*' AS month
        UNION SELECT NEW.location_id AS location_id, '*' AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER child_stays_summary_update AFTER UPDATE ON child_stays
FOR EACH ROW EXECUTE FUNCTION child_stays_summary_update();

CREATE OR REPLACE FUNCTION child_stays_summary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT OLD.location_id AS location_id, '*' AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER child_stays_summary_delete AFTER DELETE ON child_stays
FOR EACH ROW EXECUTE FUNCTION child_stays_summary_delete();

CREATE OR REPLACE FUNCTION locations_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT l2.id AS location_id, '*' AS month FROM locations l2 WHERE l2.organisator_id = NEW.organisator_id
        UNION SELECT NEW.id, '*'
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER locations_summary_insert AFTER INSERT ON locations
FOR EACH ROW EXECUTE FUNCTION locations_summary_insert();

CREATE OR REPLACE FUNCTION locations_summary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT l2.id AS location_id, '*' AS month FROM locations l2 WHERE l2.organisator_id = OLD.organisator_id
        UNION SELECT OLD.id, '*'
        UNION SELECT l2.id AS location_id, '*' AS month FROM locations l2 WHERE l2.organisator_id = NEW.organisator_id
        UNION SELECT NEW.id, '*'
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER locations_summary_update AFTER UPDATE ON locations
FOR EACH ROW EXECUTE FUNCTION locations_summary_update();

CREATE OR REPLACE FUNCTION locations_summary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT l2.id AS location_id, '*' AS month FROM locations l2 WHERE l2.organisator_id = OLD.organisator_id
        UNION SELECT OLD.id, '*'
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER locations_summary_delete AFTER DELETE ON locations
FOR EACH ROW EXECUTE FUNCTION locations_summary_delete();

CREATE OR REPLACE FUNCTION opening_blocks_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT NEW.location_id AS location_id, '*' AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER opening_blocks_summary_insert AFTER INSERT ON location_opening_blocks
FOR EACH ROW EXECUTE FUNCTION opening_blocks_summary_insert();

CREATE OR REPLACE FUNCTION opening_blocks_summary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT OLD.location_id AS location_id, '*' AS month
        UNION SELECT NEW.location_id AS location_id, '*' AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER opening_blocks_summary_update AFTER UPDATE ON location_opening_blocks
FOR EACH ROW EXECUTE FUNCTION opening_blocks_summary_update();

CREATE OR REPLACE FUNCTION opening_blocks_summary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT OLD.location_id AS location_id, '*' AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER opening_blocks_summary_delete AFTER DELETE ON location_opening_blocks
FOR EACH ROW EXECUTE FUNCTION opening_blocks_summary_delete();

CREATE OR REPLACE FUNCTION closing_days_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT NEW.location_id AS location_id, '*' AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER closing_days_summary_insert AFTER INSERT ON location_closing_days
FOR EACH ROW EXECUTE FUNCTION closing_days_summary_insert();

CREATE OR REPLACE FUNCTION closing_days_summary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT OLD.location_id AS location_id, '*' AS month
        UNION SELECT NEW.location_id AS location_id, '*' AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER closing_days_summary_update AFTER UPDATE ON location_closing_days
FOR EACH ROW EXECUTE FUNCTION closing_days_summary_update();

CREATE OR REPLACE FUNCTION closing_days_summary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT OLD.location_id AS location_id, '*' AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER closing_days_summary_delete AFTER DELETE ON location_closing_days
FOR EACH ROW EXECUTE FUNCTION closing_days_summary_delete();

CREATE OR REPLACE FUNCTION closed_months_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT NEW.location_id AS location_id, '*' AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER closed_months_summary_insert AFTER INSERT ON closed_months
FOR EACH ROW EXECUTE FUNCTION closed_months_summary_insert();

CREATE OR REPLACE FUNCTION closed_months_summary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT OLD.location_id AS location_id, '*' AS month
        UNION SELECT NEW.location_id AS location_id, '*' AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER closed_months_summary_update AFTER UPDATE ON closed_months
FOR EACH ROW EXECUTE FUNCTION closed_months_summary_update();

CREATE OR REPLACE FUNCTION closed_months_summary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT OLD.location_id AS location_id, '*' AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER closed_months_summary_delete AFTER DELETE ON closed_months
FOR EACH ROW EXECUTE FUNCTION closed_months_summary_delete();

CREATE OR REPLACE FUNCTION care_plans_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT NEW.location_id AS location_id, '*' AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER care_plans_summary_insert AFTER INSERT ON care_plans
FOR EACH ROW EXECUTE FUNCTION care_plans_summary_insert();

CREATE OR REPLACE FUNCTION care_plans_summary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT OLD.location_id AS location_id, '*' AS month
        UNION SELECT NEW.location_id AS location_id, '*' AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER care_plans_summary_update AFTER UPDATE ON care_plans
FOR EACH ROW EXECUTE FUNCTION care_plans_summary_update();

CREATE OR REPLACE FUNCTION care_plans_summary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT OLD.location_id AS location_id, '*' AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER care_plans_summary_delete AFTER DELETE ON care_plans
FOR EACH ROW EXECUTE FUNCTION care_plans_summary_delete();

CREATE OR REPLACE FUNCTION plan_versions_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT p.location_id AS location_id, '*' AS month FROM care_plans p WHERE p.id = NEW.plan_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER plan_versions_summary_insert AFTER INSERT ON care_plan_versions
FOR EACH ROW EXECUTE FUNCTION plan_versions_summary_insert();

CREATE OR REPLACE FUNCTION plan_versions_summary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT p.location_id AS location_id, '*' AS month FROM care_plans p WHERE p.id = OLD.plan_id
        UNION SELECT p.location_id AS location_id, '*' AS month FROM care_plans p WHERE p.id = NEW.plan_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER plan_versions_summary_update AFTER UPDATE ON care_plan_versions
FOR EACH ROW EXECUTE FUNCTION plan_versions_summary_update();

CREATE OR REPLACE FUNCTION plan_versions_summary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT p.location_id AS location_id, '*' AS month FROM care_plans p WHERE p.id = OLD.plan_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER plan_versions_summary_delete AFTER DELETE ON care_plan_versions
FOR EACH ROW EXECUTE FUNCTION plan_versions_summary_delete();

CREATE OR REPLACE FUNCTION plan_settling_in_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT p.location_id AS location_id, '*' AS month FROM care_plans p WHERE p.id = NEW.plan_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER plan_settling_in_summary_insert AFTER INSERT ON care_plan_settling_in
FOR EACH ROW EXECUTE FUNCTION plan_settling_in_summary_insert();

CREATE OR REPLACE FUNCTION plan_settling_in_summary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT p.location_id AS location_id, '*' AS month FROM care_plans p WHERE p.id = OLD.plan_id
        UNION SELECT p.location_id AS location_id, '*' AS month FROM care_plans p WHERE p.id = NEW.plan_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER plan_settling_in_summary_update AFTER UPDATE ON care_plan_settling_in
FOR EACH ROW EXECUTE FUNCTION plan_settling_in_summary_update();

CREATE OR REPLACE FUNCTION plan_settling_in_summary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT p.location_id AS location_id, '*' AS month FROM care_plans p WHERE p.id = OLD.plan_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER plan_settling_in_summary_delete AFTER DELETE ON care_plan_settling_in
FOR EACH ROW EXECUTE FUNCTION plan_settling_in_summary_delete();

CREATE OR REPLACE FUNCTION plan_day_changes_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT p.location_id AS location_id, '*' AS month FROM care_plans p WHERE p.id = NEW.plan_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER plan_day_changes_summary_insert AFTER INSERT ON care_plan_day_changes
FOR EACH ROW EXECUTE FUNCTION plan_day_changes_summary_insert();

CREATE OR REPLACE FUNCTION plan_day_changes_summary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT p.location_id AS location_id, '*' AS month FROM care_plans p WHERE p.id = OLD.plan_id
        UNION SELECT p.location_id AS location_id, '*' AS month FROM care_plans p WHERE p.id = NEW.plan_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER plan_day_changes_summary_update AFTER UPDATE ON care_plan_day_changes
FOR EACH ROW EXECUTE FUNCTION plan_day_changes_summary_update();

CREATE OR REPLACE FUNCTION plan_day_changes_summary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT p.location_id AS location_id, '*' AS month FROM care_plans p WHERE p.id = OLD.plan_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER plan_day_changes_summary_delete AFTER DELETE ON care_plan_day_changes
FOR EACH ROW EXECUTE FUNCTION plan_day_changes_summary_delete();

CREATE OR REPLACE FUNCTION upload_submissions_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT NEW.location_id AS location_id, NEW.month AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER upload_submissions_summary_insert AFTER INSERT ON upload_submissions
FOR EACH ROW EXECUTE FUNCTION upload_submissions_summary_insert();

CREATE OR REPLACE FUNCTION upload_submissions_summary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT OLD.location_id AS location_id, OLD.month AS month
        UNION SELECT NEW.location_id AS location_id, NEW.month AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER upload_submissions_summary_update AFTER UPDATE ON upload_submissions
FOR EACH ROW EXECUTE FUNCTION upload_submissions_summary_update();

CREATE OR REPLACE FUNCTION upload_submissions_summary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT OLD.location_id AS location_id, OLD.month AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER upload_submissions_summary_delete AFTER DELETE ON upload_submissions
FOR EACH ROW EXECUTE FUNCTION upload_submissions_summary_delete();

CREATE OR REPLACE FUNCTION upload_records_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT s.location_id AS location_id, s.month AS month FROM upload_submissions s WHERE s.id = NEW.submission_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER upload_records_summary_insert AFTER INSERT ON upload_records
FOR EACH ROW EXECUTE FUNCTION upload_records_summary_insert();

CREATE OR REPLACE FUNCTION upload_records_summary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT s.location_id AS location_id, s.month AS month FROM upload_submissions s WHERE s.id = OLD.submission_id
        UNION SELECT s.location_id AS location_id, s.month AS month FROM upload_submissions s WHERE s.id = NEW.submission_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER upload_records_summary_update AFTER UPDATE ON upload_records
FOR EACH ROW EXECUTE FUNCTION upload_records_summary_update();

CREATE OR REPLACE FUNCTION upload_records_summary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT s.location_id AS location_id, s.month AS month FROM upload_submissions s WHERE s.id = OLD.submission_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER upload_records_summary_delete AFTER DELETE ON upload_records
FOR EACH ROW EXECUTE FUNCTION upload_records_summary_delete();

CREATE OR REPLACE FUNCTION upload_attempts_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT s.location_id AS location_id, s.month AS month FROM upload_submissions s WHERE s.id = NEW.submission_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER upload_attempts_summary_insert AFTER INSERT ON upload_attempts
FOR EACH ROW EXECUTE FUNCTION upload_attempts_summary_insert();

CREATE OR REPLACE FUNCTION upload_attempts_summary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT s.location_id AS location_id, s.month AS month FROM upload_submissions s WHERE s.id = OLD.submission_id
        UNION SELECT s.location_id AS location_id, s.month AS month FROM upload_submissions s WHERE s.id = NEW.submission_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER upload_attempts_summary_update AFTER UPDATE ON upload_attempts
FOR EACH ROW EXECUTE FUNCTION upload_attempts_summary_update();

CREATE OR REPLACE FUNCTION upload_attempts_summary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT s.location_id AS location_id, s.month AS month FROM upload_submissions s WHERE s.id = OLD.submission_id
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER upload_attempts_summary_delete AFTER DELETE ON upload_attempts
FOR EACH ROW EXECUTE FUNCTION upload_attempts_summary_delete();

CREATE OR REPLACE FUNCTION upload_requests_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT NEW.location_id AS location_id, NEW.month AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER upload_requests_summary_insert AFTER INSERT ON upload_requests
FOR EACH ROW EXECUTE FUNCTION upload_requests_summary_insert();

CREATE OR REPLACE FUNCTION upload_requests_summary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT OLD.location_id AS location_id, OLD.month AS month
        UNION SELECT NEW.location_id AS location_id, NEW.month AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER upload_requests_summary_update AFTER UPDATE ON upload_requests
FOR EACH ROW EXECUTE FUNCTION upload_requests_summary_update();

CREATE OR REPLACE FUNCTION upload_requests_summary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT OLD.location_id AS location_id, OLD.month AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER upload_requests_summary_delete AFTER DELETE ON upload_requests
FOR EACH ROW EXECUTE FUNCTION upload_requests_summary_delete();

CREATE OR REPLACE FUNCTION upload_confirmations_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT NEW.location_id AS location_id, NEW.month AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER upload_confirmations_summary_insert AFTER INSERT ON upload_confirmations
FOR EACH ROW EXECUTE FUNCTION upload_confirmations_summary_insert();

CREATE OR REPLACE FUNCTION upload_confirmations_summary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT OLD.location_id AS location_id, OLD.month AS month
        UNION SELECT NEW.location_id AS location_id, NEW.month AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER upload_confirmations_summary_update AFTER UPDATE ON upload_confirmations
FOR EACH ROW EXECUTE FUNCTION upload_confirmations_summary_update();

CREATE OR REPLACE FUNCTION upload_confirmations_summary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
INSERT INTO upload_summary_changes (location_id, month, changes)
    SELECT location_id, month, 1 FROM (
        SELECT OLD.location_id AS location_id, OLD.month AS month
    ) AS changed WHERE true
    ON CONFLICT (location_id, month) DO UPDATE SET changes = upload_summary_changes.changes + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER upload_confirmations_summary_delete AFTER DELETE ON upload_confirmations
FOR EACH ROW EXECUTE FUNCTION upload_confirmations_summary_delete();

-- The month grid reads a month of events of the children of a location, wherever they were: by
-- (child, time). With every column it reads in the index, the read is one range of the index per
-- child instead of a lookup of the row per event as well (a month grid with millions of events in
-- the table; bench/scale_screens.py). It replaces the index on (child, time) of 0001.
DROP INDEX events_child_time;
CREATE INDEX events_child_time_covering
    ON events(child_id, occurred_at, location_id, direction, received_at, direction_by);
