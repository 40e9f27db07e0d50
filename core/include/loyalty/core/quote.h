// A quote: what the rules core decided for one receipt: discounts per line, points earned and
// burned per line, receipt-level awards, counters to move, and why. Every amount names its
// source (a rule, the base earn rate, a tier, the burn policy…), so every point is explainable.
//
// Thread-safety: a plain value. Ownership: a Quote refers to its Program's rules, tiers and
// partners by index and keeps a pointer to the Program, which must outlive it. All vectors are
// reused by Quoter across quotes, so a warm Quote is refilled without heap allocation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "loyalty/core/program.h"
#include "loyalty/core/time.h"
#include "loyalty/core/units.h"

namespace loyalty {

enum class SourceKind : std::uint8_t {
  rule,       // index: Program::rules
  earn_base,  // the program's base earn rate (index unused)
  tier,       // index: Program::tiers.tiers (tier earn multiplier)
  burn,       // points used as tender (index unused)
  reward,     // index: Program::rewards
  company,    // index: Program::company.bands
  charity,    // index: Program::charities
};

struct Source {
  SourceKind kind = SourceKind::rule;
  std::uint32_t index = 0;
  bool operator==(const Source&) const = default;
};

inline constexpr std::uint32_t no_line = UINT32_MAX;

enum class LineStatus : std::uint8_t { regular, voided, reward };

struct QuoteLine {
  LineStatus status = LineStatus::regular;
  bool earn_excluded = false;  // matched the program's earn exclusions
  bool burn_excluded = false;  // matched the burn exclusions: points may not pay for it
  Minor gross;                 // unit price × quantity
  Minor discount;              // sum of this line's Discount entries
  Minor net;                   // gross - discount, never negative
  Minor points_tender;         // the part of `net` paid with points
  Minor due;                   // net - points_tender: money the customer pays
  Points earned;               // sum of this line's EarnEntry points (customer account)
  Points burned;               // points tender + catalogue reward price for this line
  Points company_points;       // B2B dual accrual for this line
};

// A discount on one line from one source.
struct Discount {
  std::uint32_t line = 0;
  Source source;
  Minor amount;
};

enum class EarnAccount : std::uint8_t { customer, company, referrer };

// Points earned from one source, on one line or (line == no_line) on the whole receipt.
struct EarnEntry {
  std::uint32_t line = no_line;
  Source source;
  EarnAccount account = EarnAccount::customer;
  Points points;
};

// Points burned on one line: as tender (source burn) or as a catalogue reward (source reward).
struct BurnEntry {
  std::uint32_t line = 0;
  Source source;
  Points points;
  Minor value;  // money the points stood for
};

struct StampMovement {
  std::uint32_t rule = 0;  // the stamp_card rule
  std::uint32_t line = 0;
  std::int64_t earned = 0;
  std::int64_t redeemed = 0;  // stamps spent on a free (discounted) unit of this line
};

enum class CouponStatus : std::uint8_t {
  applied,
  unknown_code,
  not_yet_valid,
  expired,
  not_eligible,  // audience or schedule says no
  below_min_basket,
  customer_limit_reached,
  used_up,
  no_eligible_items,
  not_stackable,     // its stacking group or an exclusive rule kept it out
  duplicate,         // presented twice on the receipt
  budget_exhausted,  // its campaign budget has nothing left
};
const char* coupon_status_name(CouponStatus status);

struct CouponOutcome {
  std::uint32_t presented = 0;  // index into Receipt::coupons
  std::optional<std::uint32_t> rule;
  CouponStatus status = CouponStatus::unknown_code;
  Minor discount;
};

// A draw held on this receipt (draw.h): its keyed value and whether it won.
struct DrawOutcome {
  std::uint32_t rule = 0;
  std::uint64_t value = 0;  // DrawKeyer::draw_value of the draw's message
  bool won = false;
};

// What one campaign budget gave on this receipt: what the ledger adds to the budget's count for
// `period` (and takes back on refunds, Reversal::budgets).
struct BudgetUse {
  std::uint32_t budget = 0;       // index: Program::budgets (its id and unit)
  std::string period;             // the receipt's period: "campaign", "2026", "2026-11", ...
  std::int64_t spent_before = 0;  // what the environment said the period had spent
  std::int64_t used = 0;          // points or minor units given by this receipt's rules
};

struct DonationOutcome {
  std::uint32_t charity = 0;  // index: Program::charities
  Points points;
  Minor value;
};

// Why something did not apply, or was limited: shown in explanations.
enum class NoteCode : std::uint8_t {
  below_min_basket_for_earn,
  redemption_capped,  // value: the most points could pay on this receipt, in minor units
  redemption_below_min_balance,
  redemption_limited_by_balance,
  redemption_not_allowed,  // anonymous receipt, or burning disabled
  redemption_rounded_to_step,
  tier_upgraded,
  tier_upgrade_pending,  // reached, effective at the end of the period
  tier_reviewed,         // the yearly review set the tier (up or down)
  membership_activated,
  stacking_skipped,  // a rule was applicable but its group or an exclusive rule won
  event_limit_reached,
  budget_capped,         // a rule gave only what its budget had left; value: the part withheld
  budget_exhausted,      // a rule gave nothing, its budget being spent; value: what it withheld
  draw_not_held,         // an instant-win rule could not draw: no draw key was given
  recency_stepped_down,  // a progressive rule dropped steps for days away; value: the steps
};
const char* note_code_name(NoteCode code);

struct Note {
  NoteCode code;
  Source source;
  std::int64_t value = 0;
};

struct Quote {
  const Program* program = nullptr;
  std::string receipt_id;
  Timestamp at;
  bool identified = false;  // a customer was given

