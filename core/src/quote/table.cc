// quote_to_table: a fixed-width text rendering of a quote for the till and the demo.
//
// Layout (every line at most 99 columns for amounts that fit their column):
//   a two-line header, one row per receipt line with its discounts, earns and burns indented
//   under it, the receipt-level sections that have entries, then the totals.
// Text from the documents (SKUs, ids, codes) is cut to its column with a trailing '~', and
// control characters in it are shown as '?', so the layout holds whatever the receipt says.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "loyalty/core/quote_json.h"
#include "loyalty/core/time.h"
#include "quote/render.h"

namespace loyalty {

namespace {

// Column widths of the line table; they add up to 99.
constexpr std::size_t index_width = 3;
constexpr std::size_t sku_width = 17;
constexpr std::size_t quantity_width = 7;
constexpr std::size_t money_width = 11;
constexpr std::size_t points_width = 8;
constexpr std::size_t table_width =
    index_width + 1 + sku_width + quantity_width + 5 * money_width + 2 * points_width;

// Detail rows: "<indent><kind><label><value>".
constexpr std::string_view detail_indent = "      ";
constexpr std::size_t detail_kind_width = 10;
constexpr std::size_t detail_label_width = 48;
constexpr std::size_t detail_value_width = 20;

// Section items: "  <first> <second><value>".
constexpr std::size_t item_first_width = 30;  // the longest note code is 29
constexpr std::size_t item_second_width = 34;
constexpr std::size_t item_value_width = 20;

// Totals: "  <label><value>".
constexpr std::size_t total_label_width = 26;
constexpr std::size_t total_value_width = 20;

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Columns `text` takes: one per code point (continuation bytes take none).
std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  for (char c : text) width += is_continuation_byte(c) ? 0 : 1;
  return width;
}

// `text` in at most `width` columns: control characters become '?', and text that is too wide
// is cut at a code point boundary and ends with '~'.
std::string fit(std::string_view text, std::size_t width) {
  std::string out;
  const bool too_wide = display_width(text) > width;
  const std::size_t keep = too_wide ? (width > 0 ? width - 1 : 0) : width;
  std::size_t columns = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!is_continuation_byte(c)) {
      if (columns == keep) break;
      ++columns;
    }
    const auto byte = static_cast<unsigned char>(c);
    out += (byte < 0x20 || byte == 0x7F) ? '?' : c;
  }
  if (too_wide && width > 0) out += '~';
  return out;
}

// Appends `text` left-aligned (padded on the right) in `width` columns.
void pad_right(std::string& out, std::string_view text, std::size_t width) {
  out += text;
  const std::size_t used = display_width(text);
  if (used < width) out.append(width - used, ' ');
}

// Appends `text` right-aligned in `width` columns; wider text is appended whole.
void pad_left(std::string& out, std::string_view text, std::size_t width) {
  const std::size_t used = display_width(text);
  if (used < width) out.append(width - used, ' ');
  out += text;
}

std::string points_text(Points points) { return std::to_string(points.value()) + " pts"; }

std::string time_text(const std::optional<Timestamp>& at, std::string_view if_none) {
  return at ? format_timestamp(*at) : std::string(if_none);
}

void detail_row(std::string& out, std::string_view kind, std::string_view label,
                std::string_view value) {
  out += detail_indent;
  pad_right(out, kind, detail_kind_width);
  pad_right(out, fit(label, detail_label_width), detail_label_width);
  pad_left(out, value, detail_value_width);
  out += '\n';
}

void item_row(std::string& out, std::string_view first, std::string_view second,
              std::string_view value) {
  out += "  ";
  pad_right(out, fit(first, item_first_width), item_first_width);
  out += ' ';
  pad_right(out, fit(second, item_second_width), item_second_width);
  pad_left(out, value, item_value_width);
  // Trailing blanks are noise in a text table (and in expected-output files).
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out += '\n';
}

void total_row(std::string& out, std::string_view label, std::string_view value) {
  out += "  ";
  pad_right(out, label, total_label_width);
  pad_left(out, value, total_value_width);
  out += '\n';
}

void write_header(std::string& out, const Quote& quote) {
  const Program& program = *quote.program;
  out += "Program ";
  out += fit(program.program_id, 40);
  out += " version " + std::to_string(program.version) + ", currency ";
  out += fit(program.currency, 8);
  out += '\n';
  out += "Receipt ";
  out += fit(quote.receipt_id, 40);
  out += " at " + format_timestamp(quote.at);
  out += quote.identified ? ", customer identified\n" : ", anonymous\n";
}

