-- One source of truth for a child leaving (issue 16): the per-location "Laatste opvangdag"
-- (child_stays.last_day), which the portal sets. A child has left the childcare once every
-- location it is linked to has a last day; it left on the latest of them (the view below, which
-- retention reads). The former children.left_on (set by `aanwezig-hub child-left`) is carried over
-- into the stays and dropped; that command now sets the last day at each of the child's locations.
INSERT INTO child_stays (child_id, location_id, last_day)
    SELECT cl.child_id, cl.location_id, c.left_on
    FROM child_locations cl JOIN children c ON c.id = cl.child_id
    WHERE c.left_on IS NOT NULL
    ON CONFLICT (child_id, location_id) DO UPDATE SET last_day = coalesce(child_stays.last_day, excluded.last_day);
ALTER TABLE children DROP COLUMN left_on;

CREATE VIEW children_left AS
    SELECT cl.child_id AS child_id, max(s.last_day) AS left_on
    FROM child_locations cl
    LEFT JOIN child_stays s ON s.child_id = cl.child_id AND s.location_id = cl.location_id
    GROUP BY cl.child_id
    HAVING count(*) = count(s.last_day);
