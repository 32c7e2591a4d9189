-- Demo practice for ppmp-connector: "Riverside Physio & Allied Health".
--
-- Load after schema.sql into a new database:
--   sqlite3 demo.db < schema.sql && sqlite3 demo.db < demo.sql
--
-- Every date is relative to "today" so the demo never goes stale. Today comes
-- from the one-row temp table demo_clock created by the next statement, which
-- must stay on one line ending in the marker comment `-- demo_clock`. A loader
-- that wants a reproducible demo replaces that whole line with, for example,
--   CREATE TEMP TABLE demo_clock AS SELECT '2026-03-04' AS today; -- demo_clock
-- (`date('now')` is UTC; the practice is in Australia/Perth.)
CREATE TEMP TABLE demo_clock AS SELECT date('now') AS today; -- demo_clock

-- Dates below are written as day offsets k from the Monday of today's week
-- (k = 0 is that Monday, k = -7 the Monday before), so appointments always
-- land on the weekdays the diaries cover, whatever day today is.
CREATE TEMP TABLE demo_week AS
  SELECT today,
         date(today, '-6 days', 'weekday 1') AS monday,
         CAST(julianday(today) - julianday(date(today, '-6 days', 'weekday 1')) AS INTEGER) AS today_k
    FROM demo_clock;

INSERT INTO settings (key, value) VALUES
  ('ppmp_version', '9.6'),
  ('practice_name', 'Riverside Physio & Allied Health'),
  ('timezone', 'Australia/Perth'),
  ('he_colour', '#1E90FF');

-- Practitioners, each showing one case the connector must handle.
-- Rostered practitioners are anchored 4 and 2 weeks before this week's
-- Monday, so this week uses the main diary and next week the alternate one.
INSERT INTO staff (id, title, first_name, last_name, active, online_booking, slot_duration, columns, roster_anchor)
SELECT column1, column2, column3, column4, column5, column6, column7, column8,
       CASE WHEN column9 IS NULL THEN NULL ELSE date(monday, column9 || ' days') END
  FROM demo_week, (VALUES
    (1,  'Ms',  'Sarah',    'Mitchell',  1, 1, 0,  1, NULL),  -- plain diary, lunch gap
    (2,  'Mr',  'James',    'O''Connor', 1, 1, 0,  1, -28),   -- alternate fortnightly roster
    (3,  'Ms',  'Priya',    'Sharma',    1, 1, 0,  2, NULL),  -- two columns
    (4,  'Dr',  'Liam',     'Nguyen',    1, 1, 0,  1, NULL),  -- 12-hour diary times
    (5,  'Ms',  'Chloe',    'Anderson',  1, 1, 0,  1, -14),   -- invalid diary times, both diaries
    (6,  'Mr',  'Tom',      'Williams',  1, 1, 15, 1, NULL),  -- non-zero slot duration
    (7,  'Mrs', 'Margaret', 'Thompson',  0, 1, 0,  1, NULL),  -- inactive
    (8,  'Mr',  'Daniel',   'Kim',       1, 0, 0,  1, NULL),  -- not published online
    (9,  'Ms',  'Emma',     'Wilson',    1, 1, 0,  1, NULL),  -- 15- and 20-minute rows
    (10, 'Mr',  'Jack',     'Brown',     1, 1, 0,  1, NULL)   -- trailing partial slot
  );

-- Diary rows as the practice typed them (docs/rules.md, "Diary time formats").
CREATE TEMP TABLE demo_diary (staff INTEGER, diary TEXT, wd_from INTEGER, wd_to INTEGER,
                              start_time TEXT, end_time TEXT, step INTEGER);
