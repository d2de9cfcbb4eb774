-- Staff presence (issue 16): a card of the same stock may belong to a staff person instead of a
-- child; its scans are staff in/out, kept apart from the children's event log, once per event id.
ALTER TABLE cards ADD COLUMN staff_id BIGINT REFERENCES staff(id);
CREATE INDEX cards_staff ON cards(staff_id);

CREATE TABLE staff_scans (
    event_id     TEXT PRIMARY KEY,               -- the unit's event id: stored once, resent safely
    location_id  TEXT NOT NULL REFERENCES locations(id),
    staff_id     BIGINT NOT NULL REFERENCES staff(id),
    unit_id      TEXT NOT NULL,
    direction    TEXT NOT NULL CHECK (direction IN ('arrival', 'departure')),  -- as the hub decided
    occurred_at  TEXT NOT NULL,                  -- UTC ISO (the hub's receipt when the unit's clock is unsure)
    received_at  TEXT NOT NULL
);
CREATE INDEX staff_scans_day ON staff_scans(location_id, occurred_at);

-- The location's norm: at most this many children per staff member present (NULL: the default
-- of Kind en Gezin's licence for group care, hub/staff/ratio.py).
ALTER TABLE locations ADD COLUMN max_children_per_staff BIGINT
    CHECK (max_children_per_staff IS NULL OR max_children_per_staff BETWEEN 1 AND 50);
