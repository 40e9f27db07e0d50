// The ledger's schema, one migration per version. docs/storage.md explains every table.
//
// Enumerated text columns that later releases may extend (account kinds, transfer codes, counter
// kinds, event kinds) are validated by the code, not by CHECK: SQLite cannot change a CHECK
// without rebuilding the table, which would make adding a value a contract migration. Columns
// whose values every reader must understand to compute a balance (transfer flags, units, receipt
// states) are CHECKed.
//
// STRICT tables (SQLite >= 3.37) make a column hold only its declared type: an amount is always
// an INTEGER, never the text "100".

#include <array>

#include "loyalty/storage/migrations.h"

namespace loyalty::storage {

namespace {

constexpr std::string_view schema_v1 = R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) WITHOUT ROWID, STRICT;

CREATE TABLE accounts (
  id            INTEGER PRIMARY KEY,
  kind          TEXT NOT NULL,
  owner         TEXT NOT NULL,
  unit          TEXT NOT NULL CHECK (unit IN ('points', 'minor')),
  balance_floor INTEGER,  -- lowest allowed credits - debits (posted and pending); NULL: unbounded
  created_at    INTEGER NOT NULL,
  UNIQUE (kind, owner)
) STRICT;

CREATE TRIGGER accounts_identity_immutable BEFORE UPDATE OF id, kind, owner, unit ON accounts
BEGIN
  SELECT RAISE(ABORT, 'accounts are immutable: an account keeps its id, kind, owner and unit');
END;
CREATE TRIGGER accounts_no_delete BEFORE DELETE ON accounts
BEGIN
  SELECT RAISE(ABORT, 'accounts are immutable: an account keeps its id, kind, owner and unit');
END;

CREATE TABLE events (
  seq          INTEGER PRIMARY KEY CHECK (seq > 0),  -- 1, 2, 3... without gaps
  terminal_id  TEXT NOT NULL,
  epoch        TEXT NOT NULL,
  kind         TEXT NOT NULL,
  receipt_id   TEXT,
  payload      TEXT NOT NULL,
  payload_hash TEXT NOT NULL,
  prev_hash    TEXT NOT NULL,  -- payload_hash of seq - 1; '' for seq 1
  created_at   INTEGER NOT NULL
) STRICT;

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are immutable: append a new event');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are immutable: append a new event');
END;

CREATE TABLE lots (
  lot_id      INTEGER PRIMARY KEY,
  account     INTEGER NOT NULL REFERENCES accounts (id),
  points      INTEGER NOT NULL CHECK (points > 0),
  remaining   INTEGER NOT NULL CHECK (remaining BETWEEN 0 AND points),
  active_from INTEGER NOT NULL,
  expires_at  INTEGER CHECK (expires_at IS NULL OR expires_at > active_from),
  receipt_id  TEXT,
  line        INTEGER,
  created_at  INTEGER NOT NULL
) STRICT;

-- Burning takes the soonest-expiring available lots of an account first.
CREATE INDEX lots_available ON lots (account, expires_at) WHERE remaining > 0;

CREATE TRIGGER lots_only_remaining_changes
BEFORE UPDATE OF lot_id, account, points, active_from, expires_at, receipt_id, line, created_at
ON lots
BEGIN
  SELECT RAISE(ABORT, 'lots are immutable except remaining: write a correcting transfer');
END;
CREATE TRIGGER lots_no_delete BEFORE DELETE ON lots
BEGIN
  SELECT RAISE(ABORT, 'lots are immutable except remaining: write a correcting transfer');
END;

CREATE TABLE transfers (
  id             INTEGER PRIMARY KEY,
  debit_account  INTEGER NOT NULL REFERENCES accounts (id),
  credit_account INTEGER NOT NULL REFERENCES accounts (id),
  amount         INTEGER NOT NULL CHECK (amount > 0),
  code           TEXT NOT NULL,
  flags          TEXT NOT NULL DEFAULT 'none'
                 CHECK (flags IN ('none', 'pending', 'post_pending', 'void_pending')),
  pending_id     INTEGER REFERENCES transfers (id),
  receipt_id     TEXT,
  line           INTEGER,
  source         TEXT NOT NULL DEFAULT '',
  lot_id         INTEGER REFERENCES lots (lot_id) DEFERRABLE INITIALLY DEFERRED,
  event_seq      INTEGER REFERENCES events (seq) DEFERRABLE INITIALLY DEFERRED,
  created_at     INTEGER NOT NULL,
  CHECK (debit_account <> credit_account),
  CHECK ((flags IN ('post_pending', 'void_pending')) = (pending_id IS NOT NULL))
) STRICT;

