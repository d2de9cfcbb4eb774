-- Staged rollouts of unit software (issue 16, "Updating a fleet of units"): a rollout sends a
-- signed wheel to a first few units, then to the rest; a unit that does not come back stops it
-- and the units already sent the wheel are told to roll back. hub/rollout/rules.py decides.
ALTER TABLE units ADD COLUMN update_rollout TEXT;   -- the unit's last reported update (Status.update_*)
ALTER TABLE units ADD COLUMN update_outcome TEXT;
ALTER TABLE units ADD COLUMN update_detail TEXT;

CREATE TABLE rollouts (
    id TEXT PRIMARY KEY,                 -- ULID, also in the update command
    file TEXT NOT NULL,                  -- the wheel's file name, in <data_dir>/updates/
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    signature TEXT NOT NULL,
    first_count BIGINT NOT NULL CHECK (first_count >= 1),
    timeout_s DOUBLE PRECISION NOT NULL CHECK (timeout_s > 0),
    state TEXT NOT NULL CHECK (state IN ('stage1', 'stage2', 'done', 'stopped', 'aborted')),
    reason TEXT,                         -- why it stopped (for the technician)
    started_at TEXT NOT NULL,
    stage_started_at TEXT NOT NULL,
    ended_at TEXT
);

CREATE TABLE rollout_units (
    rollout_id TEXT NOT NULL REFERENCES rollouts (id),
    unit_id TEXT NOT NULL REFERENCES units (id),
    location_id TEXT NOT NULL,
    stage BIGINT NOT NULL CHECK (stage IN (1, 2)),
    command TEXT CHECK (command IN ('install', 'rollback')),  -- NULL: nothing sent yet
    published BIGINT NOT NULL DEFAULT 0,                      -- the broker took the command
    PRIMARY KEY (rollout_id, unit_id)
);
