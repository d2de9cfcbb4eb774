-- Collections (issue 18): a collector's card scanned just AFTER a child's card. The child's scan went
-- out as an ordinary check-in; the unit's `collection` message names it. The hub records it as a
-- collector departure of that event: "opgehaald door", and an arrival (the child was out, by
-- presence) read as a departure wherever the day is read (hub/attendance/events.py,
-- COLLECTED_DIRECTION). collection_id is the message's id: a resent collection is recorded once.
-- The same SQL as the SQLite migration of this name.
ALTER TABLE collector_departures ADD COLUMN collection_id TEXT;
CREATE UNIQUE INDEX collector_departures_collection ON collector_departures(collection_id);
