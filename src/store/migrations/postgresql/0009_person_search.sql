-- Name search and residents pages inside a territory read only this index
-- (index-only scans): the id rides along so the page's ids and their order
-- come from the index, and only the page's own rows are read from the table.
DROP INDEX persons_area;
CREATE INDEX persons_area ON persons(area_path, name) INCLUDE (id);