CREATE INDEX transfers_by_debit ON transfers (debit_account);
CREATE INDEX transfers_by_credit ON transfers (credit_account);
-- A pending transfer is posted or voided at most once.
CREATE UNIQUE INDEX transfers_resolving ON transfers (pending_id) WHERE pending_id IS NOT NULL;
CREATE INDEX transfers_by_receipt ON transfers (receipt_id) WHERE receipt_id IS NOT NULL;
CREATE INDEX transfers_by_lot ON transfers (lot_id) WHERE lot_id IS NOT NULL;

CREATE TRIGGER transfers_no_update BEFORE UPDATE ON transfers
BEGIN
  SELECT RAISE(ABORT, 'transfers are immutable: write a correcting transfer');
END;
CREATE TRIGGER transfers_no_delete BEFORE DELETE ON transfers
BEGIN
  SELECT RAISE(ABORT, 'transfers are immutable: write a correcting transfer');
END;

-- Posted: plain transfers and posts of pending ones. Pending: pending transfers not yet posted or
-- voided. A void moves nothing. The balance of an account is credits_posted - debits_posted; what
-- it may still spend is that minus debits_pending.
CREATE VIEW account_balances AS
SELECT
  a.id AS account,
  COALESCE((SELECT SUM(t.amount) FROM transfers t
            WHERE t.credit_account = a.id AND t.flags IN ('none', 'post_pending')), 0)
    AS credits_posted,
  COALESCE((SELECT SUM(t.amount) FROM transfers t
            WHERE t.debit_account = a.id AND t.flags IN ('none', 'post_pending')), 0)
    AS debits_posted,
  COALESCE((SELECT SUM(t.amount) FROM transfers t
            WHERE t.credit_account = a.id AND t.flags = 'pending'
              AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.pending_id = t.id)), 0)
    AS credits_pending,
  COALESCE((SELECT SUM(t.amount) FROM transfers t
            WHERE t.debit_account = a.id AND t.flags = 'pending'
              AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.pending_id = t.id)), 0)
    AS debits_pending
FROM accounts a;

CREATE TABLE receipts (
  receipt_id   TEXT PRIMARY KEY NOT NULL,
  request_hash TEXT NOT NULL,
  state        TEXT NOT NULL CHECK (state IN ('open', 'committed', 'cancelled')),
  result       TEXT,
  event_seq    INTEGER REFERENCES events (seq) DEFERRABLE INITIALLY DEFERRED,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
) WITHOUT ROWID, STRICT;

-- customer_id '' holds chain-wide counts (coupon_uses_total).
CREATE TABLE counters (
  customer_id TEXT NOT NULL,
  kind        TEXT NOT NULL,  -- stamps | coupon_uses | coupon_uses_total | event_awards
  key         TEXT NOT NULL,  -- the rule or coupon id
  count       INTEGER NOT NULL CHECK (count >= 0),
  PRIMARY KEY (customer_id, kind, key)
) WITHOUT ROWID, STRICT;

CREATE TABLE customers (
  customer_id       TEXT PRIMARY KEY NOT NULL,
  known             INTEGER NOT NULL DEFAULT 0 CHECK (known IN (0, 1)),
  tier              TEXT,
  consent_marketing INTEGER NOT NULL DEFAULT 0 CHECK (consent_marketing IN (0, 1)),
  erased            INTEGER NOT NULL DEFAULT 0 CHECK (erased IN (0, 1)),
  updated_at        INTEGER NOT NULL
) WITHOUT ROWID, STRICT;
)sql";

// The checkout transaction (docs/storage.md, "Checkout"): what a refund needs to rebuild the
// original quote (the program bundle, the customer state and receipt the quote saw), the units
// each receipt line has returned, and idempotent refunds. Only adds: expand-only.
constexpr std::string_view schema_v2 = R"sql(
CREATE TABLE programs (
  program_id TEXT NOT NULL,
  version    INTEGER NOT NULL,
  bundle     TEXT NOT NULL,  -- the rule bundle JSON as loaded
  created_at INTEGER NOT NULL,
  PRIMARY KEY (program_id, version)
) WITHOUT ROWID, STRICT;

