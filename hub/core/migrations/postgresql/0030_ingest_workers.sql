-- Several hub processes (issue 17): once-only jobs under a lease, and what each ingest worker stored.

-- A job that must run in one process only (the upload planner, the notifier, the mail outbox, ...)
-- runs while its process holds this row: taken when free or expired, renewed well before
-- expires_at (seconds since the epoch; DOUBLE PRECISION, not DOUBLE PRECISION, which is 4 bytes on PostgreSQL),
-- released on a clean stop. See hub/core/leases.py.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    taken_at DOUBLE PRECISION NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL
);

-- Per ingest worker (ingest-1, ingest-2, ...): check-ins it stored and transactions it committed,
-- counted in the transaction that stored them, so the sum is exact after any crash.
CREATE TABLE ingest_workers (
    name TEXT PRIMARY KEY,
    stored BIGINT NOT NULL DEFAULT 0,
    batches BIGINT NOT NULL DEFAULT 0,
    last_batch_at TEXT
);
