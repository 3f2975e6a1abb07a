-- How many subdistricts, neighborhoods and grids lie below each area, kept
-- with the area: every territory page shows them, and counting the subtree on
-- each read cost most of the time of GET /areas/{code}/children.
ALTER TABLE areas ADD COLUMN below_subdistricts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE areas ADD COLUMN below_neighborhoods INTEGER NOT NULL DEFAULT 0;
ALTER TABLE areas ADD COLUMN below_grids INTEGER NOT NULL DEFAULT 0;
UPDATE areas SET
  below_subdistricts = (SELECT COUNT(*) FROM areas d WHERE d.path > areas.path AND d.path < areas.path || '~' AND d.level = 'subdistrict'),
  below_neighborhoods = (SELECT COUNT(*) FROM areas d WHERE d.path > areas.path AND d.path < areas.path || '~' AND d.level = 'neighborhood'),
  below_grids = (SELECT COUNT(*) FROM areas d WHERE d.path > areas.path AND d.path < areas.path || '~' AND d.level = 'grid');
