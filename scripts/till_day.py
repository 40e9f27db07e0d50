#!/usr/bin/python3
"""A scripted till day through loyaltyd, the way a cash register drives it.

Starts loyaltyd on a temporary state directory (embedded SQLite ledger) with a replayed barcode
scanner on a pty, waits until /v1/health answers, and drives a day of receipts through the POS
API over the Unix socket: the week before (so members have points to spend), then the day itself
with enrolments at the till, cards scanned on the reader or typed by the cashier, earning,
burning and coupons, a tier upgrade, a held redemption that is cancelled, a return, and the
floor limit of an offline terminal. It follows the event stream as a POS would, shows progress,
and ends with a summary table and the ledger check.

Standard library only: run it with /usr/bin/python3 (scripts/demo.sh does).

With --hq BUILD/sync/loyalty-hq it also runs the chain's HQ on embedded SQLite: `loyalty-hq
init` makes its state (development CA, keys), the till gets its own client certificate, and
loyaltyd syncs the day to HQ over mutual TLS. HQ is stopped for a stretch of the day (the till
keeps selling, offline) and started again; the till catches up, and the summary sets HQ's totals
beside the till's.

  till_day.py --loyaltyd BUILD/firmware/loyaltyd --loyaltyctl BUILD/firmware/loyaltyctl
              [--hq BUILD/sync/loyalty-hq] [--receipts 300] [--seed 7] [--keep DIR]
              [--screenshot FILE]
"""

import argparse
import base64
import datetime
import glob
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROGRAM = os.path.join(ROOT, "examples", "programs", "grocery.json")
TOKEN = "till-day-token-" + "0123456789abcdef" * 2
STORE = "fm-014"
TERMINAL = "FM014-T2"
ZONE = "Europe/Berlin"


def fail(message):
    print("till day: " + message, file=sys.stderr)
    sys.exit(1)


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=30):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


class Api:
    """The POS side of the API: one kept-alive connection, every call timed."""

    def __init__(self, path):
        self.path = path
        self.connection = UnixHTTPConnection(path)
        self.latencies_ms = {}

    def call(self, method, target, body=None):
        headers = {"Authorization": "Bearer " + TOKEN}
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            try:
                start = time.perf_counter()
                self.connection.request(method, target, body=data, headers=headers)
                reply = self.connection.getresponse()
                text = reply.read()
                elapsed = (time.perf_counter() - start) * 1000
                name = target.split("/")[2] if target.count("/") >= 2 else target
                if name == "receipts":
                    name = target.rsplit("/", 1)[-1]
                self.latencies_ms.setdefault(name, []).append(elapsed)
                return reply.status, json.loads(text) if text else None
            except (ConnectionError, http.client.HTTPException):
                # The daemon closed an idle connection: open a new one and send it again (every
                # write is idempotent by its id).
                self.connection.close()
                self.connection = UnixHTTPConnection(self.path)
        fail(method + " " + target + ": no reply")

    def ok(self, method, target, body=None, expect=(200, 201)):
        status, reply = self.call(method, target, body)
        if status not in expect:
            fail("%s %s: %d %s" % (method, target, status, json.dumps(reply)))
        return reply


