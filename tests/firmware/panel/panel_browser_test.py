#!/usr/bin/python3
"""The till panel end to end, in headless Chromium (labels: firmware, browser).

Runs the built loyaltyd with a pty as its one reader (a serial MSR), opens the cashier's view
(/panel/) and the customer-facing view (/panel/customer) in Chromium through Selenium, and checks
what they show as the till works:

  1. the reader online and the offline badge (no sync with HQ);
  2. a swipe that is no loyalty card: the cashier is warned;
  3. a swipe of the loyalty card 2900000000018 (";2900000000018?" and CR, as a serial MSR sends
     it): the customer's card number and a balance of 0, the warning gone;
  4. a receipt committed through the POS API: the balance the API reports, the receipt
     "committed", its totals and the offers with their rules' descriptions, live;
  5. the customer view: the masked card, the same balance and offers, and the full card number
     nowhere in its page;
  6. requests and WebSockets from a foreign Origin refused (403), the panel's own accepted;
  7. the pages' Content-Security-Policy, and the browser's console clean (no script error, no
     policy violation);
  8. the pty's master closed: the reader shown as no longer online;
  9. SIGTERM: loyaltyd exits 0 and the page says the connection is lost;
 10. loyaltyd started again: the page reconnects by itself and shows the new daemon's state
     (nobody at the till, the reader offline since its pty is gone); SIGTERM again, exit 0.

Screenshots of each view go to the output directory. Every step waits explicitly, with a
generous timeout, and the first one that fails ends the test with a message naming it (and the
daemon's log).

usage: panel_browser_test.py LOYALTYD SOURCE_DIR OUTPUT_DIR
Needs Debian's chromium, chromium-driver and python3-selenium (scripts/install-deps.sh).
"""

import base64
import hashlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
from headless_chromium import ChromiumError, start_chromium  # noqa: E402

CARD = "2900000000018"  # prefix 29, 13 digits, GS1 mod-10 check digit: grocery.json's loyalty range
CARD_SWIPE = b";" + CARD.encode() + b"?\r"  # track 2 alone, then CR, as a serial MSR sends it
NOT_A_CARD_SWIPE = b";12345?\r"  # a readable track 2 that names no card of the programme
MASKED_CARD = "\u2022\u2022\u2022\u2022 " + CARD[-4:]  # mask_card_number() in panel.cc
FOREIGN_ORIGIN = "http://evil.example"

WAIT_S = 30  # each wait in the browser or on the daemon; generous for a loaded 2-core machine
START_S = 60  # loyaltyd's start, the ledger created
STOP_S = 30
WINDOW = (1280, 1000)


class Failure(Exception):
    """A step that did not do what it should: the message says what and what was seen."""


class Unseen:
    """What a probe saw when it could not see the thing yet (an error, no socket)."""

    def __init__(self, why):
        self.why = why

    def __repr__(self):
        return f"<{self.why}>"


# --- Formats the pages use (panel.js) ----------------------------------------------------------

def points_text(value):
    """format_points() of panel.js: 12345 -> "12,345", negative with U+2212."""
    return ("\u2212" if value < 0 else "") + f"{abs(value):,}"


def money_text(minor, currency=None):
    """format_money() of panel.js: 10160 -> "101.60" ("101.60 EUR")."""
    magnitude = abs(minor)
    text = ("\u2212" if minor < 0 else "") + f"{magnitude // 100:,}.{magnitude % 100:02d}"
    return f"{text} {currency}" if currency else text


def expected_offers(quote, bundle, currency):
    """The offers panel.cc derives from a quote: by rule id, with the rule's description."""
    offers = {}

    def add(entries, discount):
        for entry in entries or []:
            source = entry.get("source", "")
            if not source.startswith("rule:"):
                continue
            offer = offers.setdefault(source[5:], {"discount_minor": 0, "points": 0})
            offer["discount_minor" if discount else "points"] += (
                entry["amount_minor"] if discount else entry["points"])

    for line in quote.get("lines", []):
        add(line.get("discounts"), True)
        add(line.get("earns"), False)
    add(quote.get("receipt_earns"), False)
    descriptions = {rule["id"]: rule.get("description") or rule["id"] for rule in bundle["rules"]}
    result = []
    for rule_id in sorted(offers):
        offer = offers[rule_id]
        parts = []
        if offer["discount_minor"] > 0:
            parts.append("\u2212" + money_text(offer["discount_minor"], currency))
        if offer["points"] > 0:
            parts.append("+" + points_text(offer["points"]) + " pts")
        result.append({"rule": rule_id, "description": descriptions.get(rule_id, rule_id),
                       "value": " \u00b7 ".join(parts)})
    return result