INSERT INTO demo_diary VALUES
  (1,  'main',      1, 5, '09:00',   '12:30',   15),
  (1,  'main',      1, 5, '13:30',   '17:00',   15),
  (2,  'main',      1, 5, '08:00',   '16:00',   30),
  (2,  'alternate', 1, 1, '12:00',   '19:00',   30),
  (2,  'alternate', 2, 2, '07:00',   '11:00',   30),
  (2,  'alternate', 3, 3, '12:00',   '19:00',   30),
  (2,  'alternate', 4, 4, '07:00',   '11:00',   30),
  (2,  'alternate', 5, 5, '12:00',   '19:00',   30),
  (3,  'main',      1, 5, '08:00',   '12:00',   20),
  (3,  'main',      1, 5, '12:40',   '16:00',   20),
  (4,  'main',      1, 5, '9:00am',  '12:00pm', 15),
  (4,  'main',      1, 5, '1:30pm',  '5:00pm',  15),
  (4,  'main',      6, 6, '8:00am',  '12:00pm', 15),
  (5,  'main',      1, 1, '9:00',    '17:00',   15),
  (5,  'main',      2, 2, '9:00 am', '5:00pm',  15),
  (5,  'main',      3, 3, '0900',    '1700',    15),
  (5,  'main',      4, 4, '09:00',   '17:00',   15),
  (5,  'main',      5, 5, '09:00',   '13:00',   15),
  (5,  'alternate', 1, 1, '0900',    '12:00',   15),
  (5,  'alternate', 2, 2, '9:00',    '12:00',   15),
  (5,  'alternate', 4, 4, '08:00',   '12:00',   15),
  (5,  'alternate', 5, 5, '9:00 am', '12:00',   15),
  (6,  'main',      1, 4, '08:00',   '16:00',   15),
  (7,  'main',      1, 5, '09:00',   '17:00',   30),
  (8,  'main',      1, 5, '10:00',   '18:00',   30),
  (9,  'main',      1, 3, '09:00',   '17:00',   15),
  (9,  'main',      4, 5, '09:00',   '17:00',   20),
  (10, 'main',      1, 5, '09:00',   '12:10',   15);

WITH RECURSIVE wd(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM wd WHERE n < 7)
INSERT INTO diary_times (staff_id, diary, weekday, start_time, end_time, interval_minutes)
SELECT d.staff, d.diary, wd.n, d.start_time, d.end_time, d.step
  FROM demo_diary AS d JOIN wd ON wd.n BETWEEN d.wd_from AND d.wd_to
 ORDER BY d.staff, d.diary DESC, wd.n, d.rowid;

-- Holidays: one 10 to 16 days ahead (inside any 30-day horizon), one last
-- week, one beyond the default horizon.
INSERT INTO holidays (holiday_date, name)
SELECT date(monday, column1 || ' days'), column2
  FROM demo_week, (VALUES
    (-4, 'Practice closed: staff training'),
    (16, 'Public holiday'),
    (46, 'Practice closed: end-of-year break')
  );

INSERT INTO appointment_types (id, code, name, length_minutes, staff_id, online) VALUES
  (1,  'STD',       'Standard Consultation',           30, NULL, 1),
  (2,  'INIT',      'Initial Consultation',            60, NULL, 1),
  (3,  'WORKCOVER', 'WorkCover Initial Assessment',    60, NULL, 0),
  (4,  'DRYNEEDLE', 'Dry Needling',                    30, 1,    1),
  (5,  'PILATES',   'Clinical Pilates',                60, 2,    1),
  (6,  'HYDRO',     'Hydrotherapy',                    40, 3,    1),
  (7,  'TELE',      'Telehealth Review',               20, 3,    1),
  (8,  'SPORTS',    'Sports Massage',                  45, 4,    1),
  (9,  'ORTHOTIC',  'Orthotic Fitting',                40, 9,    1),
  (10, 'HAND',      'Hand Therapy',                    30, 10,   1);

