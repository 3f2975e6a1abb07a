-- Registry (一标三实): addresses, organizations, compounds, buildings, dwellings,
-- persons, care tags, residencies; imports and exports.
-- Every table carries area_code and area_path (the materialized path of its
-- territory node) so the scope filter applies to it.
CREATE TABLE addresses (
  id INTEGER PRIMARY KEY,
  text TEXT NOT NULL UNIQUE,
  road TEXT NOT NULL,
  lane TEXT NOT NULL DEFAULT '',
  number TEXT NOT NULL DEFAULT '',
  building TEXT NOT NULL DEFAULT '',
  entrance TEXT NOT NULL DEFAULT '',
  room TEXT NOT NULL DEFAULT '',
  area_code TEXT NOT NULL REFERENCES areas(code),
  area_path TEXT NOT NULL
);
CREATE INDEX addresses_area ON addresses(area_path);

CREATE TABLE organizations (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('residents_committee', 'owners_committee', 'property_company',
                                     'social_org', 'resident_unit', 'merchant')),
  name TEXT NOT NULL,
  credit_code TEXT UNIQUE,
  address_id INTEGER REFERENCES addresses(id),
  contact_name TEXT NOT NULL DEFAULT '',
  contact_phone TEXT NOT NULL DEFAULT '',
  area_code TEXT NOT NULL REFERENCES areas(code),
  area_path TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX organizations_area ON organizations(area_path, kind);

CREATE TABLE compounds (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  address_id INTEGER NOT NULL REFERENCES addresses(id),
  housing_types TEXT NOT NULL,
  year_built INTEGER,
  property_company_id INTEGER REFERENCES organizations(id),
  owners_committee_id INTEGER REFERENCES organizations(id),
  area_code TEXT NOT NULL REFERENCES areas(code),
  area_path TEXT NOT NULL
);
CREATE INDEX compounds_area ON compounds(area_path, name);

CREATE TABLE buildings (
  id INTEGER PRIMARY KEY,
  compound_id INTEGER NOT NULL REFERENCES compounds(id),
  number TEXT NOT NULL,
  floors INTEGER NOT NULL CHECK (floors BETWEEN 1 AND 200),
  entrances INTEGER NOT NULL CHECK (entrances BETWEEN 1 AND 50),
  elevator INTEGER NOT NULL DEFAULT 0,
  use TEXT NOT NULL DEFAULT 'residential',
  year_built INTEGER,
  area_code TEXT NOT NULL REFERENCES areas(code),
  area_path TEXT NOT NULL,
  UNIQUE (compound_id, number)
);
CREATE INDEX buildings_area ON buildings(area_path);

CREATE TABLE dwellings (
  id INTEGER PRIMARY KEY,
  building_id INTEGER NOT NULL REFERENCES buildings(id),
  entrance INTEGER NOT NULL DEFAULT 1,
  floor INTEGER NOT NULL,
  room TEXT NOT NULL,
  area_m2 REAL,
  use TEXT NOT NULL CHECK (use IN ('residential', 'commercial', 'mixed')),
  tenure TEXT NOT NULL DEFAULT 'private',
  occupancy TEXT NOT NULL CHECK (occupancy IN ('owner_occupied', 'rented', 'vacant', 'group_rental_suspected')),
  address_id INTEGER NOT NULL UNIQUE REFERENCES addresses(id),
  area_code TEXT NOT NULL REFERENCES areas(code),
  area_path TEXT NOT NULL,
  UNIQUE (building_id, entrance, room)
);
CREATE INDEX dwellings_area ON dwellings(area_path, occupancy);

-- Document numbers and phones are sealed (libsodium secretbox) with a key
-- outside the database; *_hash is a keyed hash for exact lookup; *_masked is
-- what every list shows.
CREATE TABLE persons (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  document_type TEXT NOT NULL,
  document_sealed TEXT NOT NULL,
  document_hash TEXT NOT NULL UNIQUE,
  document_masked TEXT NOT NULL,
  sex TEXT NOT NULL CHECK (sex IN ('male', 'female')),
  birth_date TEXT NOT NULL,
  phone_sealed TEXT,
  phone_hash TEXT,
  phone_masked TEXT,
  hukou TEXT NOT NULL CHECK (hukou IN ('registered', 'migrant', 'foreign')),
  ethnicity TEXT NOT NULL DEFAULT '',
  dwelling_id INTEGER REFERENCES dwellings(id),
  area_code TEXT NOT NULL REFERENCES areas(code),
  area_path TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX persons_area ON persons(area_path, name);
CREATE INDEX persons_phone ON persons(phone_hash);
CREATE INDEX persons_dwelling ON persons(dwelling_id);

CREATE TABLE care_tags (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES persons(id),
  tag TEXT NOT NULL,
  set_by TEXT NOT NULL,
  set_at TEXT NOT NULL,
  reason TEXT NOT NULL,
  removed_by TEXT,
  removed_at TEXT,
  removed_reason TEXT
);
CREATE INDEX care_tags_person ON care_tags(person_id, removed_at);
CREATE INDEX care_tags_tag ON care_tags(tag, removed_at);

-- Moving in or out closes and opens rows: nothing is overwritten.
CREATE TABLE residencies (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES persons(id),
  dwelling_id INTEGER NOT NULL REFERENCES dwellings(id),
  relation TEXT NOT NULL CHECK (relation IN ('owner', 'family', 'tenant', 'collective')),
  start_date TEXT NOT NULL,
  end_date TEXT,
  reason TEXT NOT NULL DEFAULT '',
  end_reason TEXT,
  area_path TEXT NOT NULL
);
CREATE INDEX residencies_person ON residencies(person_id, start_date);
CREATE INDEX residencies_dwelling ON residencies(dwelling_id, start_date);

CREATE TABLE imports (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  mode TEXT NOT NULL,
  status TEXT NOT NULL,
  file_name TEXT NOT NULL DEFAULT '',
  total INTEGER NOT NULL DEFAULT 0,
  processed INTEGER NOT NULL DEFAULT 0,
  inserted INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0,
  unchanged INTEGER NOT NULL DEFAULT 0,
  rejected INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  error_report TEXT,
  account TEXT NOT NULL,
  area_code TEXT NOT NULL,
  area_path TEXT NOT NULL,
  created_at TEXT NOT NULL,
  finished_at TEXT
);

CREATE TABLE exports (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  filters TEXT NOT NULL,
  unmasked INTEGER NOT NULL,
  status TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  decided_by TEXT,
  area_code TEXT NOT NULL,
  area_path TEXT NOT NULL,
  created_at TEXT NOT NULL,
  decided_at TEXT
);
