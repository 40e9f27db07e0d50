// read_quote(): the members of a stored quote (core's quote_to_json) that the backtest uses, read
// in one pass with a JsonCursor; members it does not use are skipped.

#include <array>
#include <cstdlib>
#include <string>

#include "backtest/json_cursor.h"
#include "backtest/stored_event.h"

namespace loyalty::sync::backtest {

namespace {

// The members an object must have, by bit; names the first one missing.
class Required {
 public:
  static constexpr std::size_t names_max = 32;

  Required(std::initializer_list<std::string_view> names) {
    LOYALTY_ASSERT(names.size() <= names_max);
    for (std::string_view name : names) names_[count_++] = name;
  }
  void seen(std::string_view key) {
    for (std::size_t i = 0; i < count_; ++i) {  // a handful of names
      if (key_is(key, names_[i])) seen_ |= std::uint32_t{1} << i;
    }
  }
  // Fails `c` naming the first missing member under `path` (and `index`, when >= 0).
  bool check(JsonCursor& c, std::string_view path, std::int64_t index = -1) const {
    for (std::size_t i = 0; i < count_; ++i) {
      if ((seen_ & (std::uint32_t{1} << i)) != 0) continue;
      std::string where(path);
      if (index >= 0) where += "[" + std::to_string(index) + "]";
      if (!where.empty()) where += '.';
      return c.fail_missing(where + std::string(names_[i]));
    }
    return c.ok();
  }