-- Blocks: NULL times are whole-day blocks. Minutes since midnight here.
CREATE TEMP TABLE demo_block (staff INTEGER, k INTEGER, start_min INTEGER, end_min INTEGER, reason TEXT);
INSERT INTO demo_block VALUES
  (8,  1,  NULL, NULL, 'Sick leave'),
  (9,  3,  840,  900,  'Clinical supervision'),
  (2,  9,  720,  780,  'Staff meeting'),
  (1,  11, NULL, NULL, 'Annual leave'),
  (3,  15, 540,  640,  'Hydro pool maintenance'),
  (4,  22, NULL, NULL, 'Continuing education'),
  (10, 24, 600,  660,  'Home visit'),
  (3,  29, NULL, NULL, 'Conference');

INSERT INTO diary_blocks (staff_id, block_date, start_time, end_time, reason)
SELECT b.staff, date(w.monday, b.k || ' days'),
       CASE WHEN b.start_min IS NULL THEN NULL ELSE printf('%02d:%02d', b.start_min / 60, b.start_min % 60) END,
       CASE WHEN b.end_min IS NULL THEN NULL ELSE printf('%02d:%02d', b.end_min / 60, b.end_min % 60) END,
       b.reason
  FROM demo_block AS b, demo_week AS w
 ORDER BY b.k, b.staff;

