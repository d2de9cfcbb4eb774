-- The child's day ("Dagboek", issue 21): quick entries the staff make on the group's tablet and
-- the parents read. One row per entry; a day is the Brussels date. Erasing a child erases its diary.
CREATE TABLE diary_entries (
    id          INTEGER PRIMARY KEY,
    child_id    INTEGER NOT NULL REFERENCES children(id) ON DELETE CASCADE,
    location_id TEXT NOT NULL REFERENCES locations(id),
    day         TEXT NOT NULL,                     -- ISO date, Europe/Brussels
    kind        TEXT NOT NULL CHECK (kind IN ('meal', 'sleep', 'nappy', 'mood', 'note')),
    at          TEXT NOT NULL,                     -- HH:MM local: when it happened (sleep: from)
    until       TEXT,                              -- HH:MM local: sleep's end; NULL otherwise
    choice      TEXT NOT NULL DEFAULT '',          -- "alles", "nat", "blij", ... (rules.py)
    text        TEXT NOT NULL DEFAULT '',          -- what was eaten, the note
    made_by     TEXT NOT NULL,                     -- the acting Actor's name (a staff member later)
    created_at  TEXT NOT NULL
);
CREATE INDEX diary_entries_child_day ON diary_entries(child_id, day, at);
CREATE INDEX diary_entries_location_day ON diary_entries(location_id, day);
