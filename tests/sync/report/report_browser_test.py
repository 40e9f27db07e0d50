#!/usr/bin/python3
"""HQ's report and backtest pages in headless Chromium (labels: sync, browser).

Renders each document with render_page (tests/sync/report/render_page.cc, loyalty::sync's
renderers, Chart.js inlined from Debian's libjs-chart.js), opens the page from file:// in
Chromium through Selenium, and checks:

  1. the page refers to nothing outside itself: no src or href at all, no http(s) URL in an
     attribute, and the browser's console has no error (a script error, a Content-Security-Policy
     violation, a request refused);
  2. exactly the charts the document calls for are on the page, each canvas registered with
     Chart.js (Chart.getChart) and drawn: pixels other than the transparent background, and
     pixels of each dataset's own colour where it has a value other than 0;
  3. each chart's labels and datasets equal the document's numbers, exactly;
  4. every figure the page shows (data-field="path", in the tables, the key-figure cards and the
     header) is the document's value at that path in the page's number format, and every value of
     the document is shown;
  5. charts with nothing to draw are "no data" notes (an empty report made from the fixture),
     and the days chart is drawn for a single day too;
  6. the chart check can fail: on a copy of the report page without one canvas, it fails naming
     the missing chart.

Fixtures: tests/sync/report/fixtures/report.json and backtest.json (3 stores, one of them with an
id that needs escaping, 3 days, 5 rules, 2 budgets). Screenshots of each page go to the output
directory. Every step waits explicitly, and the first one that fails ends the test with a message
naming it.

usage: report_browser_test.py RENDER_PAGE FIXTURES_DIR CHART_JS OUTPUT_DIR
Needs Debian's chromium, chromium-driver, python3-selenium and libjs-chart.js
(scripts/install-deps.sh).
"""

import copy
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback

from selenium.common.exceptions import WebDriverException

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
from headless_chromium import ChromiumError, start_chromium  # noqa: E402

WAIT_S = 30  # each wait in the browser; generous for a loaded 2-core machine
RENDER_S = 30
WINDOW = (1280, 1000)
PALETTE = ["#1f5f8b", "#e07b00", "#2e8b3e", "#b8312f", "#6a4c93", "#7f6b00"]  # page_script.cc
COLOUR_TOLERANCE = 2  # per channel: the inside of a bar or a point is the colour itself
DRAWN_PIXELS_MIN = 500  # axes, ticks and labels alone are more than this
DATASET_PIXELS_MIN = 10
EXTERNAL_ATTRIBUTE = re.compile(r"""(src|href|action)\s*=\s*["']?\s*(https?:)?//""", re.I)


class Failure(Exception):
    """A step that did not do what it should: the message says what and what was seen."""


# --- What the page must show, from the document alone -------------------------------------------

def money_text(minor):
    """Minor units with 2 decimals: 459000 -> "4590.00" (html_writer.h)."""
    return ("-" if minor < 0 else "") + f"{abs(minor) // 100}.{abs(minor) % 100:02d}"


def field_text(document, path, value):
    """The text the page shows for `value` at `path` ("stores.1.points.issued")."""
    keys = path.split(".")
    last, parent = keys[-1], (keys[-2] if len(keys) > 1 else "")
    if isinstance(value, str):
        if keys[0] == "tier_changes" and last in ("actual", "simulated") and value == "":
            return "(entry tier)"
        return value
    money = (last.endswith("_minor") or parent.endswith("_minor") or last == "minor")
    if len(keys) >= 3 and keys[-3] == "budgets" and last == "used":
        money = lookup(document, ".".join(keys[:-1] + ["unit"])) == "money"
    if last == "difference":
        text = money_text(value) if money else str(value)
        return ("+" if value > 0 else "") + text
    if money:
        return money_text(value)
    if last.endswith("_bp"):
        return f"{value // 100}.{value % 100:02d} %"
    if last.endswith("_milli"):
        return f"{value // 1000}.{value % 1000:03d}"
    return str(value)


def lookup(document, path):
    value = document
    for key in path.split("."):
        if isinstance(value, list):
            if not key.isdigit() or int(key) >= len(value):
                raise KeyError(path)
            value = value[int(key)]
        elif isinstance(value, dict) and key in value:
            value = value[key]
        else:
            raise KeyError(path)
    return value


