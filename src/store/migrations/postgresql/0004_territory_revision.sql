-- Bumped whenever the territory tree changes (territory::RefreshCounts), so
-- servers that keep the tree in memory know when to reload it.
CREATE TABLE territory_revision (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  value BIGINT NOT NULL
);
INSERT INTO territory_revision (id, value) VALUES (1, 0);
