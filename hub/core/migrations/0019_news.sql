-- "Mijn locatie" (issue 21): news and newsletters, the team, information pages, per location.
CREATE TABLE news_items (
    id            INTEGER PRIMARY KEY,
    location_id   TEXT NOT NULL REFERENCES locations(id),
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,                   -- Markdown, shown as sanitised HTML
    newsletter    INTEGER NOT NULL DEFAULT 0,      -- 1: also mailed to every parent of the location
    mailed        INTEGER NOT NULL DEFAULT 0,      -- how many addresses it was queued for
    made_by       TEXT NOT NULL,                   -- the acting Actor's name
    published_at  TEXT NOT NULL
);
CREATE INDEX news_items_location ON news_items(location_id, published_at);

CREATE TABLE team_members (
    id           INTEGER PRIMARY KEY,
    location_id  TEXT NOT NULL REFERENCES locations(id),
    name         TEXT NOT NULL,
    role         TEXT NOT NULL DEFAULT '',
    photo_as     TEXT UNIQUE,                      -- re-encoded JPEG in the hub's data folder, or NULL
    position     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX team_members_location ON team_members(location_id, position);

CREATE TABLE info_pages (
    id           INTEGER PRIMARY KEY,
    location_id  TEXT NOT NULL REFERENCES locations(id),
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,                    -- Markdown, shown as sanitised HTML
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL
);
CREATE INDEX info_pages_location ON info_pages(location_id, title);