 private:
  std::array<std::string_view, names_max> names_{};
  std::size_t count_ = 0;
  std::uint32_t seen_ = 0;
};

std::optional<LineStatus> line_status(std::string_view name) {
  if (name == "regular") return LineStatus::regular;
  if (name == "voided") return LineStatus::voided;
  if (name == "reward") return LineStatus::reward;
  return std::nullopt;
}

std::optional<EarnAccount> earn_account(std::string_view name) {
  if (name == "customer") return EarnAccount::customer;
  if (name == "company") return EarnAccount::company;
  if (name == "referrer") return EarnAccount::referrer;
  return std::nullopt;
}

bool optional_text(JsonCursor& c, std::optional<std::string_view>& out) {
  std::string_view text;
  bool is_null = false;
  if (!c.text_or_null(text, is_null)) return false;
  out = is_null ? std::nullopt : std::optional<std::string_view>(text);
  return true;
}

bool optional_time(JsonCursor& c, std::optional<Timestamp>& out) {
  std::optional<std::string_view> text;
  if (!optional_text(c, text)) return false;
  out.reset();
  if (!text) return true;
  Result<Timestamp> parsed = parse_timestamp(*text);
  if (!parsed.ok()) return c.fail(parsed.error().message);
  out = parsed.value();
  return true;
}

// A line's "discounts" (amount_minor), "earns" or "burns" (points): [{"source", amount}].
bool read_entries(JsonCursor& c, std::string_view amount_key, std::vector<StoredEntry>& out) {
  out.clear();
  if (!c.enter_array()) return false;
  while (c.next_item()) {  // bounded by the text
    StoredEntry& entry = out.emplace_back();
    Required required{"source"};
    std::string_view key;
    if (!c.enter_object()) return false;
    while (c.next_key(key)) {
      required.seen(key);
      if (key_is(key, "source")) {
        c.text(entry.source);
      } else if (key_is(key, amount_key)) {
        c.integer(entry.amount);
      } else {
        c.skip();
      }
    }
    if (!required.check(c, "an entry of a line")) return false;
  }
  return c.ok();
}

bool read_line_member(JsonCursor& c, std::string_view key, StoredLine& line) {
  std::string_view text;
  if (key_is(key, "sku")) return c.text(line.sku);
  if (key_is(key, "category")) return c.text(line.category);
  if (key_is(key, "quantity")) return c.integer(line.quantity);
  if (key_is(key, "gross_minor")) return c.integer(line.gross_minor);
  if (key_is(key, "discounts")) return read_entries(c, "amount_minor", line.discounts);
  if (key_is(key, "earns")) return read_entries(c, "points", line.earns);
  if (key_is(key, "burns")) return read_entries(c, "points", line.burns);
  if (key_is(key, "status")) {
    if (!c.text(text)) return false;
    const std::optional<LineStatus> status = line_status(text);
    if (!status) return c.fail("a line's status is not regular, voided or reward");
    line.status = *status;
    return true;
  }
  return c.skip();
}

bool read_lines(JsonCursor& c, StoredQuote& out) {
  if (!c.enter_array()) return false;
  while (c.next_item()) {  // bounded by the text
    if (out.lines.size() <= out.line_count) out.lines.emplace_back();
    StoredLine& line = out.lines[out.line_count];
    line.discounts.clear();
    line.earns.clear();
    line.burns.clear();
    Required required{"sku", "category", "quantity", "status", "gross_minor"};
    std::string_view key;
    if (!c.enter_object()) return false;
    while (c.next_key(key)) {
      required.seen(key);
      if (!read_line_member(c, key, line)) return false;
    }
    if (!required.check(c, "lines", static_cast<std::int64_t>(out.line_count))) return false;
    ++out.line_count;
  }
  return c.ok();
}

// An array of objects, each read member by member by `member(key, item)` into a new item.
template <class T, class Member>
bool read_objects(JsonCursor& c, std::vector<T>& out, std::string_view path,
                  std::initializer_list<std::string_view> names, Member member) {
  if (!c.enter_array()) return false;
  while (c.next_item()) {  // bounded by the text
    T& item = out.emplace_back();
    Required required(names);
    std::string_view key;
    if (!c.enter_object()) return false;
    while (c.next_key(key)) {
      required.seen(key);
      if (!member(key, item)) return false;
    }
    if (!required.check(c, path, static_cast<std::int64_t>(out.size() - 1))) return false;
  }
  return c.ok();
}

bool read_receipt_earns(JsonCursor& c, StoredQuote& out) {
  return read_objects(c, out.receipt_earns, "receipt_earns", {"source", "account", "points"},
                      [&c](std::string_view key, StoredEarn& earn) {
                        std::string_view text;
                        if (key_is(key, "source")) return c.text(earn.source);
                        if (key_is(key, "points")) return c.integer(earn.points);
                        if (!key_is(key, "account")) return c.skip();
                        if (!c.text(text)) return false;
                        const std::optional<EarnAccount> account = earn_account(text);
                        if (!account) return c.fail("not customer, company or referrer");
                        earn.account = *account;
                        return true;
                      });
}

bool read_stamps(JsonCursor& c, StoredQuote& out) {
  return read_objects(c, out.stamps, "stamps", {"rule", "card_id", "line", "earned", "redeemed"},
                      [&c](std::string_view key, StoredStamp& stamp) {
                        if (key_is(key, "rule")) return c.text(stamp.rule);
                        if (key_is(key, "card_id")) return c.text(stamp.card_id);
                        if (key_is(key, "line")) return c.integer(stamp.line);
                        if (key_is(key, "earned")) return c.integer(stamp.earned);
                        if (key_is(key, "redeemed")) return c.integer(stamp.redeemed);
                        return c.skip();
                      });
}

bool read_coupons(JsonCursor& c, StoredQuote& out) {
  return read_objects(c, out.coupons, "coupons", {"code", "rule", "status"},
                      [&c](std::string_view key, StoredCoupon& coupon) {
                        bool is_null = false;
                        if (key_is(key, "code")) return c.text(coupon.code);
                        if (key_is(key, "rule")) return c.text_or_null(coupon.rule, is_null);
                        if (key_is(key, "status")) return c.text(coupon.status);
                        return c.skip();
                      });
}

bool read_draws(JsonCursor& c, StoredQuote& out) {
  return read_objects(c, out.draws, "draws", {"rule", "value"},
                      [&c](std::string_view key, StoredDraw& draw) {
                        std::string_view text;
                        if (key_is(key, "rule")) return c.text(draw.rule);
                        if (!key_is(key, "value")) return c.skip();
                        if (!c.text(text)) return false;
                        const std::string digits(text);
                        char* end = nullptr;
                        draw.value = std::strtoull(digits.c_str(), &end, 10);
                        if (digits.empty() || digits[0] < '0' || digits[0] > '9' ||
                            end != digits.c_str() + digits.size()) {
                          return c.fail("a draw's value is not a decimal number");
                        }
                        return true;
                      });
}

bool read_donations(JsonCursor& c, StoredQuote& out) {
  return read_objects(c, out.donations, "donations", {"charity", "points"},
                      [&c](std::string_view key, StoredDonation& donation) {
                        if (key_is(key, "charity")) return c.text(donation.charity);
                        if (key_is(key, "points")) return c.integer(donation.points);
                        return c.skip();
                      });
}

bool read_budgets(JsonCursor& c, StoredQuote& out) {
  return read_objects(c, out.budgets, "budgets", {"budget", "period", "spent_before"},
                      [&c](std::string_view key, StoredBudget& budget) {
                        if (key_is(key, "budget")) return c.text(budget.budget);
                        if (key_is(key, "period")) return c.text(budget.period);
                        if (key_is(key, "spent_before")) return c.integer(budget.spent_before);
                        return c.skip();
                      });
}

bool read_notes(JsonCursor& c, StoredQuote& out) {
  return read_objects(c, out.notes, "notes", {"code", "source", "value"},
                      [&c](std::string_view key, StoredNote& note) {
                        if (key_is(key, "code")) return c.text(note.code);
                        if (key_is(key, "source")) return c.text(note.source);
                        if (key_is(key, "value")) return c.integer(note.value);
                        return c.skip();
                      });
}

// {"a": ..., ...} of one nested object, each member to `member(key)`.
template <class Member>
bool read_object(JsonCursor& c, std::string_view path,
                 std::initializer_list<std::string_view> names, Member member) {
  Required required(names);
  std::string_view key;
  if (!c.enter_object()) return false;
  while (c.next_key(key)) {  // bounded by the text
    required.seen(key);
    if (!member(key)) return false;
  }
  return required.check(c, path);
}

bool read_program(JsonCursor& c, StoredQuote& out) {
  return read_object(c, "program", {"id", "version"}, [&](std::string_view key) {
    if (key_is(key, "id")) return c.text(out.program_id);
    if (key_is(key, "version")) return c.integer(out.program_version);
    return c.skip();
  });
}

bool read_totals(JsonCursor& c, StoredQuote& out) {
  return read_object(c, "totals", {"discount_minor"}, [&](std::string_view key) {
    return key_is(key, "discount_minor") ? c.integer(out.discount_minor) : c.skip();
  });
}

bool read_points(JsonCursor& c, StoredQuote& out) {
  return read_object(
      c, "points",
      {"available_before", "redeem_max", "earned", "burned", "donated", "company", "referrer"},
      [&](std::string_view key) {
        if (key_is(key, "available_before")) return c.integer(out.available_before);
        if (key_is(key, "redeem_max")) return c.integer(out.redeem_max);
        if (key_is(key, "earned")) return c.integer(out.earned);
        if (key_is(key, "burned")) return c.integer(out.burned);
        if (key_is(key, "donated")) return c.integer(out.donated);
        if (key_is(key, "company")) return c.integer(out.company);
        if (key_is(key, "referrer")) return c.integer(out.referrer);
        return c.skip();
      });
}

bool read_tier(JsonCursor& c, StoredQuote& out) {
  return read_object(c, "tier", {"before", "after", "review_at"}, [&](std::string_view key) {
    if (key_is(key, "before")) return optional_text(c, out.tier_before);
    if (key_is(key, "after")) return optional_text(c, out.tier_after);
    if (key_is(key, "review_at")) return optional_time(c, out.tier_review_at);
    return c.skip();
  });
}

bool read_settlement(JsonCursor& c, StoredQuote& out) {
  return read_object(c, "settlement", {"partner"}, [&](std::string_view key) {
    return key_is(key, "partner") ? optional_text(c, out.partner) : c.skip();
  });
}

bool read_member(JsonCursor& c, std::string_view key, StoredQuote& out) {
  std::optional<Timestamp> at;
  if (key_is(key, "program")) return read_program(c, out);
  if (key_is(key, "receipt_id")) return c.text(out.receipt_id);
  if (key_is(key, "identified")) return c.boolean(out.identified);
  if (key_is(key, "currency")) return c.text(out.currency);
  if (key_is(key, "totals")) return read_totals(c, out);
  if (key_is(key, "points")) return read_points(c, out);
  if (key_is(key, "lines")) return read_lines(c, out);
  if (key_is(key, "receipt_earns")) return read_receipt_earns(c, out);
  if (key_is(key, "stamps")) return read_stamps(c, out);
  if (key_is(key, "coupons")) return read_coupons(c, out);
  if (key_is(key, "draws")) return read_draws(c, out);
  if (key_is(key, "donations")) return read_donations(c, out);
  if (key_is(key, "budgets")) return read_budgets(c, out);
  if (key_is(key, "tier")) return read_tier(c, out);
  if (key_is(key, "paid_membership_until")) return optional_time(c, out.paid_membership_until);
  if (key_is(key, "company_band")) return optional_text(c, out.company_band);
  if (key_is(key, "settlement")) return read_settlement(c, out);
  if (key_is(key, "notes")) return read_notes(c, out);
  if (!key_is(key, "at")) return c.skip();
  if (!optional_time(c, at)) return false;
  if (!at) return c.fail("at: expected a time");
  out.at = *at;
  return true;
}

}  // namespace

void StoredQuote::clear() {
  line_count = 0;
  receipt_earns.clear();
  stamps.clear();
  coupons.clear();
  draws.clear();
  donations.clear();
  budgets.clear();
  notes.clear();
  decoded.clear();
  tier_before.reset();
  tier_after.reset();
  tier_review_at.reset();
  paid_membership_until.reset();
  company_band.reset();
  partner.reset();
}

Status read_quote(std::string_view payload, StoredQuote& out) {
  out.clear();
  JsonCursor c(payload, out.decoded);
  Required required{"program",       "receipt_id", "at",      "identified",
                    "currency",      "totals",     "points",  "lines",
                    "receipt_earns", "stamps",     "coupons", "draws",
                    "donations",     "budgets",    "tier",    "paid_membership_until",
                    "company_band",  "settlement", "notes"};
  std::string_view key;
  if (c.enter_object()) {
    while (c.next_key(key)) {  // bounded by the text
      required.seen(key);
      if (!read_member(c, key, out)) break;
    }
    if (c.ok() && required.check(c, "")) c.finish();
  }
  return c.status();
}

}  // namespace loyalty::sync::backtest