ALTER TABLE receipts ADD COLUMN program_id TEXT;
ALTER TABLE receipts ADD COLUMN program_version INTEGER;
ALTER TABLE receipts ADD COLUMN customer_id TEXT;    -- NULL: anonymous
ALTER TABLE receipts ADD COLUMN customer_json TEXT;  -- the state the quote saw (ledger lots)
ALTER TABLE receipts ADD COLUMN receipt_json TEXT;
ALTER TABLE receipts ADD COLUMN quoted_at INTEGER;

CREATE TABLE returned_units (
  receipt_id TEXT NOT NULL,
  line       INTEGER NOT NULL,
  quantity   INTEGER NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (receipt_id, line)
) WITHOUT ROWID, STRICT;

CREATE TABLE refunds (
  refund_id    TEXT PRIMARY KEY NOT NULL,
  receipt_id   TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  result       TEXT NOT NULL,
  event_seq    INTEGER NOT NULL REFERENCES events (seq) DEFERRABLE INITIALLY DEFERRED,
  created_at   INTEGER NOT NULL
) WITHOUT ROWID, STRICT;
)sql";

// Running balances, the offline customer cache and the local blocklist (docs/storage.md,
// "Balances" and "Customers"). Only adds: expand-only. The totals are kept by triggers, so a
// release that predates them and still writes transfers keeps them right too.
constexpr std::string_view schema_v3 = R"sql(
CREATE TABLE account_totals (
  account         INTEGER PRIMARY KEY REFERENCES accounts (id),
  credits_posted  INTEGER NOT NULL DEFAULT 0,
  debits_posted   INTEGER NOT NULL DEFAULT 0,
  credits_pending INTEGER NOT NULL DEFAULT 0,
  debits_pending  INTEGER NOT NULL DEFAULT 0
) STRICT;

INSERT INTO account_totals (account, credits_posted, debits_posted, credits_pending,
                            debits_pending)
SELECT account, credits_posted, debits_posted, credits_pending, debits_pending
FROM account_balances;

CREATE TRIGGER accounts_totals_row AFTER INSERT ON accounts
BEGIN
  INSERT INTO account_totals (account) VALUES (NEW.id);
END;

CREATE TRIGGER transfers_totals_posted AFTER INSERT ON transfers
WHEN NEW.flags IN ('none', 'post_pending')
BEGIN
  UPDATE account_totals SET credits_posted = credits_posted + NEW.amount
  WHERE account = NEW.credit_account;
  UPDATE account_totals SET debits_posted = debits_posted + NEW.amount
  WHERE account = NEW.debit_account;
END;

CREATE TRIGGER transfers_totals_pending AFTER INSERT ON transfers
WHEN NEW.flags = 'pending'
BEGIN
  UPDATE account_totals SET credits_pending = credits_pending + NEW.amount
  WHERE account = NEW.credit_account;
  UPDATE account_totals SET debits_pending = debits_pending + NEW.amount
  WHERE account = NEW.debit_account;
END;

-- A post or void releases the whole pending amount, whatever part of it was posted.
CREATE TRIGGER transfers_totals_resolved AFTER INSERT ON transfers
WHEN NEW.flags IN ('post_pending', 'void_pending')
BEGIN
  UPDATE account_totals SET credits_pending = credits_pending -
    (SELECT p.amount FROM transfers p WHERE p.id = NEW.pending_id AND p.flags = 'pending')
  WHERE account = (SELECT p.credit_account FROM transfers p
                   WHERE p.id = NEW.pending_id AND p.flags = 'pending');
  UPDATE account_totals SET debits_pending = debits_pending -
    (SELECT p.amount FROM transfers p WHERE p.id = NEW.pending_id AND p.flags = 'pending')
  WHERE account = (SELECT p.debit_account FROM transfers p
                   WHERE p.id = NEW.pending_id AND p.flags = 'pending');
END;

-- The offline customer cache. state_json: the HQ-issued customer state (customer_to_json without
-- lots and counters, which the ledger keeps), with personal fields only under consent_profile.
-- offline_redeemed: points this terminal let the card redeem since HQ last refreshed it.
ALTER TABLE customers ADD COLUMN consent_profile INTEGER NOT NULL DEFAULT 0
  CHECK (consent_profile IN (0, 1));
