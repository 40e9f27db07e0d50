#!/usr/bin/python3
"""The update's health gate and the fallback it leads to, with the programs of the installed slot.

    bundle_health_gate_test.py SOURCE_DIR WORK_DIR VERSION CMAKE BUILD_DIR

WORK_DIR is emptied first. This build's terminal tree is packed into a signed bundle
(firmware/bundle/build-bundle.sh, development keys) and installed by RAUC's own service into a
test terminal (tests/firmware/bundle/rauc_harness.py: two file-backed slots, a bootloader that
counts boot attempts, a private system bus). After each reboot the loyaltyd and loyaltyctl that
run are those of the booted slot's image (root/usr/bin/), and the ledger lives outside the slots
(WORK_DIR/state, /var/lib/loyalty on a terminal), as a data partition does. The health gate is
what loyalty-health.service runs: `loyaltyctl health --wait N --mark-good --rauc rauc`.

 1. The bundle goes into B; after the reboot B is booted, unmarked. loyaltyd takes a receipt;
    the gate finds the terminal healthy and marks B good (`rauc status mark-good` for real).
 2. The same bundle goes into A (the policy accepts the same version); after the reboot A is
    booted, unmarked. This time loyaltyd is configured with a reader it cannot open (a
    deliberately failing health check): it still takes a receipt, but the gate exits 4 and A
    stays unmarked: no "set-state A good" reaches the bootloader.
 3. Rebooting without a mark uses A's boot attempts; then the bootloader marks A bad and falls
    back to B. B's loyaltyd opens the same ledger: both receipts are there, the balance is the
    same as A's loyaltyd saw after the second, the gate passes again.

Without root or loop devices (rauc_harness.install_blocker()) it says "skipped:". Every failed
check is listed; exit status 1 if there was any.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rauc_harness  # noqa: E402
from checks import check, finish, run  # noqa: E402

source_dir, work_dir, project_version, cmake, build_dir = sys.argv[1:6]
examples = os.path.join(source_dir, "examples")
board = "loyalty-terminal-test"
version = f"{project_version}+gate.1"
card = "2900000000018"  # a card of examples/programs/grocery.json
DAEMON_START_TIMEOUT_S = 20
COMMAND_TIMEOUT_S = 120


blocker = rauc_harness.install_blocker()
if blocker:
    print(f"skipped: {blocker}")
    sys.exit(0)

shutil.rmtree(work_dir, ignore_errors=True)
os.makedirs(work_dir)
state = os.path.join(work_dir, "state")
os.makedirs(state, mode=0o700)
token_file = os.path.join(work_dir, "api-token")
with open(token_file, "w", encoding="utf-8") as out:
    out.write("health-gate-test-token-0123456789abcdef0123\n")
os.chmod(token_file, 0o600)
socket_path = os.path.join(work_dir, "api.sock")

tree = os.path.join(work_dir, "tree")
installed = rauc_harness.install_terminal(cmake, build_dir, tree)
if not check(installed.returncode == 0, f"cmake --install failed:\n{installed.stderr}"):
    finish()
bundle = os.path.join(work_dir, "terminal.raucb")
built = rauc_harness.build_bundle(tree, bundle, compatible=board, version=version,
                                  fmt=rauc_harness.install_format())
if not check(built.returncode == 0, f"build-bundle.sh: exit {built.returncode}\n{built.stderr}"):
    finish()


def write_config(failing_reader):
    text = (f'[terminal]\nid = "T-gate"\nstore_id = "FM014"\nstate_directory = "{state}"\n'
            f'time_zone = "Europe/Berlin"\n'
            f'[program]\nbundle = "{examples}/programs/grocery.json"\n'
            f'[api]\nsocket = "{socket_path}"\ntoken_file = "{token_file}"\n'
            f'[panel]\nenabled = false\n[log]\nsink = "stderr"\n[readers]\nhotplug = false\n')
    if failing_reader:
        # /dev/null opens, but it is no terminal: the serial reader cannot be set up.
        text += '[[readers.devices]]\nnode = "/dev/null"\nkind = "scanner"\n'
    path = os.path.join(work_dir, "loyaltyd.toml")
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)
    return path


class Daemon:
    """The booted slot's loyaltyd, until stop()."""

    def __init__(self, system, failing_reader):
        self.program = os.path.join(system.root, "usr/bin/loyaltyd")
        self.log_path = os.path.join(work_dir, f"loyaltyd-{system.booted()}.log")
        self.log = open(self.log_path, "a", encoding="utf-8")
        if os.path.exists(socket_path):
            os.unlink(socket_path)
        self.process = subprocess.Popen([self.program, "--config", write_config(failing_reader)],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + DAEMON_START_TIMEOUT_S
        while not os.path.exists(socket_path):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.program} did not start: see {self.log_path}")
            time.sleep(0.1)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def loyaltyctl(system, *args, env=None):
    return run([os.path.join(system.root, "usr/bin/loyaltyctl"), *args], env=env,
               timeout=COMMAND_TIMEOUT_S)


