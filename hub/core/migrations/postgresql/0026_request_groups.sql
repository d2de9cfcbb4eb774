-- Issue 20: a request for several extra days ("dag aanvragen" with more days). Its rows share
-- group_id (the first row's id); as_whole = 1 when the parent asked "als geheel beoordelen": the
-- location then approves or refuses all its days at once. One expiry date for the whole request.
ALTER TABLE parent_requests ADD COLUMN group_id BIGINT REFERENCES parent_requests(id);
ALTER TABLE parent_requests ADD COLUMN as_whole BIGINT NOT NULL DEFAULT 0 CHECK (as_whole IN (0, 1));
CREATE INDEX parent_requests_group ON parent_requests(group_id) WHERE group_id IS NOT NULL;
