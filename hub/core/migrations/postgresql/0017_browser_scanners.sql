-- Browser scanners (issue 19): a tablet or phone enrolled from the location's portal is a unit
-- (same registry, admission, listing and revocation) that reaches the hub over HTTP with a device
-- credential instead of an MQTT account.

-- Seconds of silence after which the listing shows a unit offline. NULL for MQTT units, whose
-- broker's last will says so; a browser scanner has no last will, only its heartbeat.
ALTER TABLE units ADD COLUMN offline_after_s BIGINT;

CREATE TABLE browser_scanners (
    unit_id          TEXT PRIMARY KEY REFERENCES units(id),
    credential_hash  TEXT NOT NULL UNIQUE,      -- SHA-256 of the device credential (256 random bits)
    name             TEXT NOT NULL,             -- "Tablet inkom", as staff named it
    verifier_salt    TEXT NOT NULL,             -- hex; salts the scanner-code verifier the page gets
    enrolled_at      TEXT NOT NULL,             -- UTC ISO
    enrolled_by      TEXT NOT NULL              -- who enrolled it (actor's description)
);