ALTER TABLE customers ADD COLUMN state_json TEXT;
ALTER TABLE customers ADD COLUMN hq_refreshed_at INTEGER;
ALTER TABLE customers ADD COLUMN offline_redeemed INTEGER NOT NULL DEFAULT 0
  CHECK (offline_redeemed >= 0);
ALTER TABLE customers ADD COLUMN erased_at INTEGER;

-- A receipt checked out from the cache (HQ not asked): its redemption counts towards the card's
-- offline floor limit when it commits.
ALTER TABLE receipts ADD COLUMN offline INTEGER NOT NULL DEFAULT 0 CHECK (offline IN (0, 1));

-- An erasure order may replace a customer's card number by a pseudonym ("erased-" and random
-- hex), once; nothing else about an account ever changes.
DROP TRIGGER accounts_identity_immutable;
CREATE TRIGGER accounts_identity_immutable BEFORE UPDATE OF id, kind, owner, unit ON accounts
WHEN NOT (NEW.id = OLD.id AND NEW.kind = OLD.kind AND NEW.unit = OLD.unit
          AND OLD.kind IN ('customer_points', 'overdraft_receivable')
          AND substr(NEW.owner, 1, 7) = 'erased-' AND substr(OLD.owner, 1, 7) <> 'erased-')
BEGIN
  SELECT RAISE(ABORT, 'accounts are immutable: an account keeps its id, kind, owner and unit');
END;

-- HQ updates applied (apply_hq_update), idempotent by update id.
CREATE TABLE hq_updates (
  update_id    TEXT PRIMARY KEY NOT NULL,
  request_hash TEXT NOT NULL,
  summary      TEXT NOT NULL,
  event_seq    INTEGER NOT NULL REFERENCES events (seq) DEFERRABLE INITIALLY DEFERRED,
  applied_at   INTEGER NOT NULL
) WITHOUT ROWID, STRICT;

-- Cards HQ (or the store) listed as lost, stolen or abused: they may not redeem.
CREATE TABLE blocklist (
  customer_id TEXT PRIMARY KEY NOT NULL,
  reason      TEXT NOT NULL,
  listed_at   INTEGER NOT NULL
) WITHOUT ROWID, STRICT;
)sql";

// Holds that name their lots, limited uses, and a lighter checkout (docs/storage.md, "Schema v4").
// A contract migration: builds before v4 refuse the ledger (min_reader_version 4). Balances come
// from account_totals, so the two per-account transfer indexes go (every transfer wrote both), and
// account_balances, which only check() reads, becomes one aggregate over the transfers; a
// committed receipt's quote is kept once, in its event.
constexpr std::string_view schema_v4 = R"sql(
DROP INDEX transfers_by_debit;
DROP INDEX transfers_by_credit;
-- The open holds of an account: a hold names the lot it reserves, and every take from the lots
-- reads them. Only pending rows are in the index.
CREATE INDEX transfers_pending ON transfers (debit_account) WHERE flags = 'pending';

DROP VIEW account_balances;
CREATE VIEW account_balances AS
SELECT account, SUM(credits_posted) AS credits_posted, SUM(debits_posted) AS debits_posted,
       SUM(credits_pending) AS credits_pending, SUM(debits_pending) AS debits_pending
FROM (
  SELECT id AS account, 0 AS credits_posted, 0 AS debits_posted, 0 AS credits_pending,
         0 AS debits_pending FROM accounts
  UNION ALL
  SELECT credit_account, amount, 0, 0, 0 FROM transfers WHERE flags IN ('none', 'post_pending')
  UNION ALL
  SELECT debit_account, 0, amount, 0, 0 FROM transfers WHERE flags IN ('none', 'post_pending')
  UNION ALL
  SELECT t.credit_account, 0, 0, t.amount, 0 FROM transfers t WHERE t.flags = 'pending'
    AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.pending_id = t.id)
  UNION ALL
  SELECT t.debit_account, 0, 0, 0, t.amount FROM transfers t WHERE t.flags = 'pending'
    AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.pending_id = t.id)
)
WHERE account IN (SELECT id FROM accounts)
GROUP BY account;