# --- The POS API over its Unix socket -----------------------------------------------------------

class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP/1.1 over an AF_UNIX stream socket (the POS API's api.socket)."""

    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


def free_port():
    """A loopback port nobody listens on now (bound, then released for loyaltyd)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def toml_string(text):
    return json.dumps(text)  # a JSON string of these paths is a TOML basic string


# --- The test --------------------------------------------------------------------------------

class PanelTest:
    def __init__(self, loyaltyd, source_dir, output_dir, work_dir):
        self.loyaltyd = loyaltyd
        self.source_dir = source_dir
        self.output_dir = output_dir
        self.work_dir = work_dir
        self.step = "setup"
        self.daemon = None
        self.daemon_log_path = os.path.join(output_dir, "loyaltyd.log")
        open(self.daemon_log_path, "wb").close()  # this run's daemons only (appended to)
        self.driver = None
        self.master = None
        self.slave = None
        self.token = secrets.token_urlsafe(32)
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.socket_path = os.path.join(work_dir, "api.sock")
        self.screenshots = []
        self.start_sync = "offline"  # /v1/health's sync right after start (None: not checked)
        self.bundle_path = os.path.join(source_dir, "examples/programs/grocery.json")
        with open(self.bundle_path) as file:
            self.bundle = json.load(file)

    # --- helpers ---

    def begin(self, step):
        self.step = step
        print(f"panel test: {step}", flush=True)

    def fail(self, message):
        raise Failure(f"{self.step}: {message}")

    def wait_until(self, what, probe, accept, timeout_s=WAIT_S):
        """Polls probe() until accept(its value); fails naming `what` and the last value seen."""
        deadline = time.monotonic() + timeout_s
        seen = None
        while True:
            try:
                seen = probe()
            except (WebDriverException, OSError, http.client.HTTPException) as error:
                seen = Unseen(f"{type(error).__name__}: {error}")
            if not isinstance(seen, Unseen) and accept(seen):
                return seen
            if self.daemon is not None and self.daemon.poll() is not None:
                self.fail(f"loyaltyd exited ({self.daemon.returncode}) while waiting for {what}")
            if time.monotonic() >= deadline:
                self.fail(f"{what}: not seen within {timeout_s} s; last seen: {seen!r}")
            time.sleep(0.1)

    def api(self, method, path, body=None, timeout_s=WAIT_S):
        connection = UnixHTTPConnection(self.socket_path, timeout_s)
        headers = {"Authorization": f"Bearer {self.token}"}
        payload = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            payload = json.dumps(body)
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            return response.status, response.read().decode()
        finally:
            connection.close()

    def api_json(self, method, path, body=None, expect_status=200):
        status, text = self.api(method, path, body)
        if status != expect_status:
            self.fail(f"{method} {path}: HTTP {status} (expected {expect_status}): {text}")
        return json.loads(text)

    def panel_request(self, path, headers):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT_S)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            connection.close()

    def shown_text(self, selector):
        """The textContent of the first element matching `selector`, None when it is not shown."""
        elements = self.driver.find_elements(By.CSS_SELECTOR, selector)
        if not elements or not elements[0].is_displayed():
            return None
        return elements[0].get_attribute("textContent")

    def wait_text(self, selector, expected, what):
        self.wait_until(f"{what} ({selector} showing {expected!r})",
                        lambda: self.shown_text(selector), lambda text: text == expected)

    def readers_shown(self):
        return self.driver.execute_script(
            "return Array.from(document.querySelectorAll('#reader-list > li')).map(li => ({"
            "id: li.dataset.readerId, status: li.dataset.status,"
            "status_text: li.querySelector('.reader-status').textContent,"
            "reason: (li.querySelector('.reader-reason') || {}).textContent || ''}));")

    def offers_shown(self):
        return self.driver.execute_script(
            "return Array.from(document.querySelectorAll('#offer-list > li')).map(li => ({"
            "rule: li.dataset.rule || null,"
            "description: li.querySelector('.offer-description').textContent,"
            "value: li.querySelector('.offer-value').textContent}));")

    def screenshot(self, name):
        path = os.path.join(self.output_dir, name)
        if not self.driver.save_screenshot(path):
            self.fail(f"the screenshot {path} could not be written")
        self.screenshots.append(path)
        print(f"panel test: screenshot {path}", flush=True)

    # --- setup ---

    def write_config(self):
        state_dir = os.path.join(self.work_dir, "state")
        os.mkdir(state_dir, 0o700)
        token_file = os.path.join(self.work_dir, "api-token")
        descriptor = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(self.token + "\n")
        self.master, self.slave = os.openpty()
        self.slave_path = os.ttyname(self.slave)
        config = "\n".join([
            "[terminal]",
            'id = "till-panel-test"',
            'store_id = "fm-014"',
            f"state_directory = {toml_string(state_dir)}",
            "[program]",
            f"bundle = {toml_string(self.bundle_path)}",
            "[api]",
            f"socket = {toml_string(self.socket_path)}",
            f"token_file = {toml_string(token_file)}",
            "[panel]",
            f"directory = {toml_string(os.path.join(self.source_dir, 'firmware/panel'))}",
            "[readers]",
            "hotplug = false",
            "[[readers.devices]]",
            f"node = {toml_string(self.slave_path)}",
            'kind = "msr"',
            'transport = "serial"',
            "[log]",
            'sink = "stderr"',
            'level = "debug"',
            "",
        ])
        self.config_path = os.path.join(self.work_dir, "loyaltyd.toml")
        with open(self.config_path, "w") as file:
            file.write(config)

    def start_daemon(self, step):
        self.begin(step)
        log = open(self.daemon_log_path, "ab")
        try:
            self.daemon = subprocess.Popen(
                [self.loyaltyd, "--config", self.config_path,
                 "--set", f"panel.listen=127.0.0.1:{self.port}"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        finally:
            log.close()

        def health():
            if not os.path.exists(self.socket_path):
                return Unseen("no socket yet")
            return self.api("GET", "/v1/health", timeout_s=5)

        status, text = self.wait_until("GET /v1/health answering 200 on " + self.socket_path,
                                       health, lambda reply: reply[0] == 200, START_S)
        reply = json.loads(text)
        if self.start_sync is not None and reply.get("sync") != self.start_sync:
            self.fail(f"/v1/health: expected sync {self.start_sync!r}, got {text}")
        if reply.get("readers") != 1:
            self.fail(f"/v1/health: expected 1 reader, got {text}")

    def start_browser(self):
        self.begin("start headless Chromium")
        try:
            self.driver = start_chromium(self.work_dir, self.output_dir, WINDOW, WAIT_S)
        except ChromiumError as error:
            self.fail(str(error))

    # --- steps ---

    def check_reader_online_and_offline_badge(self):
        self.begin("the cashier's view shows the pty reader online and the offline badge")
        self.driver.get(self.origin + "/panel/")
        self.cashier_window = self.driver.current_window_handle
        reader_id = "serial:" + self.slave_path
        self.wait_until(f"the reader list showing {reader_id} online",
                        self.readers_shown,
                        lambda shown: shown == [{"id": reader_id, "status": "online",
                                                 "status_text": "Online", "reason": ""}])
        self.wait_text("#offline-badge", "Offline: not syncing with HQ", "the offline badge")
        self.wait_text("#connection", "Live", "the connection state")
        if self.shown_text("#customer-empty") is None:
            self.fail("no customer yet, but #customer-empty is not shown")
        self.screenshot("panel-cashier-idle.png")
        # The reader is open and reading: our copy of the slave side is no longer needed.
        os.close(self.slave)
        self.slave = None

    def swipe_not_a_card(self):
        self.begin("a swipe that names no loyalty card warns the cashier")
        os.write(self.master, NOT_A_CARD_SWIPE)
        self.wait_text("#scan-notice", "The last scan is not a loyalty card of this programme.",
                       "the scan notice")
        if self.shown_text("#customer-card") is not None:
            self.fail("a customer is shown after a swipe that names none")

    def swipe_card(self):
        self.begin(f"a swipe of the loyalty card {CARD} identifies the customer")
        os.write(self.master, CARD_SWIPE)
        self.wait_text("#customer-card", CARD, "the customer's card number")
        self.wait_text("#balance-available", "0", "the available balance")
        self.wait_until("the scan notice gone", lambda: self.shown_text("#scan-notice"),
                        lambda text: text is None)
        balance = self.api_json("GET", f"/v1/customers/{CARD}/balance")
        if balance["available"] != 0:
            self.fail(f"a new card should have 0 points available; the API says {balance}")
        for selector, expected in (("#balance-posted", "0"), ("#balance-held", "0"),
                                   ("#customer-member", "Not enrolled"),
                                   ("#customer-tier", "Member")):
            self.wait_text(selector, expected, selector)
        if self.shown_text("#customer-blocked") is not None:
            self.fail("#customer-blocked is shown for a card that is not blocked")

    def commit_receipt(self):
        self.begin("a receipt committed through the POS API updates the view live")
        with open(os.path.join(self.source_dir, "examples/receipts/grocery/basket-120.json")) as f:
            receipt = json.load(f)
        receipt_id = receipt["receipt_id"]
        committed = self.api_json("POST", f"/v1/receipts/{receipt_id}/commit",
                                  {"customer_id": CARD, "receipt": receipt}, expect_status=201)
        if committed["state"] != "committed":
            self.fail(f"the commit reply's state is {committed['state']!r}")
        quote = committed["quote"]
        balance = self.api_json("GET", f"/v1/customers/{CARD}/balance")
        # The page shows "available" (posted less held); the activation delay of the programme
        # (earn.activation) is the API's to apply, so the page is held to the API's figure.
        self.available = balance["available"]
        if quote["points"]["earned"] <= 0:
            self.fail(f"basket-120 should earn points; the quote says {quote['points']}")
        self.wait_text("#balance-available", points_text(self.available),
                       "the balance the API reports")
        self.wait_text("#balance-posted", points_text(balance["posted"]), "the posted points")
        self.wait_text("#balance-held", points_text(balance["pending"]), "the held points")
        self.wait_text("#receipt-state", "committed", "the receipt's state")
        self.wait_text("#receipt-id", receipt_id, "the receipt's id")
        currency = quote["currency"]
        totals = quote["totals"]
        self.wait_text("#receipt-due", money_text(totals["due_minor"], currency), "the amount due")
        self.wait_text("#receipt-gross", money_text(totals["gross_minor"], currency), "the gross")
        self.wait_text("#receipt-earned", points_text(quote["points"]["earned"]),
                       "the points earned")
        self.wait_text("#receipt-burned", points_text(quote["points"]["burned"]),
                       "the points burned")
        self.offers = expected_offers(quote, self.bundle, currency)
        # The customer's state names no currency: its amounts are shown without one.
        self.customer_offers = [dict(offer, rule=None)
                                for offer in expected_offers(quote, self.bundle, None)]
        if not self.offers:
            self.fail(f"basket-120's quote gave no rule anything: {json.dumps(quote)}")
        self.wait_until(f"the offers {self.offers}", self.offers_shown,
                        lambda shown: shown == self.offers)
        self.screenshot("panel-cashier.png")

    def check_customer_view(self):
        self.begin("the customer view shows the masked card and no card number")
        self.driver.switch_to.new_window("window")
        self.driver.set_window_size(*WINDOW)
        self.driver.get(self.origin + "/panel/customer")
        self.wait_text("#customer-card", MASKED_CARD, "the masked card")
        self.wait_text("#balance-available", points_text(self.available), "the balance")
        self.wait_text("#receipt-state", "Thank you for shopping with us!", "the receipt message")
        self.wait_until(f"the offers {self.customer_offers}", self.offers_shown,
                        lambda shown: shown == self.customer_offers)
        source = self.driver.page_source
        if CARD in source:
            self.fail(f"the full card number {CARD} is in the customer view's page source")
        for cashier_only in ("reader-list", "offline-badge", "receipt-id", "balance-posted"):
            if self.driver.find_elements(By.ID, cashier_only):
                self.fail(f"the customer view has #{cashier_only}, a cashier's detail")
        status, _, text = self.panel_request("/panel/customer/state", {})
        if status != 200 or CARD in text or self.slave_path in text:
            self.fail(f"/panel/customer/state: HTTP {status}, with the card or a reader: {text}")
        self.screenshot("panel-customer.png")
        self.driver.close()
        self.driver.switch_to.window(self.cashier_window)

    def check_origins(self):
        self.begin("requests and WebSockets from a foreign Origin are refused with 403")
        status, headers, text = self.panel_request("/panel/state", {"Origin": FOREIGN_ORIGIN})
        if status != 403 or json.loads(text).get("type") != "urn:loyalty:problem:forbidden-origin":
            self.fail(f"GET /panel/state from {FOREIGN_ORIGIN}: HTTP {status}: {text}")
        if any(name.lower().startswith("access-control-") for name in headers):
            self.fail(f"the refusal carries CORS headers: {headers}")
        status, _, text = self.panel_request("/panel/state", {"Origin": self.origin})
        if status != 200 or json.loads(text)["customer"]["customer_id"] != CARD:
            self.fail(f"GET /panel/state from the panel's own origin: HTTP {status}: {text}")
        for path in ("/panel/events", "/panel/customer/events"):
            status, _ = self.websocket_upgrade(path, FOREIGN_ORIGIN)
            if status != 403:
                self.fail(f"a WebSocket on {path} from {FOREIGN_ORIGIN}: HTTP {status}, not 403")
            status, accept_ok = self.websocket_upgrade(path, f"http://localhost:{self.port}")
            if status != 101 or not accept_ok:
                self.fail(f"a WebSocket on {path} from the panel's own origin: HTTP {status}"
                          f"{'' if accept_ok else ', wrong Sec-WebSocket-Accept'}")

    def websocket_upgrade(self, path, origin):
        """A raw RFC 6455 upgrade request: (status, whether Sec-WebSocket-Accept is right)."""
        key = base64.b64encode(secrets.token_bytes(16)).decode()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT_S)
        try:
            connection.request("GET", path, headers={
                "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                "Sec-WebSocket-Key": key, "Origin": origin})
            response = connection.getresponse()
            digest = hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()
            accept = response.getheader("Sec-WebSocket-Accept")
            return response.status, accept == base64.b64encode(digest).decode()
        finally:
            connection.close()

    def check_page_policy(self):
        self.begin("the pages carry the Content-Security-Policy; the script writes no HTML")
        policy = (f"default-src 'self'; connect-src 'self' ws://127.0.0.1:{self.port} "
                  f"ws://localhost:{self.port}; img-src 'self' data:; frame-ancestors 'none'")
        for path in ("/panel/", "/panel/customer", "/panel/panel.js", "/panel/panel.css"):
            status, headers, _ = self.panel_request(path, {})
            if status != 200 or headers.get("Content-Security-Policy") != policy:
                self.fail(f"GET {path}: HTTP {status}, Content-Security-Policy "
                          f"{headers.get('Content-Security-Policy')!r}, expected {policy!r}")
        # Data reaches the page through textContent only: nothing parses it as markup.
        with open(os.path.join(self.source_dir, "firmware/panel/panel.js")) as file:
            script = file.read()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            if sink in script:
                self.fail(f"firmware/panel/panel.js uses {sink}: set text with textContent")

    def check_console(self):
        self.begin("the browser's console has no error (scripts, Content-Security-Policy)")
        errors = [entry for entry in self.driver.get_log("browser")
                  if entry.get("level") == "SEVERE"]
        if errors:
            self.fail("console errors: " + json.dumps(errors, indent=1))

    def lose_reader(self):
        self.begin("the pty's master closed: the reader is no longer online")
        os.close(self.master)
        self.master = None
        shown = self.wait_until(
            "the reader shown as not online (gone or offline) with a reason, after the "
            "serial reader's offline error",
            self.readers_shown,
            lambda shown: len(shown) == 1 and shown[0]["status"] in ("gone", "offline")
            and shown[0]["reason"] != "")
        print(f"panel test: reader now {shown[0]['status']}: {shown[0]['reason']}", flush=True)
        self.screenshot("panel-cashier-reader-lost.png")

    def stop_daemon(self):
        self.daemon.send_signal(signal.SIGTERM)
        try:
            status = self.daemon.wait(STOP_S)
        except subprocess.TimeoutExpired:
            self.fail(f"loyaltyd still running {STOP_S} s after SIGTERM")
        self.daemon = None
        if status != 0:
            self.fail(f"loyaltyd exited with {status} after SIGTERM, not 0")

    def lose_connection(self):
        self.begin("SIGTERM stops loyaltyd with exit status 0; the page shows the connection lost")
        self.stop_daemon()
        self.wait_text("#connection", "Connection lost", "the connection state")
        if self.shown_text("#connection-lost") is None:
            self.fail("#connection-lost is not shown after loyaltyd stopped")
        self.screenshot("panel-cashier-connection-lost.png")

    def reconnect(self):
        self.start_daemon("loyaltyd started again: the page reconnects by itself")
        self.wait_text("#connection", "Live", "the connection state")
        if self.shown_text("#connection-lost") is not None:
            self.fail("#connection-lost is still shown once the page is live again")
        # A new daemon has nobody at the till, and cannot open the pty that is gone.
        self.wait_until("no customer", lambda: self.shown_text("#customer-empty"),
                        lambda text: text is not None)
        self.wait_until(
            "the configured reader offline with a reason", self.readers_shown,
            lambda shown: len(shown) == 1 and shown[0]["status"] == "offline"
            and shown[0]["reason"] != "")
        self.begin("SIGTERM stops the second loyaltyd with exit status 0")
        self.stop_daemon()

    def run(self):
        self.write_config()
        self.start_daemon(f"start loyaltyd (panel on 127.0.0.1:{self.port}, "
                          f"reader {self.slave_path})")
        self.start_browser()
        self.check_reader_online_and_offline_badge()
        self.swipe_not_a_card()
        self.swipe_card()
        self.commit_receipt()
        self.check_customer_view()
        self.check_origins()
        self.check_page_policy()
        self.check_console()
        self.lose_reader()
        self.lose_connection()
        self.reconnect()

    # --- teardown ---

    def diagnose(self):
        """What a failure needs to be understood: a screenshot, the console, the daemon's log."""
        if self.driver is not None:
            try:
                self.screenshot("panel-failure.png")
                for entry in self.driver.get_log("browser"):
                    print(f"browser console: {entry.get('level')}: {entry.get('message')}",
                          file=sys.stderr)
            except (WebDriverException, Failure) as error:
                print(f"(no screenshot: {error})", file=sys.stderr)
        try:
            with open(self.daemon_log_path, errors="replace") as file:
                log = file.read()
        except OSError:
            log = "(none)"
        print(f"--- loyaltyd's log ({self.daemon_log_path}) ---\n{log}--- end of log ---",
              file=sys.stderr)

    def close(self):
        if self.driver is not None:
            try:
                self.driver.quit()
            except WebDriverException:
                pass
            self.driver = None
        if self.daemon is not None:
            if self.daemon.poll() is None:
                self.daemon.kill()
            self.daemon.wait()
            self.daemon = None
        for descriptor in (self.master, self.slave):
            if descriptor is not None:
                os.close(descriptor)
        self.master = self.slave = None


def main(argv):
    if len(argv) != 4:
        print("usage: panel_browser_test.py LOYALTYD SOURCE_DIR OUTPUT_DIR", file=sys.stderr)
        return 2
    loyaltyd, source_dir, output_dir = argv[1:]
    if not os.access(loyaltyd, os.X_OK):
        print(f"FAIL: {loyaltyd} is not an executable: build the loyaltyd target first",
              file=sys.stderr)
        return 1
    return run_test(lambda work_dir: PanelTest(loyaltyd, source_dir, output_dir, work_dir),
                    output_dir, "the till panel")


def run_test(make_test, output_dir, what):
    """Runs make_test(work_dir).run() in a fresh work directory: 0 when it passed, 1 with the
    failing step, the screenshots and the logs when it did not."""
    os.makedirs(output_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="loyalty-panel-") as work_dir:
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
