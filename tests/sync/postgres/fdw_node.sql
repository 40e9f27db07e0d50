-- One node of fdw_layout.sql's layout: its journal, its days from :from_date to :to_date and its
-- journal_default, owned by :node_user. Included by fdw_layout.sql (\ir) once per node, right
-- after it connects there; not meant to be run alone. The columns, collations, primary key and
-- index are those of HQ's journal (sync/src/hq/postgres/pg_schema.cc; the test compares them).
SET client_min_messages = warning;  -- not the NOTICEs of IF NOT EXISTS
CREATE TABLE IF NOT EXISTS journal (
  store_id      TEXT COLLATE "C" NOT NULL,
  terminal_id   TEXT COLLATE "C" NOT NULL,
  epoch         TEXT COLLATE "C" NOT NULL,
  seq           BIGINT NOT NULL CHECK (seq > 0),
  kind          TEXT COLLATE "C" NOT NULL,
  receipt_id    TEXT COLLATE "C" NOT NULL,
  payload       TEXT COLLATE "C" NOT NULL,
  payload_hash  TEXT COLLATE "C" NOT NULL,
  prev_hash     TEXT COLLATE "C" NOT NULL,
  created_at    BIGINT NOT NULL,
  received_at   BIGINT NOT NULL,
  annex         TEXT COLLATE "C" NOT NULL,
  business_date DATE NOT NULL,
  PRIMARY KEY (store_id, terminal_id, epoch, seq, business_date)
) PARTITION BY RANGE (business_date);
CREATE INDEX IF NOT EXISTS journal_by_time ON journal (created_at, store_id, terminal_id, epoch, seq);
CREATE TABLE IF NOT EXISTS journal_default (LIKE journal INCLUDING ALL);
SELECT format('CREATE TABLE %I PARTITION OF journal FOR VALUES FROM (%L) TO (%L)',
              name, day, day + 1)
  FROM (SELECT d::date AS day, 'journal_' || to_char(d, 'YYYYMMDD') AS name
          FROM generate_series(:'from_date'::date, :'to_date'::date, interval '1 day') AS d) days
 WHERE to_regclass(name) IS NULL ORDER BY day \gexec
SELECT format('ALTER TABLE %s OWNER TO %I', t.relid::regclass, :'node_user')
  FROM (SELECT relid FROM pg_partition_tree('journal')
        UNION ALL SELECT 'journal_default'::regclass) t JOIN pg_class c ON c.oid = t.relid
 WHERE pg_get_userbyid(c.relowner) <> :'node_user' ORDER BY 1 \gexec
