-- Which children's presence changed with which presence version: raised beside presence_versions
-- in the same transaction, so the broadcaster recomputes only the children that changed since its
-- last send instead of the location's whole day. One row per child and location (an upsert).
CREATE TABLE presence_children (
    location_id  TEXT NOT NULL,
    child_id     BIGINT NOT NULL,
    seq          BIGINT NOT NULL,
    PRIMARY KEY (location_id, child_id)
);
CREATE INDEX presence_children_by_seq ON presence_children (location_id, seq);