-- Patients: 300 generated from fixed name lists (so the same first and last
-- name recur with different dates of birth), then deliberate duplicates.
CREATE TEMP TABLE demo_first (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
INSERT INTO demo_first (name) VALUES
  ('Olivia'), ('Charlotte'), ('Amelia'), ('Isla'), ('Mia'), ('Ava'), ('Grace'), ('Chloe'),
  ('Willow'), ('Matilda'), ('Ella'), ('Sophie'), ('Harper'), ('Ruby'), ('Zoe'), ('Emily'),
  ('Evie'), ('Lily'), ('Sienna'), ('Hannah'), ('Jessica'), ('Sarah'), ('Emma'), ('Lucy'),
  ('Georgia'), ('Madison'), ('Isabella'), ('Alice'), ('Scarlett'), ('Ivy'), ('Priya'), ('Mei'),
  ('Fatima'), ('Aroha'), ('Margaret'), ('Susan'), ('Karen'), ('Helen'), ('Jennifer'), ('Michelle'),
  ('Jack'), ('Oliver'), ('Noah'), ('William'), ('Leo'), ('Henry'), ('Charlie'), ('Thomas'),
  ('Lucas'), ('James'), ('Hudson'), ('Harrison'), ('Ethan'), ('Mason'), ('Liam'), ('Max'),
  ('Archie'), ('Oscar'), ('Samuel'), ('Joshua'), ('Daniel'), ('Benjamin'), ('Lachlan'), ('Riley'),
  ('Cooper'), ('Xavier'), ('Hamish'), ('Angus'), ('Patrick'), ('Michael'), ('Matthew'), ('David'),
  ('Andrew'), ('Peter'), ('John'), ('Robert'), ('Wei'), ('Aarav'), ('Mohammed'), ('Sione');
CREATE TEMP TABLE demo_last (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
INSERT INTO demo_last (name) VALUES
  ('Smith'), ('Jones'), ('Williams'), ('Brown'), ('Wilson'), ('Taylor'), ('Johnson'), ('White'),
  ('Martin'), ('Anderson'), ('Thompson'), ('Nguyen'), ('Thomas'), ('Walker'), ('Harris'), ('Lee'),
  ('Ryan'), ('Robinson'), ('Kelly'), ('King'), ('Davis'), ('Wright'), ('Evans'), ('Roberts'),
  ('Green'), ('Hall'), ('Wood'), ('Jackson'), ('Clarke'), ('Patel'), ('Khan'), ('Mitchell'),
  ('Campbell'), ('Young'), ('Scott'), ('Stewart'), ('Murphy'), ('O''Brien'), ('Hughes'), ('Edwards'),
  ('Baker'), ('Hill'), ('Moore'), ('Cooper'), ('Watson'), ('Turner'), ('Phillips'), ('Morris'),
  ('Tran'), ('Le'), ('Chen'), ('Wang'), ('Singh'), ('Papadopoulos'), ('Rossi'), ('D''Souza'),
  ('McDonald'), ('Fraser'), ('Gallagher'), ('Sullivan');

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300),
  named AS (
    SELECT n.i, f.name AS first_name, l.name AS last_name
      FROM n
      JOIN demo_first AS f ON f.id = 1 + (n.i * 37) % (SELECT count(*) FROM demo_first)
      JOIN demo_last AS l ON l.id = 1 + (n.i * 23) % (SELECT count(*) FROM demo_last)
  )
INSERT INTO patients (id, first_name, last_name, dob, mobile, email, created_at, created_by)
SELECT p.i, p.first_name, p.last_name,
       date('1938-03-01', ((p.i * 7919) % 29500) || ' days'),
       CASE WHEN p.i % 13 = 0 THEN NULL
            ELSE printf('04%02d %03d %03d', (p.i * 37) % 100, (p.i * 7919) % 1000, (p.i * 104729) % 1000) END,
       CASE WHEN p.i % 4 = 0 THEN NULL
            ELSE lower(p.first_name) || '.' || lower(replace(p.last_name, '''', '')) || (p.i % 97) || '@example.com' END,
       date(w.today, '-' || (30 + (p.i * 389) % 3000) || ' days') || ' 10:00:00',
       CASE WHEN p.i % 17 = 0 THEN 'healthengine' WHEN p.i % 3 = 0 THEN 'admin' ELSE 'reception' END
  FROM named AS p, demo_week AS w
 ORDER BY p.i;

-- Same first name, last name and date of birth as an existing file: patient
-- matching must create a new file rather than guess (created-multiple-matches).
-- 304 differs from 188 only in case and surrounding spaces.
INSERT INTO patients (id, first_name, last_name, dob, mobile, email, created_at, created_by)
SELECT d.column1, CASE WHEN d.column1 = 304 THEN ' ' || p.first_name || ' ' ELSE p.first_name END,
       CASE WHEN d.column1 = 304 THEN upper(p.last_name) ELSE p.last_name END,
       p.dob, d.column3, NULL, date(w.today, '-20 days') || ' 14:30:00', 'reception'
  FROM (VALUES (301, 17, NULL), (302, 42, '0499 000 111'), (303, 105, '0488 222 333'), (304, 188, NULL)) AS d
  JOIN patients AS p ON p.id = d.column2, demo_week AS w
 ORDER BY d.column1;

-- Hand-placed appointments: Healthengine bookings (with and without their
-- HE_MSG_ID token), column 2, multi-slot. Minutes since midnight here.
CREATE TEMP TABLE demo_special (staff INTEGER, col INTEGER, k INTEGER, start_min INTEGER, dur INTEGER,
                                patient INTEGER, type_code TEXT, status TEXT, comments TEXT, colour TEXT);
INSERT INTO demo_special VALUES
  (1, 1, -3, 600, 30, 19,  'STD',  'completed', 'Healthengine booking. Reason: Shoulder pain. HE_MSG_ID:he-demo-0007', '#1E90FF'),
  (1, 1, 8,  600, 30, 23,  'STD',  'booked',    'Healthengine booking. Reason: Lower back pain after gardening. HE_MSG_ID:he-demo-0001', '#1E90FF'),
  (6, 1, 8,  660, 30, 144, 'STD',  'booked',    'Healthengine booking - patient phoned to change the reason, comment edited by reception', '#1E90FF'),
  (3, 2, 8,  480, 40, 61,  'HYDRO','booked',    'Group hydrotherapy', NULL),
  (1, 1, 9,  570, 30, 202, 'STD',  'cancelled', 'Healthengine booking. Reason: Ankle sprain. HE_MSG_ID:he-demo-0006', '#1E90FF'),
  (3, 2, 9,  600, 20, 77,  'TELE', 'booked',    'Telehealth: link sent by SMS', NULL),
  (1, 1, 10, 900, 60, 71,  'INIT', 'booked',    'New patient - knee reconstruction rehab', NULL),
  (3, 2, 10, 520, 20, 88,  'TELE', 'booked',    'Healthengine booking. Reason: Review of home exercises. HE_MSG_ID:he-demo-0003', '#1E90FF'),
  (2, 1, 14, 540, 60, 57,  'INIT', 'booked',    'Healthengine booking. Reason: Neck stiffness. HE_MSG_ID:he-demo-0002', '#1E90FF'),
  (9, 1, 14, 600, 30, 7,   'STD',  'booked',    'Healthengine booking. Reason: Hip pain when running. HE_MSG_ID:he-demo-0005', '#1E90FF'),
  (4, 1, 15, 810, 30, 131, 'STD',  'booked',    'Healthengine booking. Reason: Tennis elbow. HE_MSG_ID:he-demo-0004', '#1E90FF'),
  (3, 2, 17, 760, 40, 302, 'HYDRO','booked',    '', NULL);

INSERT INTO appointments (staff_id, column_no, appt_date, start_time, duration_minutes, patient_id, type_id,
                          status, comments, colour, created_at, updated_at)
SELECT s.staff, s.col, date(w.monday, s.k || ' days'), printf('%02d:%02d', s.start_min / 60, s.start_min % 60),
       s.dur, s.patient, t.id, s.status, s.comments, s.colour,
       date(w.monday, min(s.k - 9, w.today_k - 1) || ' days') || ' 19:42:00',
       CASE WHEN s.status = 'booked' THEN date(w.monday, min(s.k - 9, w.today_k - 1) || ' days') || ' 19:42:00'
            ELSE date(w.monday, min(s.k, w.today_k - 1) || ' days') || ' 17:10:00' END
  FROM demo_special AS s JOIN appointment_types AS t ON t.code = s.type_code, demo_week AS w
 ORDER BY s.k, s.staff, s.col, s.start_min;

-- Bookable windows of the valid diary rows above, in minutes, used only to
-- place generated appointments. parity: NULL every week; 0 even weeks (main
-- diary of a rostered practitioner); 1 odd weeks (alternate diary).
CREATE TEMP TABLE demo_window (staff INTEGER, parity INTEGER, wd_from INTEGER, wd_to INTEGER,
                               start_min INTEGER, end_min INTEGER, step INTEGER);
INSERT INTO demo_window VALUES
  (1,  NULL, 1, 5, 540, 750,  15), (1, NULL, 1, 5, 810, 1020, 15),
  (2,  0,    1, 5, 480, 960,  30),
  (2,  1,    1, 1, 720, 1140, 30), (2, 1, 3, 3, 720, 1140, 30), (2, 1, 5, 5, 720, 1140, 30),
  (2,  1,    2, 2, 420, 660,  30), (2, 1, 4, 4, 420, 660,  30),
  (3,  NULL, 1, 5, 480, 720,  20), (3, NULL, 1, 5, 760, 960,  20),
  (4,  NULL, 1, 5, 540, 720,  15), (4, NULL, 1, 5, 810, 1020, 15), (4, NULL, 6, 6, 480, 720, 15),
  (5,  0,    4, 4, 540, 1020, 15), (5, 0,    5, 5, 540, 780,  15), (5, 1, 4, 4, 480, 720, 15),
  (6,  NULL, 1, 4, 480, 960,  15),
  (8,  NULL, 1, 5, 600, 1080, 30),
  (9,  NULL, 1, 3, 540, 1020, 15), (9, NULL, 4, 5, 540, 1020, 20),
  (10, NULL, 1, 5, 540, 730,  15);
-- Percentage of slots booked per column (Priya's second column is quieter).
CREATE TEMP TABLE demo_column (staff INTEGER, col INTEGER, pct INTEGER);
INSERT INTO demo_column SELECT DISTINCT staff, 1, 45 FROM demo_window;
INSERT INTO demo_column VALUES (3, 2, 25);

-- Generated appointments over weeks -1 .. 4, skipping holidays, blocks and the
-- hand-placed appointments. Past ones are completed or dna, this morning's
-- arrived or completed, later ones booked; about 1 in 15 is cancelled.
CREATE TEMP TABLE demo_slot AS
WITH RECURSIVE
  day(k) AS (SELECT -7 UNION ALL SELECT k + 1 FROM day WHERE k < 34),
  slot(staff, k, m, end_min, step) AS (
    SELECT w.staff, day.k, w.start_min, w.end_min, w.step
      FROM demo_window AS w JOIN day
        ON (day.k + 7) % 7 + 1 BETWEEN w.wd_from AND w.wd_to
       AND (w.parity IS NULL OR w.parity = ((day.k + 7) / 7 + 1) % 2)
    UNION ALL
    SELECT staff, k, m + step, end_min, step FROM slot WHERE m + 2 * step <= end_min
  )
SELECT slot.staff, c.col, slot.k, slot.m, slot.step, c.pct,
       ((slot.staff * 7919 + (slot.k + 7) * 104729 + slot.m * 31 + c.col * 15485863) * 2654435761) % 1000003 AS mix
  FROM slot JOIN demo_column AS c ON c.staff = slot.staff;

INSERT INTO appointments (staff_id, column_no, appt_date, start_time, duration_minutes, patient_id, type_id,
                          status, comments, colour, created_at, updated_at)
SELECT staff, col, appt_date, start_time, step, patient, type_id, status, '', NULL, created_at,
       CASE status
         WHEN 'booked' THEN created_at
         WHEN 'cancelled' THEN date(monday, min(k - 1, today_k) || ' days') || ' 08:30:00'
         ELSE appt_date || ' ' || start_time || ':00'
       END
  FROM (
    SELECT s.staff, s.col, s.k, s.step, w.monday, w.today_k,
           date(w.monday, s.k || ' days') AS appt_date,
           printf('%02d:%02d', s.m / 60, s.m % 60) AS start_time,
           1 + (s.mix / 100) % 300 AS patient,
           CASE WHEN s.mix % 4 = 0
                THEN coalesce((SELECT min(id) FROM appointment_types WHERE staff_id = s.staff), 1)
                ELSE 1 END AS type_id,
           CASE
             WHEN s.mix % 100 >= s.pct THEN 'cancelled'
             WHEN s.k < w.today_k THEN CASE WHEN s.mix % 9 = 4 THEN 'dna' ELSE 'completed' END
             WHEN s.k = w.today_k AND s.m < 720 THEN CASE WHEN s.mix % 3 = 0 THEN 'arrived' ELSE 'completed' END
             ELSE 'booked'
           END AS status,
           date(w.monday, min(s.k - 5 - s.mix % 10, w.today_k - 1 - s.mix % 5) || ' days')
             || printf(' %02d:%02d:00', 8 + s.mix % 9, s.mix % 60) AS created_at
      FROM demo_slot AS s, demo_week AS w
     WHERE s.mix % 100 < s.pct + 3
       AND date(w.monday, s.k || ' days') NOT IN (SELECT holiday_date FROM holidays)
       AND NOT EXISTS (
         SELECT 1 FROM demo_block AS b
          WHERE b.staff = s.staff AND b.k = s.k
            AND (b.start_min IS NULL OR (s.m < b.end_min AND s.m + s.step > b.start_min)))
       AND NOT EXISTS (
         SELECT 1 FROM demo_special AS p
          WHERE p.staff = s.staff AND p.k = s.k AND p.col = s.col
            AND s.m < p.start_min + p.dur AND s.m + s.step > p.start_min)
  )
 ORDER BY k, staff, col, start_time;

DROP TABLE demo_slot;
DROP TABLE demo_column;
DROP TABLE demo_window;
DROP TABLE demo_special;
DROP TABLE demo_last;
DROP TABLE demo_first;
DROP TABLE demo_block;
DROP TABLE demo_diary;
DROP TABLE demo_week;
DROP TABLE demo_clock;
