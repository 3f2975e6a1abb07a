-- Applications (一网通办 申请): a resident applies online, or a neighborhood
-- worker applies on their behalf (代办) with their recorded consent; staff of
-- the applicant's neighborhood or subdistrict accept (受理) or return it for
-- completion (补正), approve or refuse it and mark it done, within the guide's
-- time limit in working days from acceptance.
CREATE TABLE applications (
  id INTEGER PRIMARY KEY,
  guide_code TEXT NOT NULL REFERENCES service_guides(code),
  guide_name TEXT NOT NULL,            -- as it was when applied for
  applicant_name TEXT NOT NULL,
  applicant_account_id INTEGER REFERENCES accounts(id),
  applicant_person_id INTEGER REFERENCES persons(id),
  proxy_account_id INTEGER REFERENCES accounts(id),  -- the worker who applied on the applicant's behalf
  consent TEXT,                        -- JSON {method, note, recorded_at}: the applicant's consent to 代办
  form TEXT NOT NULL,                  -- JSON answers to the guide's form
  state TEXT NOT NULL CHECK (state IN ('submitted', 'returned', 'accepted', 'approved', 'refused', 'done', 'withdrawn')),
  missing TEXT,                        -- what 补正 asks for
  reason TEXT,                         -- why it was refused
  area_code TEXT NOT NULL REFERENCES areas(code),
  area_path TEXT NOT NULL,
  submitted_at TEXT NOT NULL,
  accepted_at TEXT,
  warn_at TEXT,                        -- 80 % of the time limit
  due_at TEXT,                         -- the time limit, in working days from acceptance
  decided_at TEXT,
  done_at TEXT,
  deadline_warned INTEGER NOT NULL DEFAULT 0,  -- 0 none, 1 yellow sent, 2 red sent
  version INTEGER NOT NULL DEFAULT 1,
  updated_at TEXT NOT NULL
);
CREATE INDEX applications_area ON applications(area_path, state);
CREATE INDEX applications_applicant ON applications(applicant_account_id);
CREATE INDEX applications_person ON applications(applicant_person_id);
CREATE INDEX applications_due ON applications(state, due_at);

CREATE TABLE application_steps (
  id INTEGER PRIMARY KEY,
  application_id INTEGER NOT NULL REFERENCES applications(id),
  action TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  actor_id INTEGER REFERENCES accounts(id),
  actor_name TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  at TEXT NOT NULL
);
CREATE INDEX application_steps_application ON application_steps(application_id, id);

CREATE TABLE application_materials (
  id INTEGER PRIMARY KEY,
  application_id INTEGER NOT NULL REFERENCES applications(id),
  name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  content TEXT NOT NULL,               -- base64
  uploaded_by INTEGER REFERENCES accounts(id),
  uploaded_at TEXT NOT NULL
);
CREATE INDEX application_materials_application ON application_materials(application_id, id);

-- Residents' own accounts: the registry person they are (when known), their
-- birth date (care mode for 70+) and the phone they registered with.
ALTER TABLE accounts ADD COLUMN person_id INTEGER REFERENCES persons(id);
ALTER TABLE accounts ADD COLUMN birth_date TEXT;
ALTER TABLE accounts ADD COLUMN phone_hash TEXT;
CREATE UNIQUE INDEX accounts_phone ON accounts(phone_hash);

-- One-time codes sent to a phone for registration (hashes only).
CREATE TABLE registration_codes (
  id INTEGER PRIMARY KEY,
  phone_hash TEXT NOT NULL,
  client_address TEXT NOT NULL,        -- who asked: codes are also limited per address
  code_hash TEXT NOT NULL,
  sent_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  used_at TEXT
);
CREATE INDEX registration_codes_phone ON registration_codes(phone_hash, sent_at);
CREATE INDEX registration_codes_address ON registration_codes(client_address, sent_at);
