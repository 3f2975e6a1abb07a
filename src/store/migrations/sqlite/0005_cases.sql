-- Cases (一网统管): categories with their time limits, the working-day
-- calendar, departments and the responsibility list (权责清单), grid shapes,
-- cases and the steps of their lives. Reference rows are in common/0006.
CREATE TABLE work_calendar_days (
  day TEXT PRIMARY KEY,            -- YYYY-MM-DD, Beijing
  working INTEGER NOT NULL CHECK (working IN (0, 1)),
  name TEXT NOT NULL
);

CREATE TABLE case_categories (
  code TEXT PRIMARY KEY,
  family TEXT NOT NULL CHECK (family IN ('component', 'event', 'community')),
  major TEXT NOT NULL,
  name TEXT NOT NULL,
  name_en TEXT NOT NULL,
  urgency TEXT NOT NULL CHECK (urgency IN ('normal', 'urgent', 'critical')),
  file_hours REAL NOT NULL CHECK (file_hours > 0),
  dispatch_hours REAL NOT NULL CHECK (dispatch_hours > 0),
  handle_limit REAL NOT NULL CHECK (handle_limit > 0),
  handle_unit TEXT NOT NULL CHECK (handle_unit IN ('hours', 'days')),
  active INTEGER NOT NULL DEFAULT 1,
  version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE departments (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  name_en TEXT NOT NULL,
  area_code TEXT NOT NULL REFERENCES areas(code),
  area_path TEXT NOT NULL
);

CREATE TABLE department_members (
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
  department_code TEXT NOT NULL REFERENCES departments(code)
);

-- owner_kind 'neighborhood': the neighborhood the case lies in owns it.
CREATE TABLE responsibilities (
  id INTEGER PRIMARY KEY,
  category_code TEXT NOT NULL REFERENCES case_categories(code),
  area_code TEXT NOT NULL REFERENCES areas(code),
  area_path TEXT NOT NULL,
  owner_kind TEXT NOT NULL CHECK (owner_kind IN ('department', 'neighborhood')),
  department_code TEXT REFERENCES departments(code),
  UNIQUE (category_code, area_code)
);

-- Polygons of grids as WKT in longitude/latitude (WGS 84).
CREATE TABLE area_shapes (
  area_code TEXT PRIMARY KEY REFERENCES areas(code),
  wkt TEXT NOT NULL
);

CREATE TABLE cases (
  id INTEGER PRIMARY KEY,
  category_code TEXT NOT NULL REFERENCES case_categories(code),
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL CHECK (source IN ('resident', 'grid_worker', 'hotline', 'device', 'open311')),
  state TEXT NOT NULL,
  pending_request TEXT NOT NULL DEFAULT '',
  priority INTEGER NOT NULL DEFAULT 0,
  lng REAL,
  lat REAL,
  address TEXT NOT NULL DEFAULT '',
  area_code TEXT NOT NULL REFERENCES areas(code),
  area_path TEXT NOT NULL,
  owner_kind TEXT,
  owner_code TEXT,
  reporter_account_id INTEGER REFERENCES accounts(id),
  reporter_name TEXT NOT NULL DEFAULT '',
  reporter_phone_sealed TEXT,
  reporter_phone_masked TEXT,
  open311_client TEXT,
  step_started_at TEXT NOT NULL,   -- when the current state began: its time limit runs from here
  step_warn_at TEXT,               -- 80 % of the limit used: shown yellow
  step_due_at TEXT,                -- the limit: red after it
  deadline_warned INTEGER NOT NULL DEFAULT 0,  -- 1 yellow, 2 red: warnings already sent
  handle_due_at TEXT,              -- when handling must be done (with approved extensions)
  dispatched_at TEXT,              -- first dispatch: handling time runs from here
  reported_at TEXT NOT NULL,
  closed_at TEXT,
  rework_count INTEGER NOT NULL DEFAULT 0,
  satisfaction TEXT CHECK (satisfaction IN ('satisfied', 'basically_satisfied', 'unsatisfied')),
  rated_at TEXT,
  merged_into INTEGER REFERENCES cases(id),
  version INTEGER NOT NULL DEFAULT 1,
  updated_at TEXT NOT NULL
);
CREATE INDEX cases_area ON cases(area_path, state, id);
CREATE INDEX cases_owner ON cases(owner_code, state);
CREATE INDEX cases_reporter ON cases(reporter_account_id, id);
CREATE INDEX cases_nearby ON cases(category_code, reported_at);
-- The workbench queue (most urgent, then newest) read from the top, and the
-- deadline sweep's two questions, without scanning every case.
CREATE INDEX cases_queue ON cases(priority, id);
CREATE INDEX cases_warn ON cases(deadline_warned, step_warn_at);
CREATE INDEX cases_due ON cases(deadline_warned, step_due_at);

CREATE TABLE case_steps (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  action TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  actor_id INTEGER REFERENCES accounts(id),
  actor_name TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  owner_code TEXT,
  at TEXT NOT NULL,
  area_path TEXT NOT NULL
);
CREATE INDEX case_steps_case ON case_steps(case_id, id);

CREATE TABLE open311_keys (
  key_hash TEXT PRIMARY KEY,
  client TEXT NOT NULL,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  loopback_only INTEGER NOT NULL DEFAULT 0
);

-- Photos are stored re-encoded (JPEG, metadata such as GPS stripped), as
-- base64 text so that both databases and their backups hold them alike.
CREATE TABLE case_photos (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  stage TEXT NOT NULL CHECK (stage IN ('before', 'after', 'evidence')),
  image TEXT NOT NULL,
  thumbnail TEXT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  uploaded_by INTEGER REFERENCES accounts(id),
  uploaded_at TEXT NOT NULL,
  area_path TEXT NOT NULL
);
CREATE INDEX case_photos_case ON case_photos(case_id, id);
