// HQ's report and backtest pages (loyalty/sync/report_html.h): escaping of document text in the
// markup and in the charts' JSON block, the schema's refusals with their exact messages, the
// inlined Chart.js, no external reference, the exact number texts, "no data" notes for empty
// documents, and the Chart.js file's errors. The pages in a real browser:
// report_browser_test.py.

#include "loyalty/sync/report_html.h"

#include <catch2/catch.hpp>
#include <cstddef>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/json.h"

namespace loyalty::sync {
namespace {

// A stand-in for Chart.js: the renderer inlines any script it can.
const std::string fake_chart_js = "/* fake Chart.js */ window.Chart = function () {};";

// A report with two stores and two days; the second store's id and a rule's name need escaping.
const std::string report_json = R"({
  "format": "loyalty-hq-report-v1",
  "from": "2026-12-05", "to": "2026-12-06", "time_zone": "Europe/Berlin",
  "generated_at": "2026-12-08T02:00:00Z", "currency": "EUR",
  "point_value": {"minor": 1, "points": 1},
  "chain": {
    "receipts": 120, "member_receipts": 80, "loyalty_share_bp": 6667,
    "average_check_minor": {"members": 459000, "non_members": 5},
    "members": 40, "visits_per_member_milli": 2000,
    "points": {"issued": 900, "redeemed": 100, "expired": 20, "donated": 5},
    "liability": {"change_points": -775, "end_points": 12345},
    "overdrafts": {"opened_points": 12, "end_points": 40},
    "top_rules": [{"source": "rule:<script>alert('r')</script>", "discount_minor": 3250,
                   "points": 0, "cost_minor": 3250, "receipts": 40}],
    "budgets": [{"budget": "autumn-serum-money", "unit": "money", "period": "campaign",
                 "used": 500},
                {"budget": "weekend-points", "unit": "points", "period": "2026-12", "used": 700}]
  },
  "stores": [
    {"store_id": "FM014", "receipts": 70, "member_receipts": 50, "loyalty_share_bp": 7143,
     "average_check_minor": {"members": 4590, "non_members": 2310},
     "members": 25, "visits_per_member_milli": 1500,
     "points": {"issued": 600, "redeemed": 60, "expired": 20, "donated": 5},
     "liability": {"change_points": 515, "end_points": null},
     "overdrafts": {"opened_points": 12, "end_points": null},
     "top_rules": [], "budgets": []},
    {"store_id": "FM<script>&\"'", "receipts": 50, "member_receipts": 30,
     "loyalty_share_bp": 6000,
     "average_check_minor": {"members": 4000, "non_members": 2000},
     "members": 15, "visits_per_member_milli": 2000,
     "points": {"issued": 300, "redeemed": 40, "expired": 0, "donated": 0},
     "liability": {"change_points": 260, "end_points": null},
     "overdrafts": {"opened_points": 0, "end_points": null},
     "top_rules": [], "budgets": []}
  ],
  "days": [
    {"date": "2026-12-05", "receipts": 70, "member_receipts": 45, "points_issued": 500,
     "points_redeemed": 60},
    {"date": "2026-12-06", "receipts": 50, "member_receipts": 35, "points_issued": 400,
     "points_redeemed": 40}
  ]
})";

const std::string backtest_json = R"({
  "format": "loyalty-hq-backtest-v1",
  "program": {"id": "fm-next", "version": 4},
  "from": "2026-12-05", "to": "2026-12-07", "time_zone": "UTC",
  "stores_filter": [],
  "receipts": 1000, "identified": 700,
  "skipped": [{"reason": "payload </script> & <b>", "count": 3}],
  "total": {"receipts": 400,
            "discount_minor": {"actual": 1000, "simulated": 1200, "difference": 200},
            "points_issued": {"actual": 900, "simulated": 850, "difference": -50},
            "points_redeemed": {"actual": 100, "simulated": 100, "difference": 0},
            "liability_points": {"actual": 5000, "simulated": 5100, "difference": 100},
            "tier_changes": 5},
  "stores": [{"store_id": "FM014", "receipts": 400,
              "discount_minor": {"actual": 1000, "simulated": 1200, "difference": 200},
              "points_issued": {"actual": 900, "simulated": 850, "difference": -50},
              "points_redeemed": {"actual": 100, "simulated": 100, "difference": 0},
              "liability_points": {"actual": 5000, "simulated": 5100, "difference": 100},
              "tier_changes": 5}],
  "tier_changes": {"count": 12, "up": 8, "down": 4,
                   "customers": [{"pseudonym": "ps1_abc", "actual": "", "simulated": "gold"}]},
  "elapsed_ms": 1234, "threads": 2
})";

