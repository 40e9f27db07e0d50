// The HQ store's schema, one migration per version (storage::migrate keeps the version in PRAGMA
// user_version and meta.min_reader_version).
//
// Layout for a later PostgreSQL/Citus port: every table that grows with the chain's traffic and
// belongs to one store (chains, journal, alerts, apply notes, entries, store_customers) starts its
// key with store_id, the distribution column. What belongs to a customer across stores (customers,
// lots, customer_events) is keyed by the pseudonym first and would be a co-located table of its
// own. The HQ ledger (entries, lots, customers) is derived: apply() can rebuild any customer's part
// of it from the journal.

#include <array>

#include "hq/sqlite/sqlite_rows.h"

namespace loyalty::sync::hq {

namespace {

constexpr std::string_view schema_v1 = R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) WITHOUT ROWID, STRICT;

-- One increasing number for downlink items and customer state versions.
CREATE TABLE versions (
  name  TEXT PRIMARY KEY NOT NULL,
  value INTEGER NOT NULL
) WITHOUT ROWID, STRICT;
INSERT INTO versions (name, value) VALUES ('downlink', 0);

CREATE TABLE terminals (
  store_id       TEXT NOT NULL,
  terminal_id    TEXT NOT NULL,
  epoch          TEXT NOT NULL,  -- the current epoch
  quarantined    INTEGER NOT NULL DEFAULT 0 CHECK (quarantined IN (0, 1)),
  reason         TEXT NOT NULL DEFAULT '',
  quarantined_at INTEGER,
  last_batch_at  INTEGER,
  PRIMARY KEY (store_id, terminal_id)
) WITHOUT ROWID, STRICT;

-- One row per epoch a terminal's ledger had: the current one and the retired ones.
CREATE TABLE chains (
  store_id    TEXT NOT NULL,
  terminal_id TEXT NOT NULL,
  epoch       TEXT NOT NULL,
  held_seq    INTEGER NOT NULL DEFAULT 0,
  held_hash   TEXT NOT NULL DEFAULT '',
  applied_seq INTEGER NOT NULL DEFAULT 0 CHECK (applied_seq <= held_seq),
  started_at  INTEGER NOT NULL,
  retired_at  INTEGER,  -- NULL for the current epoch
  PRIMARY KEY (store_id, terminal_id, epoch)
) WITHOUT ROWID, STRICT;

CREATE TABLE journal (
  store_id     TEXT NOT NULL,
  terminal_id  TEXT NOT NULL,
  epoch        TEXT NOT NULL,
  seq          INTEGER NOT NULL CHECK (seq > 0),
  kind         TEXT NOT NULL,
  receipt_id   TEXT NOT NULL,
  payload      TEXT NOT NULL,
  payload_hash TEXT NOT NULL,
  prev_hash    TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  received_at  INTEGER NOT NULL,
  annex        TEXT NOT NULL,  -- the ledger annex's JSON text ('' when the event has none)
  PRIMARY KEY (store_id, terminal_id, epoch, seq)
) WITHOUT ROWID, STRICT;

CREATE TABLE alerts (
  alert_id    INTEGER PRIMARY KEY,
  store_id    TEXT NOT NULL,
  terminal_id TEXT NOT NULL,
  message     TEXT NOT NULL,
  raised_at   INTEGER NOT NULL
) STRICT;

-- Events applied as no-ops (no ledger annex, unknown kind, unreadable payload), and why.
CREATE TABLE apply_notes (
  store_id    TEXT NOT NULL,
  terminal_id TEXT NOT NULL,
  epoch       TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  note        TEXT NOT NULL,
  PRIMARY KEY (store_id, terminal_id, epoch, seq)
) WITHOUT ROWID, STRICT;

-- The HQ ledger. owner: the pseudonym whose projection wrote the entry ('' for movements that
-- touch no pseudonym's points); re-projecting a customer replaces its entries.
CREATE TABLE entries (
  entry_id    INTEGER PRIMARY KEY,
  owner       TEXT NOT NULL,
  debit       TEXT NOT NULL,
  credit      TEXT NOT NULL,
  points      INTEGER NOT NULL CHECK (points > 0),
  code        TEXT NOT NULL,
  at          INTEGER NOT NULL,
  store_id    TEXT NOT NULL,
  terminal_id TEXT NOT NULL,
  epoch       TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  receipt_id  TEXT NOT NULL,
  CHECK (debit <> credit)
) STRICT;
CREATE INDEX entries_by_owner ON entries (owner, entry_id);

-- Open lots (remaining > 0) of the pseudonyms' points accounts.
CREATE TABLE lots (
  owner       TEXT NOT NULL,
  lot_no      INTEGER NOT NULL,  -- creation order within the owner's projection
  account     TEXT NOT NULL,
  points      INTEGER NOT NULL CHECK (points > 0),
  remaining   INTEGER NOT NULL CHECK (remaining BETWEEN 1 AND points),
  active_from INTEGER NOT NULL,
  expires_at  INTEGER,
  PRIMARY KEY (owner, lot_no)
) WITHOUT ROWID, STRICT;
CREATE INDEX lots_by_expiry ON lots (expires_at) WHERE expires_at IS NOT NULL;

-- One row per pseudonym HQ projected. last_*: the sort key of its last applied event;
-- swept_through: the latest expiry apply(now) booked by itself (an event before it needs a
-- re-projection).
CREATE TABLE customers (
  pseudonym      TEXT PRIMARY KEY NOT NULL,
  tier           TEXT,
  receipts       INTEGER NOT NULL DEFAULT 0,
  spend_minor    INTEGER NOT NULL DEFAULT 0,
  balance_points INTEGER NOT NULL DEFAULT 0 CHECK (balance_points >= 0),
  owed_points    INTEGER NOT NULL DEFAULT 0 CHECK (owed_points >= 0),
  flagged        INTEGER NOT NULL DEFAULT 0,
  flagged_at     INTEGER,
  cleared_at     INTEGER,
  next_lot_no    INTEGER NOT NULL DEFAULT 1,
  last_at        INTEGER,
  last_store     TEXT,
  last_terminal  TEXT,
  last_epoch     TEXT,
  last_seq       INTEGER,
  swept_through  INTEGER,
  state_version  INTEGER NOT NULL DEFAULT 0,
  changed_at     INTEGER
) WITHOUT ROWID, STRICT;
CREATE INDEX customers_by_version ON customers (state_version);

-- Which applied events touch which pseudonym, in projection order (for re-projection).
CREATE TABLE customer_events (
  pseudonym   TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  store_id    TEXT NOT NULL,
  terminal_id TEXT NOT NULL,
  epoch       TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  PRIMARY KEY (pseudonym, created_at, store_id, terminal_id, epoch, seq)
) WITHOUT ROWID, STRICT;

-- The pseudonyms each store's terminals sent events about (downlink customer items).
CREATE TABLE store_customers (
  store_id  TEXT NOT NULL,
  pseudonym TEXT NOT NULL,
  PRIMARY KEY (store_id, pseudonym)
) WITHOUT ROWID, STRICT;

CREATE TABLE downlink_items (
  version      INTEGER PRIMARY KEY,
  store_id     TEXT NOT NULL,  -- '' for the chain
  published_at INTEGER NOT NULL,
  kind         TEXT NOT NULL,
  body         TEXT NOT NULL,  -- JSON written by hq/body_codec.cc
  large        TEXT NOT NULL   -- its large field: a bundle's program JSON, a key's PEM
) STRICT;
CREATE INDEX downlink_by_store ON downlink_items (store_id, version);
)sql";

// The customers' tier period (review and counters), from the annex's "tier" reports. Derived like
// the rest of the row: a customer's next event or a re-projection fills it.
constexpr std::string_view schema_v2 = R"sql(
ALTER TABLE customers ADD COLUMN review_at INTEGER;
ALTER TABLE customers ADD COLUMN period_spend INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN period_points INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN tier_at INTEGER;  -- the event whose report set the tier
ALTER TABLE customers ADD COLUMN tier_store TEXT;
ALTER TABLE customers ADD COLUMN tier_terminal TEXT;
ALTER TABLE customers ADD COLUMN tier_epoch TEXT;
ALTER TABLE customers ADD COLUMN tier_seq INTEGER;
)sql";

// Business dates (hq_store.h): each journal event's local date in the chain's business zone, for
// the report and the backtest (scan_journal). The zone is recorded in meta when the store is
// created; a store made before v3 had no zone and counted in UTC, so its events are dated in UTC
// and its zone is UTC.
constexpr std::string_view schema_v3 = R"sql(
ALTER TABLE journal ADD COLUMN business_date TEXT NOT NULL DEFAULT '';
UPDATE journal SET business_date = date(created_at, 'unixepoch');
CREATE INDEX journal_by_business_date ON journal (business_date, created_at);
INSERT OR IGNORE INTO meta (key, value)
  SELECT 'business_time_zone', 'UTC' WHERE EXISTS (SELECT 1 FROM journal);
)sql";

constexpr std::array<storage::Migration, 3> migrations = {
    storage::Migration{1, storage::MigrationKind::contract, schema_v1},
    storage::Migration{2, storage::MigrationKind::expand_only, schema_v2},
    storage::Migration{3, storage::MigrationKind::expand_only, schema_v3},
};

}  // namespace

std::span<const storage::Migration> hq_migrations() { return migrations; }

}  // namespace loyalty::sync::hq
