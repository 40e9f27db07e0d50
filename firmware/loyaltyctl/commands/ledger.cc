// `loyaltyctl ledger check` and `loyaltyctl ledger export`, over an existing ledger file.
//
// export streams rows straight from SQLite (one prepared statement per table), one JSON object per
// line, without holding the ledger in memory. The storage API has no row iterator, so this reads
// the accounts, transfers and events tables directly (schema: storage/src/schema/versions.cc).
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "args/cli_args.h"
#include "commands.h"
#include "ledger/ledger_access.h"
#include "loyalty/core/json.h"
#include "loyalty/storage/statement.h"

namespace loyalty::cli {

namespace {

enum class Column { integer, text, time };
struct ColumnSpec {
  std::string_view name;
  Column kind;
};

constexpr ColumnSpec account_columns[] = {
    {"id", Column::integer},
    {"kind", Column::text},
    {"owner", Column::text},
    {"unit", Column::text},
    {"balance_floor", Column::integer},
    {"created_at", Column::time},
};
constexpr ColumnSpec transfer_columns[] = {
    {"id", Column::integer},
    {"debit_account", Column::integer},
    {"credit_account", Column::integer},
    {"amount", Column::integer},
    {"code", Column::text},
    {"flags", Column::text},
    {"pending_id", Column::integer},
    {"receipt_id", Column::text},
    {"line", Column::integer},
    {"source", Column::text},
    {"lot_id", Column::integer},
    {"event_seq", Column::integer},
    {"created_at", Column::time},
};
constexpr ColumnSpec event_columns[] = {
    {"seq", Column::integer},     {"kind", Column::text},         {"receipt_id", Column::text},
    {"payload", Column::text},    {"payload_hash", Column::text}, {"prev_hash", Column::text},
    {"created_at", Column::time},
};

std::string column_json(const storage::Statement& row, int index, Column kind) {
  if (row.column_is_null(index)) return "null";
  switch (kind) {
    case Column::integer:
      return std::to_string(row.column_int64(index));
    case Column::text:
      return json::quote(row.column_text(index));
    case Column::time:
      return json::quote(format_timestamp(Timestamp{row.column_int64(index)}));
  }
  return "null";
}

// Writes every row of `table`, ordered by `order`, as {"type": type, column: value...} lines.
Status export_table(storage::Ledger& ledger, std::string_view type, std::string_view table,
                    std::span<const ColumnSpec> columns, std::string_view order,
                    std::ostream& out) {
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += columns[i].name;
  }
  sql += " FROM " + std::string(table) + " ORDER BY " + std::string(order);
  storage::Statement rows = TRY(storage::Statement::prepare(ledger.database(), sql));
  std::string line;
  while (TRY(rows.step()) == storage::Step::row) {
    line = "{" + json_field("type", type);
    for (std::size_t i = 0; i < columns.size(); ++i) {
      line += "," + json::quote(columns[i].name) + ":" +
              column_json(rows, static_cast<int>(i), columns[i].kind);
    }
    line += "}\n";
    out << line;
    if (!out) return make_error(ErrorCode::internal, "cannot write to standard output");
  }
  return Status();
}

Status run_export(std::span<const std::string_view> args, std::ostream& out) {
  constexpr FlagSpec flags[] = {{"db", true}};
  const ParsedArgs parsed = TRY(parse_args("ledger export", args, flags, {}));
  storage::Ledger ledger = TRY(open_existing_ledger(*parsed.flag("db"), TRY(time_flag(parsed))));
  // One read transaction, so the three tables are one snapshot.
  TRY(ledger.database().exec("BEGIN"));
  Status status = export_table(ledger, "account", "accounts", account_columns, "id", out);
  if (status.ok()) {
    status = export_table(ledger, "transfer", "transfers", transfer_columns, "id", out);
  }
  if (status.ok()) status = export_table(ledger, "event", "events", event_columns, "seq", out);
  const Status ended = ledger.database().exec("COMMIT");
  TRY(status);
  TRY(ended);
  return write_output(out, "");
}

std::string report_json(const storage::LedgerReport& report) {
  std::string text = std::string("{\"ok\":") + (report.ok() ? "true" : "false") +
                     ",\"schema_version\":" + std::to_string(report.schema_version) +
                     ",\"accounts\":" + std::to_string(report.accounts) +
                     ",\"transfers\":" + std::to_string(report.transfers) +
                     ",\"pending_open\":" + std::to_string(report.pending_open) +
                     ",\"lots\":" + std::to_string(report.lots) +
                     ",\"events\":" + std::to_string(report.events) + ",\"problems\":[";
  for (std::size_t i = 0; i < report.problems.size(); ++i) {
    if (i > 0) text += ",";
    text += json::quote(report.problems[i]);
  }
  return text + "]}\n";
}

Status run_check(std::span<const std::string_view> args, std::ostream& out, bool& problems_found) {
  constexpr FlagSpec flags[] = {{"db", true}};
  const ParsedArgs parsed = TRY(parse_args("ledger check", args, flags, {}));
  // Opened without refusing a broken ledger (which every other command refuses), so that the
  // report lists all its problems. The check covers the whole history (the other commands' open
  // verifies only what was written since the checkpoint); when it passes, it records the
  // checkpoint at the end.
  const Timestamp now = TRY(time_flag(parsed));
  storage::Ledger ledger = TRY(open_existing_ledger_unchecked(*parsed.flag("db"), now));
  const storage::LedgerReport report = TRY(ledger.check_and_checkpoint(now));
  problems_found = !report.ok();
  return write_output(out, report_json(report));
}

}  // namespace

Status run_ledger(std::span<const std::string_view> args, std::ostream& out, bool& problems_found) {
  if (args.empty()) return usage_error("ledger", "missing subcommand (expected: check, export)");
  if (args.front() == "check") return run_check(args.subspan(1), out, problems_found);
  if (args.front() == "export") return run_export(args.subspan(1), out);
  return usage_error(
      "ledger", "unknown subcommand " + json::quote(args.front()) + " (expected: check, export)");
}

}  // namespace loyalty::cli