void write_column_titles(std::string& out) {
  pad_left(out, "#", index_width);
  out += ' ';
  pad_right(out, "SKU", sku_width);
  pad_left(out, "Qty", quantity_width);
  for (std::string_view title : {"Gross", "Discount", "Net", "Pts paid", "Due"}) {
    pad_left(out, title, money_width);
  }
  pad_left(out, "Earned", points_width);
  pad_left(out, "Burned", points_width);
  out += '\n';
  out.append(table_width, '-');
  out += '\n';
}

void write_line_flags(std::string& out, const QuoteLine& line) {
  std::string flags;
  if (line.status != LineStatus::regular) flags = render::line_status_name(line.status);
  if (line.earn_excluded) flags += flags.empty() ? "earn excluded" : ", earn excluded";
  if (line.burn_excluded) flags += flags.empty() ? "burn excluded" : ", burn excluded";
  if (flags.empty()) return;
  out += detail_indent;
  out += '(' + flags + ")\n";
}

void write_line_details(std::string& out, const Quote& quote, std::uint32_t index) {
  const Program& program = *quote.program;
  const int exponent = program.currency_exponent;
  for (const Discount& d : quote.discounts) {
    if (d.line != index) continue;
    detail_row(out, "discount", source_label(program, d.source),
               "-" + format_minor(d.amount, exponent));
  }
  for (const EarnEntry& e : quote.earns) {
    if (e.line != index) continue;
    std::string label = source_label(program, e.source);
    if (e.account != EarnAccount::customer) {
      label += " (" + std::string(render::earn_account_name(e.account)) + ")";
    }
    detail_row(out, "earn", label, "+" + points_text(e.points));
  }
  for (const BurnEntry& b : quote.burns) {
    if (b.line != index) continue;
    detail_row(out, "burn", source_label(program, b.source),
               points_text(b.points) + " = " + format_minor(b.value, exponent));
  }
}

void write_line(std::string& out, const ReceiptLine& in, const Quote& quote, std::uint32_t index) {
  const QuoteLine& line = quote.lines[index];
  const int exponent = quote.program->currency_exponent;
  pad_left(out, std::to_string(index), index_width);
  out += ' ';
  pad_right(out, fit(in.sku, sku_width - 1), sku_width);
  pad_left(out, std::to_string(in.quantity), quantity_width);
  for (Minor amount : {line.gross, line.discount, line.net, line.points_tender, line.due}) {
    pad_left(out, format_minor(amount, exponent), money_width);
  }
  pad_left(out, std::to_string(line.earned.value()), points_width);
  pad_left(out, std::to_string(line.burned.value()), points_width);
  out += '\n';
  write_line_flags(out, line);
  write_line_details(out, quote, index);
}

void write_receipt_earns(std::string& out, const Quote& quote) {
  bool any = false;
  for (const EarnEntry& e : quote.earns) {
    if (e.line != no_line) continue;
    if (!any) out += "Receipt awards\n";
    any = true;
    item_row(out, source_label(*quote.program, e.source), render::earn_account_name(e.account),
             "+" + points_text(e.points));
  }
}

void write_coupons(std::string& out, const Receipt& receipt, const Quote& quote) {
  if (quote.coupons.empty()) return;
  out += "Coupons\n";
  for (const CouponOutcome& c : quote.coupons) {
    std::string status = coupon_status_name(c.status);
    if (c.rule)
      status += " (" + source_label(*quote.program, Source{SourceKind::rule, *c.rule}) + ")";
    const std::string_view code =
        c.presented < receipt.coupons.size() ? receipt.coupons[c.presented] : std::string_view();
    const bool has_discount = c.discount.value() != 0;
    item_row(out, code, status,
             has_discount ? "-" + format_minor(c.discount, quote.program->currency_exponent) : "");
  }
}

void write_stamps(std::string& out, const Quote& quote) {
  if (quote.stamps.empty()) return;
  out += "Stamps\n";
  for (const StampMovement& s : quote.stamps) {
    const std::string where = "card " + render::stamp_card_id(*quote.program, s.rule) + ", line " +
                              std::to_string(s.line);
    item_row(out, source_label(*quote.program, Source{SourceKind::rule, s.rule}), where,
             "+" + std::to_string(s.earned) + " / -" + std::to_string(s.redeemed));
  }
}

