-- Alerts (issue 16): one row per occurrence of a keyed condition ("unit-offline:unit-1",
-- "disk-low"); at most one open per key, so each alert is mailed once, and once more when resolved.
CREATE TABLE alerts (
    id           INTEGER PRIMARY KEY,
    key          TEXT NOT NULL,
    location_id  TEXT REFERENCES locations(id),  -- NULL: the whole hub (its disk)
    text         TEXT NOT NULL,                  -- Dutch, as mailed and shown
    opened_at    TEXT NOT NULL,                  -- UTC ISO
    resolved_at  TEXT
);
CREATE UNIQUE INDEX alerts_open_key ON alerts(key) WHERE resolved_at IS NULL;
CREATE INDEX alerts_location ON alerts(location_id, resolved_at);
