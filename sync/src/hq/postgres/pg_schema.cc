// The HQ store's schema on PostgreSQL, one migration per version. v1 is the SQLite schema's v1 and
// v2 (sync/src/hq/sqlite/schema.cc) translated: integers BIGINT, times BIGINT Unix seconds as
// there, flags BOOLEAN, and every text COLLATE "C", so that ORDER BY and comparisons go byte by
// byte as SQLite's BINARY collation and std::string do (the projection order, the views' order).
// Besides the translation:
// - the journal has business_date DATE NOT NULL (the local date of created_at in the chain's
//   business zone) and is partitioned by it: RANGE partitions journal_YYYYMMDD of one day each,
//   created ahead of time (ensure_journal_partitions), and journal_default for a day without one.
//   A partitioned table's primary key must hold the partition key, hence (store_id, terminal_id,
//   epoch, seq, business_date); a re-sent event has the same created_at, so the same date, and
//   the logic looks a seq up (held_events) before it stores it, so a seq never lands twice.
//   journal_by_time serves scan_journal's order without a sort.
// - alert_id and entry_id are plain BIGINTs, numbered by the backend as SQLite numbers rowids
//   (one more than the largest), so that both backends give the same ids; alerts_by_id and
//   entries_by_id find the largest.
// - store_customers carries the customer's state_version (kept equal to customers.state_version
//   by save_owners), so that a store's downlink finds its changed customers without joining a
//   store-keyed table with a pseudonym-keyed one (customers_after, pg_rows_downlink.cc).
//
// Layout for Citus. Every table that grows with the chain's stores is keyed by store_id first
// and distributes by it, co-located with the journal: terminals, chains, journal, alerts,
// apply_notes, store_customers. The customer side of the HQ ledger is keyed by the pseudonym
// first and distributes by it, co-located with customers: customers (pseudonym), lots (owner,
// lot_no), customer_events (pseudonym, ...), entries (owner, entry_id). meta, versions,
// downlink_items and schema_migrations are small: reference tables. There is no foreign key
// between the two groups (and none at all), and no statement of the backend joins a table of
// one group with a table of the other. The statements (hq/postgres/distribution.h renders them
// from its lists, the single source of truth):
//
//   SELECT create_distributed_table('journal', 'store_id');
//   SELECT create_distributed_table('terminals', 'store_id', colocate_with => 'journal');
//   SELECT create_distributed_table('chains', 'store_id', colocate_with => 'journal');
//   SELECT create_distributed_table('alerts', 'store_id', colocate_with => 'journal');
//   SELECT create_distributed_table('apply_notes', 'store_id', colocate_with => 'journal');
//   SELECT create_distributed_table('store_customers', 'store_id', colocate_with => 'journal');
//   SELECT create_distributed_table('customers', 'pseudonym', colocate_with => 'none');
//   SELECT create_distributed_table('lots', 'owner', colocate_with => 'customers');
//   SELECT create_distributed_table('customer_events', 'pseudonym', colocate_with => 'customers');
//   SELECT create_distributed_table('entries', 'owner', colocate_with => 'customers');
//   SELECT create_reference_table('meta');
//   SELECT create_reference_table('versions');
//   SELECT create_reference_table('downlink_items');
//   SELECT create_reference_table('schema_migrations');

#include "hq/postgres/pg_schema.h"

#include <array>
#include <cstdio>

#include "loyalty/core/result.h"