// `text` with its one occurrence of `from` replaced by `to`.
std::string replaced(const std::string& text, std::string_view from, std::string_view to) {
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  REQUIRE(text.find(from, at + 1) == std::string::npos);
  std::string out = text;
  out.replace(at, from.size(), to);
  return out;
}

std::size_t count_of(std::string_view text, std::string_view needle) {
  std::size_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

std::string report_page(const std::string& json) {
  Result<std::string> page = render_report_html(json, fake_chart_js);
  if (!page.ok()) FAIL(page.error().message);
  return *page;
}

std::string backtest_page(const std::string& json) {
  Result<std::string> page = render_backtest_html(json, fake_chart_js);
  if (!page.ok()) FAIL(page.error().message);
  return *page;
}

// The charts' JSON block, parsed.
json::Value chart_data(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"chart-data\">";
  const std::size_t begin = page.find(open);
  REQUIRE(begin != std::string::npos);
  const std::size_t end = page.find("</script>", begin);
  REQUIRE(end != std::string::npos);
  Result<json::Value> data =
      json::parse(std::string_view(page).substr(begin + open.size(), end - begin - open.size()));
  REQUIRE(data.ok());
  return *data;
}

std::vector<std::string> chart_names(const json::Value& data) {
  std::vector<std::string> names;
  for (const json::Value& chart : data.find("charts")->as_array()) {
    names.push_back(chart.find("name")->as_string());
  }
  return names;
}

const json::Value& chart(const json::Value& data, std::string_view name) {
  for (const json::Value& chart : data.find("charts")->as_array()) {
    if (chart.find("name")->as_string() == name) return chart;
  }
  FAIL("no chart " << name);
  return data;
}

std::vector<std::string> strings(const json::Value& array) {
  std::vector<std::string> out;
  for (const json::Value& item : array.as_array()) out.push_back(item.as_string());
  return out;
}

std::vector<std::int64_t> integers(const json::Value& array) {
  std::vector<std::int64_t> out;
  for (const json::Value& item : array.as_array()) out.push_back(item.as_int());
  return out;
}

void require_refused(const Result<std::string>& page, std::string_view message) {
  REQUIRE_FALSE(page.ok());
  CHECK(page.error().code == ErrorCode::invalid_argument);
  CHECK(page.error().message == message);
}

}  // namespace

TEST_CASE("report page escapes store ids and rule names in its markup", "[report]") {
  const std::string page = report_page(report_json);
  CHECK(page.find("FM&lt;script&gt;&amp;&quot;&#39;") != std::string::npos);
  CHECK(page.find("rule:&lt;script&gt;alert(&#39;r&#39;)&lt;/script&gt;") != std::string::npos);
  CHECK(page.find("FM<script>") == std::string::npos);
  CHECK(page.find("<script>alert") == std::string::npos);
  // Three script elements (the JSON block, Chart.js, the page's script) and no other.
  CHECK(count_of(page, "<script") == 3);
  CHECK(count_of(page, "</script") == 3);
}

