// Ledger: opening (migrations, meta, the check at open), accounts and balances. Transfers are in
// ledger/transfers.cc, the invariant checks in ledger/check*.cc, the checkpoint in
// ledger/checkpoint.cc.

#include "loyalty/storage/ledger.h"
#include "loyalty/storage/events.h"

#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <random>
#include <string>
#include <utility>

#include "loyalty/core/limits.h"
#include "loyalty/storage/migrations.h"
#include "loyalty/storage/statement.h"

namespace loyalty::storage {

namespace {

std::uint64_t random_epoch() {
  // std::random_device reads the kernel's entropy (getrandom or /dev/urandom) on Linux.
  std::random_device device;
  const std::uint64_t high = device();
  return (high << 32) | device();
}

Result<std::optional<std::string>> read_meta(const Database& db, std::string_view key) {
  Statement statement = TRY(Statement::prepare(db, "SELECT value FROM meta WHERE key = ?1"));
  TRY(statement.bind_text(1, key));
  if (TRY(statement.step()) != Step::row) return std::optional<std::string>();
  return std::optional<std::string>(statement.column_text(0));
}

Status write_meta(const Database& db, std::string_view key, std::string_view value) {
  Statement statement =
      TRY(Statement::prepare(db, "INSERT INTO meta (key, value) VALUES (?1, ?2)"));
  TRY(statement.bind_text(1, key));
  TRY(statement.bind_text(2, value));
  return statement.run();
}

// LedgerOptions::release: 1..id_bytes_max bytes of letters, digits and ".+~-_" (a Debian version
// without its epoch fits), or "" for none.
Status check_release(std::string_view release) {
  if (release.size() > limits::id_bytes_max) {
    return make_error(ErrorCode::invalid_argument,
                      "release is " + std::to_string(release.size()) + " bytes long: at most " +
                          std::to_string(limits::id_bytes_max) + " (e.g. \"0.2.0\")");
  }
  for (const char c : release) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '+' || c == '~' || c == '-' || c == '_';
    if (!ok) {
      return make_error(ErrorCode::invalid_argument,
                        "release \"" + std::string(release) +
                            "\" is not a release name: use letters, digits and . + ~ - _ only "
                            "(e.g. \"0.2.0\"), or \"\" to record nothing");
    }
  }
  return {};
}

Error check_failed(const std::string& path, const LedgerReport& report) {
  return make_error(ErrorCode::io_error,
                    "ledger " + path +
                        " fails its check, refusing to open it: " + report.first_problems() +
                        ". Keep the file for investigation and restore the ledger from HQ.");
}

}  // namespace

std::string LedgerReport::first_problems() const {
  // The first few problems are enough to act on; check() lists them all.
  constexpr std::size_t problems_in_message_max = 3;
  std::string message;
  for (std::size_t i = 0; i < problems.size() && i < problems_in_message_max; ++i) {
    if (i > 0) message += "; ";
    message += problems[i];
  }
  if (problems.size() > problems_in_message_max) {
    message += "; and " + std::to_string(problems.size() - problems_in_message_max) + " more";
  }
  return message;
}

Result<Ledger> Ledger::open(const std::string& path, const LedgerOptions& options) {
  if (options.terminal_id.size() > limits::ledger_text_bytes_max) {
    return make_error(
        ErrorCode::invalid_argument,
        "terminal_id is longer than " + std::to_string(limits::ledger_text_bytes_max) + " bytes");
  }
  TRY(check_release(options.release));
  Ledger ledger(TRY(Database::open(path, options.database)));
  const SchemaState schema = TRY(migrate(ledger.db_, ledger_migrations()));
  ledger.schema_version_ = schema.version;
  TRY(ledger.load_or_init_meta(options));
  if (options.refuse_broken) {
    const OpenRecord record{options.release, schema.build_version};
    const LedgerReport report = TRY(ledger.verify(options.open_check, options.now, record));
    if (!report.ok()) return check_failed(path, report);
  }
  return ledger;
}

