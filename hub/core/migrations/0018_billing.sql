-- Issue 20: care plans, absences, income attests, debtors and the month invoices (hub/billing,
-- hub/careplan). Amounts are never stored as rules here: fees come from the dated table.

-- A child's care plan at a location. Its days are in versions; a change adds a version from a
-- date and never rewrites the days before it. Rows are never updated except the end date.
CREATE TABLE care_plans (
    id           INTEGER PRIMARY KEY,
    child_id     INTEGER NOT NULL REFERENCES children(id),
    location_id  TEXT NOT NULL REFERENCES locations(id),
    start        TEXT NOT NULL,                 -- ISO date, first planned day
    end_day      TEXT,                          -- ISO date, last planned day; NULL: open
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX care_plans_location ON care_plans(location_id, child_id);

-- One version: from valid_from, per weekday (JSON {"0": {"size": "volledig", "start": "07:30",
-- "end": "17:30"}, ...}). Append-only: the plan is the versions replayed in id order.
CREATE TABLE care_plan_versions (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES care_plans(id),
    valid_from  TEXT NOT NULL,
    weekdays    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX care_plan_versions_plan ON care_plan_versions(plan_id, id);

-- Settling-in days (wendagen) before the plan's start: billed by the hours present, no absences.
CREATE TABLE care_plan_settling_in (
    plan_id  INTEGER NOT NULL REFERENCES care_plans(id),
    day      TEXT NOT NULL,
    PRIMARY KEY (plan_id, day)
) WITHOUT ROWID;

-- What billing knows of a child beyond the children feature.
ALTER TABLE children ADD COLUMN school_full_time INTEGER NOT NULL DEFAULT 0;   -- the 40 % band
ALTER TABLE children ADD COLUMN dependent_children INTEGER NOT NULL DEFAULT 1; -- kindkorting
ALTER TABLE children ADD COLUMN multiple_birth INTEGER NOT NULL DEFAULT 0;

-- Which billing rules (hub/billing/policy.py presets) an organisator or one of its locations follows.
ALTER TABLE organisators ADD COLUMN billing_rules TEXT NOT NULL DEFAULT 'ag-antwerpen';
ALTER TABLE organisators ADD COLUMN creditor_id TEXT NOT NULL DEFAULT '';      -- SEPA creditor identifier
ALTER TABLE organisators ADD COLUMN creditor_iban TEXT NOT NULL DEFAULT '';
ALTER TABLE organisators ADD COLUMN creditor_bic TEXT NOT NULL DEFAULT '';
ALTER TABLE locations ADD COLUMN billing_rules TEXT;                           -- NULL: the organisator's

-- The family's day price from the "attest inkomenstarief", entered by the location.
CREATE TABLE income_attests (
    id           INTEGER PRIMARY KEY,
    child_id     INTEGER NOT NULL REFERENCES children(id),
    day_price    TEXT NOT NULL,                 -- euro, e.g. "25.34"
    valid_from   TEXT NOT NULL,
    valid_until  TEXT,                          -- NULL: until a later attest
    entered_at   TEXT NOT NULL,
    entered_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX income_attests_child ON income_attests(child_id, valid_from);

-- A "vrije prijs" location's own price list, dated.
CREATE TABLE location_prices (
    location_id  TEXT NOT NULL REFERENCES locations(id),
    valid_from   TEXT NOT NULL,
    full_day     TEXT NOT NULL,
    half_day     TEXT NOT NULL,
    PRIMARY KEY (location_id, valid_from)
) WITHOUT ROWID;

-- Who pays for a child (the debtor), with the SEPA mandate.
CREATE TABLE child_debtors (
    child_id      INTEGER PRIMARY KEY REFERENCES children(id),
    name          TEXT NOT NULL,
    email         TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    iban          TEXT NOT NULL DEFAULT '',
    bic           TEXT NOT NULL DEFAULT '',
    mandate_ref   TEXT NOT NULL DEFAULT '',
    mandate_date  TEXT,
    digital       INTEGER NOT NULL DEFAULT 1    -- the invoice goes by mail/portal
);

-- A planned day missed, with its reason (hub/billing/policy.py Reason values).
CREATE TABLE billing_absences (
    id           INTEGER PRIMARY KEY,
    child_id     INTEGER NOT NULL REFERENCES children(id),
    location_id  TEXT NOT NULL REFERENCES locations(id),
    day          TEXT NOT NULL,
    reason       TEXT NOT NULL,
    reported_at  TEXT NOT NULL,
    reported_by  TEXT NOT NULL DEFAULT '',
    UNIQUE (child_id, location_id, day)
);

-- Final invoices and credit notes: numbered without gaps per organisator, never changed.
CREATE TABLE invoice_counters (
    organisator_id  INTEGER PRIMARY KEY REFERENCES organisators(id),
    last_number     INTEGER NOT NULL
);

CREATE TABLE invoices (
    id              INTEGER PRIMARY KEY,
    organisator_id  INTEGER NOT NULL REFERENCES organisators(id),
    number          INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('factuur', 'creditnota')),
    location_id     TEXT NOT NULL REFERENCES locations(id),
    child_id        INTEGER NOT NULL REFERENCES children(id),
    year            INTEGER NOT NULL,
    month           INTEGER NOT NULL,
    debtor_name     TEXT NOT NULL,
    debtor_email    TEXT NOT NULL DEFAULT '',
    total           TEXT NOT NULL,              -- euro; negative on a credit note
    fiscal          TEXT NOT NULL,              -- the part on the fiscal attest (no fines)
    body            TEXT NOT NULL,              -- JSON: the lines as computed
    pdf             BLOB NOT NULL,
    corrects        INTEGER REFERENCES invoices(id),  -- a credit note: the invoice it cancels
    replaced_by     INTEGER REFERENCES invoices(id),
    issued_at       TEXT NOT NULL,
    issued_by       TEXT NOT NULL DEFAULT '',
    UNIQUE (organisator_id, number)
);
CREATE INDEX invoices_month ON invoices(location_id, year, month);
CREATE INDEX invoices_child ON invoices(child_id, year);

-- Make an issued invoice unchangeable: only replaced_by may be set, once.
CREATE TRIGGER invoices_never_change BEFORE UPDATE ON invoices
WHEN NEW.pdf IS NOT OLD.pdf OR NEW.total IS NOT OLD.total OR NEW.body IS NOT OLD.body
  OR NEW.number IS NOT OLD.number OR (OLD.replaced_by IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'a final invoice never changes');
END;
CREATE TRIGGER invoices_never_deleted BEFORE DELETE ON invoices
BEGIN
    SELECT RAISE(ABORT, 'a final invoice is never deleted');
END;

-- Parent requests (issue 18's model) extended with absences: kind 'afwezigheid' with a reason
-- (hub/billing/policy.py Reason values), whether it came before 08:00 that day, and an uploaded note.
ALTER TABLE parent_requests ADD COLUMN absence_reason TEXT;
ALTER TABLE parent_requests ADD COLUMN in_time INTEGER;
CREATE TABLE parent_request_notes (
    request_id    INTEGER PRIMARY KEY REFERENCES parent_requests(id),
    content_type  TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    data          BLOB NOT NULL
);

-- Extra days ("dag aanvragen") and swap days ("ruildag"): the planned day given up, and when an
-- unanswered request lapses ("vervalt automatisch op").
ALTER TABLE parent_requests ADD COLUMN swap_from TEXT;
ALTER TABLE parent_requests ADD COLUMN expires_on TEXT;

-- An approved extra day or swap changes the plan for that day only: the day's care (JSON of one
-- weekday entry) or 'null' for no care that day. The versions stay as they are.
CREATE TABLE care_plan_day_changes (
    plan_id     INTEGER NOT NULL REFERENCES care_plans(id),
    day         TEXT NOT NULL,
    planned     TEXT NOT NULL,
    request_id  INTEGER REFERENCES parent_requests(id),
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (plan_id, day)
) WITHOUT ROWID;
