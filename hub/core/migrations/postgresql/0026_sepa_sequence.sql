-- Issue 20: SEPA sequence types. The first collection under a mandate is FRST, later ones RCUR.
-- One row per invoice put in a direct debit file, with the sequence it got; a mandate's FRST is
-- consumed by a collected invoice that is still valid (a replaced or credited one does not count).
CREATE TABLE sepa_collections (
    invoice_id      BIGINT PRIMARY KEY REFERENCES invoices(id),
    organisator_id  BIGINT NOT NULL REFERENCES organisators(id),
    mandate_ref     TEXT NOT NULL,
    sequence        TEXT NOT NULL CHECK (sequence IN ('FRST', 'RCUR')),
    collected_at    TEXT NOT NULL              -- when it was first put in a file (UTC ISO)
);
CREATE INDEX sepa_collections_mandate ON sepa_collections(organisator_id, mandate_ref);