Status Ledger::load_or_init_meta(const LedgerOptions& options) {
  Transaction transaction = TRY(Transaction::begin(db_));
  std::optional<std::string> terminal_id = TRY(read_meta(db_, "terminal_id"));
  if (!terminal_id) {
    if (options.terminal_id.empty()) {
      return make_error(ErrorCode::invalid_argument,
                        "ledger " + db_.path() + " is new: give the terminal_id it belongs to");
    }
    const std::uint64_t epoch = options.epoch ? *options.epoch : random_epoch();
    TRY(write_meta(db_, "terminal_id", options.terminal_id));
    TRY(write_meta(db_, "epoch", epoch_hex(epoch)));
    TRY(write_meta(db_, "created_at", std::to_string(options.now.unix_seconds)));
    TRY(transaction.commit());
    terminal_id_ = options.terminal_id;
    epoch_ = epoch;
    return {};
  }
  if (!options.terminal_id.empty() && options.terminal_id != *terminal_id) {
    return make_error(ErrorCode::conflict, "ledger " + db_.path() + " belongs to terminal \"" +
                                               *terminal_id + "\", not \"" + options.terminal_id +
                                               "\"");
  }
  const std::optional<std::string> epoch = TRY(read_meta(db_, "epoch"));
  std::uint64_t epoch_value = 0;
  if (!epoch || epoch->size() != 16 ||
      std::from_chars(epoch->data(), epoch->data() + epoch->size(), epoch_value, 16).ptr !=
          epoch->data() + epoch->size()) {
    return make_error(ErrorCode::io_error,
                      "ledger " + db_.path() + " has no valid epoch in meta: restore it from HQ");
  }
  terminal_id_ = *terminal_id;
  epoch_ = epoch_value;
  return transaction.commit();
}

Result<Transaction> Ledger::begin() { return Transaction::begin(db_, TransactionKind::write); }

void Ledger::assert_ours(const Transaction& transaction) const {
  LOYALTY_ASSERT(&transaction.database() == &db_);
  LOYALTY_ASSERT(transaction.is_write());
}

Result<AccountId> Ledger::find_or_create_account(const Transaction& transaction, AccountKind kind,
                                                 std::string_view owner, Timestamp at) {
  assert_ours(transaction);
  if (owner.size() > limits::ledger_text_bytes_max) {
    return make_error(
        ErrorCode::invalid_argument,
        "account owner is longer than " + std::to_string(limits::ledger_text_bytes_max) + " bytes");
  }
  Statement find =
      TRY(Statement::prepare(db_, "SELECT id FROM accounts WHERE kind = ?1 AND owner = ?2"));
  TRY(find.bind_text(1, account_kind_name(kind)));
  TRY(find.bind_text(2, owner));
  if (TRY(find.step()) == Step::row) return AccountId{find.column_int64(0)};

  Statement insert =
      TRY(Statement::prepare(db_,
                             "INSERT INTO accounts (kind, owner, unit, balance_floor, created_at) "
                             "VALUES (?1, ?2, ?3, ?4, ?5)"));
  TRY(insert.bind_text(1, account_kind_name(kind)));
  TRY(insert.bind_text(2, owner));
  TRY(insert.bind_text(3, unit_name(unit_of(kind))));
  const std::optional<std::int64_t> floor = default_balance_floor(kind);
  TRY(floor ? insert.bind_int64(4, *floor) : insert.bind_null(4));
  TRY(insert.bind_int64(5, at.unix_seconds));
  TRY(insert.run());
  const AccountId id{db_.last_insert_rowid()};
  return id;
}

Result<Account> Ledger::account(AccountId id) const {
  Statement statement = TRY(Statement::prepare(
      db_, "SELECT kind, owner, unit, balance_floor FROM accounts WHERE id = ?1"));
  TRY(statement.bind_int64(1, id.value));
  if (TRY(statement.step()) != Step::row) {
    return make_error(ErrorCode::not_found,
                      "account " + std::to_string(id.value) + " does not exist");
  }
  Account account;
  account.id = id;
  const std::string kind = statement.column_text(0);
  const std::optional<AccountKind> parsed = parse_account_kind(kind);
  if (!parsed) {
    return make_error(ErrorCode::io_error, "account " + std::to_string(id.value) +
                                               " has an unknown kind \"" + kind +
                                               "\": install a newer release");
  }
  account.kind = *parsed;
  account.owner = statement.column_text(1);
  account.unit = statement.column_text(2) == "points" ? Unit::points : Unit::minor;
  if (!statement.column_is_null(3)) account.balance_floor = statement.column_int64(3);
  return account;
}

Result<Balance> Ledger::balance(AccountId id) const {
  Statement statement = TRY(
      Statement::prepare(db_,
                         "SELECT credits_posted, debits_posted, credits_pending, debits_pending "
                         "FROM account_totals WHERE account = ?1"));
  TRY(statement.bind_int64(1, id.value));
  if (TRY(statement.step()) != Step::row) {
    return make_error(ErrorCode::not_found,
                      "account " + std::to_string(id.value) + " does not exist");
  }
  return Balance{Points(statement.column_int64(0)), Points(statement.column_int64(1)),
                 Points(statement.column_int64(2)), Points(statement.column_int64(3))};
}

}  // namespace loyalty::storage
