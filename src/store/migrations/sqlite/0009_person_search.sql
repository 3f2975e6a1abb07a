-- Name search and residents pages inside a territory read only the index
-- persons_area(area_path, name): SQLite's indexes carry the rowid, which is
-- persons.id, so the index already serves the page's ids and order.
SELECT 1;
