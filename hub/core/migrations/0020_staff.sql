-- Staff accounts (issue 16): personal logins per organisator, invited by mail like organisators,
-- with a role (organisator, verantwoordelijke, medewerker) and the locations they work at.
-- A person is deactivated, never deleted: the history keeps their name.
CREATE TABLE staff (
    id              INTEGER PRIMARY KEY,
    organisator_id  INTEGER NOT NULL REFERENCES organisators(id),
    name            TEXT NOT NULL,
    email           TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role            TEXT NOT NULL CHECK (role IN ('organisator', 'verantwoordelijke', 'medewerker')),
    password_hash   TEXT,
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at      TEXT NOT NULL,               -- UTC ISO
    deactivated_at  TEXT
);
CREATE INDEX staff_organisator ON staff(organisator_id);

CREATE TABLE staff_locations (
    staff_id     INTEGER NOT NULL REFERENCES staff(id),
    location_id  TEXT NOT NULL REFERENCES locations(id),
    PRIMARY KEY (staff_id, location_id)
) WITHOUT ROWID;
CREATE INDEX staff_locations_location ON staff_locations(location_id);

-- A one-time link may be a staff person's: organisator_id is then their organisator's.
ALTER TABLE account_tokens ADD COLUMN staff_id INTEGER REFERENCES staff(id);

-- Sessions may be a staff person's (role 'staff', actor_id the person's id; a person with the
-- organisator role too). The CHECK cannot be altered in place: the table is rebuilt.
CREATE TABLE sessions_with_staff (
    token_hash    TEXT PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('location', 'organisator', 'staff')),
    actor_id      TEXT NOT NULL,                 -- location id, organisator id or staff id, as text
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    client        TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
INSERT INTO sessions_with_staff SELECT token_hash, role, actor_id, created_at, last_seen_at, expires_at, client
    FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_with_staff RENAME TO sessions;
CREATE INDEX sessions_actor ON sessions(role, actor_id);
