-- PPMP appointment book: the documented model the connector works against.
--
-- PPMP's own schema is not public; the connector works against this model. The
-- tables below are the model as documented: never change a column name, type
-- or check here without changing the documented model (and PPMPDatabase) first.
--
-- Load into a NEW database (plain CREATE TABLE on purpose: loading it twice is
-- a mistake that should fail loudly):
--   sqlite3 demo.db < schema.sql && sqlite3 demo.db < demo.sql

CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- keys: ppmp_version ('9.6'), practice_name, timezone (IANA, e.g. 'Australia/Perth'),
--       he_colour ('#RRGGBB', applied to inserted bookings when ppmp_version >= 8.22)
CREATE TABLE staff (
  id INTEGER PRIMARY KEY,
  title TEXT, first_name TEXT NOT NULL, last_name TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  online_booking INTEGER NOT NULL DEFAULT 1,  -- publish this practitioner
  slot_duration INTEGER NOT NULL DEFAULT 0,   -- Setup > Staff > 1st Available; must be 0
  columns INTEGER NOT NULL DEFAULT 1,         -- patients seen side by side
  roster_anchor TEXT                          -- a Monday; odd weeks after it use the alternate diary
);
CREATE TABLE diary_times (
  id INTEGER PRIMARY KEY,
  staff_id INTEGER NOT NULL REFERENCES staff(id),
  diary TEXT NOT NULL CHECK (diary IN ('main','alternate')),
  weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),  -- 1 = Monday
  start_time TEXT NOT NULL, end_time TEXT NOT NULL,           -- as typed by the practice
  interval_minutes INTEGER NOT NULL                           -- slot length
);
CREATE TABLE diary_blocks (
  id INTEGER PRIMARY KEY, staff_id INTEGER NOT NULL REFERENCES staff(id),
  block_date TEXT NOT NULL, start_time TEXT, end_time TEXT,   -- NULL times: whole day
  reason TEXT
);
CREATE TABLE holidays (holiday_date TEXT PRIMARY KEY, name TEXT);
CREATE TABLE appointment_types (
  id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
  length_minutes INTEGER NOT NULL, staff_id INTEGER REFERENCES staff(id),  -- NULL: all staff
  online INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE patients (
  id INTEGER PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL,
  dob TEXT NOT NULL, mobile TEXT, email TEXT,
  created_at TEXT NOT NULL, created_by TEXT
);
CREATE TABLE appointments (
  id INTEGER PRIMARY KEY,
  staff_id INTEGER NOT NULL REFERENCES staff(id), column_no INTEGER NOT NULL DEFAULT 1,
  appt_date TEXT NOT NULL, start_time TEXT NOT NULL,   -- 'YYYY-MM-DD', 'HH:MM' 24-hour
  duration_minutes INTEGER NOT NULL,
  patient_id INTEGER REFERENCES patients(id), type_id INTEGER REFERENCES appointment_types(id),
  status TEXT NOT NULL DEFAULT 'booked',  -- booked | arrived | completed | dna | cancelled
  comments TEXT NOT NULL DEFAULT '', colour TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);

-- connector indexes --
-- Everything below the marker line above is added by ppmp-connector, not by
-- PPMP: the connector may add indexes, never tables or columns. They use
-- IF NOT EXISTS because the connector also applies this section to existing
-- practice databases; code that builds a database may split this file at the
-- marker line to bulk-load rows before the indexes exist.

-- Export: one practitioner's appointments over the horizon, date by date.
CREATE INDEX IF NOT EXISTS ppmpc_appointments_staff_date ON appointments(staff_id, appt_date);
-- Patient matching looks keys up in the connector's own index (state/connector.sqlite), so
-- these earlier matching indexes are removed: each cost every new patient file a page write.
DROP INDEX IF EXISTS ppmpc_patients_dob_trim;
DROP INDEX IF EXISTS ppmpc_patients_dob;
-- Export and ingest: a practitioner's blocks on a date.
CREATE INDEX IF NOT EXISTS ppmpc_diary_blocks_staff_date ON diary_blocks(staff_id, block_date);
-- Export and doctor: a practitioner's diary rows.
CREATE INDEX IF NOT EXISTS ppmpc_diary_times_staff ON diary_times(staff_id, diary, weekday);