  std::vector<QuoteLine> lines;  // one per receipt line, same order
  std::vector<Discount> discounts;
  std::vector<EarnEntry> earns;
  std::vector<BurnEntry> burns;
  std::vector<StampMovement> stamps;
  std::vector<CouponOutcome> coupons;
  std::vector<DrawOutcome> draws;
  std::vector<DonationOutcome> donations;
  std::vector<BudgetUse> budgets;  // ascending budget index; budgets a rule drew on
  std::vector<Note> notes;

  Minor gross_total;
  Minor discount_total;
  Minor net_total;
  Minor points_tender_total;
  Minor due_total;

  Points available_before;  // usable balance at the start of the receipt
  Points redeem_max;        // most points this receipt could take as tender
  Points earned_total;      // customer account, line and receipt level
  Points burned_total;      // tender + rewards
  Points donated_total;
  Points company_points_total;
  Points referrer_points_total;
  Timestamp earned_active_from;
  std::optional<Timestamp> earned_expires_at;

  std::optional<std::uint32_t> tier_before;  // index: Program::tiers.tiers
  std::optional<std::uint32_t> tier_after;
  std::optional<Timestamp> tier_review_at;         // the next review after this receipt
  std::optional<Timestamp> paid_membership_until;  // set when this receipt activated one
  // The year whose birthday bonus this receipt awarded (storage records it so the bonus is paid
  // once per year); 0 when none. Not in the quote JSON: the earn entry explains the points.
  std::int64_t birthday_bonus_year = 0;
  std::optional<std::uint32_t> company_band;

  std::optional<std::uint32_t> partner;  // index: Program::partners
  Minor settlement_partner_owes;         // partner → operator, for points it issued
  Minor settlement_owed_to_partner;      // operator → partner, for points burned there

  // Empties every vector (keeping capacity) and zeroes every total.
  void clear();
};

// The rule id, tier id… that a source names, as explanations print it: "rule:double-tuesday",
// "earn.base", "tier:gold", "burn", "reward:free-coffee", "company:band-2", "charity:red-cross".
std::string source_label(const Program& program, Source source);

}  // namespace loyalty