TEST_CASE("report page's JSON block escapes every angle bracket and keeps the text", "[report]") {
  const std::string page = report_page(report_json);
  CHECK(page.find(R"("FM\u003cscript\u003e\u0026\"'")") != std::string::npos);
  CHECK(page.find(R"("rule:\u003cscript\u003ealert('r')\u003c/script\u003e")") !=
        std::string::npos);
  const json::Value data = chart_data(page);
  CHECK(strings(*chart(data, "receipts_per_store").find("labels")) ==
        std::vector<std::string>{"FM014", "FM<script>&\"'"});
  CHECK(strings(*chart(data, "top_rules").find("labels")) ==
        std::vector<std::string>{"rule:<script>alert('r')</script>"});
}

TEST_CASE("backtest page escapes reasons in its markup and its JSON block", "[report]") {
  const std::string page = backtest_page(backtest_json);
  CHECK(page.find("payload &lt;/script&gt; &amp; &lt;b&gt;") != std::string::npos);
  CHECK(page.find("payload </script>") == std::string::npos);
  CHECK(count_of(page, "</script") == 3);
  CHECK(chart_names(chart_data(page)) ==
        std::vector<std::string>{"total_measures", "store_differences", "tier_changes"});
}

TEST_CASE("report page's charts hold the document's numbers", "[report]") {
  const json::Value data = chart_data(report_page(report_json));
  CHECK(chart_names(data) == std::vector<std::string>{"receipts_per_store", "points_chain",
                                                      "top_rules", "budgets_money",
                                                      "budgets_points", "days"});
  const json::Value& receipts = chart(data, "receipts_per_store");
  CHECK(receipts.find("stacked")->as_bool());
  const auto& stacks = receipts.find("datasets")->as_array();
  REQUIRE(stacks.size() == 2);
  CHECK(integers(*stacks[0].find("data")) == std::vector<std::int64_t>{50, 30});
  CHECK(integers(*stacks[1].find("data")) == std::vector<std::int64_t>{20, 20});
  const auto& points = chart(data, "points_chain").find("datasets")->as_array();
  CHECK(integers(*points[0].find("data")) == std::vector<std::int64_t>{900, 100, 20, 5});
  CHECK(chart(data, "top_rules").find("horizontal")->as_bool());
  const auto& money = chart(data, "budgets_money").find("datasets")->as_array();
  CHECK(integers(*money[0].find("data")) == std::vector<std::int64_t>{500});
  const auto& days = chart(data, "days");
  CHECK(days.find("type")->as_string() == "line");
  CHECK(strings(*days.find("labels")) == std::vector<std::string>{"2026-12-05", "2026-12-06"});
  CHECK(integers(*days.find("datasets")->as_array()[2].find("data")) ==
        std::vector<std::int64_t>{500, 400});
}

TEST_CASE("report page shows money, shares and ratios by integer arithmetic", "[report]") {
  const std::string page = report_page(report_json);
  const auto cell = [&](std::string_view field, std::string_view text) {
    return page.find(" data-field=\"" + std::string(field) + "\">" + std::string(text) + "</") !=
           std::string::npos;
  };
  CHECK(cell("chain.average_check_minor.members", "4590.00"));
  CHECK(cell("chain.average_check_minor.non_members", "0.05"));
  CHECK(cell("stores.0.average_check_minor.members", "45.90"));
  CHECK(cell("chain.loyalty_share_bp", "66.67 %"));
  CHECK(cell("stores.0.loyalty_share_bp", "71.43 %"));
  CHECK(cell("stores.1.loyalty_share_bp", "60.00 %"));
  CHECK(cell("chain.visits_per_member_milli", "2.000"));
  CHECK(cell("stores.0.visits_per_member_milli", "1.500"));
  CHECK(cell("chain.liability.change_points", "-775"));
  CHECK(cell("chain.liability.end_points", "12345"));
  CHECK(cell("chain.budgets.0.used", "5.00"));  // a money budget
  CHECK(cell("chain.budgets.1.used", "700"));   // a points budget
  CHECK(cell("chain.top_rules.0.cost_minor", "32.50"));
  CHECK(cell("point_value.minor", "0.01"));
  CHECK(cell("stores.1.store_id", "FM&lt;script&gt;&amp;&quot;&#39;"));
}

TEST_CASE("backtest page shows differences with their sign", "[report]") {
  const std::string page = backtest_page(backtest_json);
  const auto cell = [&](std::string_view field, std::string_view text) {
    return page.find(" data-field=\"" + std::string(field) + "\">" + std::string(text) + "</") !=
           std::string::npos;
  };
  CHECK(cell("total.discount_minor.actual", "10.00"));
  CHECK(cell("total.discount_minor.difference", "+2.00"));
  CHECK(cell("total.points_issued.difference", "-50"));
  CHECK(cell("total.points_redeemed.difference", "0"));
  CHECK(cell("stores.0.liability_points.simulated", "5100"));
  CHECK(cell("tier_changes.customers.0.actual", "(entry tier)"));
  CHECK(cell("tier_changes.up", "8"));
}

TEST_CASE("backtest page shows the refunds a document counts beside the comparison", "[report]") {
  CHECK(backtest_page(backtest_json).find("data-table=\"refunds\"") == std::string::npos);
  const std::string refunds =
      R"(, "refunds": {"count": 2, "points_reversed": 120, "points_restored": 40,
                      "money_refund_minor": 2599}})";
  std::string json = replaced(backtest_json, R"("tier_changes": 5},
  "stores")",
                              std::string(R"("tier_changes": 5)") + refunds + R"(,
  "stores")");
  json = replaced(json, R"("tier_changes": 5}],)",
                  std::string(R"("tier_changes": 5)") + refunds + "],");
  const std::string page = backtest_page(json);
  const auto cell = [&](std::string_view field, std::string_view text) {
    return page.find(" data-field=\"" + std::string(field) + "\">" + std::string(text) + "</") !=
           std::string::npos;
  };
  CHECK(cell("total.refunds.count", "2"));
  CHECK(cell("total.refunds.money_refund_minor", "25.99"));
  CHECK(cell("stores.0.refunds.points_reversed", "120"));
  CHECK(cell("stores.0.refunds.points_restored", "40"));
  require_refused(render_backtest_html(replaced(json, R"("points_restored": 40,
                      "money_refund_minor": 2599}}],)",
                                                R"("points_restored": 40}}],)"),
                                       fake_chart_js),
                  "backtest: stores[0].refunds.money_refund_minor is missing");
}

