-- Messages between a child's parents and the location (issue 21). A thread is about one child at
-- one location; the location's staff answer as the location. Erasing a child erases its threads.
CREATE TABLE message_threads (
    id          INTEGER PRIMARY KEY,
    location_id TEXT NOT NULL REFERENCES locations(id),
    child_id    INTEGER NOT NULL REFERENCES children(id) ON DELETE CASCADE,
    subject     TEXT NOT NULL,
    created_at  TEXT NOT NULL,                     -- UTC ISO
    last_at     TEXT NOT NULL,                     -- the newest message's time
    last_side   TEXT NOT NULL CHECK (last_side IN ('parent', 'location'))  -- 'parent': unanswered
);
CREATE INDEX message_threads_location ON message_threads(location_id, last_side, last_at);
CREATE INDEX message_threads_child ON message_threads(child_id, location_id, last_at);

CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    thread_id   INTEGER NOT NULL REFERENCES message_threads(id) ON DELETE CASCADE,
    side        TEXT NOT NULL CHECK (side IN ('parent', 'location')),
    author      TEXT NOT NULL,                     -- the parent's name or address; the acting Actor's name
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX messages_thread ON messages(thread_id, id);

-- A file sent with a message: stored under a random name in the hub's data folder (never the web
-- root); served only after the same access check as its thread.
CREATE TABLE message_attachments (
    id          INTEGER PRIMARY KEY,
    message_id  INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    file_name   TEXT NOT NULL,                     -- as the sender named it, for the download
    media_type  TEXT NOT NULL CHECK (media_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size        INTEGER NOT NULL,
    stored_as   TEXT NOT NULL UNIQUE
);
CREATE INDEX message_attachments_message ON message_attachments(message_id);

-- Read state per person: the newest message a reader has seen in a thread. A reader is
-- 'parent:<account id>', 'location:<location id>' or 'organisator:<id>' (a staff member's own key
-- once staff accounts exist).
CREATE TABLE message_reads (
    thread_id   INTEGER NOT NULL REFERENCES message_threads(id) ON DELETE CASCADE,
    reader      TEXT NOT NULL,
    last_read   INTEGER NOT NULL,
    PRIMARY KEY (thread_id, reader)
) WITHOUT ROWID;