def checkout(system, receipt_id):
    with open(os.path.join(examples, "receipts/grocery/basket-120.json"), encoding="utf-8") as f:
        receipt = json.load(f)
    receipt["receipt_id"] = receipt_id
    path = os.path.join(work_dir, f"{receipt_id}.json")
    with open(path, "w", encoding="utf-8") as out:
        json.dump(receipt, out)
    done = loyaltyctl(system, "--daemon", socket_path, "--token-file", token_file, "checkout",
                      "--receipt", path, "--card", card)
    check(done.returncode == 0 and '"state":"committed"' in done.stdout,
          f"checkout {receipt_id} on slot {system.booted()}: {done.returncode} {done.stdout}"
          f"{done.stderr}")


def posted(system):
    done = loyaltyctl(system, "--daemon", socket_path, "--token-file", token_file, "balance",
                      "--customer-id", card)
    if not check(done.returncode == 0, f"balance: {done.stdout}{done.stderr}"):
        return None
    return json.loads(done.stdout)["posted"]


def gate(system, wait_s):
    return loyaltyctl(system, "health", "--socket", socket_path, "--token-file", token_file,
                      "--wait", str(wait_s), "--mark-good", "--rauc", "rauc", env=system.env)


def marks_good(system, bootname):
    return [call for call in system.bootloader_calls() if call == f"set-state {bootname} good"]


terminal_dir = os.path.join(work_dir, "terminal")
with rauc_harness.TestSystem(terminal_dir, compatible=board, keyring=rauc_harness.DEV_CA,
                             factory_version=f"{project_version}~factory",
                             boot_attempts=3) as terminal:
    # 1. Update to B; healthy; marked good.
    result = terminal.install(bundle)
    check(result.ok, f"installing into B: {result}")
    booted = terminal.reboot()
    check(booted == "B" and terminal.boot_state("B") == "unmarked"
          and terminal.running_version() == version,
          f"after the update: booted {booted} ({terminal.running_version()}), B is "
          f"{terminal.boot_state('B')}")
    daemon = Daemon(terminal, failing_reader=False)
    try:
        checkout(terminal, "R-gate-1")
        one_receipt = posted(terminal)
        healthy = gate(terminal, 30)
        check(healthy.returncode == 0
              and healthy.stdout.endswith("healthy: the booted slot is marked good\n")
              and "rauc status: marked slot rootfs.1 as good" in healthy.stderr,
              f"the gate on a healthy B: exit {healthy.returncode}\n{healthy.stdout}"
              f"{healthy.stderr}")
        check(terminal.boot_state("B") == "good" and marks_good(terminal, "B"),
              f"B after a passing gate: {terminal.boot_state('B')}, bootloader calls "
              f"{terminal.bootloader_calls()}")
    finally:
        daemon.stop()

    # 2. Update to A; a failing health check; not marked.
    result = terminal.install(bundle)
    check(result.ok, f"installing into A: {result}")
    booted = terminal.reboot()
    attempts = terminal.boot_attempts_left("A")
    check(booted == "A" and terminal.boot_state("A") == "unmarked",
          f"after the second update: booted {booted}, A is {terminal.boot_state('A')}")
    daemon = Daemon(terminal, failing_reader=True)
    try:
        checkout(terminal, "R-gate-2")
        two_receipts = posted(terminal)
        failing = gate(terminal, 3)
        check(failing.returncode == 4
              and "\nfail readers 0 of 1 configured reader(s) online" in "\n" + failing.stdout
              and failing.stdout.endswith("unhealthy: the slot is not marked good (the bootloader "
                                          "falls back to the previous one)\n"),
              f"the gate on a failing A: exit {failing.returncode}\n{failing.stdout}"
              f"{failing.stderr}")
        check(terminal.boot_state("A") == "unmarked" and not marks_good(terminal, "A"),
              f"A after a failing gate: {terminal.boot_state('A')}, bootloader calls "
              f"{terminal.bootloader_calls()}")
    finally:
        daemon.stop()

    # 3. No mark: A's attempts run out, the bootloader falls back to B.
    boots = []
    for _ in range(attempts + 1):
        boots.append(terminal.reboot())
    check(boots == ["A"] * attempts + ["B"] and terminal.boot_state("A") == "bad"
          and terminal.boot_state("B") == "good",
          f"reboots without a mark: booted {boots}; A {terminal.boot_state('A')}, B "
          f"{terminal.boot_state('B')} (A had {attempts} attempts left)")
    daemon = Daemon(terminal, failing_reader=False)
    try:
        both = posted(terminal)
        check(one_receipt and two_receipts and two_receipts > one_receipt > 0
              and both == two_receipts,
              f"after the fallback, the ledger holds {both} posted points; expected both "
              f"receipts' {two_receipts} (the first alone: {one_receipt})")
        again = gate(terminal, 30)
        check(again.returncode == 0, f"the gate after the fallback: exit {again.returncode}\n"
              f"{again.stdout}{again.stderr}")
    finally:
        daemon.stop()

finish("health gate and fallback: all checks passed")
