-- Issue 20: the yearly fiscal attest mailed to each debtor in the spring, once per child, location
-- and year (the row is written in the transaction that queues the mail).
CREATE TABLE fiscal_attest_mails (
    location_id  TEXT NOT NULL REFERENCES locations(id),
    child_id     BIGINT NOT NULL REFERENCES children(id),
    year         BIGINT NOT NULL,
    to_address   TEXT NOT NULL,
    mailed_at    TEXT NOT NULL,              -- UTC ISO: queued in the mail outbox
    PRIMARY KEY (location_id, child_id, year)
);