class EventStream:
    """A minimal RFC 6455 client of /v1/events: reads the server's text frames."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(("GET /v1/events HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                           "Sec-WebSocket-Version: 13\r\nAuthorization: Bearer %s\r\n\r\n"
                           % (key, TOKEN)).encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                fail("the event stream closed during its handshake")
            self.buffer += chunk
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 101"):
            fail("the event stream was refused: " + head.decode(errors="replace"))
        self.sock.setblocking(False)
        self.counts = {}
        self.closed = False
        self.fragments = b""

    def drain(self):
        """Counts every complete message that arrived so far, by type."""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    self.closed = True
                    break
                self.buffer += chunk
        except BlockingIOError:
            pass
        while len(self.buffer) >= 2:
            length = self.buffer[1] & 0x7F
            offset = 2
            if length == 126:
                if len(self.buffer) < 4:
                    return
                length = struct.unpack(">H", self.buffer[2:4])[0]
                offset = 4
            elif length == 127:
                if len(self.buffer) < 10:
                    return
                length = struct.unpack(">Q", self.buffer[2:10])[0]
                offset = 10
            if len(self.buffer) < offset + length:
                return
            final = self.buffer[0] & 0x80
            opcode = self.buffer[0] & 0x0F
            payload = self.buffer[offset:offset + length]
            self.buffer = self.buffer[offset + length:]
            if opcode in (0, 1):  # a text message, or a continuation of one
                self.fragments += payload
                if final:
                    kind = json.loads(self.fragments).get("type", "?")
                    self.counts[kind] = self.counts.get(kind, 0) + 1
                    self.fragments = b""


def gs1_card(serial):
    digits = "29" + "%010d" % serial
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(digits)))
    return digits + str((10 - total % 10) % 10)


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def catalogue():
    """The SKUs of the sample receipts, with their categories and prices."""
    items = {}
    for path in glob.glob(os.path.join(ROOT, "examples", "receipts", "grocery", "*.json")):
        with open(path) as file:
            for line in json.load(file)["lines"]:
                if "reward_id" in line or line.get("voided"):
                    continue
                items[line["sku"]] = (line.get("category", ""), line["unit_price_minor"])
    return sorted(items.items())


def basket(rng, items, receipt_id, lines_min=2, lines_max=9, big=False, scale=8):
    chosen = rng.sample(items, rng.randint(lines_min, min(lines_max, len(items))))
    lines = []
    for sku, (category, price) in chosen:
        quantity = rng.randint(1, 3) * (scale if big else 1)
        lines.append({"sku": sku, "category": category, "unit_price_minor": price,
                      "quantity": quantity})
    return {"receipt_id": receipt_id, "store_id": STORE, "currency": "EUR", "lines": lines}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def camera_frames(state):
    """Recorded camera frames: a customer holds their card's barcode up to the till's camera.
    Made with zint and ImageMagick where they are installed; None otherwise."""
    if not (shutil.which("zint") and shutil.which("convert")):
        return None
    frames = os.path.join(state, "camera")
    os.makedirs(frames, exist_ok=True)
    card = os.path.join(state, "card.png")
    subprocess.run(["zint", "-b", "13", "-d", gs1_card(100)[:12], "--scale=2", "-o", card],
                   check=True, capture_output=True)
    blank = ["convert", "-size", "640x480", "xc:gray(92%)", "-colorspace", "Gray"]
    framed = ["convert", "-size", "640x480", "xc:gray(92%)", card, "-gravity", "center",
              "-rotate", "0", "-composite", "-colorspace", "Gray", "-blur", "0x0.6"]
    for n in range(12):
        target = os.path.join(frames, "%02d.png" % n)
        command = framed if 3 <= n < 7 else blank
        subprocess.run(command + [target], check=True, capture_output=True)
    return frames


class Hq:
    """loyalty-hq on its embedded SQLite store, in <state>/hq, serving on a loopback port."""

    def __init__(self, binary, state):
        self.binary = binary
        self.dir = os.path.join(state, "hq")
        self.tls = os.path.join(state, "tls")
        self.port = 0
        self.process = None
        self.log = open(os.path.join(state, "loyalty-hq.log"), "a")
        self.run("init", "--server-name", "127.0.0.1")
        self.run("ca", "issue", "--store", STORE, "--terminal", TERMINAL, "--out", self.tls)

    def run(self, *command):
        done = subprocess.run([self.binary] + list(command) + ["--dir", self.dir],
                              capture_output=True, text=True)
        if done.returncode != 0:
            fail("loyalty-hq %s: %s" % (" ".join(command), done.stderr.strip()))
        return json.loads(done.stdout) if done.stdout.strip().startswith("{") else None

    def start(self):
        port_file = os.path.join(self.dir, "serve.port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        self.process = subprocess.Popen(
            [self.binary, "serve", "--dir", self.dir, "--listen", "127.0.0.1:%d" % self.port],
            stdout=self.log, stderr=self.log)
        for _ in range(500):
            if self.process.poll() is not None:
                fail("loyalty-hq serve exited with %d (see %s)" % (self.process.returncode,
                                                                   self.log.name))
            if os.path.exists(port_file):
                text = open(port_file).read().strip()
                if text:
                    self.port = int(text)
                    return
            time.sleep(0.02)
        fail("loyalty-hq serve did not listen within 10 s (see %s)" % self.log.name)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
            if self.process.returncode != 0:
                fail("loyalty-hq serve exited with %d" % self.process.returncode)
        self.process = None

    def sync_config(self):
        return ('[sync]\nhq = "127.0.0.1:%d"\ncertificate = "%s/terminal.crt"\n'
                'private_key = "%s/terminal.key"\nca = "%s/hq/server/ca.crt"\n'
                'trickle_ms = 200\nbackoff_initial_ms = 100\nbackoff_max_ms = 1000\n'
                'long_poll_ms = 5000\n'
                '[[sync.trusted_keys]]\nid = "k1"\nfile = "%s/keys/bundle-k1.pub"\n'
                % (self.port, self.tls, self.tls, os.path.dirname(self.dir), self.dir))


def wait_for_sync(api, what, done, timeout=60):
    """Polls /v1/health until done(sync_detail) holds; returns the detail."""
    deadline = time.monotonic() + timeout
    detail = None
    while time.monotonic() < deadline:
        detail = api.ok("GET", "/v1/health").get("sync_detail")
        if detail and done(detail):
            return detail
        time.sleep(0.05)
    fail("%s: not within %d s; the sync status is %s" % (what, timeout, json.dumps(detail)))


def start_daemon(args, state, hq=None):
    master, slave = os.openpty()
    os.set_blocking(master, True)
    with open(os.path.join(state, "token"), "w") as file:
        file.write(TOKEN + "\n")
    os.chmod(os.path.join(state, "token"), 0o600)
    port = free_port()
    config = os.path.join(state, "loyaltyd.toml")
    with open(config, "w") as file:
        file.write('[terminal]\nid = "%s"\nstore_id = "%s"\nstate_directory = "%s"\n'
                   'time_zone = "%s"\n' % (TERMINAL, STORE, state, ZONE))
        file.write('[program]\nbundle = "%s"\n' % PROGRAM)
        file.write('[api]\nsocket = "%s/api.sock"\ntoken_file = "%s/token"\n' % (state, state))
        file.write('[panel]\nenabled = %s\nlisten = "127.0.0.1:%d"\n'
                   % ("false" if args.no_panel else "true", port))
        file.write('[readers]\nhotplug = false\n[[readers.devices]]\nnode = "%s"\n'
                   'kind = "scanner"\ntransport = "serial"\n' % os.ttyname(slave))
        frames = None if args.no_camera else camera_frames(state)
        if frames:
            file.write('[[readers.cameras]]\nid = "counter"\nrecorded = "%s"\n'
                       'frames_per_second = 8\nloop = false\n' % frames)
        if hq:
            file.write(hq.sync_config())
        file.write('[log]\nlevel = "warning"\nsink = "stderr"\n')
    log = open(os.path.join(state, "loyaltyd.log"), "w")
    started = time.perf_counter()
    daemon = subprocess.Popen([args.loyaltyd, "--config", config], stdout=log, stderr=log)
    api = None
    for _ in range(300):
        if daemon.poll() is not None:
            fail("loyaltyd exited with %d:\n%s" % (daemon.returncode,
                                                    open(log.name).read()))
        if os.path.exists(os.path.join(state, "api.sock")):
            try:
                api = Api(os.path.join(state, "api.sock"))
                status, _ = api.call("GET", "/v1/health")
                if status == 200:
                    break
            except OSError:
                pass
        time.sleep(0.02)
    else:
        fail("loyaltyd did not answer /v1/health within 6 s:\n" + open(log.name).read())
    ready_ms = (time.perf_counter() - started) * 1000
    return daemon, api, master, slave, port, ready_ms


def progress(done, total, label):
    if not sys.stdout.isatty():
        # A log, not a terminal: a line every tenth of the way.
        if done == total or done % max(1, total // 10) == 0:
            print("  %3d/%d %s" % (done, total, label))
        return
    width = 30
    filled = width * done // total
    sys.stdout.write("\r  [%s%s] %3d/%d %s" % ("#" * filled, "." * (width - filled), done, total,
                                              label.ljust(34)))
    sys.stdout.flush()


def hq_documents(hq, args, today, state):
    """The demo day's nightly report (JSON and HTML), and what a program with twice the base earn
    would have done over the demo's days (loyalty-hq simulate), written to --out-dir."""
    out = args.out_dir or state
    day = today.date().isoformat()
    first = (today - datetime.timedelta(days=7)).date().isoformat()
    rows = []
    paths = {}
    for kind in ("json", "html"):
        paths[kind] = os.path.join(out, "demo-report." + kind)
        hq.run("report", "--from", day, "--format", kind, "--out", paths[kind])
    with open(paths["json"]) as file:
        report = json.load(file)
    chain = report["chain"]
    rows.append(("HQ report of %s" % day, "%d receipts, %.2f %% members, %d points issued, "
                 "%d redeemed" % (chain["receipts"], chain["loyalty_share_bp"] / 100,
                                  chain["points"]["issued"], chain["points"]["redeemed"])))
    rows.append(("  written to", paths["html"]))
    with open(PROGRAM) as file:
        program = json.load(file)
    program["version"] += 1
    program["earn"]["base"]["points"] *= 2
    variant = os.path.join(out, "demo-program-double-earn.json")
    with open(variant, "w") as file:
        json.dump(program, file, indent=2)
    for kind in ("json", "html"):
        paths["whatif-" + kind] = os.path.join(out, "demo-whatif." + kind)
        hq.run("simulate", "--program", variant, "--from", first, "--to", day, "--format", kind,
               "--out", paths["whatif-" + kind])
    with open(paths["whatif-json"]) as file:
        whatif = json.load(file)
    total = whatif["total"]
    rows.append(("what-if: twice the base earn", "%d receipts re-quoted: %+d points issued, "
                 "%+d liability, %d tier changes" % (
                     whatif["receipts"], total["points_issued"]["difference"],
                     total["liability_points"]["difference"], whatif["tier_changes"]["count"])))
    rows.append(("  written to", paths["whatif-html"]))
    return rows, chain["receipts"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loyaltyd", required=True)
    parser.add_argument("--loyaltyctl", required=True)
    parser.add_argument("--receipts", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", help="keep the state directory here")
    parser.add_argument("--screenshot", help="save the till panel as this PNG (needs chromium)")
    parser.add_argument("--no-panel", action="store_true")
    parser.add_argument("--no-camera", action="store_true")
    parser.add_argument("--hq", help="loyalty-hq: sync the day to an HQ on embedded SQLite")
    parser.add_argument("--out-dir", help="where HQ's report and what-if pages go (default: the "
                        "state directory)")
    args = parser.parse_args()
    if args.receipts < 60:
        fail("--receipts must be at least 60")

    rng = random.Random(args.seed)
    items = catalogue()
    state = args.keep or tempfile.mkdtemp(prefix="till-day-")
    os.makedirs(state, exist_ok=True)
    print("till day: loyaltyd on %s (ledger %s/ledger.db)" % (state, state))
    hq = None
    if args.hq:
        hq = Hq(args.hq, state)
        hq.start()
        print("  HQ: loyalty-hq on 127.0.0.1:%d (SQLite %s/hq.db), mutual TLS" % (hq.port, hq.dir))
    daemon, api, master, slave, port, ready_ms = start_daemon(args, state, hq)
    events = EventStream(os.path.join(state, "api.sock"))
    print("  ready in %.0f ms; POS API on %s/api.sock" % (ready_ms, state))
    if hq:
        # A new till is provisioned before it sells: the chain's pseudonym key comes first.
        detail = wait_for_sync(api, "the chain's keys from HQ", lambda d: d["downlink_version"] >= 1)
        print("  sync: %s with HQ, downlink version %d (the chain's pseudonym key)"
              % (detail["phase"], detail["downlink_version"]))
    readers = api.ok("GET", "/v1/readers")["readers"]
    for reader in readers:
        print("  reader %s (%s): %s" % (reader["id"], reader["transport"], reader["status"]))
    if not args.no_panel:
        print("  till panel: http://127.0.0.1:%d/panel/  (customer display: /panel/customer)"
              % port)

    totals = {"receipts": 0, "member_receipts": 0, "enrolled": 0, "issued": 0, "redeemed": 0,
              "reversed": 0, "restored": 0, "scanned": 0, "typed": 0, "cancelled": 0,
              "floor_refusals": 0, "coupons": 0, "upgrades": 0, "refunds": 0,
              "scan_stuck": 0, "coupons_refused": {}, "camera": 0}
    members = [gs1_card(100 + i) for i in range(40)]
    known = set()

    def commit(receipt, card, at, label):
        body = {"receipt": receipt, "at": iso(at)}
        if card:
            body["customer_id"] = card
        reply = api.ok("POST", "/v1/receipts/%s/commit" % receipt["receipt_id"], body)
        events.drain()  # a POS reads its stream as it goes: the daemon drops one that lags
        quote = reply["quote"]
        totals["receipts"] += 1
        totals["issued"] += quote["points"]["earned"]
        totals["redeemed"] += quote["points"]["burned"]
        if card:
            totals["member_receipts"] += 1
        if quote.get("tier") and quote["tier"]["before"] != quote["tier"]["after"]:
            totals["upgrades"] += 1
            print("\n  tier upgrade: card %s %s -> %s on %s" % (card, quote["tier"]["before"],
                                                               quote["tier"]["after"], label))
        for coupon in quote["coupons"]:
            if coupon["status"] == "applied":
                totals["coupons"] += 1
            else:
                key = "%s %s" % (coupon["code"], coupon["status"])
                totals["coupons_refused"][key] = totals["coupons_refused"].get(key, 0) + 1
        return quote

    def identify(card):
        """At the till: scan the card on the reader, or type its number."""
        if rng.random() < 0.5:
            before = events.counts.get("customer.identified", 0)
            os.write(master, (card + "\r").encode())
            for _ in range(300):
                events.drain()
                if events.counts.get("customer.identified", 0) > before:
                    totals["scanned"] += 1
                    return
                time.sleep(0.005)
            if events.closed:
                fail("the event stream closed")
            # The bytes never left the pty: on some virtual machines' kernels a pty master's
            # write after an idle spell is not delivered to the slave (docs/loyaltyd.md, "The
            # demo"). The cashier types the number instead, as at a real till.
            totals["scan_stuck"] += 1
        reply = api.ok("POST", "/v1/identify", {"input": card, "source": "typed"})
        if reply["token"]["value"] != card:
            fail("typed %s, identified %s" % (card, reply["token"]["value"]))
        totals["typed"] += 1

    today = datetime.datetime.now(datetime.timezone.utc).replace(hour=7, minute=0, second=0,
                                                                 microsecond=0)
    # --- The week before: members collect points (they become available a day after). --------
    week = args.receipts // 5 - 14
    print("\nthe week before: %d receipts of %d members" % (week, len(members)))
    for i in range(week):
        card = members[i % len(members)]
        if card not in known:
            api.ok("POST", "/v1/customers", {"customer_id": card,
                                             "consent": {"marketing": i % 3 == 0, "profile": True}})
            known.add(card)
            totals["enrolled"] += 1
        at = today - datetime.timedelta(days=7 - i * 6 // week, hours=-rng.randint(1, 11))
        commit(basket(rng, items, "W-%04d" % i), card, at, "the week before")
        progress(i + 1, week, "receipt W-%04d" % i)
    # Regulars who did their big monthly shop: they have points to spend today.
    shoppers = [members[2], members[4], members[4], members[4]] + members[5:15]
    for n, card in enumerate(shoppers):
        at = today - datetime.timedelta(days=2, hours=-n)
        commit(basket(rng, items, "W-BIG-%d" % n, 8, 12, big=True, scale=30), card, at,
               "a monthly shop")
    print()

    # The customer at the camera: their card, confirmed by two frames, decoded in the sandbox.
    if any(reader["transport"] == "camera" for reader in readers):
        for _ in range(400):
            events.drain()
            if events.counts.get("customer.identified", 0) > 0:
                break
            time.sleep(0.01)
        else:
            fail("the card shown to the camera was never identified")
        totals["camera"] += 1
        print("  a card shown to the camera identified %s" % gs1_card(100))

    # --- The day. ---------------------------------------------------------------------------
    day = args.receipts - week
    print("\nthe day: %d receipts from 07:00" % day)
    new_cards = [gs1_card(5000 + i) for i in range(max(10, day // 12))]
    special = {day // 6: "upgrade", day // 3: "held", day // 2: "return", (2 * day) // 3: "floor"}
    first_receipt_of = {}
    outage = (day * 5 // 12, day * 7 // 12) if hq else (-1, -1)
    caught_up = None
    for i in range(day):
        at = today + datetime.timedelta(minutes=i * 13 * 60 // day)
        receipt_id = "D-%04d" % i
        if i == outage[0]:
            hq.stop()
            print("\n  HQ unreachable from receipt %s: the till keeps selling offline" % receipt_id)
        elif i == outage[1]:
            detail = api.ok("GET", "/v1/health")["sync_detail"]
            hq.start()
            started = time.perf_counter()
            caught = wait_for_sync(api, "the catch-up after the outage",
                                   lambda d: d["phase"] == "in_sync" and d["backlog"] == 0)
            caught_up = (detail["backlog"], time.perf_counter() - started)
            print("\n  HQ back at receipt %s: %s before, %d events behind; caught up in %.1f s"
                  % (receipt_id, detail["phase"], caught_up[0], caught_up[1]))
        event = special.get(i)
        if event == "upgrade":
            # A family party: one basket over the Silver threshold (500.00 EUR over the year).
            card = members[1]
            identify(card)
            quote = commit(basket(rng, items, receipt_id, 8, 12, big=True), card, at,
                           "a party order")
        elif event == "held":
            # The customer asks to pay with points, then changes their mind: held, cancelled.
            card = members[2]
            identify(card)
            receipt = basket(rng, items, receipt_id, 5, 8)
            receipt["redeem"] = {"points": 500}
            reply = api.ok("POST", "/v1/receipts/%s/open" % receipt_id,
                           {"customer_id": card, "receipt": receipt, "at": iso(at)})
            held = reply["quote"]["points"]["burned"]
            if held != 500:
                fail("the held redemption held %d points, not 500: %s, available before %d, balance %s"
                     % (held, json.dumps(reply["quote"]["notes"]),
                        reply["quote"]["points"]["available_before"],
                        api.ok("GET", "/v1/customers/%s/balance" % card)))
            balance = api.ok("GET", "/v1/customers/%s/balance" % card)
            if balance["pending"] != held:
                fail("held %d points, the balance shows %d pending" % (held, balance["pending"]))
            api.ok("POST", "/v1/receipts/%s/cancel" % receipt_id)
            totals["cancelled"] += 1
            print("\n  held redemption: %d points held for %s, then cancelled" % (held, card))
            continue
        elif event == "return":
            # A customer brings back two items of this morning's receipt.
            source = next(iter(first_receipt_of.values()))
            reply = api.ok("POST", "/v1/refunds/RF-%04d" % i,
                           {"receipt_id": source, "at": iso(at),
                            "lines": [{"line": 0, "quantity": 1}, {"line": 1, "quantity": 1}]})
            reversal = reply["reversal"]
            totals["reversed"] += reversal["earned_reversed"]
            totals["restored"] += reversal["burned_restored"]
            totals["refunds"] += 1
            print("\n  return: 2 lines of %s, %d points taken back, %.2f EUR refunded"
                  % (source, reversal["earned_reversed"], reversal["money_refund_minor"] / 100))
            continue
        elif event == "floor":
            # Offline, a card HQ has not confirmed redeems up to the program's floor limit only.
            card = members[4]
            identify(card)
            receipt = basket(rng, items, receipt_id, 6, 9, big=True)
            receipt["redeem"] = {"points": 2500}
            status, reply = api.call("POST", "/v1/receipts/%s/commit" % receipt_id,
                                     {"customer_id": card, "receipt": receipt, "at": iso(at)})
            if status == 201:
                fail("a redemption over the offline floor limit was accepted")
            totals["floor_refusals"] += 1
            print("\n  offline floor limit: %d for %s: %s" % (status, card,
                                                             reply["detail"][:90]))
            receipt["redeem"] = {"points": 200}
            commit(receipt, card, at, "offline, within the floor")
        else:
            roll = rng.random()
            card = None
            receipt = basket(rng, items, receipt_id)
            if roll < 0.12 and new_cards:
                # A new member signs up at the till and uses the welcome coupon.
                card = new_cards.pop()
                identify(card)
                api.ok("POST", "/v1/customers",
                       {"customer_id": card,
                        "consent": {"marketing": rng.random() < 0.5, "profile": rng.random() < 0.7}})
                totals["enrolled"] += 1
                receipt["coupons"] = ["WELCOME5"]
            elif roll < 0.72:
                card = rng.choice(members[5:])  # 1 to 4 play their own parts below
                identify(card)
                if rng.random() < 0.25:
                    receipt["redeem"] = "max"
                if rng.random() < 0.1:
                    receipt["coupons"] = ["SAVE30"]
            # Quote while the cashier scans, then commit on tender.
            body = {"receipt": receipt, "at": iso(at)}
            if card:
                body["customer_id"] = card
            status, reply = api.call("POST", "/v1/quote", body)
            if status == 409 and "redeem" in receipt:
                # Offline, this card has redeemed up to the floor limit today: it pays in money.
                totals["floor_refusals"] += 1
                del receipt["redeem"]
            elif status != 200:
                fail("POST /v1/quote: %d %s" % (status, json.dumps(reply)))
            commit(receipt, card, at, receipt_id)
            if card and card not in first_receipt_of:
                first_receipt_of[card] = receipt_id
        events.drain()
        progress(i + 1, day, "receipt %s" % receipt_id)
    print()

    # --- The summary. -----------------------------------------------------------------------
    time.sleep(0.1)
    events.drain()
    hq_status = None
    if hq:
        final = wait_for_sync(api, "HQ holding the whole day",
                              lambda d: d["phase"] == "in_sync" and d["backlog"] == 0)
        deadline = time.monotonic() + 60
        while True:  # HQ applies what it holds right after each batch
            hq_status = hq.run("status")
            held = hq_status["terminals"][0] if hq_status["terminals"] else {}
            if held.get("applied_seq") == final["local_seq"] == held.get("held_seq"):
                break
            if time.monotonic() > deadline:
                fail("HQ did not apply the day within 60 s: %s" % json.dumps(hq_status))
            time.sleep(0.1)
    liability = 0
    for card in set(members) | known | set(first_receipt_of):
        liability += api.ok("GET", "/v1/customers/%s/balance" % card)["posted"]
    screenshot = None
    if args.screenshot and not args.no_panel:
        chromium = shutil.which("chromium")
        if chromium:
            subprocess.run([chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
                            "--hide-scrollbars", "--window-size=1280,860",
                            "--virtual-time-budget=4000", "--screenshot=" + args.screenshot,
                            "http://127.0.0.1:%d/panel/" % port],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
            screenshot = args.screenshot if os.path.exists(args.screenshot) else None
        else:
            print("  (no chromium: no screenshot of the panel)")
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(timeout=30)
    if hq:
        hq.stop()
    documents, reported = hq_documents(hq, args, today, state) if hq else ([], None)
    if daemon.returncode != 0:
        fail("loyaltyd exited with %d" % daemon.returncode)
    check = subprocess.run([args.loyaltyctl, "ledger", "check", "--db",
                            os.path.join(state, "ledger.db")], capture_output=True, text=True)
    report = json.loads(check.stdout) if check.stdout.strip().startswith("{") else {}
    commits = api.latencies_ms.get("commit", [])
    commits.sort()

    members_share = 100.0 * totals["member_receipts"] / max(1, totals["receipts"])
    expected = totals["issued"] - totals["redeemed"] - totals["reversed"] + totals["restored"]
    rows = [
        ("receipts committed", "%d (%d this day, %d the week before)"
         % (totals["receipts"], totals["receipts"] - week - 14, week + 14)),
        ("members' share", "%.0f %% of receipts" % members_share),
        ("members enrolled at the till", "%d" % totals["enrolled"]),
        ("cards identified", "%d scanned on the reader, %d by the camera, %d typed%s" % (
            totals["scanned"], totals["camera"], totals["typed"],
            " (%d scans the pty did not deliver: typed)" % totals["scan_stuck"]
            if totals["scan_stuck"] else "")),
        ("coupons applied", "%d%s" % (totals["coupons"], "; not applied: " + ", ".join(
            "%s %d" % kv for kv in sorted(totals["coupons_refused"].items()))
            if totals["coupons_refused"] else "")),
        ("tier upgrades", "%d" % totals["upgrades"]),
        ("points issued", "%d" % totals["issued"]),
        ("points redeemed", "%d" % totals["redeemed"]),
        ("points taken back by returns", "%d (%d refund)" % (totals["reversed"],
                                                            totals["refunds"])),
        ("held redemptions cancelled", "%d" % totals["cancelled"]),
        ("redemptions refused offline", "%d (over the card's floor limit until HQ confirms it)"
         % totals["floor_refusals"]),
        ("liability (members' balances)", "%d points = %.2f EUR" % (liability, liability / 100)),
        ("events on the stream", ", ".join("%s %d" % kv for kv in sorted(events.counts.items()))),
        ("commit round trip", "p50 %.2f ms, p99 %.2f ms over %d commits"
         % (statistics.median(commits), commits[int(0.99 * (len(commits) - 1))], len(commits))
         if commits else "-"),
        ("ledger check", ("ok: %s events, %s transfers, %s lots" % (
            report.get("events"), report.get("transfers"), report.get("lots")))
         if check.returncode == 0 else "FAILED: " + check.stdout + check.stderr),
    ]
    mismatches = []
    if hq_status:
        hq_totals = hq_status["totals"]
        terminal = hq_status["terminals"][0]
        pairs = [("points issued", hq_totals["points_issued"], totals["issued"] - totals["reversed"]),
                 ("points redeemed", hq_totals["points_redeemed"],
                  totals["redeemed"] - totals["restored"]),
                 ("liability", hq_totals["liability_points"], liability)]
        mismatches = [name for name, at_hq, at_till in pairs if at_hq != at_till]
        rows += [
            ("HQ (loyalty-hq, SQLite)", "holds %d of %d events, applied %d; %d receipts" % (
                terminal["held_seq"], final["local_seq"], terminal["applied_seq"],
                hq_totals["receipts"])),
            ("offline stretch", "%d events shipped after HQ came back, in %.1f s" % caught_up
             if caught_up else "-"),
            ("HQ = till", "; ".join("%s %d %s %d" % (name, at_hq, "=" if at_hq == at_till else "≠",
                                                      at_till) for name, at_hq, at_till in pairs)),
        ]
    for name, value in documents:
        rows.append((name, value))
    width = max(len(name) for name, _ in rows)
    print("\n%s\n" % ("=" * 72))
    for name, value in rows:
        print("  %s  %s" % (name.ljust(width), value))
    print("\n%s" % ("=" * 72))
    if not args.no_panel:
        print("till panel was at http://127.0.0.1:%d/panel/" % port)
    if screenshot:
        print("panel screenshot: %s" % screenshot)
    os.close(master)
    os.close(slave)
    if not args.keep:
        shutil.rmtree(state, ignore_errors=True)
    if check.returncode != 0:
        fail("the ledger check failed")
    if liability != expected:
        fail("the liability %d is not issued - redeemed - reversed + restored = %d"
             % (liability, expected))
    if mismatches:
        fail("HQ's totals differ from the till's: " + ", ".join(mismatches))
    this_day = totals["receipts"] - week - 14
    if reported is not None and reported != this_day:
        fail("HQ's report of the day counts %d receipts, the till committed %d"
             % (reported, this_day))


if __name__ == "__main__":
    main()
