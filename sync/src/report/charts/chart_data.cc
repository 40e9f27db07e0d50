// The charts' JSON block (chart_data.h).

#include "report/charts/chart_data.h"

#include <string>

#include "loyalty/core/json.h"
#include "loyalty/core/result.h"

namespace loyalty::sync::report {
namespace {

const char* format_name(ValueFormat format) {
  return format == ValueFormat::money ? "money" : "count";
}

void write_axis(json::Writer& w, const Axis& axis) {
  w.begin_object();
  w.key("title");
  w.value(axis.title);
  w.key("format");
  w.value(format_name(axis.format));
  w.end_object();
}

void write_datasets(json::Writer& w, const ChartSpec& chart) {
  w.begin_array();
  for (const Dataset& dataset : chart.datasets) {
    LOYALTY_ASSERT(dataset.data.size() == chart.labels.size());
    LOYALTY_ASSERT(!dataset.second_axis || chart.second_axis.has_value());
    w.begin_object();
    w.key("label");
    w.value(dataset.label);
    w.key("data");
    w.begin_array();
    for (std::int64_t value : dataset.data) w.value(value);
    w.end_array();
    w.key("axis");
    w.value(dataset.second_axis ? "y1" : "y");
    w.key("format");
    w.value(format_name(dataset.format));
    w.end_object();
  }
  w.end_array();
}

void write_chart(json::Writer& w, const ChartSpec& chart) {
  LOYALTY_ASSERT(chart.label_formats.empty() || chart.label_formats.size() == chart.labels.size());
  w.begin_object();
  w.key("name");
  w.value(chart.name);
  w.key("type");
  w.value(chart.kind == ChartKind::line ? "line" : "bar");
  w.key("horizontal");
  w.value(chart.horizontal);
  w.key("stacked");
  w.value(chart.stacked);
  w.key("labels");
  w.begin_array();
  for (const std::string& label : chart.labels) w.value(label);
  w.end_array();
  w.key("datasets");
  write_datasets(w, chart);
  w.key("axes");
  w.begin_object();
  w.key("y");
  write_axis(w, chart.value_axis);
  if (chart.second_axis) {
    w.key("y1");
    write_axis(w, *chart.second_axis);
  }
  w.end_object();
  if (!chart.label_formats.empty()) {
    w.key("label_formats");
    w.begin_array();
    for (ValueFormat format : chart.label_formats) w.value(format_name(format));
    w.end_array();
  }
  w.end_object();
}

// JSON text made safe inside a script element: '<', '>' and '&' occur in JSON only inside
// strings, where their \u escapes mean the same characters.
std::string script_safe(const std::string& json_text) {
  std::string out;
  out.reserve(json_text.size());
  for (char c : json_text) {
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string chart_data_json(const std::vector<ChartSpec>& charts) {
  json::Writer w;
  w.begin_object();
  w.key("charts");
  w.begin_array();
  for (const ChartSpec& chart : charts) write_chart(w, chart);
  w.end_array();
  w.end_object();
  return script_safe(w.take());
}

}  // namespace loyalty::sync::report
