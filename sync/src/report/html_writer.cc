// Escaping, number texts and the building blocks of the report pages (html_writer.h).

#include "report/html_writer.h"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "loyalty/core/result.h"

namespace loyalty::sync::report {
namespace {

// |value| without overflow, for INT64_MIN too.
std::uint64_t magnitude(std::int64_t value) {
  return value < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(value)
                   : static_cast<std::uint64_t>(value);
}

// value / 10^decimals with exactly `decimals` digits after the point, by integer arithmetic.
std::string fixed_point_text(std::int64_t value, int decimals) {
  LOYALTY_ASSERT(decimals >= 1 && decimals <= 3);
  std::uint64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  const std::uint64_t whole = magnitude(value) / scale;
  std::string fraction = std::to_string(magnitude(value) % scale);
  fraction.insert(0, static_cast<std::size_t>(decimals) - fraction.size(), '0');
  return (value < 0 ? "-" : "") + std::to_string(whole) + "." + fraction;
}

}  // namespace

std::string escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string money_text(std::int64_t minor) { return fixed_point_text(minor, 2); }

std::string basis_points_text(std::int64_t basis_points) {
  return fixed_point_text(basis_points, 2) + " %";
}

std::string milli_text(std::int64_t milli) { return fixed_point_text(milli, 3); }

std::string count_text(std::int64_t count) { return std::to_string(count); }

std::string signed_count_text(std::int64_t count) {
  return (count > 0 ? "+" : "") + std::to_string(count);
}

std::string signed_money_text(std::int64_t minor) {
  return (minor > 0 ? "+" : "") + money_text(minor);
}

Cell number_cell(std::string field, std::string text) {
  return Cell{std::move(text), std::move(field), true};
}

Cell text_cell(std::string field, std::string text) {
  return Cell{std::move(text), std::move(field), false};
}

Cell label_cell(std::string text) { return Cell{std::move(text), "", false}; }

void HtmlWriter::element(std::string_view tag, std::string_view text) {
  out_ += "<" + std::string(tag) + ">" + escaped(text) + "</" + std::string(tag) + ">";
}

void HtmlWriter::definition(std::string_view term, std::string_view text) {
  element("dt", term);
  element("dd", text);
}

void HtmlWriter::cards(const std::vector<Card>& cards) {
  raw("<div class=\"cards\">\n");
  for (const Card& card : cards) {
    raw("<div class=\"card\"><div class=\"card-label\">");
    text(card.label);
    raw("</div><div class=\"card-value\" data-field=\"");
    text(card.field);
    raw("\">");
    text(card.text);
    raw("</div></div>\n");
  }
  raw("</div>\n");
}

void HtmlWriter::cell(std::string_view tag, const Cell& cell) {
  raw("<");
  raw(tag);
  if (cell.numeric) raw(" class=\"num\"");
  if (!cell.field.empty()) {
    raw(" data-field=\"");
    text(cell.field);
    raw("\"");
  }
  raw(">");
  text(cell.text);
  raw("</");
  raw(tag);
  raw(">");
}

void HtmlWriter::table(const Table& table) {
  element("h3", table.caption);
  raw("\n");
  if (table.rows.empty()) {
    raw("<p class=\"no-data\" data-no-data=\"");
    text(table.name);
    raw("\">");
    text(table.empty_note);
    raw("</p>\n");
    return;
  }
  raw("<table data-table=\"");
  text(table.name);
  raw("\">\n<thead><tr>");
  for (const std::string& header : table.headers) element("th", header);
  raw("</tr></thead>\n<tbody>\n");
  for (const std::vector<Cell>& row : table.rows) {
    LOYALTY_ASSERT(row.size() == table.headers.size());
    raw("<tr>");
    for (std::size_t i = 0; i < row.size(); ++i) cell(i == 0 ? "th" : "td", row[i]);
    raw("</tr>\n");
  }
  raw("</tbody>\n</table>\n");
}

void HtmlWriter::chart_figure(std::string_view name, std::string_view title,
                              std::string_view note) {
  raw("<figure class=\"chart\">\n<figcaption>");
  text(title);
  raw("</figcaption>\n");
  if (note.empty()) {
    raw("<div class=\"chart-box\"><canvas data-chart=\"");
    text(name);
    raw("\" role=\"img\" aria-label=\"");
    text(title);
    raw("\"></canvas></div>\n");
  } else {
    raw("<p class=\"no-data\" data-no-data=\"");
    text(name);
    raw("\">");
    text(note);
    raw("</p>\n");
  }
  raw("</figure>\n");
}

}  // namespace loyalty::sync::report