TEST_CASE("report without a single currency names none in its money headers", "[report]") {
  CHECK(report_page(report_json).find("<th>Average check, members (EUR)</th>") !=
        std::string::npos);
  const std::string page =
      report_page(replaced(report_json, R"("currency": "EUR")", R"("currency": "")"));
  CHECK(page.find("<th>Average check, members</th>") != std::string::npos);
  CHECK(page.find("<span data-field=\"currency\"></span>several or none") != std::string::npos);
  CHECK(page.find("(EUR)") == std::string::npos);
  require_refused(
      render_report_html(replaced(report_json, R"("currency": "EUR")", R"("currency": "eur")"),
                         fake_chart_js),
      "report: currency must be \"\" or an ISO 4217 code such as \"EUR\", got \"eur\"");
}

TEST_CASE("report page inlines the Chart.js text verbatim once", "[report]") {
  const std::string page = report_page(report_json);
  CHECK(count_of(page, fake_chart_js) == 1);
  CHECK(page.find("<script>" + fake_chart_js + "</script>") != std::string::npos);
  CHECK(count_of(backtest_page(backtest_json), fake_chart_js) == 1);
}

TEST_CASE("report page with Debian's Chart.js inlines it and refers to nothing outside",
          "[report]") {
  Result<std::string> chart_js = load_chart_js(std::string(chart_js_default_path));
  if (!chart_js.ok()) FAIL(chart_js.error().message);
  CHECK(chart_js->find("Chart.js v") != std::string::npos);
  for (const std::string& json : {report_json, backtest_json}) {
    Result<std::string> page = json == report_json ? render_report_html(json, *chart_js)
                                                   : render_backtest_html(json, *chart_js);
    REQUIRE(page.ok());
    CHECK(count_of(*page, *chart_js) == 1);
    const std::regex external(R"((src|href|action)\s*=\s*["']?\s*(https?:)?//)", std::regex::icase);
    CHECK_FALSE(std::regex_search(*page, external));
    CHECK(page->find("default-src 'none'") != std::string::npos);
  }
}

TEST_CASE("report page has no URL, src or href of its own", "[report]") {
  for (const std::string& page : {report_page(report_json), backtest_page(backtest_json)}) {
    CHECK(page.find("http://") == std::string::npos);
    CHECK(page.find("https://") == std::string::npos);
    CHECK(page.find("src=") == std::string::npos);
    CHECK(page.find("href=") == std::string::npos);
    CHECK(page.find("@import") == std::string::npos);
    CHECK(page.find("url(") == std::string::npos);
  }
}

TEST_CASE("report with a wrong format is refused with the exact message", "[report]") {
  require_refused(render_report_html(
                      replaced(report_json, "\"loyalty-hq-report-v1\"", "\"loyalty-hq-report-v2\""),
                      fake_chart_js),
                  "report: format must be \"loyalty-hq-report-v1\", got \"loyalty-hq-report-v2\"");
  require_refused(render_report_html(backtest_json, fake_chart_js),
                  "report: format must be \"loyalty-hq-report-v1\", got "
                  "\"loyalty-hq-backtest-v1\"");
  require_refused(render_backtest_html(report_json, fake_chart_js),
                  "backtest: format must be \"loyalty-hq-backtest-v1\", got "
                  "\"loyalty-hq-report-v1\"");
}

TEST_CASE("report with a missing member is refused naming it", "[report]") {
  require_refused(render_report_html(replaced(report_json, R"(, "expired": 20, "donated": 5},
    "liability": {"change_points": -775)",
                                              R"(, "expired": 20},
    "liability": {"change_points": -775)"),
                                     fake_chart_js),
                  "report: chain.points.donated is missing");
  require_refused(
      render_report_html(replaced(report_json, R"("members": 15, )", ""), fake_chart_js),
      "report: stores[1].members is missing");
  require_refused(render_report_html(replaced(report_json, R"("time_zone": "Europe/Berlin",)", ""),
                                     fake_chart_js),
                  "report: time_zone is missing");
  require_refused(
      render_backtest_html(replaced(backtest_json, R"("elapsed_ms": 1234, )", ""), fake_chart_js),
      "backtest: elapsed_ms is missing");
}

TEST_CASE("report with a wrong type, a negative count or an unknown member is refused",
          "[report]") {
  require_refused(
      render_report_html(replaced(report_json, R"("receipts": 70, "member_receipts": 50)",
                                  R"("receipts": "70", "member_receipts": 50)"),
                         fake_chart_js),
      "report: stores[0].receipts must be an integer, got string");
  require_refused(render_report_html(replaced(report_json, R"("issued": 900)", R"("issued": -5)"),
                                     fake_chart_js),
                  "report: chain.points.issued must be between 0 and 1000000000000, got -5");
  require_refused(render_report_html(replaced(report_json, R"("loyalty_share_bp": 6667)",
                                              R"("loyalty_share_bp": 10001)"),
                                     fake_chart_js),
                  "report: chain.loyalty_share_bp must be between 0 and 10000, got 10001");
  require_refused(
      render_report_html(replaced(report_json, R"("receipts": 120, "member_receipts": 80)",
                                  R"("receipts": 120, "member_receipts": 121)"),
                         fake_chart_js),
      "report: chain.member_receipts must be between 0 and 120, got 121");
  require_refused(render_report_html(replaced(report_json, R"("time_zone": "Europe/Berlin",)",
                                              R"("time_zone": "Europe/Berlin", "extra": 1,)"),
                                     fake_chart_js),
                  "report: the document has an unknown member \"extra\" (expected format, from, "
                  "to, time_zone, generated_at, currency, point_value, chain, stores, days)");
  require_refused(
      render_report_html(
          replaced(report_json, R"("liability": {"change_points": 515, "end_points": null})",
                   R"("liability": {"change_points": 515, "end_points": 7})"),
          fake_chart_js),
      "report: stores[0].liability.end_points must be null, got integer");
  require_refused(
      render_report_html(replaced(report_json, R"("unit": "points")", R"("unit": "stamps")"),
                         fake_chart_js),
      "report: chain.budgets[1].unit must be \"money\" or \"points\", got \"stamps\"");
  require_refused(render_backtest_html(replaced(backtest_json, R"("count": 3)", R"("count": -3)"),
                                       fake_chart_js),
                  "backtest: skipped[0].count must be between 0 and 1000000000000, got -3");
}

TEST_CASE("report whose days do not cover its range is refused", "[report]") {
  require_refused(
      render_report_html(
          replaced(report_json, R"({"date": "2026-12-06")", R"({"date": "2026-12-07")"),
          fake_chart_js),
      "report: days[1].date must be 2026-12-06 (every day from..to in order), got 2026-12-07");
  require_refused(
      render_report_html(replaced(report_json, R"("to": "2026-12-06")", R"("to": "2026-12-08")"),
                         fake_chart_js),
      "report: days must have one item for each of the 4 days from..to, got 2");
  require_refused(
      render_report_html(replaced(report_json, R"("to": "2026-12-06")", R"("to": "2026-12-04")"),
                         fake_chart_js),
      "report: to must not be before from (2026-12-05)");
}

TEST_CASE("backtest whose difference is not simulated - actual is refused", "[report]") {
  require_refused(
      render_backtest_html(replaced(backtest_json,
                                    R"("receipts": 400,
            "discount_minor": {"actual": 1000, "simulated": 1200, "difference": 200})",
                                    R"("receipts": 400,
            "discount_minor": {"actual": 1000, "simulated": 1200, "difference": 20})"),
                           fake_chart_js),
      "backtest: total.discount_minor.difference must be simulated - actual (200), got 20");
}

TEST_CASE("text that is no JSON is a parse error naming the document", "[report]") {
  Result<std::string> page = render_report_html("{\"format\": ", fake_chart_js);
  REQUIRE_FALSE(page.ok());
  CHECK(page.error().code == ErrorCode::parse_error);
  CHECK(page.error().message.rfind("report: not a JSON document: line 1, column ", 0) == 0);
}

TEST_CASE("report without stores, rules or budgets shows no-data notes, still a days chart",
          "[report]") {
  std::string json = report_json;
  json = replaced(json,
                  json.substr(json.find("\"stores\": ["),
                              json.find("\"days\": [") - json.find("\"stores\": [")),
                  "\"stores\": [],\n  ");
  json = replaced(json,
                  json.substr(json.find("\"top_rules\": [{"),
                              json.find("\"budgets\": [{") - json.find("\"top_rules\": [{")),
                  "\"top_rules\": [],\n    ");
  json = replaced(json,
                  json.substr(json.find("\"budgets\": [{"),
                              json.find("]\n  },") + 1 - json.find("\"budgets\": [{")),
                  "\"budgets\": []");
  const std::string page = report_page(json);
  for (std::string_view name :
       {"receipts_per_store", "top_rules", "budgets_money", "budgets_points"}) {
    CAPTURE(name);
    CHECK(page.find("<p class=\"no-data\" data-no-data=\"" + std::string(name) + "\">No data: ") !=
          std::string::npos);
    CHECK(page.find("data-chart=\"" + std::string(name) + "\"") == std::string::npos);
  }
  CHECK(page.find("data-no-data=\"stores\">No data: the report has no stores.</p>") !=
        std::string::npos);
  CHECK(page.find("<canvas data-chart=\"days\"") != std::string::npos);
  CHECK(page.find("<canvas data-chart=\"points_chain\"") != std::string::npos);
  CHECK(chart_names(chart_data(page)) == std::vector<std::string>{"points_chain", "days"});
}

TEST_CASE("report of one day still draws its days chart", "[report]") {
  std::string json = replaced(report_json, R"("to": "2026-12-06")", R"("to": "2026-12-05")");
  json = replaced(json, R"(,
    {"date": "2026-12-06", "receipts": 50, "member_receipts": 35, "points_issued": 400,
     "points_redeemed": 40})",
                  "");
  const json::Value data = chart_data(report_page(json));
  CHECK(strings(*chart(data, "days").find("labels")) == std::vector<std::string>{"2026-12-05"});
}

