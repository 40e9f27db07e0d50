#!/usr/bin/python3
"""The till panel's sync badge in headless Chromium, against a real loyalty-hq (labels: firmware,
browser).

Runs loyalty-hq serve on its SQLite store (development CA, mTLS) and the built loyaltyd syncing
to it through a TCP relay in this test that can slow the traffic down, opens the cashier's view
(/panel/) and checks the badge as the till's connection to HQ changes:

  1. in sync: no badge;
  2. HQ stopped: "Offline: not syncing with HQ";
  3. 30 receipts sold while offline, HQ back behind a slow link (one event per batch):
     "Catching up with HQ: N events to send", N counting down, then no badge once HQ holds all;
  4. an old backup of the ledger restored over a newer one (its epoch goes backwards at HQ):
     HQ quarantines the till and the badge says "HQ has stopped taking this till's sales: call
     store IT".

usage: panel_sync_badge_test.py LOYALTYD LOYALTY_HQ SOURCE_DIR OUTPUT_DIR
Needs what panel_browser_test.py needs.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from panel_browser_test import CARD, PanelTest, WAIT_S, run_test, toml_string  # noqa: E402

STORE = "fm-014"
TERMINAL = "till-panel-test"
OFFLINE = "Offline: not syncing with HQ"
QUARANTINED = "HQ has stopped taking this till's sales: call store IT"
CATCHING_UP = re.compile(r"^Catching up with HQ: (\d+) events to send(, about \d+ s)?$")
BACKLOG = 30


class SlowRelay:
    """Relays loopback TCP connections to HQ's port, each chunk after `delay_s` (TLS passes
    through untouched). A connection HQ refuses is closed at once, as a dead link would be."""

    def __init__(self):
        self.target = None
        self.delay_s = 0.0
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.closing = False
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.closing:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target), timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pump, args=(source, sink), daemon=True).start()

    def pump(self, source, sink):
        try:
            while True:
                chunk = source.recv(65536)
                if not chunk:
                    break
                if self.delay_s > 0:
                    time.sleep(self.delay_s)
                sink.sendall(chunk)
        except OSError:
            pass
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()

    def close(self):
        self.closing = True
        self.listener.close()


class SyncBadgeTest(PanelTest):
    def __init__(self, loyaltyd, loyalty_hq, source_dir, output_dir, work_dir):
        super().__init__(loyaltyd, source_dir, output_dir, work_dir)
        self.start_sync = None  # it may be in sync, or still connecting, when health answers
        self.loyalty_hq = loyalty_hq
        self.hq_dir = os.path.join(work_dir, "hq")
        self.tls_dir = os.path.join(work_dir, "tls")
        self.hq = None
        self.hq_port = 0
        self.hq_log_path = os.path.join(output_dir, "loyalty-hq.log")
        open(self.hq_log_path, "wb").close()
        self.relay = SlowRelay()
        self.receipts = 0
        self.state_dir = os.path.join(work_dir, "state")

    # --- loyalty-hq ---

    def hq_command(self, *command):
        done = subprocess.run([self.loyalty_hq] + list(command) + ["--dir", self.hq_dir],
                              capture_output=True, text=True)
        if done.returncode != 0:
            self.fail(f"loyalty-hq {' '.join(command)}: {done.stderr.strip()}")
        return done.stdout

    def start_hq(self):
        port_file = os.path.join(self.hq_dir, "serve.port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        log = open(self.hq_log_path, "ab")
        try:
            self.hq = subprocess.Popen(
                [self.loyalty_hq, "serve", "--dir", self.hq_dir,
                 "--listen", f"127.0.0.1:{self.hq_port}"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        finally:
            log.close()

        def port():
            if self.hq.poll() is not None:
                self.fail(f"loyalty-hq serve exited with {self.hq.returncode}")
            if not os.path.exists(port_file):
                return None
            text = open(port_file).read().strip()
            return int(text) if text else None

        self.hq_port = self.wait_until("loyalty-hq serve listening", port,
                                       lambda found: found is not None)
        self.relay.target = self.hq_port

    def stop_hq(self):
        self.hq.send_signal(signal.SIGTERM)
        if self.hq.wait(WAIT_S) != 0:
            self.fail(f"loyalty-hq serve exited with {self.hq.returncode} after SIGTERM")
        self.hq = None

    # --- setup ---

    def write_config(self):
        super().write_config()
        with open(self.config_path, "a") as file:
            file.write("\n".join([
                "[sync]",
                f"hq = {toml_string(f'127.0.0.1:{self.relay.port}')}",
                f"certificate = {toml_string(os.path.join(self.tls_dir, 'terminal.crt'))}",
                f"private_key = {toml_string(os.path.join(self.tls_dir, 'terminal.key'))}",
                f"ca = {toml_string(os.path.join(self.hq_dir, 'server/ca.crt'))}",
                "batch_events = 1",
                "trickle_ms = 50",
                "long_poll_ms = 2000",
                "request_timeout_ms = 20000",
                "backoff_initial_ms = 100",
                "backoff_max_ms = 500",
                "",
            ]))

    def health(self):
        return self.api_json("GET", "/v1/health")

    def sell(self, count):
        with open(os.path.join(self.source_dir, "examples/receipts/grocery/basket-120.json")) as f:
            receipt = json.load(f)
        for _ in range(count):
            self.receipts += 1
            receipt["receipt_id"] = f"B-{self.receipts}"
            self.api_json("POST", f"/v1/receipts/{receipt['receipt_id']}/commit",
                          {"customer_id": CARD, "receipt": receipt}, expect_status=201)

    def badge(self):
        return self.shown_text("#offline-badge")

    def wait_in_sync(self, what):
        self.wait_until(f"{what}: /v1/health's sync \"in_sync\"",
                        lambda: self.health().get("sync"), lambda sync: sync == "in_sync", 60)
        self.wait_until(f"{what}: no badge", self.badge, lambda text: text is None)

    # --- steps ---

    def in_sync(self):
        self.begin("in sync with HQ: the cashier's view shows no badge")
        self.driver.get(self.origin + "/panel/")
        self.wait_text("#connection", "Live", "the connection state")
        self.wait_in_sync("in sync")
        self.screenshot("panel-sync-in-sync.png")

    def offline(self):
        self.begin("HQ stopped: the offline badge")
        self.stop_hq()
        self.wait_text("#offline-badge", OFFLINE, "the offline badge")
        self.sell(BACKLOG)

    def catching_up(self):
        self.begin(f"HQ back behind a slow link with {BACKLOG} events to send: catching up")
        self.relay.delay_s = 0.25
        self.start_hq()
        seen = []

        def counting_down():
            text = self.badge()
            match = CATCHING_UP.match(text or "")
            if match:
                seen.append(int(match.group(1)))
            return seen

        # Two different backlogs shown: the badge follows the backlog as it shrinks.
        self.wait_until("the catching-up badge with its backlog counting down", counting_down,
                        lambda backlog: len(set(backlog)) >= 2, 60)
        if max(seen) > BACKLOG or min(seen) < 1 or seen != sorted(seen, reverse=True):
            self.fail(f"the backlogs shown should count down from at most {BACKLOG}: {seen}")
        self.screenshot("panel-sync-catching-up.png")
        self.relay.delay_s = 0.0
        self.wait_in_sync("caught up")

    def quarantined(self):
        self.begin("an old backup of the ledger restored: HQ quarantines the till")
        self.stop_daemon()
        backup = os.path.join(self.work_dir, "ledger-backup")
        os.mkdir(backup)
        for name in os.listdir(self.state_dir):
            if name.startswith("ledger.db"):
                shutil.move(os.path.join(self.state_dir, name), backup)
        self.start_daemon("a new ledger (a new epoch) syncs its first receipt")
        self.sell(1)
        self.wait_in_sync("the new ledger in sync")
        self.stop_daemon()
        for name in os.listdir(self.state_dir):
            if name.startswith("ledger.db"):
                os.unlink(os.path.join(self.state_dir, name))
        for name in os.listdir(backup):
            shutil.move(os.path.join(backup, name), self.state_dir)
        self.start_daemon("the old ledger restored sells a receipt")
        self.sell(1)
        self.wait_text("#offline-badge", QUARANTINED, "the quarantine badge")
        status = json.loads(self.hq_command("status"))
        quarantined = [t for t in status.get("terminals", []) if t.get("quarantined")]
        if len(quarantined) != 1:
            self.fail(f"loyalty-hq status should list the till quarantined: {status}")
        self.screenshot("panel-sync-quarantined.png")

    def run(self):
        self.hq_command("init", "--server-name", "127.0.0.1")
        self.hq_command("ca", "issue", "--store", STORE, "--terminal", TERMINAL,
                        "--out", self.tls_dir)
        self.start_hq()
        self.write_config()
        self.start_daemon(f"start loyaltyd syncing to loyalty-hq on 127.0.0.1:{self.hq_port}")
        os.close(self.slave)  # the daemon holds the reader; this test swipes nothing
        self.slave = None
        self.start_browser()
        self.in_sync()
        self.offline()
        self.catching_up()
        self.quarantined()
        self.stop_daemon()

    def close(self):
        super().close()
        if self.hq is not None:
            if self.hq.poll() is None:
                self.hq.kill()
            self.hq.wait()
            self.hq = None
        self.relay.close()

    def diagnose(self):
        super().diagnose()
        try:
            with open(self.hq_log_path, errors="replace") as file:
                print(f"--- loyalty-hq's log ---\n{file.read()}--- end of log ---",
                      file=sys.stderr)
        except OSError:
            pass


def main(argv):
    if len(argv) != 5:
        print("usage: panel_sync_badge_test.py LOYALTYD LOYALTY_HQ SOURCE_DIR OUTPUT_DIR",
              file=sys.stderr)
        return 2
    loyaltyd, loyalty_hq, source_dir, output_dir = argv[1:]
    for binary in (loyaltyd, loyalty_hq):
        if not os.access(binary, os.X_OK):
            print(f"FAIL: {binary} is not an executable: build it first", file=sys.stderr)
            return 1
    return run_test(
        lambda work_dir: SyncBadgeTest(loyaltyd, loyalty_hq, source_dir, output_dir, work_dir),
        output_dir, "the sync badge")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