namespace loyalty::sync::hq::pg {

namespace {

constexpr std::string_view schema_v1 = R"sql(
CREATE TABLE schema_migrations (
  version    BIGINT PRIMARY KEY,
  kind       TEXT COLLATE "C" NOT NULL CHECK (kind IN ('expand_only', 'contract')),
  applied_at BIGINT NOT NULL
);

CREATE TABLE meta (
  key   TEXT COLLATE "C" PRIMARY KEY,
  value TEXT COLLATE "C" NOT NULL
);

-- One increasing number for downlink items and customer state versions.
CREATE TABLE versions (
  name  TEXT COLLATE "C" PRIMARY KEY,
  value BIGINT NOT NULL
);
INSERT INTO versions (name, value) VALUES ('downlink', 0);

CREATE TABLE terminals (
  store_id       TEXT COLLATE "C" NOT NULL,
  terminal_id    TEXT COLLATE "C" NOT NULL,
  epoch          TEXT COLLATE "C" NOT NULL,  -- the current epoch
  quarantined    BOOLEAN NOT NULL DEFAULT false,
  reason         TEXT COLLATE "C" NOT NULL DEFAULT '',
  quarantined_at BIGINT,
  last_batch_at  BIGINT,
  PRIMARY KEY (store_id, terminal_id)
);

-- One row per epoch a terminal's ledger had: the current one and the retired ones.
CREATE TABLE chains (
  store_id    TEXT COLLATE "C" NOT NULL,
  terminal_id TEXT COLLATE "C" NOT NULL,
  epoch       TEXT COLLATE "C" NOT NULL,
  held_seq    BIGINT NOT NULL DEFAULT 0,
  held_hash   TEXT COLLATE "C" NOT NULL DEFAULT '',
  applied_seq BIGINT NOT NULL DEFAULT 0 CHECK (applied_seq <= held_seq),
  started_at  BIGINT NOT NULL,
  retired_at  BIGINT,  -- NULL for the current epoch
  PRIMARY KEY (store_id, terminal_id, epoch)
);

CREATE TABLE journal (
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
  annex         TEXT COLLATE "C" NOT NULL,  -- the ledger annex's JSON text ('' when none)
  business_date DATE NOT NULL,  -- the local date of created_at in meta.business_time_zone
  PRIMARY KEY (store_id, terminal_id, epoch, seq, business_date)
) PARTITION BY RANGE (business_date);
CREATE TABLE journal_default PARTITION OF journal DEFAULT;
CREATE INDEX journal_by_time ON journal (created_at, store_id, terminal_id, epoch, seq);

CREATE TABLE alerts (
  store_id    TEXT COLLATE "C" NOT NULL,
  alert_id    BIGINT NOT NULL,
  terminal_id TEXT COLLATE "C" NOT NULL,
  message     TEXT COLLATE "C" NOT NULL,
  raised_at   BIGINT NOT NULL,
  PRIMARY KEY (store_id, alert_id)
);
CREATE INDEX alerts_by_id ON alerts (alert_id);

-- Events applied as no-ops (no ledger annex, unknown kind, unreadable payload), and why.
CREATE TABLE apply_notes (
  store_id    TEXT COLLATE "C" NOT NULL,
  terminal_id TEXT COLLATE "C" NOT NULL,
  epoch       TEXT COLLATE "C" NOT NULL,
  seq         BIGINT NOT NULL,
  note        TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (store_id, terminal_id, epoch, seq)
);

-- The pseudonyms each store's terminals sent events about (downlink customer items), with the
-- customer's current state_version (0 before HQ first saved the customer).
CREATE TABLE store_customers (
  store_id      TEXT COLLATE "C" NOT NULL,
  pseudonym     TEXT COLLATE "C" NOT NULL,
  state_version BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (store_id, pseudonym)
);
CREATE INDEX store_customers_by_version ON store_customers (store_id, state_version);
CREATE INDEX store_customers_by_pseudonym ON store_customers (pseudonym);

-- The HQ ledger. owner: the pseudonym whose projection wrote the entry ('' for movements that
-- touch no pseudonym's points); re-projecting a customer replaces its entries.
CREATE TABLE entries (
  owner       TEXT COLLATE "C" NOT NULL,
  entry_id    BIGINT NOT NULL,
  debit       TEXT COLLATE "C" NOT NULL,
  credit      TEXT COLLATE "C" NOT NULL,
  points      BIGINT NOT NULL CHECK (points > 0),
  code        TEXT COLLATE "C" NOT NULL,
  at          BIGINT NOT NULL,
  store_id    TEXT COLLATE "C" NOT NULL,
  terminal_id TEXT COLLATE "C" NOT NULL,
  epoch       TEXT COLLATE "C" NOT NULL,
  seq         BIGINT NOT NULL,
  receipt_id  TEXT COLLATE "C" NOT NULL,
  CHECK (debit <> credit),
  PRIMARY KEY (owner, entry_id)
);
CREATE INDEX entries_by_id ON entries (entry_id);

-- Open lots (remaining > 0) of the pseudonyms' points accounts.
CREATE TABLE lots (
  owner       TEXT COLLATE "C" NOT NULL,
  lot_no      BIGINT NOT NULL,  -- creation order within the owner's projection
  account     TEXT COLLATE "C" NOT NULL,
  points      BIGINT NOT NULL CHECK (points > 0),
  remaining   BIGINT NOT NULL CHECK (remaining BETWEEN 1 AND points),
  active_from BIGINT NOT NULL,
  expires_at  BIGINT,
  PRIMARY KEY (owner, lot_no)
);
CREATE INDEX lots_by_expiry ON lots (expires_at) WHERE expires_at IS NOT NULL;

-- One row per pseudonym HQ projected. last_*: the sort key of its last applied event;
-- swept_through: the latest expiry apply(now) booked by itself; review_at, period_*: the tier
-- period from the annex's "tier" reports; tier_*: the event whose report set the tier.
CREATE TABLE customers (
  pseudonym      TEXT COLLATE "C" PRIMARY KEY,
  tier           TEXT COLLATE "C",
  receipts       BIGINT NOT NULL DEFAULT 0,
  spend_minor    BIGINT NOT NULL DEFAULT 0,
  balance_points BIGINT NOT NULL DEFAULT 0 CHECK (balance_points >= 0),
  owed_points    BIGINT NOT NULL DEFAULT 0 CHECK (owed_points >= 0),
  flagged        BOOLEAN NOT NULL DEFAULT false,
  flagged_at     BIGINT,
  cleared_at     BIGINT,
  next_lot_no    BIGINT NOT NULL DEFAULT 1,
  last_at        BIGINT,
  last_store     TEXT COLLATE "C",
  last_terminal  TEXT COLLATE "C",
  last_epoch     TEXT COLLATE "C",
  last_seq       BIGINT,
  swept_through  BIGINT,
  state_version  BIGINT NOT NULL DEFAULT 0,
  changed_at     BIGINT,
  review_at      BIGINT,
  period_spend   BIGINT NOT NULL DEFAULT 0,
  period_points  BIGINT NOT NULL DEFAULT 0,
  tier_at        BIGINT,
  tier_store     TEXT COLLATE "C",
  tier_terminal  TEXT COLLATE "C",
  tier_epoch     TEXT COLLATE "C",
  tier_seq       BIGINT
);

-- Which applied events touch which pseudonym, in projection order (for re-projection).
CREATE TABLE customer_events (
  pseudonym   TEXT COLLATE "C" NOT NULL,
  created_at  BIGINT NOT NULL,
  store_id    TEXT COLLATE "C" NOT NULL,
  terminal_id TEXT COLLATE "C" NOT NULL,
  epoch       TEXT COLLATE "C" NOT NULL,
  seq         BIGINT NOT NULL,
  PRIMARY KEY (pseudonym, created_at, store_id, terminal_id, epoch, seq)
);

CREATE TABLE downlink_items (
  version      BIGINT PRIMARY KEY,
  store_id     TEXT COLLATE "C" NOT NULL,  -- '' for the chain
  published_at BIGINT NOT NULL,
  kind         TEXT COLLATE "C" NOT NULL,
  body         TEXT COLLATE "C" NOT NULL,  -- JSON written by hq/body_codec.cc
  large        TEXT COLLATE "C" NOT NULL   -- its large field: a bundle's program JSON, a PEM
);
CREATE INDEX downlink_by_store ON downlink_items (store_id, version);
)sql";

constexpr std::array<storage::Migration, 1> migrations = {
    storage::Migration{1, storage::MigrationKind::contract, schema_v1},
};

}  // namespace

std::span<const storage::Migration> postgres_migrations() { return migrations; }

std::string partition_name(CivilDate date) {
  LOYALTY_ASSERT(date.year >= 1 && date.year <= 9999);
  char name[24];
  std::snprintf(name, sizeof name, "journal_%04d%02d%02d", date.year, date.month, date.day);
  return name;
}

}  // namespace loyalty::sync::hq::pg
