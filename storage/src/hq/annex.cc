// build_annex(): the transfers an event's transaction wrote, named for HQ (annex.h).

#include "hq/annex.h"

#include <optional>
#include <string>

#include "loyalty/core/json.h"
#include "loyalty/core/time.h"
#include "loyalty/storage/ledger_types.h"
#include "loyalty/storage/pseudonyms.h"
#include "loyalty/storage/statement.h"

namespace loyalty::storage::hq_internal {

namespace {

constexpr std::string_view unkeyed = "unkeyed";

bool owner_is_personal(std::string_view kind) {
  return kind == "customer_points" || kind == "company_points" || kind == "overdraft_receivable";
}

// "<kind>" for the chain's accounts, "<kind>:<owner>" otherwise, personal owners pseudonymised.
Result<std::string> account_name(Ledger& ledger, const Transaction& transaction,
                                 const std::string& kind, const std::string& owner) {
  if (owner.empty()) return kind;
  if (!owner_is_personal(kind)) return kind + ":" + owner;
  const std::optional<std::string> name = TRY(pseudonym_for(ledger, transaction, owner));
  return kind + ":" + (name ? *name : std::string(unkeyed));
}

void write_lot(json::Writer& out, const Statement& row) {
  out.key("lot");
  if (row.column_is_null(8)) {
    out.null();
    return;
  }
  out.begin_object();
  out.key("active_from");
  out.value(format_timestamp(Timestamp{row.column_int64(8)}));
  out.key("expires_at");
  if (row.column_is_null(9)) {
    out.null();
  } else {
    out.value(format_timestamp(Timestamp{row.column_int64(9)}));
  }
  out.end_object();
}

// Columns: 0 code, 1 amount, 2 debit kind, 3 debit owner, 4 credit kind, 5 credit owner,
// 6 source, 7 line, 8 lot active_from, 9 lot expires_at (the credited lot), 10 credit unit.
constexpr std::string_view movements_sql =
    "SELECT t.code, t.amount, d.kind, d.owner, c.kind, c.owner, t.source, t.line, "
    "l.active_from, l.expires_at, c.unit FROM transfers t "
    "JOIN accounts d ON d.id = t.debit_account JOIN accounts c ON c.id = t.credit_account "
    "LEFT JOIN lots l ON l.lot_id = t.lot_id AND l.account = t.credit_account "
    "WHERE t.id > ?1 AND t.flags IN ('none', 'post_pending') ORDER BY t.id";

Status write_movements(Ledger& ledger, const Transaction& transaction, json::Writer& out,
                       std::int64_t after) {
  Statement rows = TRY(Statement::prepare(ledger.database(), movements_sql));
  TRY(rows.bind_int64(1, after));
  out.key("movements");
  out.begin_array();
  while (TRY(rows.step()) == Step::row) {  // one event's transfers: receipt_holds_max and so on
    const bool money = rows.column_text(10) == "minor";
    out.begin_object();
    out.key("code");
    out.value(rows.column_text(0));
    out.key("debit");
    out.value(TRY(account_name(ledger, transaction, rows.column_text(2), rows.column_text(3))));
    out.key("credit");
    out.value(TRY(account_name(ledger, transaction, rows.column_text(4), rows.column_text(5))));
    out.key("points");
    out.value(money ? std::int64_t{0} : rows.column_int64(1));
    if (money) {
      out.key("minor");
      out.value(rows.column_int64(1));
    }
    out.key("source");
    out.value(rows.column_text(6));
    out.key("line");
    if (rows.column_is_null(7)) {
      out.null();
    } else {
      out.value(rows.column_int64(7));
    }
    write_lot(out, rows);
    out.end_object();
  }
  out.end_array();
  return {};
}

void write_time(json::Writer& out, const std::optional<Timestamp>& at) {
  if (at) {
    out.value(format_timestamp(*at));
  } else {
    out.null();
  }
}

// What the event did to the customer's tier and period counters. A review that fell due in the
// event started a new period: its deltas count from zero.
void write_tier(json::Writer& out, const TierChange& change) {
  const TierCounters& before = change.before;
  const TierCounters& after = change.after;
  const bool reset = change.period_reset;
  out.key("tier");
  out.begin_object();
  out.key("after");
  if (after.tier.empty()) {
    out.null();
  } else {
    out.value(after.tier);
  }
  out.key("review_at");
  write_time(out, after.review_at);
  out.key("period_reset");
  out.value(reset);
  out.key("period_spend_delta");
  out.value(after.period_spend - (reset ? 0 : before.period_spend));
  out.key("period_points_delta");
  out.value(after.period_points - (reset ? 0 : before.period_points));
  out.key("period_spend");  // the row's totals after it: where HQ starts from for this card
  out.value(after.period_spend);
  out.key("period_points");
  out.value(after.period_points);
  out.end_object();
}

}  // namespace

TierCounters tier_counters(const CustomerState& state) {
  return TierCounters{state.tier, state.tier_review_at, state.period_spend,
                      state.period_points_earned};
}

Result<std::int64_t> last_transfer_id(Ledger& ledger) {
  Statement select =
      TRY(Statement::prepare(ledger.database(), "SELECT COALESCE(MAX(id), 0) FROM transfers"));
  const Step step = TRY(select.step());
  LOYALTY_ASSERT(step == Step::row);  // an aggregate always has one row
  return select.column_int64(0);
}

Result<std::string> build_annex(Ledger& ledger, const Transaction& transaction,
                                const AnnexInput& input) {
  const std::optional<PseudonymKey> key = TRY(pseudonym_key(ledger));
  json::Writer out;
  out.begin_object();
  out.key("key_id");
  if (key) {
    out.value(key->key_id);
  } else {
    out.null();
  }
  out.key("customer");
  if (input.customer_id.empty()) {
    out.null();
  } else {
    const std::optional<std::string> name =
        TRY(pseudonym_for(ledger, transaction, input.customer_id));
    out.value(name ? *name : std::string(unkeyed));
  }
  out.key("spend_minor");
  out.value(input.spend_minor);
  TRY(write_movements(ledger, transaction, out, input.transfers_after));
  if (!input.customer_id.empty() && input.tier) write_tier(out, *input.tier);
  out.end_object();
  return out.take();
}

}  // namespace loyalty::storage::hq_internal