-- The chain-wide counts a receipt's quote was given (a coupon's uses so far), to quote it again.
ALTER TABLE receipts ADD COLUMN chain_json TEXT;
-- An open receipt's reserved limited uses, counted when it opened; NULL once committed or
-- cancelled.
ALTER TABLE receipts ADD COLUMN reserved TEXT;
-- The store's time zone a receipt was quoted in (NULL: the program's fixed offset).
ALTER TABLE receipts ADD COLUMN time_zone TEXT;
-- A committed receipt's quote is its event's payload: the row keeps result NULL.
UPDATE receipts SET result = NULL
WHERE state = 'committed' AND event_seq IS NOT NULL
  AND result = (SELECT e.payload FROM events e WHERE e.seq = receipts.event_seq);
)sql";

// Sync with HQ (docs/sync.md, docs/storage.md "Schema v5"). A contract migration: an event may
// now carry an annex, hashed as a seventh field, which builds before v5 would take for a changed
// event (min_reader_version 5).
constexpr std::string_view schema_v5 = R"sql(
-- What HQ needs to reconcile an event without personal data: the transfers it wrote, with
-- pseudonymous owners (a JSON object); NULL for events written before v5.
ALTER TABLE events ADD COLUMN annex TEXT;

-- The chain's pseudonym key (HMAC-SHA-256), delivered by sync or at provisioning; one row.
CREATE TABLE pseudonym_keys (
  key_id       TEXT PRIMARY KEY NOT NULL,
  key_hex      TEXT NOT NULL CHECK (length(key_hex) = 64),
  installed_at INTEGER NOT NULL
) WITHOUT ROWID, STRICT;

-- The pseudonym each account owner got, so an owner keeps it (an erasure renames the owner here
-- as in accounts, and the erased account keeps its pseudonym at HQ).
CREATE TABLE pseudonyms (
  owner     TEXT PRIMARY KEY NOT NULL,
  pseudonym TEXT NOT NULL,
  key_id    TEXT NOT NULL
) WITHOUT ROWID, STRICT;
CREATE INDEX pseudonyms_by_pseudonym ON pseudonyms (pseudonym);

-- Cards HQ blocked by pseudonym (HQ holds no card numbers): checked like the blocklist.
CREATE TABLE blocked_pseudonyms (
  pseudonym TEXT PRIMARY KEY NOT NULL,
  reason    TEXT NOT NULL,
  listed_at INTEGER NOT NULL
) WITHOUT ROWID, STRICT;

-- Rule bundles HQ delivered (their signatures checked by sync before they get here).
CREATE TABLE bundles (
  program_id     TEXT NOT NULL,
  version        INTEGER NOT NULL CHECK (version > 0),
  effective_from INTEGER NOT NULL,
  key_id         TEXT NOT NULL,
  bundle         TEXT NOT NULL,
  received_at    INTEGER NOT NULL,
  PRIMARY KEY (program_id, version)
) WITHOUT ROWID, STRICT;

-- Sync's own state: the last downlink version applied ('downlink_version').
CREATE TABLE sync_state (
  name  TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) WITHOUT ROWID, STRICT;
)sql";

// Which software releases have opened the ledger (docs/storage.md, "Schema v6"): one row per
// release, upserted by Ledger::open (LedgerOptions::release) once its check passed. Expand-only:
// a v5 build never names the table, so it still opens, reads and writes a v6 ledger (the rollback
// test, tests/storage/rollback/, proves it with the previous release's code).
constexpr std::string_view schema_v6 = R"sql(
CREATE TABLE software_releases (
  release         TEXT PRIMARY KEY NOT NULL CHECK (length(release) BETWEEN 1 AND 64),
  schema_build    INTEGER NOT NULL CHECK (schema_build > 0),  -- the last schema it knows
  first_opened_at INTEGER NOT NULL,
  last_opened_at  INTEGER NOT NULL
) WITHOUT ROWID, STRICT;
)sql";

constexpr std::array<Migration, 6> migrations = {
    Migration{1, MigrationKind::contract, schema_v1},
    Migration{2, MigrationKind::expand_only, schema_v2},
    Migration{3, MigrationKind::expand_only, schema_v3},
    Migration{4, MigrationKind::contract, schema_v4},
    Migration{5, MigrationKind::contract, schema_v5},
    Migration{6, MigrationKind::expand_only, schema_v6},
};

}  // namespace

std::span<const Migration> ledger_migrations() { return migrations; }

}  // namespace loyalty::storage
