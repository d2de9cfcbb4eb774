-- Photos ("Foto's", issue 21). A child without consent ("geen foto's") is never tagged: a trigger
-- refuses it, and setting the flag removes the child's tags at once (consent withdrawn).
ALTER TABLE children ADD COLUMN no_photos INTEGER NOT NULL DEFAULT 0;

CREATE TABLE photos (
    id           INTEGER PRIMARY KEY,
    location_id  TEXT NOT NULL REFERENCES locations(id),
    caption      TEXT NOT NULL DEFAULT '',
    made_by      TEXT NOT NULL,                    -- the acting Actor's name (a staff member later)
    created_at   TEXT NOT NULL,                    -- UTC ISO
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    stored_as    TEXT NOT NULL UNIQUE,             -- re-encoded JPEG without metadata (what is shown)
    thumb_as     TEXT NOT NULL UNIQUE,             -- its thumbnail
    original_as  TEXT UNIQUE                       -- the upload as it came; NULL once retention erased it
);
CREATE INDEX photos_location ON photos(location_id, created_at);
CREATE INDEX photos_originals ON photos(created_at) WHERE original_as IS NOT NULL;

CREATE TABLE photo_tags (
    photo_id  INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    child_id  INTEGER NOT NULL REFERENCES children(id) ON DELETE CASCADE,
    PRIMARY KEY (photo_id, child_id)
) WITHOUT ROWID;
CREATE INDEX photo_tags_child ON photo_tags(child_id, photo_id);

CREATE TRIGGER photo_tags_need_consent BEFORE INSERT ON photo_tags
WHEN (SELECT no_photos FROM children WHERE id = NEW.child_id) = 1
BEGIN
    SELECT RAISE(ABORT, 'child has no photo consent');
END;

CREATE TRIGGER children_no_photos_untags AFTER UPDATE OF no_photos ON children
WHEN NEW.no_photos = 1
BEGIN
    DELETE FROM photo_tags WHERE child_id = NEW.id;
END;
