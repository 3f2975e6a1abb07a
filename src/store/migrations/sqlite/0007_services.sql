-- Services (一网通办): service guides with their history, the words they are
-- found by (full-text), and which neighborhoods handle which guides at their
-- doorstep stations (家门口服务清单).
CREATE TABLE service_guides (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  category TEXT NOT NULL,
  body TEXT NOT NULL,              -- the guide as JSON (src/services/guides/*.json)
  version INTEGER NOT NULL DEFAULT 1,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
);

CREATE TABLE service_guide_versions (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL REFERENCES service_guides(code),
  version INTEGER NOT NULL,
  body TEXT NOT NULL,
  changed_by TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  UNIQUE (code, version)
);

-- Words of each guide, space-separated (segmented by the application).
CREATE VIRTUAL TABLE service_guide_terms USING fts5(code UNINDEXED, terms, tokenize = 'unicode61');

CREATE TABLE doorstep_services (
  area_code TEXT NOT NULL REFERENCES areas(code),
  guide_code TEXT NOT NULL REFERENCES service_guides(code),
  area_path TEXT NOT NULL,
  PRIMARY KEY (area_code, guide_code)
);
