-- The hub's first schema: who runs which location, which children and cards, which units,
-- and the immutable log of check-in events as they arrived.

CREATE TABLE organisators (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL UNIQUE COLLATE NOCASE
);

CREATE TABLE locations (
    id              TEXT PRIMARY KEY,            -- the id used on the wire and in topics
    organisator_id  INTEGER NOT NULL REFERENCES organisators(id),
    dossier_number  TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    address         TEXT NOT NULL DEFAULT '',
    price_model     TEXT NOT NULL DEFAULT 'vrije_prijs'
                    CHECK (price_model IN ('vrije_prijs', 'inkomenstarief'))
);

CREATE TABLE children (
    id          INTEGER PRIMARY KEY,
    first_name  TEXT NOT NULL,
    last_name   TEXT NOT NULL,
    birth_date  TEXT,                            -- ISO date; shown as DD/MM/YYYY
    sex         TEXT CHECK (sex IN ('m', 'v', 'x')),
    no_subsidy  INTEGER NOT NULL DEFAULT 0       -- "geen KO-toeslag"
);

CREATE TABLE child_locations (
    child_id     INTEGER NOT NULL REFERENCES children(id),
    location_id  TEXT NOT NULL REFERENCES locations(id),
    PRIMARY KEY (child_id, location_id)
);

CREATE TABLE cards (
    code            TEXT PRIMARY KEY,
    organisator_id  INTEGER NOT NULL REFERENCES organisators(id),
    child_id        INTEGER REFERENCES children(id),
    state           TEXT NOT NULL DEFAULT 'unassigned' CHECK (state IN ('unassigned', 'active', 'lost'))
);
CREATE INDEX cards_child ON cards(child_id);

CREATE TABLE units (
    id           TEXT PRIMARY KEY,
    location_id  TEXT NOT NULL REFERENCES locations(id),
    state        TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'revoked')),
    online       INTEGER NOT NULL DEFAULT 0,
    last_seen    TEXT,                           -- hub time (UTC ISO) of the last message
    backlog      INTEGER,
    version      TEXT,
    last_scan    TEXT
);

-- One row per event id, never updated: the raw log that attendance is derived from.
CREATE TABLE events (
    id            TEXT PRIMARY KEY,
    unit_id       TEXT NOT NULL,
    location_id   TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    direction     TEXT NOT NULL CHECK (direction IN ('arrival', 'departure')),
    code          TEXT NOT NULL,
    source        TEXT NOT NULL CHECK (source IN ('qr', 'keypad')),
    wall_time     TEXT NOT NULL,                 -- as the unit sent it, with its offset
    occurred_at   TEXT NOT NULL,                 -- UTC ISO; the time attendance uses
    clock_synced  INTEGER NOT NULL,
    boot_id       TEXT NOT NULL,
    monotonic     REAL NOT NULL,
    child_id      INTEGER REFERENCES children(id),  -- NULL: "onbekende kaart"
    received_at   TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX events_location_time ON events(location_id, occurred_at);
CREATE INDEX events_child_time ON events(child_id, occurred_at);

-- Messages that failed validation or were refused, kept with the reason: nothing is dropped.
CREATE TABLE dead_letters (
    id           INTEGER PRIMARY KEY,
    received_at  TEXT NOT NULL,
    topic        TEXT NOT NULL,
    reason       TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '',
    payload      BLOB NOT NULL
);