def leaf_paths(value, prefix=""):
    """Every integer and string of the document by its path, but "format" and nulls."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaf_paths(item, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaf_paths(item, f"{prefix}.{index}")
    elif value is not None and prefix != "format":
        yield prefix


def report_charts(report):
    """{name: (labels, {dataset label: data})} for a report (report_charts.cc's charts)."""
    chain, stores, days = report["chain"], report["stores"], report["days"]
    charts = {
        "points_chain": (["Issued", "Redeemed", "Expired", "Donated"],
                         {"Points": [chain["points"][k]
                                     for k in ("issued", "redeemed", "expired", "donated")]}),
        "days": ([d["date"] for d in days],
                 {"Receipts": [d["receipts"] for d in days],
                  "Member receipts": [d["member_receipts"] for d in days],
                  "Points issued": [d["points_issued"] for d in days],
                  "Points redeemed": [d["points_redeemed"] for d in days]}),
    }
    if stores:
        charts["receipts_per_store"] = (
            [s["store_id"] for s in stores],
            {"Members": [s["member_receipts"] for s in stores],
             "Non-members": [s["receipts"] - s["member_receipts"] for s in stores]})
    if chain["top_rules"]:
        charts["top_rules"] = ([r["source"] for r in chain["top_rules"]],
                               {"Cost": [r["cost_minor"] for r in chain["top_rules"]]})
    for unit in ("money", "points"):
        budgets = [b for b in chain["budgets"] if b["unit"] == unit]
        if budgets:
            charts["budgets_" + unit] = ([b["budget"] for b in budgets],
                                         {"Used": [b["used"] for b in budgets]})
    return charts


def backtest_charts(backtest):
    """{name: (labels, {dataset label: data})} for a backtest (backtest_charts.cc's charts)."""
    total, stores, tiers = backtest["total"], backtest["stores"], backtest["tier_changes"]
    measures = ("discount_minor", "points_issued", "points_redeemed", "liability_points")
    charts = {
        "total_measures": (["Discounts", "Points issued", "Points redeemed", "Liability (points)"],
                           {"Actual": [total[m]["actual"] for m in measures],
                            "Simulated": [total[m]["simulated"] for m in measures]}),
    }
    if stores:
        charts["store_differences"] = (
            [s["store_id"] for s in stores],
            {"Discount difference": [s["discount_minor"]["difference"] for s in stores],
             "Points issued difference": [s["points_issued"]["difference"] for s in stores]})
    if tiers["up"] or tiers["down"]:
        charts["tier_changes"] = (["Up", "Down"], {"Customers": [tiers["up"], tiers["down"]]})
    return charts


def one_day_report(report):
    """The fixture cut to its first day: the days chart is still drawn, with one point each."""
    day = copy.deepcopy(report)
    day["to"] = day["from"]
    day["days"] = day["days"][:1]
    return day


def empty_report(report):
    """The fixture without stores, rules and budgets: four charts become notes."""
    empty = copy.deepcopy(report)
    empty["stores"] = []
    empty["chain"]["top_rules"] = []
    empty["chain"]["budgets"] = []
    return empty


# --- In the page --------------------------------------------------------------------------------

# Every canvas: its chart as Chart.js holds it, and what its pixels show.
CHARTS_SCRIPT = """
const palette = arguments[0].map(h => [1, 3, 5].map(i => parseInt(h.slice(i, i + 2), 16)));
const tolerance = arguments[1];
return Array.from(document.querySelectorAll('canvas[data-chart]')).map(canvas => {
  const chart = Chart.getChart(canvas);
  const context = canvas.getContext('2d');
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  const coloured = palette.map(() => 0);
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i + 3] === 0) continue;
    drawn++;
    if (pixels[i + 3] !== 255) continue;
    palette.forEach((rgb, k) => {
      if ([0, 1, 2].every(c => Math.abs(pixels[i + c] - rgb[c]) <= tolerance)) coloured[k]++;
    });
  }
  return {
    name: canvas.dataset.chart,
    registered: chart !== undefined && chart !== null,
    width: canvas.width, height: canvas.height,
    drawn: drawn, coloured: coloured,
    labels: chart ? Array.from(chart.data.labels) : null,
    datasets: chart ? chart.data.datasets.map(d => ({label: d.label, data: Array.from(d.data)}))
                    : null,
    animation: chart ? chart.options.animation : null,
  };
});
"""

FIELDS_SCRIPT = """
return Array.from(document.querySelectorAll('[data-field]'))
    .map(e => [e.getAttribute('data-field'), e.textContent]);
"""


class ReportPagesTest:
    def __init__(self, render_page, fixtures_dir, chart_js, output_dir, work_dir):
        self.render_page = render_page
        self.fixtures_dir = fixtures_dir
        self.chart_js = chart_js
        self.output_dir = output_dir
        self.work_dir = work_dir
        self.step = "setup"
        self.driver = None
        self.screenshots = []

    # --- helpers ---

    def begin(self, step):
        self.step = step
        print(f"report pages test: {step}", flush=True)

    def fail(self, message):
        raise Failure(f"{self.step}: {message}")

    def wait_until(self, what, probe, accept, timeout_s=WAIT_S):
        """Polls probe() until accept(its value); fails naming `what` and the last value seen."""
        deadline = time.monotonic() + timeout_s
        seen = None
        while True:
            try:
                seen = probe()
                if accept(seen):
                    return seen
            except WebDriverException as error:
                seen = f"<{type(error).__name__}: {error.msg}>"
            if time.monotonic() > deadline:
                self.fail(f"timed out after {timeout_s} s waiting for {what}; last seen: {seen!r}")
            time.sleep(0.1)

    def screenshot(self, name):
        path = os.path.join(self.output_dir, name)
        if not self.driver.save_screenshot(path):
            self.fail(f"could not save the screenshot {path}")
        self.screenshots.append(path)

    def render(self, kind, document, name):
        """Writes `document` and renders it with render_page: the page's path."""
        json_path = os.path.join(self.work_dir, name + ".json")
        page_path = os.path.join(self.output_dir, name + ".html")
        with open(json_path, "w") as file:
            json.dump(document, file, indent=2)
        try:
            done = subprocess.run([self.render_page, kind, json_path, self.chart_js, page_path],
                                  capture_output=True, text=True, timeout=RENDER_S)
        except (OSError, subprocess.TimeoutExpired) as error:
            self.fail(f"{self.render_page} did not run: {error}")
        if done.returncode != 0:
            self.fail(f"render_page {kind} exited {done.returncode}: {done.stderr.strip()}")
        return page_path

    def start_browser(self):
        self.begin("start headless Chromium")
        try:
            self.driver = start_chromium(self.work_dir, self.output_dir, WINDOW, WAIT_S)
        except ChromiumError as error:
            self.fail(str(error))

    def open_page(self, page_path, expected_charts):
        """Loads the page and waits until Chart.js holds as many charts as it should."""
        self.driver.get("file://" + page_path)
        self.wait_until(
            f"{expected_charts} charts in Chart.instances",
            lambda: self.driver.execute_script(
                "return document.readyState === 'complete' && typeof Chart === 'function' ? "
                "Object.keys(Chart.instances).length : -1"),
            lambda count: count == expected_charts)
        # Two frames, so that a resize the layout asked for is drawn before the pixels are read.
        self.driver.execute_async_script(
            "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(done));")

    # --- checks ---

    def check_no_external_reference(self, page_path):
        with open(page_path, encoding="utf-8") as file:
            html = file.read()
        match = EXTERNAL_ATTRIBUTE.search(html)
        if match:
            self.fail(f"the page refers outside itself: {html[match.start():match.end() + 40]!r}")
        referring = self.driver.execute_script(
            "return Array.from(document.querySelectorAll('[src],[href],[action]'))"
            ".map(e => e.outerHTML.slice(0, 120));")
        if referring:
            self.fail(f"elements with src, href or action: {referring}")

    def check_console(self):
        errors = [entry for entry in self.driver.get_log("browser")
                  if entry.get("level") == "SEVERE"]
        if errors:
            self.fail("console errors: " + json.dumps(errors, indent=1))

    def check_charts(self, expected):
        """`expected`: {name: (labels, {dataset label: data})}, exactly the page's charts."""
        shown = self.driver.execute_script(CHARTS_SCRIPT, PALETTE, COLOUR_TOLERANCE)
        names = [chart["name"] for chart in shown]
        missing = sorted(set(expected) - set(names))
        unexpected = sorted(set(names) - set(expected))
        if missing or unexpected or len(names) != len(expected):
            self.fail(f"missing charts: {missing}, unexpected charts: {unexpected}; "
                      f"the page has {names}, expected {sorted(expected)}")
        registry = self.driver.execute_script("return Object.keys(Chart.instances).length;")
        if registry != len(expected):
            self.fail(f"Chart.instances holds {registry} charts, expected {len(expected)}")
        for chart in shown:
            self.check_chart(chart, *expected[chart["name"]])

    def check_chart(self, chart, labels, datasets):
        name = chart["name"]
        if not chart["registered"]:
            self.fail(f"chart {name}: its canvas is not registered with Chart.js")
        if chart["animation"] is not False:
            self.fail(f"chart {name}: animation is {chart['animation']!r}, not false")
        if chart["drawn"] < DRAWN_PIXELS_MIN:
            self.fail(f"chart {name}: only {chart['drawn']} pixels drawn on its "
                      f"{chart['width']}x{chart['height']} canvas: it is blank")
        if chart["labels"] != labels:
            self.fail(f"chart {name}: labels {chart['labels']}, expected {labels}")
        shown = {dataset["label"]: dataset["data"] for dataset in chart["datasets"]}
        if shown != datasets or len(chart["datasets"]) != len(datasets):
            self.fail(f"chart {name}: datasets {json.dumps(chart['datasets'])}, "
                      f"expected {json.dumps(datasets)}")
        for index, dataset in enumerate(chart["datasets"]):
            pixels = chart["coloured"][index % len(PALETTE)]
            if any(dataset["data"]) and pixels < DATASET_PIXELS_MIN:
                self.fail(f"chart {name}: dataset {dataset['label']!r} has values but only "
                          f"{pixels} pixels of its colour {PALETTE[index % len(PALETTE)]}")

    def check_fields(self, document):
        shown = self.driver.execute_script(FIELDS_SCRIPT)
        wrong = []
        for path, text in shown:
            try:
                value = lookup(document, path)
            except KeyError:
                wrong.append(f"{path}: no such member in the document (shows {text!r})")
                continue
            expected = field_text(document, path, value)
            if text != expected:
                wrong.append(f"{path}: shows {text!r}, the document's {value!r} is {expected!r}")
        if wrong:
            self.fail(f"{len(wrong)} figures differ from the document:\n  " + "\n  ".join(wrong))
        unshown = sorted(set(leaf_paths(document)) - {path for path, _ in shown})
        if unshown:
            self.fail(f"values of the document the page does not show: {unshown}")

    def check_no_data_notes(self, names):
        notes = self.driver.execute_script(
            "return Array.from(document.querySelectorAll('figure.chart [data-no-data]'))"
            ".map(e => [e.getAttribute('data-no-data'), e.textContent]);")
        noted = sorted(name for name, text in notes if text.startswith("No data: "))
        if noted != sorted(names):
            self.fail(f"no-data notes for {noted}, expected for {sorted(names)}")

    # --- steps ---

    def check_page(self, kind, document, name, expected_charts, no_data=()):
        self.begin(f"{name}: render the {kind} and open it from file://")
        page_path = self.render(kind, document, name)
        self.open_page(page_path, len(expected_charts))
        self.screenshot(name + ".png")
        self.begin(f"{name}: nothing outside the page is referred to, the console is clean")
        self.check_no_external_reference(page_path)
        self.check_console()
        self.begin(f"{name}: exactly the expected charts, drawn, with the document's numbers")
        self.check_charts(expected_charts)
        self.check_no_data_notes(no_data)
        self.begin(f"{name}: every figure shown is the document's")
        self.check_fields(document)
        self.check_console()
        return page_path

    def check_missing_chart_fails(self, page_path, expected_charts):
        self.begin("the chart check fails on a page without the top_rules canvas")
        with open(page_path, encoding="utf-8") as file:
            html = file.read()
        canvas = '<canvas data-chart="top_rules" role="img" aria-label="'
        if html.count(canvas) != 1:
            self.fail(f"the report page has {html.count(canvas)} top_rules canvases, not 1")
        tampered = os.path.join(self.output_dir, "report-without-top-rules.html")
        with open(tampered, "w", encoding="utf-8") as file:
            file.write(html.replace(canvas, '<canvas data-removed="top_rules" aria-label="'))
        self.driver.get("file://" + tampered)
        self.driver.get_log("browser")  # the page script's error for the missing canvas
        step = self.step
        try:
            self.check_charts(expected_charts)
        except Failure as failure:
            if "missing charts: ['top_rules']" not in str(failure):
                self.fail(f"the check failed, but not naming top_rules: {failure}")
            self.step = step
            return
        self.fail("the check passed on a page without the top_rules chart")

    def run(self):
        with open(os.path.join(self.fixtures_dir, "report.json"), encoding="utf-8") as file:
            report = json.load(file)
        with open(os.path.join(self.fixtures_dir, "backtest.json"), encoding="utf-8") as file:
            backtest = json.load(file)
        self.start_browser()
        report_charts_expected = report_charts(report)
        if len(report_charts_expected) != 6:
            self.fail(f"the report fixture should call for 6 charts, it calls for "
                      f"{sorted(report_charts_expected)}")
        report_page = self.check_page("report", report, "report", report_charts_expected)
        backtest_charts_expected = backtest_charts(backtest)
        if len(backtest_charts_expected) != 3:
            self.fail(f"the backtest fixture should call for 3 charts, it calls for "
                      f"{sorted(backtest_charts_expected)}")
        self.check_page("backtest", backtest, "backtest", backtest_charts_expected)
        empty = empty_report(report)
        self.check_page("report", empty, "report-empty", report_charts(empty),
                        no_data=("receipts_per_store", "top_rules", "budgets_money",
                                 "budgets_points"))
        one_day = one_day_report(report)
        self.check_page("report", one_day, "report-one-day", report_charts(one_day))
        self.check_missing_chart_fails(report_page, report_charts_expected)

    # --- teardown ---

    def diagnose(self):
        """What a failure needs to be understood: a screenshot and the console."""
        if self.driver is None:
            return
        try:
            self.screenshot("report-failure.png")
            for entry in self.driver.get_log("browser"):
                print(f"browser console: {entry.get('level')}: {entry.get('message')}",
                      file=sys.stderr)
        except (WebDriverException, Failure) as error:
            print(f"(no screenshot: {error})", file=sys.stderr)

    def close(self):
        if self.driver is not None:
            try:
                self.driver.quit()
            except WebDriverException:
                pass
            self.driver = None


def main(argv):
    if len(argv) != 5:
        print("usage: report_browser_test.py RENDER_PAGE FIXTURES_DIR CHART_JS OUTPUT_DIR",
              file=sys.stderr)
        return 2
    render_page, fixtures_dir, chart_js, output_dir = argv[1:]
    if not os.access(render_page, os.X_OK):
        print(f"FAIL: {render_page} is not an executable: build the loyalty_render_page target "
              "first", file=sys.stderr)
        return 1
    if not os.path.isfile(chart_js):
        print(f"FAIL: {chart_js} is missing: install Debian's libjs-chart.js", file=sys.stderr)
        return 1
    return run_test(lambda work_dir: ReportPagesTest(render_page, fixtures_dir, chart_js,
                                                     output_dir, work_dir),
                    output_dir, "HQ's report pages")


def run_test(make_test, output_dir, what):
    """Runs make_test(work_dir).run() in a fresh work directory: 0 when it passed, 1 with the
    failing step, the screenshot and the console when it did not."""
    os.makedirs(output_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="loyalty-report-") as work_dir:
        test = make_test(work_dir)
        try:
            test.run()
        except Exception as error:  # a Failure, or a step that broke: name it, show the state
            detail = str(error) if isinstance(error, Failure) else (
                f"{test.step}: {traceback.format_exc()}")
            print(f"FAIL: {detail}", file=sys.stderr)
            test.diagnose()
            return 1
        finally:
            test.close()
    print(f"PASS: {what}, screenshots: " + " ".join(test.screenshots))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