TEST_CASE("backtest without stores or tier changes shows no-data notes", "[report]") {
  std::string json = backtest_json;
  json = replaced(json,
                  json.substr(json.find("\"stores\": [{"),
                              json.find("\"tier_changes\": {") - json.find("\"stores\": [{")),
                  "\"stores\": [],\n  ");
  json = replaced(json, R"("count": 12, "up": 8, "down": 4)", R"("count": 0, "up": 0, "down": 0)");
  json = replaced(json, R"([{"pseudonym": "ps1_abc", "actual": "", "simulated": "gold"}])", "[]");
  const std::string page = backtest_page(json);
  CHECK(page.find("data-no-data=\"store_differences\">No data: the backtest has no stores.</p>") !=
        std::string::npos);
  CHECK(page.find("data-no-data=\"tier_changes\">No data: no customer&#39;s tier would "
                  "change.</p>") != std::string::npos);
  CHECK(chart_names(chart_data(page)) == std::vector<std::string>{"total_measures"});
}

TEST_CASE("a missing Chart.js file is not_found naming the path and the package", "[report]") {
  Result<std::string> chart_js = load_chart_js("/nonexistent/chart.js/chart.min.js");
  REQUIRE_FALSE(chart_js.ok());
  CHECK(chart_js.error().code == ErrorCode::not_found);
  CHECK(chart_js.error().message ==
        "/nonexistent/chart.js/chart.min.js: Chart.js is missing (Chart.js comes with Debian's "
        "libjs-chart.js: apt-get install libjs-chart.js)");
}

TEST_CASE("a Chart.js text that would end its script element is refused", "[report]") {
  require_refused(render_report_html(report_json, "var a = '</SCRIPT>';"),
                  "Chart.js: the script contains \"</script\", which would break the <script> "
                  "element it is inlined into");
  require_refused(render_backtest_html(backtest_json, "<!-- x"),
                  "Chart.js: the script contains \"<!--\", which would break the <script> "
                  "element it is inlined into");
  require_refused(render_report_html(report_json, ""), "Chart.js: the script is empty");
}

}  // namespace loyalty::sync
