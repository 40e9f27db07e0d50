// What the report and the backtest pages share: HTML escaping, the exact text of numbers, and the
// page's building blocks (key-figure cards, tables, chart figures, "no data" notes). Private to
// sync/src/report.
//
// Text from a document (store ids, rule names, reasons) only ever reaches the page through
// HtmlWriter::text() or a Cell, both escaped; raw() takes the renderer's own markup literals.
// Numbers are formatted by integer division and modulo, never through floating point.
//
// Ownership: an HtmlWriter owns the page it writes; take() hands it over. Thread-safety: none,
// one HtmlWriter per page; the free functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loyalty::sync::report {

// `text` escaped for HTML text and attribute values: & < > " ' as character references.
std::string escaped(std::string_view text);

// Money in minor units with 2 decimals: 459000 -> "4590.00", -5 -> "-0.05".
std::string money_text(std::int64_t minor);
// Basis points as a percentage with 2 decimals: 6667 -> "66.67 %".
std::string basis_points_text(std::int64_t basis_points);
// A value x1000 with 3 decimals: 2000 -> "2.000", 1500 -> "1.500".
std::string milli_text(std::int64_t milli);
// An integer: 12345 -> "12345", -3 -> "-3".
std::string count_text(std::int64_t count);
// A signed integer with its sign: 200 -> "+200", -3 -> "-3", 0 -> "0".
std::string signed_count_text(std::int64_t count);
// As money_text with a sign: 200 -> "+2.00".
std::string signed_money_text(std::int64_t minor);
// What a missing figure (null) shows.
inline constexpr std::string_view none_text = "\u2014";

// One cell of a table: the text shown and, for a value from the document, its data-field path
// ("stores.1.points.issued"), which the browser test compares with the document.
struct Cell {
  std::string text;
  std::string field;  // "" for a label of the renderer's own
  bool numeric = false;
};
Cell number_cell(std::string field, std::string text);
Cell text_cell(std::string field, std::string text);
Cell label_cell(std::string text);

struct Table {
  std::string name;     // data-table="name"
  std::string caption;  // shown above the table
  std::vector<std::string> headers;
  std::vector<std::vector<Cell>> rows;
  std::string empty_note;  // shown instead of the table when it has no rows
};

// A key figure: a label, the value's text and its data-field path.
struct Card {
  std::string label;
  std::string text;
  std::string field;
};

class HtmlWriter {
 public:
  // The renderer's own markup, written as given.
  void raw(std::string_view html) { out_ += html; }
  // Text from anywhere, escaped.
  void text(std::string_view text) { out_ += escaped(text); }
  // <tag>text</tag>, the text escaped; `tag` is the renderer's own.
  void element(std::string_view tag, std::string_view text);
  void definition(std::string_view term, std::string_view text);  // <dt>..</dt><dd>..</dd>

  void cards(const std::vector<Card>& cards);
  // The table, or its empty_note as a "no data" paragraph when it has no rows.
  void table(const Table& table);
  // A chart's figure with its canvas (data-chart="name"), or a "no data" note in its place
  // (data-no-data="name") when `note` is not empty.
  void chart_figure(std::string_view name, std::string_view title, std::string_view note);

  std::string take() { return std::move(out_); }

 private:
  void cell(std::string_view tag, const Cell& cell);
  std::string out_;
};

}  // namespace loyalty::sync::report
