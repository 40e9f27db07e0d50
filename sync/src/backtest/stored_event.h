// What the backtest reads from a journal event: the stored quote of a checkout (core's
// quote_to_json), the ledger annex (storage's build_annex) and the reversal of a refund (core's
// reversal_to_json). Only the members the backtest uses are kept; the readers (a JsonCursor each)
// check the kinds of those and skip the rest. Internal to the backtest (sync/src/backtest/).
//
// Thread-safety: plain values; each worker reuses its own (the vectors keep their capacity).
// Ownership: every text is a view into the event's payload or annex (or, for a string with
// escapes, into `decoded`): valid while that text lives and until the next read.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/quote.h"
#include "loyalty/core/result.h"
#include "loyalty/core/time.h"

namespace loyalty::sync::backtest {

// A discount (amount: minor units), an earn or a burn (amount: points) of one line, by source
// label.
struct StoredEntry {
  std::string_view source;
  std::int64_t amount = 0;
};

struct StoredLine {
  std::string_view sku;
  std::string_view category;
  std::int64_t quantity = 0;
  LineStatus status = LineStatus::regular;
  std::int64_t gross_minor = 0;
  std::vector<StoredEntry> discounts;  // in the order the engine applied them
  std::vector<StoredEntry> earns;      // points
  std::vector<StoredEntry> burns;
};

struct StoredEarn {  // a receipt-level earn entry
  std::string_view source;
  EarnAccount account = EarnAccount::customer;
  std::int64_t points = 0;
};

struct StoredStamp {
  std::string_view rule;
  std::string_view card_id;
  std::int64_t line = 0;
  std::int64_t earned = 0;
  std::int64_t redeemed = 0;
};

struct StoredCoupon {
  std::string_view code;
  std::string_view rule;  // "" when the code matched no rule
  std::string_view status;
};

struct StoredDraw {
  std::string_view rule;
  std::uint64_t value = 0;
};

struct StoredDonation {
  std::string_view charity;
  std::int64_t points = 0;
};

struct StoredBudget {
  std::string_view budget;
  std::string_view period;
  std::int64_t spent_before = 0;
};

struct StoredNote {
  std::string_view code;
  std::string_view source;
  std::int64_t value = 0;
};

struct StoredQuote {
  std::string_view program_id;
  std::int64_t program_version = 0;
  std::string_view receipt_id;
  Timestamp at;
  bool identified = false;
  std::string_view currency;
  std::int64_t discount_minor = 0;    // totals
  std::int64_t available_before = 0;  // points
  std::int64_t redeem_max = 0;
  std::int64_t earned = 0;
  std::int64_t burned = 0;
  std::int64_t donated = 0;
  std::int64_t company = 0;
  std::int64_t referrer = 0;
  std::vector<StoredLine> lines;
  std::size_t line_count = 0;  // lines[0, line_count) are this quote's; the rest is reused space
  std::vector<StoredEarn> receipt_earns;
  std::vector<StoredStamp> stamps;
  std::vector<StoredCoupon> coupons;
  std::vector<StoredDraw> draws;
  std::vector<StoredDonation> donations;
  std::vector<StoredBudget> budgets;
  std::optional<std::string_view> tier_before;
  std::optional<std::string_view> tier_after;
  std::optional<Timestamp> tier_review_at;
  std::optional<Timestamp> paid_membership_until;
  std::optional<std::string_view> company_band;  // "company:band-2"
  std::optional<std::string_view> partner;
  std::vector<StoredNote> notes;
  std::deque<std::string> decoded;  // strings that had escapes

  void clear();
};

// The annex members the backtest uses. `customer`: the pseudonym ("unkeyed" without the chain's
// key), nullopt for an anonymous receipt. `has_tier`: the annex carries "tier".
struct StoredAnnex {
  std::optional<std::string_view> customer;
  bool has_tier = false;
  bool period_reset = false;
  std::int64_t period_spend_delta = 0;
  std::int64_t period_points_delta = 0;
  std::int64_t period_spend = 0;  // the cache row's totals after the event
  std::int64_t period_points = 0;
  std::deque<std::string> decoded;

  void clear();
};

struct StoredReversal {  // integers only
  std::int64_t money_refund_minor = 0;
  std::int64_t earned_reversed = 0;
  std::int64_t company_points_reversed = 0;
  std::int64_t referrer_points_reversed = 0;
  std::int64_t burned_restored = 0;
};

// Each fills `out` (cleared first) or fails with a message saying where: parse_error for text
// that is not JSON or a member of the wrong kind ("line 1, column 40: expected an integer"),
// invalid_argument for a member that is missing ("lines[3].gross_minor: missing").
Status read_quote(std::string_view payload, StoredQuote& out);
Status read_annex(std::string_view annex, StoredAnnex& out);
Status read_reversal(std::string_view payload, StoredReversal& out);

}  // namespace loyalty::sync::backtest
