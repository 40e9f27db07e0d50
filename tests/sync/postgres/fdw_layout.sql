-- HQ's journal spread over two PostgreSQL servers with postgres_fdw, without Citus: a recipe in
-- psql, run by tests/sync/postgres/fdw_scale_out_test.cc on three real servers and explained in
-- docs/hq-postgres.md ("Scale-out without Citus: postgres_fdw").
--
-- The coordinator is an ordinary HQ database (`loyalty-hq migrate` made it). loyalty-hq connects
-- to it alone and its code does not change: the layout is built around it. The coordinator's
-- journal stays PARTITION BY RANGE (business_date), but each day's partition, and the default
-- one, is PARTITION BY HASH (store_id) with MODULUS 2, and the two hash partitions are foreign
-- tables: remainder 0 on node1, remainder 1 on node2. Each node holds a journal of the same
-- columns and primary key, partitioned by business date like HQ's, plus a plain table
-- journal_default for the coordinator's default partition. So every event of a store lies on the
-- one node its store_id hashes to, in the table of its day:
--
--   coordinator  journal (RANGE business_date, no primary key)
--                 ├─ journal_20260101 (HASH store_id)
--                 │    ├─ journal_20260101_h0  FOREIGN ─▶ node1 journal_20260101 (PK)
--                 │    └─ journal_20260101_h1  FOREIGN ─▶ node2 journal_20260101 (PK)
--                 ├─ ... one per day ...
--                 └─ journal_default (DEFAULT, HASH store_id)
--                      ├─ journal_default_h0   FOREIGN ─▶ node1 journal_default (PK)
--                      └─ journal_default_h1   FOREIGN ─▶ node2 journal_default (PK)
--
-- Everything else of HQ (terminals, chains, the HQ ledger, the downlink) stays on the coordinator.
--
-- What PostgreSQL 15 refuses, and why the layout is this one:
-- - A foreign table cannot be a partition of a table with a unique index ("cannot create foreign
--   partition of partitioned table "journal_20260101"": "Table ... contains indexes that are
--   unique"); a unique index or primary key cannot be added to a partitioned table that has
--   foreign partitions (42809 "cannot create unique index on partitioned table "journal"":
--   "Table "journal" contains partitions that are foreign tables"), nor to a foreign table (0A000
--   "primary key constraints are not supported on foreign tables"). So the coordinator's journal
--   loses its primary key (step 3) and each node's journal keeps it. The ingest's `INSERT INTO
--   journal SELECT ... FROM journal_staging ON CONFLICT DO NOTHING` names no conflict target, and
--   postgres_fdw sends the ON CONFLICT DO NOTHING on to the node, whose primary key decides: a
--   re-sent event is neither stored twice nor counted as stored. (An ON CONFLICT with a target
--   would fail on the coordinator, 42P10: no unique constraint matches it.)
-- - A non-unique index on the partitioned journal is allowed: PostgreSQL leaves the foreign
--   partitions out of it, so the coordinator's journal_by_time stays and indexes nothing. The
--   nodes have their own.
-- - PostgreSQL cannot see into a foreign partition. Creating a day's partition beside a default
--   partition whose partitions are foreign only warns (23514 WARNING "skipped scanning foreign
--   table "journal_default_h0" which is a partition of default partition "journal_default""):
--   the events of that day already in the default partition would stay there, where the
--   report's scan of the day no longer looks. So step 5 moves them into the new day in the same
--   transaction; the nodes' journal_default is a plain table, not a partition of their journal,
--   so that a node may get the day's table while its journal_default still holds events of it.
-- - `loyalty-hq partitions --create-through`, and the partitions step of `loyalty-hq migrate`,
--   would make a day a local table on the coordinator and move that day's events off the nodes
--   into it. The event trigger of step 4 refuses every journal partition on the coordinator that
--   is not a foreign table, so these fail instead ("journal partition journal_20260110 is a
--   table on the coordinator ...") and their transaction, on the nodes too, is rolled back. Lay
--   the days out with this file ahead of them: `loyalty-hq migrate` makes yesterday and the next
--   seven days, finds them made, and changes nothing.
--
-- Usage: as a superuser of all three servers (it creates an extension, foreign servers and an
-- event trigger), from any machine that reaches them; the \connect lines below log in to each
-- server as the user psql started with:
--
--   psql -X -v ON_ERROR_STOP=1 -d postgres -f fdw_layout.sql \
--     -v coordinator_host=hq-db -v coordinator_port=5432 -v coordinator_db=loyalty \
--     -v node1_host=hq-node1 -v node1_port=5432 -v node1_db=loyalty_journal \
--     -v node2_host=hq-node2 -v node2_port=5432 -v node2_db=loyalty_journal \
--     -v from_date=2026-01-01 -v to_date=2026-01-09 \
--     [-v hq_role=hq] [-v node_user=hq_journal] [-v node_password=SECRET]
--
-- - The three databases exist (createdb) and the coordinator's is migrated (`loyalty-hq
--   migrate`); its journal is still empty the first time (step 3 refuses one that holds events).
-- - hq_role: the coordinator role loyalty-hq connects as (default: the user running this file).
--   node_user: the role postgres_fdw logs in as on the nodes, which owns the nodes' tables
--   (default: hq_role's name); it must exist there. postgres_fdw requires a password for a role
--   that is not a superuser: give node_password (kept in the user mapping, which only superusers
--   and hq_role can read) and have the nodes' pg_hba.conf ask for it (scram-sha-256).
-- - from_date, to_date: the business days to lay out (YYYY-MM-DD, inclusive). The file may be run
--   again at any time; it creates only what is missing. Run it daily (from the timer that would
--   run `loyalty-hq partitions`) for yesterday through a week ahead.
-- - A later HQ migration that changes the journal's columns must be applied to the nodes'
--   journal and journal_default by hand, first: the coordinator's ALTER TABLE changes only its
--   foreign tables' definitions, not the tables behind them.

\set ON_ERROR_STOP on
\set QUIET on

-- Step 0: the parameters.
\set missing ''
\if :{?coordinator_host} \else \set missing :missing' coordinator_host' \endif
\if :{?coordinator_port} \else \set missing :missing' coordinator_port' \endif
\if :{?coordinator_db} \else \set missing :missing' coordinator_db' \endif
\if :{?node1_host} \else \set missing :missing' node1_host' \endif
\if :{?node1_port} \else \set missing :missing' node1_port' \endif
\if :{?node1_db} \else \set missing :missing' node1_db' \endif
\if :{?node2_host} \else \set missing :missing' node2_host' \endif
\if :{?node2_port} \else \set missing :missing' node2_port' \endif
\if :{?node2_db} \else \set missing :missing' node2_db' \endif
\if :{?from_date} \else \set missing :missing' from_date' \endif
\if :{?to_date} \else \set missing :missing' to_date' \endif
SELECT :'missing' = '' AS complete \gset
\if :complete
\else
SELECT set_config('fdw_layout.missing', :'missing', false) \g /dev/null
DO $$ BEGIN RAISE EXCEPTION 'fdw_layout.sql: give -v NAME=VALUE for:%', current_setting('fdw_layout.missing'); END $$;
\endif
\connect :coordinator_db - :coordinator_host :coordinator_port
\if :{?hq_role}
\else
SELECT current_user AS hq_role \gset
\endif
\if :{?node_user}
\else
SELECT :'hq_role' AS node_user \gset
\endif

-- Step 1: each node's journal, its days and its journal_default, owned by node_user: the same
-- statements on each node (fdw_node.sql, beside this file).
-- Step 1a: node1, the stores of hash remainder 0.
\connect :node1_db - :node1_host :node1_port
\ir fdw_node.sql
-- Step 1b: node2, the stores of remainder 1.
\connect :node2_db - :node2_host :node2_port
\ir fdw_node.sql

-- Step 2: the coordinator reaches the nodes. async_capable: a query's scans of both nodes run at
-- the same time; fetch_size: rows per round trip (the report reads days in order); batch_size:
-- rows per INSERT sent to a node (the ingest moves a batch of up to 1000 events in one INSERT);
-- parallel_commit: both nodes commit at once.
\connect :coordinator_db - :coordinator_host :coordinator_port
SET client_min_messages = warning;  -- not the NOTICEs of IF NOT EXISTS
CREATE EXTENSION IF NOT EXISTS postgres_fdw;
CREATE SERVER IF NOT EXISTS journal_node1 FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host :'node1_host', port :'node1_port', dbname :'node1_db', async_capable 'true',
           fetch_size '10000', batch_size '1000', parallel_commit 'true');
CREATE SERVER IF NOT EXISTS journal_node2 FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host :'node2_host', port :'node2_port', dbname :'node2_db', async_capable 'true',
           fetch_size '10000', batch_size '1000', parallel_commit 'true');
CREATE USER MAPPING IF NOT EXISTS FOR :"hq_role" SERVER journal_node1 OPTIONS (user :'node_user');
CREATE USER MAPPING IF NOT EXISTS FOR :"hq_role" SERVER journal_node2 OPTIONS (user :'node_user');
\if :{?node_password}
ALTER USER MAPPING FOR :"hq_role" SERVER journal_node1 OPTIONS (SET password :'node_password');
ALTER USER MAPPING FOR :"hq_role" SERVER journal_node2 OPTIONS (SET password :'node_password');
\endif

-- Step 3, the first time only: the journal as migrate made it (a primary key, local partitions)
-- becomes the router: its empty local partitions go, the primary key goes, and the default
-- partition comes back hash-partitioned over the nodes.
BEGIN;
SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'journal'::regclass AND contype = 'p')
  AS journal_is_local \gset
\if :journal_is_local
LOCK TABLE journal IN ACCESS EXCLUSIVE MODE;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM journal) THEN
    RAISE EXCEPTION 'the journal already holds events: fdw_layout.sql converts an empty one'
      USING HINT = 'start from a freshly migrated database, or copy the events to the nodes first';
  END IF;
END $$;
SELECT format('DROP TABLE %s', inhrelid::regclass) FROM pg_inherits
 WHERE inhparent = 'journal'::regclass ORDER BY 1 \gexec
ALTER TABLE journal DROP CONSTRAINT journal_pkey;
CREATE TABLE journal_default PARTITION OF journal DEFAULT PARTITION BY HASH (store_id);
CREATE FOREIGN TABLE journal_default_h0 PARTITION OF journal_default
  FOR VALUES WITH (MODULUS 2, REMAINDER 0)
  SERVER journal_node1 OPTIONS (schema_name 'public', table_name 'journal_default');
CREATE FOREIGN TABLE journal_default_h1 PARTITION OF journal_default
  FOR VALUES WITH (MODULUS 2, REMAINDER 1)
  SERVER journal_node2 OPTIONS (schema_name 'public', table_name 'journal_default');
\endif
COMMIT;

-- Step 4: the guard. A DDL statement that leaves a journal partition on the coordinator that is
-- not a foreign table fails, and with it its transaction.
CREATE OR REPLACE FUNCTION journal_stays_on_nodes() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  local_table regclass;
BEGIN
  IF to_regclass('public.journal') IS NULL THEN
    RETURN;
  END IF;
  SELECT t.relid INTO local_table FROM pg_partition_tree('public.journal') t
    JOIN pg_class c ON c.oid = t.relid
   WHERE t.level > 0 AND c.relkind NOT IN ('f', 'p') ORDER BY 1 LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'journal partition % is a table on the coordinator: this journal lies on its nodes (postgres_fdw)', local_table
      USING HINT = 'lay out the journal''s days with tests/sync/postgres/fdw_layout.sql (docs/hq-postgres.md)';
  END IF;
END $$;
SELECT NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'journal_stays_on_nodes')
  AS guard_missing \gset
\if :guard_missing
CREATE EVENT TRIGGER journal_stays_on_nodes ON ddl_command_end
  WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE', 'CREATE FOREIGN TABLE', 'ALTER FOREIGN TABLE')
  EXECUTE FUNCTION journal_stays_on_nodes();
\endif

-- Step 5: the coordinator's missing days, in one transaction. Each day is made beside the journal
-- as a hash-partitioned table with its two foreign partitions and then attached, as loyalty-hq
-- attaches its days: the ATTACH takes SHARE UPDATE EXCLUSIVE on the journal and ACCESS EXCLUSIVE
-- on the default partition, so no event enters the default partition, and no lookup reads it,
-- until the commit (the ingest waits that long, as during `loyalty-hq partitions`). The events of
-- these days that the default partition holds (sent before their day was laid out) then move into
-- their day: a store's events move within its own node, so each node deletes and inserts them in
-- one transaction of its own. Every partition is owned by the journal's owner, so that
-- `loyalty-hq partitions --detach-before`, run as HQ's role, may detach old days.
BEGIN;
-- Not the WARNING "skipped scanning foreign table ..." of each ATTACH (see the head): the move
-- below is that check.
SET LOCAL client_min_messages = error;
SELECT format('CREATE TABLE %1$I (LIKE journal INCLUDING DEFAULTS INCLUDING CONSTRAINTS) '
              'PARTITION BY HASH (store_id)', name),
       format('CREATE FOREIGN TABLE %1$I PARTITION OF %2$I FOR VALUES WITH (MODULUS 2, '
              'REMAINDER 0) SERVER journal_node1 OPTIONS (schema_name %3$L, table_name %2$L)',
              name || '_h0', name, 'public'),
       format('CREATE FOREIGN TABLE %1$I PARTITION OF %2$I FOR VALUES WITH (MODULUS 2, '
              'REMAINDER 1) SERVER journal_node2 OPTIONS (schema_name %3$L, table_name %2$L)',
              name || '_h1', name, 'public'),
       format('ALTER TABLE journal ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
              name, day, day + 1)
  FROM (SELECT d::date AS day, 'journal_' || to_char(d, 'YYYYMMDD') AS name
          FROM generate_series(:'from_date'::date, :'to_date'::date, interval '1 day') AS d) days
 WHERE to_regclass(name) IS NULL
 ORDER BY day \gexec
WITH moved AS (
  DELETE FROM journal_default WHERE business_date BETWEEN :'from_date' AND :'to_date' RETURNING *),
landed AS (INSERT INTO journal SELECT * FROM moved)
SELECT count(*) AS moved_from_default FROM moved \gset
SELECT format('ALTER %s %s OWNER TO %I',
              CASE c.relkind WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, t.relid::regclass,
              pg_get_userbyid(j.relowner))
  FROM pg_partition_tree('journal') t JOIN pg_class c ON c.oid = t.relid
  JOIN pg_class j ON j.oid = 'journal'::regclass
 WHERE c.relowner <> j.relowner ORDER BY t.relid::regclass::text \gexec
COMMIT;

-- Step 6: the coordinator's journal as it is now, one line per partition: its days and where
-- their stores' events lie; and how many events step 5 moved out of the default partition.
\set QUIET off
SELECT d.inhrelid::regclass AS partition, pg_get_expr(dc.relpartbound, dc.oid) AS days,
       string_agg(format('%s on %s', h.inhrelid::regclass, s.srvname), ', '
                  ORDER BY h.inhrelid::regclass::text) AS stores
  FROM pg_inherits d JOIN pg_class dc ON dc.oid = d.inhrelid
  LEFT JOIN pg_inherits h ON h.inhparent = d.inhrelid
  LEFT JOIN pg_foreign_table f ON f.ftrelid = h.inhrelid
  LEFT JOIN pg_foreign_server s ON s.oid = f.ftserver
 WHERE d.inhparent = 'journal'::regclass
 GROUP BY 1, 2 ORDER BY d.inhrelid::regclass::text;
\echo moved from the default partition into their days: :moved_from_default events