void write_budgets(std::string& out, const Quote& quote) {
  const Program& program = *quote.program;
  if (quote.budgets.empty()) return;
  out += "Budgets\n";
  for (const BudgetUse& b : quote.budgets) {
    const bool money = std::string_view(render::budget_unit(program, b.budget)) == "money";
    const auto amount = [&](std::int64_t value) {
      return money ? format_minor(Minor(value), program.currency_exponent)
                   : points_text(Points(value));
    };
    item_row(out, "budget:" + render::budget_id(program, b.budget),
             b.period + ", spent before " + amount(b.spent_before), "used " + amount(b.used));
  }
}

void write_draws_and_donations(std::string& out, const Quote& quote) {
  const Program& program = *quote.program;
  if (!quote.draws.empty()) out += "Draws\n";
  for (const DrawOutcome& d : quote.draws) {
    item_row(out, source_label(program, Source{SourceKind::rule, d.rule}),
             "value " + std::to_string(d.value), d.won ? "won" : "lost");
  }
  if (!quote.donations.empty()) out += "Donations\n";
  for (const DonationOutcome& d : quote.donations) {
    item_row(out, source_label(program, Source{SourceKind::charity, d.charity}),
             points_text(d.points), format_minor(d.value, program.currency_exponent));
  }
}

std::string tier_text(const Program& program, const std::optional<std::uint32_t>& tier) {
  return tier ? render::tier_id(program, *tier) : std::string("(none)");
}

void write_status(std::string& out, const Quote& quote) {
  const Program& program = *quote.program;
  if (quote.tier_before || quote.tier_after || quote.tier_review_at) {
    out += "Tier " + fit(tier_text(program, quote.tier_before), 24) + " -> " +
           fit(tier_text(program, quote.tier_after), 24) + ", next review " +
           time_text(quote.tier_review_at, "(none)") + "\n";
  }
  if (quote.paid_membership_until) {
    out += "Paid membership until " + format_timestamp(*quote.paid_membership_until) + "\n";
  }
  if (quote.company_band) {
    out += "Company band " +
           source_label(program, Source{SourceKind::company, *quote.company_band}) + "\n";
  }
  if (quote.partner) {
    const int exponent = program.currency_exponent;
    out += "Settlement " + fit(render::partner_id(program, *quote.partner), 24) +
           ": partner owes " + format_minor(quote.settlement_partner_owes, exponent) +
           ", owed to partner " + format_minor(quote.settlement_owed_to_partner, exponent) + "\n";
  }
  if (!quote.notes.empty()) out += "Notes\n";
  for (const Note& n : quote.notes) {
    item_row(out, note_code_name(n.code), source_label(program, n.source), std::to_string(n.value));
  }
}

void write_totals(std::string& out, const Quote& quote) {
  const int exponent = quote.program->currency_exponent;
  out += "Totals (" + fit(quote.program->currency, 8) + ")\n";
  total_row(out, "Gross", format_minor(quote.gross_total, exponent));
  total_row(out, "Discount", format_minor(quote.discount_total, exponent));
  total_row(out, "Net", format_minor(quote.net_total, exponent));
  total_row(out, "Paid with points", format_minor(quote.points_tender_total, exponent));
  total_row(out, "Due", format_minor(quote.due_total, exponent));
  out += "Points\n";
  total_row(out, "Available before", std::to_string(quote.available_before.value()));
  total_row(out, "Redeemable at most", std::to_string(quote.redeem_max.value()));
  total_row(out, "Earned", std::to_string(quote.earned_total.value()));
  total_row(out, "Burned", std::to_string(quote.burned_total.value()));
  total_row(out, "Donated", std::to_string(quote.donated_total.value()));
  total_row(out, "Company", std::to_string(quote.company_points_total.value()));
  total_row(out, "Referrer", std::to_string(quote.referrer_points_total.value()));
  if (!quote.identified) return;  // nothing is earned on an anonymous receipt
  total_row(out, "Earned points active from", format_timestamp(quote.earned_active_from));
  total_row(out, "Earned points expire at", time_text(quote.earned_expires_at, "never"));
}

}  // namespace

std::string quote_to_table(const Receipt& receipt, const Quote& quote) {
  LOYALTY_ASSERT(quote.program != nullptr);
  LOYALTY_ASSERT(receipt.lines.size() == quote.lines.size());
  std::string out;
  write_header(out, quote);
  write_column_titles(out);
  for (std::uint32_t i = 0; i < quote.lines.size(); ++i)
    write_line(out, receipt.lines[i], quote, i);
  out.append(table_width, '-');
  out += '\n';
  write_receipt_earns(out, quote);
  write_coupons(out, receipt, quote);
  write_stamps(out, quote);
  write_draws_and_donations(out, quote);
  write_budgets(out, quote);
  write_status(out, quote);
  write_totals(out, quote);
  return out;
}

}  // namespace loyalty
