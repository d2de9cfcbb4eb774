-- Security (issue 13a): the units' staff code apart from the portal PIN, per-unit keys, and
-- location-wide PIN locks that need many wrong PINs from many networks.

-- The location's scanner code, typed on a unit's keypad for the staff menu; set by the
-- organisator, apart from the portal PIN. Kept as typed: the hub derives a hash keyed to each
-- unit from it, also for units enrolled later. It opens nothing in the portal.
ALTER TABLE locations ADD COLUMN scanner_code TEXT;
-- When the location-wide PIN lock started and until when it holds (UTC ISO); NULL: not locked.
ALTER TABLE locations ADD COLUMN pin_locked_until TEXT;

-- Each unit's staff key (hex, 32 bytes), in its bundle as staff.key; NULL for units enrolled
-- before this migration until `aanwezig-provision rekey` gives them one.
ALTER TABLE units ADD COLUMN staff_key TEXT;
-- argon2id hash of the scanner code as this unit gets it (keyed when the unit has a key);
-- recomputed when the code or the key changes, so publishing a config costs no hashing.
ALTER TABLE units ADD COLUMN staff_code_hash TEXT;

-- Every wrong location PIN: who tried (client key) from which network (/24 or /64), when.
-- The location-wide lock counts these over the last hour; rows older than a day are pruned.
CREATE TABLE pin_failures (
    id           INTEGER PRIMARY KEY,
    location_id  TEXT NOT NULL REFERENCES locations(id),
    client       TEXT NOT NULL,
    network      TEXT NOT NULL,
    at           TEXT NOT NULL                 -- UTC ISO
);
CREATE INDEX pin_failures_location_at ON pin_failures(location_id, at);
