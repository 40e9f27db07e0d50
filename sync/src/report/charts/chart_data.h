// The charts of a report page as data: what each chart shows (labels, datasets of integers,
// axes), written as the JSON block the page's script (page_script.h) turns into Chart.js charts.
// The page never builds JavaScript from document text: names and numbers travel as JSON.
// Private to sync/src/report.
//
// The block's JSON, inside <script type="application/json" id="chart-data">:
//   {"charts": [{"name": "receipts_per_store", "type": "bar" | "line",
//                "horizontal": false, "stacked": true,
//                "labels": ["FM014", ...],
//                "datasets": [{"label": "Members", "data": [80, ...], "axis": "y" | "y1",
//                              "format": "count" | "money"}],
//                "axes": {"y": {"title": "receipts", "format": "count" | "money"},
//                         "y1": {...}},                       y1 (on the right) is optional
//                "label_formats": ["money", "count", ...]}]}  optional: per label, for tooltips,
//                                                             instead of the datasets' format
// Every '<', '>' and '&' in it is written as \u003c, \u003e, \u0026, so no text in it can end
// the script element ("</script>") or start a comment.
//
// Thread-safety: plain values and a pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loyalty::sync::report {

enum class ChartKind { bar, line };
enum class ValueFormat { count, money };  // money: minor units, shown with 2 decimals

struct Dataset {
  std::string label;
  std::vector<std::int64_t> data;           // one per label
  bool second_axis = false;                 // drawn against y1
  ValueFormat format = ValueFormat::count;  // of its values in tooltips
};

struct Axis {
  std::string title;
  ValueFormat format = ValueFormat::count;
};

struct ChartSpec {
  std::string name;  // the canvas's data-chart; [a-z_]+
  ChartKind kind = ChartKind::bar;
  bool horizontal = false;  // bars along x, labels on y
  bool stacked = false;
  std::vector<std::string> labels;
  std::vector<Dataset> datasets;
  Axis value_axis;
  std::optional<Axis> second_axis;         // y1, for datasets with second_axis
  std::vector<ValueFormat> label_formats;  // empty, or one per label
};

// The JSON block's text for `charts`, escaped for a <script type="application/json">.
std::string chart_data_json(const std::vector<ChartSpec>& charts);

}  // namespace loyalty::sync::report
