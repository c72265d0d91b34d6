// Numbered migrations of the vault (PRAGMA user_version = number of applied migrations).
//
// Storage decision: every record table keeps the record exactly as projected for this user in
// a JSON `record` column — the keys present are the fields the user may read, so a field above
// clearance is simply absent (never a NULL pretending to be a value). The fields that search,
// filters and the dashboard need are STORED generated columns over that JSON (computed once at write time), with indexes:
// one source of truth, and purging a field (json_remove) clears its column and index entries
// in the same statement. `customer_id` of child records is a real column because it is
// structural and always known. Children are not foreign keys of customers: a pull page may
// deliver a child before its parent; the delete cascade is done by triggers instead. (A large
// scope shrink suspends customers_deleted, activities_deleted, customers_deleted_recent and
// customers_facets_deleted and does their work set-based: deleteLeftCustomersInBulk in
// pull-apply.ts and subtractFacetCounts in facet-counts.ts, which must stay in step with them.)

export const MIGRATIONS: readonly string[] = [
  /* 1: records, buckets, outbox, issues, audit queue, meta, search index */ `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

  CREATE TABLE users (id TEXT PRIMARY KEY, display_name TEXT NOT NULL) WITHOUT ROWID;

  CREATE TABLE customers (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL CHECK (json_valid(record)),
    writable INTEGER NOT NULL DEFAULT 0,
    name TEXT GENERATED ALWAYS AS (json_extract(record, '$.name')) STORED,
    owner_id TEXT GENERATED ALWAYS AS (json_extract(record, '$.ownerId')) STORED,
    city TEXT GENERATED ALWAYS AS (json_extract(record, '$.city')) STORED,
    industry TEXT GENERATED ALWAYS AS (json_extract(record, '$.industry')) STORED
  );
  CREATE INDEX customers_name ON customers(name, id);
  CREATE INDEX customers_city ON customers(city);
  CREATE INDEX customers_industry ON customers(industry);

  CREATE TABLE contacts (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    customer_id TEXT NOT NULL,
    record TEXT NOT NULL CHECK (json_valid(record)),
    writable INTEGER NOT NULL DEFAULT 0,
    name TEXT GENERATED ALWAYS AS (json_extract(record, '$.name')) STORED
  );
  CREATE INDEX contacts_customer ON contacts(customer_id);

  CREATE TABLE opportunities (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    customer_id TEXT NOT NULL,
    record TEXT NOT NULL CHECK (json_valid(record)),
    writable INTEGER NOT NULL DEFAULT 0,
    stage TEXT GENERATED ALWAYS AS (json_extract(record, '$.stage')) STORED,
    amount REAL GENERATED ALWAYS AS (json_extract(record, '$.amount')) STORED,
    owner_id TEXT GENERATED ALWAYS AS (json_extract(record, '$.ownerId')) STORED,
    expected_close_date TEXT GENERATED ALWAYS AS (json_extract(record, '$.expectedCloseDate')) STORED
  );
  CREATE INDEX opportunities_customer ON opportunities(customer_id);
  CREATE INDEX opportunities_stage ON opportunities(stage, amount);
  CREATE INDEX opportunities_owner ON opportunities(owner_id, stage, amount);
  CREATE INDEX opportunities_close ON opportunities(expected_close_date, stage);

  CREATE TABLE activities (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    customer_id TEXT NOT NULL,
    record TEXT NOT NULL CHECK (json_valid(record)),
    writable INTEGER NOT NULL DEFAULT 0,
    at INTEGER GENERATED ALWAYS AS (json_extract(record, '$.at')) STORED
  );
  CREATE INDEX activities_customer_at ON activities(customer_id, at);
  CREATE INDEX activities_at ON activities(at);

  -- Sync bucket memberships of customers. Children share their customer's visibility (the
  -- engine derives a record's buckets from its customer), so they follow it and carry none.
  CREATE TABLE record_buckets (
    entity TEXT NOT NULL,
    id TEXT NOT NULL,
    bucket TEXT NOT NULL,
    PRIMARY KEY (entity, id, bucket)
  ) WITHOUT ROWID;
  CREATE INDEX record_buckets_bucket ON record_buckets(bucket);

  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    mutation_id TEXT NOT NULL UNIQUE,
    entity TEXT NOT NULL,
    op TEXT NOT NULL,
    record_id TEXT NOT NULL,
    customer_id TEXT,
    mutation TEXT NOT NULL CHECK (json_valid(mutation)),
    attempts INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX outbox_record ON outbox(entity, record_id);
  CREATE INDEX outbox_customer ON outbox(customer_id);

  CREATE TABLE issues (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('conflict', 'rejected')),
    entity TEXT NOT NULL,
    record_id TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    reason TEXT,
    conflicts TEXT NOT NULL DEFAULT '[]',
    mutation TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE audit_queue (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    entry TEXT NOT NULL CHECK (json_valid(entry))
  );

  -- Substring search (trigram: CJK has no word breaks) over name, contact names, city, tags.
  -- rowid = customers.rid, maintained by the vault code in batches (see refreshSearch).
  CREATE VIRTUAL TABLE customer_search USING fts5(name, contact_names, city, tags, tokenize = 'trigram');
  -- Trigrams cannot answer 1–2 character queries (华为, 深圳 are two characters): every 1- and
  -- 2-character gram of the same text is indexed as a token here, so those are index lookups too.
  CREATE VIRTUAL TABLE customer_grams USING fts5(grams, tokenize = 'unicode61 remove_diacritics 0');

  -- Deleting a customer deletes its children, memberships and search row (one place, every path).
  CREATE TRIGGER customers_deleted AFTER DELETE ON customers BEGIN
    DELETE FROM contacts WHERE customer_id = old.id;
    DELETE FROM opportunities WHERE customer_id = old.id;
    DELETE FROM activities WHERE customer_id = old.id;
    DELETE FROM record_buckets WHERE entity = 'customer' AND id = old.id;
    DELETE FROM customer_search WHERE rowid = old.rid;
    DELETE FROM customer_grams WHERE rowid = old.rid;
  END;
  `,

  /* 2: customers.last_activity_at, kept by triggers, for "not contacted in 30 days" */ `
  -- The dashboard lists customers without a recent activity. Asking activities for every
  -- customer's latest one costs a seek per customer on each dashboard; the answer is kept on
  -- the customer instead, by triggers (one place, every write path: pulls, local edits, purges).
  ALTER TABLE customers ADD COLUMN last_activity_at INTEGER;
  UPDATE customers SET last_activity_at = (SELECT max(a.at) FROM activities a WHERE a.customer_id = customers.id);
  CREATE INDEX customers_last_activity ON customers(last_activity_at, name, id);

  -- Cheap on every insert: no aggregate, only a raise of the customer's value.
  CREATE TRIGGER activities_inserted AFTER INSERT ON activities WHEN new.at IS NOT NULL BEGIN
    UPDATE customers SET last_activity_at = new.at
    WHERE id = new.customer_id AND (last_activity_at IS NULL OR last_activity_at < new.at);
  END;
  -- A child may arrive before its customer (see above): the customer then starts from them.
  CREATE TRIGGER customers_inserted AFTER INSERT ON customers
  WHEN EXISTS (SELECT 1 FROM activities a WHERE a.customer_id = new.id) BEGIN
    UPDATE customers SET last_activity_at = (SELECT max(a.at) FROM activities a WHERE a.customer_id = new.id) WHERE rid = new.rid;
  END;
  -- Resent unchanged activities (the common upsert) skip the recomputation.
  CREATE TRIGGER activities_changed AFTER UPDATE OF record, customer_id ON activities
  WHEN old.at IS NOT new.at OR old.customer_id IS NOT new.customer_id BEGIN
    UPDATE customers SET last_activity_at = (SELECT max(a.at) FROM activities a WHERE a.customer_id = old.customer_id) WHERE id = old.customer_id;
    UPDATE customers SET last_activity_at = (SELECT max(a.at) FROM activities a WHERE a.customer_id = new.customer_id) WHERE id = new.customer_id;
  END;
  -- Only deleting a customer's latest activity changes its value.
  CREATE TRIGGER activities_deleted AFTER DELETE ON activities WHEN old.at IS NOT NULL BEGIN
    UPDATE customers SET last_activity_at = (SELECT max(a.at) FROM activities a WHERE a.customer_id = old.customer_id)
    WHERE id = old.customer_id AND last_activity_at = old.at;
  END;
  `,

  /* 3: clusters — rows laid out by owner, so what leaves a scope is contiguous */ `
  -- Record rows are placed by rid, and a scope shrink removes whole owners (their o:<owner>
  -- bucket). Each owner gets a cluster slot; new rows of the owner's customers (the customer and
  -- its children) take rids in [slot * 2^32, (slot + 1) * 2^32), so a purge empties runs of
  -- adjacent pages instead of touching a row on nearly every page. Slot 0 holds rows written
  -- before this migration and children whose customer is not stored yet.
  CREATE TABLE clusters (key TEXT PRIMARY KEY, slot INTEGER NOT NULL) WITHOUT ROWID;
  `,

  /* 4: search by pinyin and by contacts' phone, e-mail and WeChat (search-index.ts, pinyin.ts) */ `
  -- The trigram index gains the pinyin of names and cities and the contacts' reachable points;
  -- both indexes are recreated empty (dropping them leaves no old segment behind) and rebuilt
  -- from the records at open, since the pinyin is computed by the vault code, not by SQL.
  DROP TABLE customer_search;
  CREATE VIRTUAL TABLE customer_search USING fts5(name, contact_names, city, tags, pinyin, contact_points, tokenize = 'trigram');
  DROP TABLE customer_grams;
  CREATE VIRTUAL TABLE customer_grams USING fts5(grams, tokenize = 'unicode61 remove_diacritics 0');
  INSERT INTO meta(key, value) VALUES ('internal:search-rebuild', '1') ON CONFLICT(key) DO UPDATE SET value = excluded.value;
  `,

  /* 5: the pipeline board's columns (opportunity-queries.ts) */ `
  -- Each board column is the deals at one stage by expected close date: with this index a column
  -- is an index range read in order, instead of reading every deal at that stage and sorting.
  CREATE INDEX opportunities_stage_close ON opportunities(stage, expected_close_date);
  `,

  /* 6: follow-ups (planned activities), recently viewed customers, reminder state (docs/follow-ups.md) */ `
  -- A follow-up is an activity with a due moment (dueAt); it is open while doneAt is null. The
  -- columns are VIRTUAL (ALTER TABLE cannot add STORED ones): computed when read, indexed below.
  ALTER TABLE activities ADD COLUMN due_at INTEGER GENERATED ALWAYS AS (json_extract(record, '$.dueAt')) VIRTUAL;
  ALTER TABLE activities ADD COLUMN done_at INTEGER GENERATED ALWAYS AS (json_extract(record, '$.doneAt')) VIRTUAL;
  ALTER TABLE activities ADD COLUMN reminder_at INTEGER GENERATED ALWAYS AS (json_extract(record, '$.reminderAt')) VIRTUAL;
  ALTER TABLE activities ADD COLUMN author_id TEXT GENERATED ALWAYS AS (json_extract(record, '$.authorId')) VIRTUAL;
  -- Open follow-ups by due moment (the home page's today / overdue lists: everyone's, and one
  -- author's — counting an author's overdue ones reads the index only), and by reminder.
  CREATE INDEX activities_open_due ON activities(due_at) WHERE due_at IS NOT NULL AND done_at IS NULL;
  CREATE INDEX activities_open_author_due ON activities(author_id, due_at) WHERE due_at IS NOT NULL AND done_at IS NULL;
  CREATE INDEX activities_open_reminder ON activities(reminder_at) WHERE reminder_at IS NOT NULL AND done_at IS NULL;

  -- An open follow-up is a plan, not a contact: last_activity_at (migration 2) counts logged
  -- activities only (no due moment, or done). The four triggers are replaced with that condition
  -- (same names: pull-apply.ts suspends activities_deleted by name during a bulk purge).
  DROP TRIGGER activities_inserted;
  CREATE TRIGGER activities_inserted AFTER INSERT ON activities
  WHEN new.at IS NOT NULL AND (new.due_at IS NULL OR new.done_at IS NOT NULL) BEGIN
    UPDATE customers SET last_activity_at = new.at
    WHERE id = new.customer_id AND (last_activity_at IS NULL OR last_activity_at < new.at);
  END;
  DROP TRIGGER customers_inserted;
  CREATE TRIGGER customers_inserted AFTER INSERT ON customers
  WHEN EXISTS (SELECT 1 FROM activities a WHERE a.customer_id = new.id) BEGIN
    UPDATE customers SET last_activity_at = (SELECT max(a.at) FROM activities a WHERE a.customer_id = new.id AND (a.due_at IS NULL OR a.done_at IS NOT NULL))
    WHERE rid = new.rid;
  END;
  DROP TRIGGER activities_changed;
  CREATE TRIGGER activities_changed AFTER UPDATE OF record, customer_id ON activities
  WHEN old.at IS NOT new.at OR old.customer_id IS NOT new.customer_id OR old.due_at IS NOT new.due_at OR old.done_at IS NOT new.done_at BEGIN
    UPDATE customers SET last_activity_at = (SELECT max(a.at) FROM activities a WHERE a.customer_id = old.customer_id AND (a.due_at IS NULL OR a.done_at IS NOT NULL)) WHERE id = old.customer_id;
    UPDATE customers SET last_activity_at = (SELECT max(a.at) FROM activities a WHERE a.customer_id = new.customer_id AND (a.due_at IS NULL OR a.done_at IS NOT NULL)) WHERE id = new.customer_id;
  END;
  DROP TRIGGER activities_deleted;
  CREATE TRIGGER activities_deleted AFTER DELETE ON activities WHEN old.at IS NOT NULL BEGIN
    UPDATE customers SET last_activity_at = (SELECT max(a.at) FROM activities a WHERE a.customer_id = old.customer_id AND (a.due_at IS NULL OR a.done_at IS NOT NULL))
    WHERE id = old.customer_id AND last_activity_at = old.at;
  END;
  UPDATE customers SET last_activity_at = (SELECT max(a.at) FROM activities a WHERE a.customer_id = customers.id AND (a.due_at IS NULL OR a.done_at IS NOT NULL));

  -- Customers this user opened, newest first (the home page); kept on this device only.
  CREATE TABLE recent_views (customer_id TEXT PRIMARY KEY, viewed_at INTEGER NOT NULL) WITHOUT ROWID;
  CREATE INDEX recent_views_at ON recent_views(viewed_at);
  -- A customer that leaves the vault leaves this list too (a bulk purge suspends this trigger
  -- by name and clears the list in one delete: pull-apply.ts).
  CREATE TRIGGER customers_deleted_recent AFTER DELETE ON customers BEGIN
    DELETE FROM recent_views WHERE customer_id = old.id;
  END;

  -- Which reminders were notified and dismissed, per follow-up and reminder moment (a new
  -- reminder moment is a new reminder). Rows of follow-ups no longer stored are dropped by the
  -- reminder query (follow-ups.ts), not by a trigger on every activity delete.
  CREATE TABLE reminder_state (
    activity_id TEXT PRIMARY KEY,
    reminder_at INTEGER NOT NULL,
    notified_at INTEGER,
    dismissed_at INTEGER
  ) WITHOUT ROWID;
  `,
  /* 7: the filter lists' values, counted (facet-counts.ts) */ `
  -- The customer list's filters (city, industry, tag) list the values present in the vault.
  -- Reading them from the customers costs a scan of every customer each time the list opens;
  -- instead each (facet, value) is counted here — the customers having it (a tag repeated on one
  -- customer counts once) — and kept in step by the triggers below, in the transaction of every
  -- write path: pulls, local edits, settled pushes, field purges, removals and scope shrinks
  -- (the bulk one suspends customers_facets_deleted by name and subtracts the leaving customers'
  -- values grouped: subtractFacetCounts, facet-counts.ts — keep the two in step). During a
  -- bulk import (the first sync, meta 'internal:search-stale' set) they stand aside and the
  -- counts are rebuilt once when it ends (rebuildFacetCounts), like the search index.
  CREATE TABLE facet_counts (
    facet TEXT NOT NULL CHECK (facet IN ('city', 'industry', 'tag')),
    value TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (facet, value)
  ) WITHOUT ROWID;
  INSERT INTO facet_counts(facet, value, n)
    SELECT 'city', city, count(*) FROM customers WHERE city IS NOT NULL AND city <> '' GROUP BY city;
  INSERT INTO facet_counts(facet, value, n)
    SELECT 'industry', industry, count(*) FROM customers WHERE industry IS NOT NULL AND industry <> '' GROUP BY industry;
  INSERT INTO facet_counts(facet, value, n)
    SELECT 'tag', v, count(*) FROM (SELECT DISTINCT c.rid, t.value AS v FROM customers c, json_each(c.record, '$.tags') t WHERE t.type = 'text') GROUP BY v;

  CREATE TRIGGER customers_facets_inserted AFTER INSERT ON customers
  WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = 'internal:search-stale') BEGIN
    INSERT INTO facet_counts(facet, value, n)
      SELECT 'city', new.city, 1 WHERE new.city IS NOT NULL AND new.city <> ''
      UNION SELECT 'industry', new.industry, 1 WHERE new.industry IS NOT NULL AND new.industry <> ''
      UNION SELECT 'tag', value, 1 FROM json_each(new.record, '$.tags') WHERE type = 'text'
    ON CONFLICT(facet, value) DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER customers_facets_deleted AFTER DELETE ON customers
  WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = 'internal:search-stale') BEGIN
    UPDATE facet_counts SET n = n - 1 WHERE (facet, value) IN (
      SELECT 'city', old.city WHERE old.city IS NOT NULL AND old.city <> ''
      UNION SELECT 'industry', old.industry WHERE old.industry IS NOT NULL AND old.industry <> ''
      UNION SELECT 'tag', value FROM json_each(old.record, '$.tags') WHERE type = 'text');
    DELETE FROM facet_counts WHERE n <= 0 AND (facet, value) IN (
      SELECT 'city', old.city UNION SELECT 'industry', old.industry
      UNION SELECT 'tag', value FROM json_each(old.record, '$.tags') WHERE type = 'text');
  END;
  -- Only a change of city, industry or tags moves a count (most record updates change none).
  CREATE TRIGGER customers_facets_changed AFTER UPDATE OF record ON customers
  WHEN (old.city IS NOT new.city OR old.industry IS NOT new.industry
        OR json_extract(old.record, '$.tags') IS NOT json_extract(new.record, '$.tags'))
   AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'internal:search-stale') BEGIN
    INSERT INTO facet_counts(facet, value, n)
      SELECT 'city', new.city, 1 WHERE new.city IS NOT NULL AND new.city <> ''
      UNION SELECT 'industry', new.industry, 1 WHERE new.industry IS NOT NULL AND new.industry <> ''
      UNION SELECT 'tag', value, 1 FROM json_each(new.record, '$.tags') WHERE type = 'text'
    ON CONFLICT(facet, value) DO UPDATE SET n = n + 1;
    UPDATE facet_counts SET n = n - 1 WHERE (facet, value) IN (
      SELECT 'city', old.city WHERE old.city IS NOT NULL AND old.city <> ''
      UNION SELECT 'industry', old.industry WHERE old.industry IS NOT NULL AND old.industry <> ''
      UNION SELECT 'tag', value FROM json_each(old.record, '$.tags') WHERE type = 'text');
    DELETE FROM facet_counts WHERE n <= 0 AND (facet, value) IN (
      SELECT 'city', old.city UNION SELECT 'industry', old.industry
      UNION SELECT 'tag', value FROM json_each(old.record, '$.tags') WHERE type = 'text');
  END;
  `,
  /* 8: org units of the user's scope and each owner's unit (the dashboard's team filter and roll-up, dashboard.ts) */ `
  ALTER TABLE users ADD COLUMN unit_id TEXT;
  -- Replaced as a whole by every pull page that carries units (a full directory).
  CREATE TABLE org_units (id TEXT PRIMARY KEY, parent_id TEXT, name TEXT NOT NULL, kind TEXT NOT NULL) WITHOUT ROWID;
  `,
  /* 9: pinyin as a token index of its own; leaner text indexes (search-index.ts, pinyin.ts) */ `
  -- Pinyin leaves the trigram index (a long spelled-out column: most of its trigrams, and
  -- trigrams such as 'ang' or 'hai' match nearly every row) and the gram index, for a token
  -- index of spellings and initials from every syllable on, asked by prefix (search-query.ts),
  -- with a 2-letter prefix index for the commonest pinyin queries ('sh', 'hw').
  -- The gram and pinyin indexes keep no copy of their text (contentless: nothing reads it back;
  -- rows are deleted by rowid) and the gram index no positions (its queries are single tokens).
  -- The trigram index keeps its text (LIKE fallback, and refreshSearch compares against it) but
  -- no per-row sizes (columnsize=0: they only serve ranking; results are ordered by name).
  -- All three are recreated empty and rebuilt from the records at open (search-rebuild).
  DROP TABLE customer_search;
  CREATE VIRTUAL TABLE customer_search USING fts5(name, contact_names, city, tags, contact_points, tokenize = 'trigram', columnsize = 0);
  DROP TABLE customer_grams;
  CREATE VIRTUAL TABLE customer_grams USING fts5(grams, tokenize = 'unicode61 remove_diacritics 0', detail = none, content = '', contentless_delete = 1);
  DROP TABLE IF EXISTS customer_pinyin;
  CREATE VIRTUAL TABLE customer_pinyin USING fts5(
    head, tail, initials, tokenize = 'ascii', prefix = '2', detail = column, content = '', contentless_delete = 1
  );
  -- The delete trigger of migration 1, now with the pinyin index (same name: pull-apply.ts
  -- suspends it by name during a bulk purge and does this cascade itself).
  DROP TRIGGER customers_deleted;
  CREATE TRIGGER customers_deleted AFTER DELETE ON customers BEGIN
    DELETE FROM contacts WHERE customer_id = old.id;
    DELETE FROM opportunities WHERE customer_id = old.id;
    DELETE FROM activities WHERE customer_id = old.id;
    DELETE FROM record_buckets WHERE entity = 'customer' AND id = old.id;
    DELETE FROM customer_search WHERE rowid = old.rid;
    DELETE FROM customer_grams WHERE rowid = old.rid;
    DELETE FROM customer_pinyin WHERE rowid = old.rid;
  END;
  INSERT INTO meta(key, value) VALUES ('internal:search-rebuild', '1') ON CONFLICT(key) DO UPDATE SET value = excluded.value;
  `,
  /* 10: lists in pinyin order — a stored sort key per name (collation.ts, records.ts) */ `
  -- Customers, contacts and opportunity titles are listed by the sort key of their name: its
  -- pinyin spelling, so Chinese and Latin names interleave by letter (华为 next to Huawei). The
  -- key needs the pinyin readings (JavaScript), so it is not a generated column: SQLite would let
  -- one call an application-defined function, but then every connection that touches these tables
  -- (the import worker, the integrity check, any tool opening the file) would need it registered,
  -- and a changed reading would leave stored keys and their index silently stale. Instead every
  -- write of a record's JSON writes its key (records.ts: writeRecord, rewriteRecord), and a
  -- change of the key function is a migration like this one, which refills the keys at open.
  ALTER TABLE customers ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
  ALTER TABLE contacts ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
  ALTER TABLE opportunities ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
  -- Owners by display name too (the owner filter, the opportunity list's owner sort).
  ALTER TABLE users ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
  -- The customer list: (sort_key, id) replaces (name, id), which nothing else reads.
  DROP INDEX IF EXISTS customers_name;
  CREATE INDEX customers_sort ON customers(sort_key, id);
  -- The dashboard's "not contacted" list breaks ties (never contacted: NULL) by name, now by key.
  DROP INDEX IF EXISTS customers_last_activity;
  CREATE INDEX customers_last_activity ON customers(last_activity_at, sort_key, id);
  -- A customer's contacts by key: the customer's index gains the key (same name: pull-apply.ts
  -- keeps it during a bulk import, the delete triggers look contacts up by it).
  DROP INDEX IF EXISTS contacts_customer;
  CREATE INDEX contacts_customer ON contacts(customer_id, sort_key);
  -- The opportunity list sorts by title or customer only on request, over the filtered rows: no index.
  INSERT INTO meta(key, value) VALUES ('internal:sort-keys-fill', '1') ON CONFLICT(key) DO UPDATE SET value = excluded.value;
  `,
  /* 11: logged activities counted per week and author (the dashboard's activity chart, dashboard.ts) */ `
  -- The weekly activity chart counted the logged activities of the last 8 weeks in the table. An
  -- activity's time, due and done moments and author are columns derived from its JSON, and
  -- SQLite reads a generated column from the row even where an index holds it (an index on one is
  -- never covering): in a director's vault (300k activities, a ~400 MB file, far more than the
  -- page cache) every dashboard read and decrypted tens of thousands of table pages, 1.4 s of its
  -- 1.8 s. The counts are kept here instead, per UTC ISO week (Monday 00:00, as isoWeekStart in
  -- dates.ts: 345600000 is Monday 1970-01-05) and author ('' for none), by the triggers below in
  -- the transaction of every write path (bulk purges included). During a bulk import (meta
  -- 'internal:search-stale') they stand aside and the counts are rebuilt when it ends
  -- (rebuildActivityWeeks, facet-counts.ts), as facet_counts are.
  CREATE TABLE activity_weeks (
    week_start INTEGER NOT NULL,
    author_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (week_start, author_id)
  ) WITHOUT ROWID;
  INSERT INTO activity_weeks(week_start, author_id, n)
    SELECT a.at - ((a.at - 345600000) % 604800000 + 604800000) % 604800000, coalesce(a.author_id, ''), count(*) FROM activities a WHERE a.at IS NOT NULL AND (a.due_at IS NULL OR a.done_at IS NOT NULL) GROUP BY 1, 2;
  CREATE TRIGGER activities_weeks_inserted AFTER INSERT ON activities
  WHEN new.at IS NOT NULL AND (new.due_at IS NULL OR new.done_at IS NOT NULL) AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'internal:search-stale') BEGIN
    INSERT INTO activity_weeks(week_start, author_id, n) VALUES (new.at - ((new.at - 345600000) % 604800000 + 604800000) % 604800000, coalesce(new.author_id, ''), 1)
    ON CONFLICT(week_start, author_id) DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER activities_weeks_deleted AFTER DELETE ON activities
  WHEN old.at IS NOT NULL AND (old.due_at IS NULL OR old.done_at IS NOT NULL) AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'internal:search-stale') BEGIN
    UPDATE activity_weeks SET n = n - 1 WHERE week_start = old.at - ((old.at - 345600000) % 604800000 + 604800000) % 604800000 AND author_id = coalesce(old.author_id, '');
    DELETE FROM activity_weeks WHERE week_start = old.at - ((old.at - 345600000) % 604800000 + 604800000) % 604800000 AND author_id = coalesce(old.author_id, '') AND n <= 0;
  END;
  -- Only a change of the time, the due or done moment or the author moves a count (a follow-up
  -- completed, an activity moved or re-attributed); most record updates change none.
  CREATE TRIGGER activities_weeks_changed AFTER UPDATE OF record ON activities
  WHEN (old.at IS NOT new.at OR old.due_at IS NOT new.due_at OR old.done_at IS NOT new.done_at OR old.author_id IS NOT new.author_id)
   AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'internal:search-stale') BEGIN
    UPDATE activity_weeks SET n = n - 1 WHERE old.at IS NOT NULL AND (old.due_at IS NULL OR old.done_at IS NOT NULL) AND week_start = old.at - ((old.at - 345600000) % 604800000 + 604800000) % 604800000 AND author_id = coalesce(old.author_id, '');
    DELETE FROM activity_weeks WHERE old.at IS NOT NULL AND (old.due_at IS NULL OR old.done_at IS NOT NULL) AND week_start = old.at - ((old.at - 345600000) % 604800000 + 604800000) % 604800000 AND author_id = coalesce(old.author_id, '') AND n <= 0;
    INSERT INTO activity_weeks(week_start, author_id, n) SELECT new.at - ((new.at - 345600000) % 604800000 + 604800000) % 604800000, coalesce(new.author_id, ''), 1 WHERE new.at IS NOT NULL AND (new.due_at IS NULL OR new.done_at IS NOT NULL)
    ON CONFLICT(week_start, author_id) DO UPDATE SET n = n + 1;
  END;
  `,
  /* 12: customers by owner and last activity (the dashboard roll-up's "not contacted" per owner, dashboard.ts) */ `
  -- The roll-up counts, per owner, the customers without a logged activity in 30 days. No index
  -- held the owner, so that count read the row of every qualifying customer: in a director's
  -- vault ~30k scattered rows of a 57 MB table, decrypted on each dashboard (65 ms of CPU of its
  -- 133). owner_id is a STORED generated column, and SQLite takes a stored column from the
  -- index when the index holds it (the row is never read unless the query needs a column the
  -- index lacks); only VIRTUAL columns are recomputed from the row (migration 11). The plan
  -- still says "USING INDEX", not "COVERING": the planner counts a row lookup it does not make.
  -- The dashboard asks this index per owner: each owner's never-contacted and contacted-before
  -- ranges are counted inside the index.
  CREATE INDEX customers_owner_activity ON customers(owner_id, last_activity_at);
  -- The same for the deals under the dashboard's period and owner filters: the owner index lacked
  -- the close date and the close-date index the owner and amount, so a filtered dashboard read
  -- the row of every deal in the period (or of the owners'), ~50 ms a query at 100k deals. Each
  -- now holds all four (same names: nothing refers to them by name).
  DROP INDEX IF EXISTS opportunities_owner;
  CREATE INDEX opportunities_owner ON opportunities(owner_id, stage, amount, expected_close_date);
  DROP INDEX IF EXISTS opportunities_close;
  CREATE INDEX opportunities_close ON opportunities(expected_close_date, stage, owner_id, amount);
  -- All three are deferred during a first sync like the others (pull-apply.ts: deferIndexes):
  -- the bulk import builds them once at its end.
  `,
];
