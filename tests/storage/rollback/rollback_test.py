#!/usr/bin/python3
"""The ledger survives an update and a rollback: the previous release's code on a ledger this
build migrated (docs/storage.md, "Rollback").

    rollback_test.py --source-dir SRC --work-dir WORK --driver NEW_DRIVER
                     --cmake CMAKE --generator GENERATOR --cxx CXX

1. The previous release is the one packaging/previous-release names (version and commit). Its tree
   comes from `git -C SRC archive COMMIT` into WORK/previous-<version>-<commit>/src, and is built
   there, core and storage only, with tests/storage/rollback/ledger_driver.cc compiled against
   its headers and libraries (tests/storage/rollback/driver/CMakeLists.txt). The extracted tree
   and its build are kept: a later run with the same commit only rebuilds what changed (the
   driver), and ccache is used when it is on PATH. No git, no repository, a shallow clone or a
   commit the repository lacks each fail with what to do.
2. On one ledger, each step with exact expectations (balances, counts, the event log by kind,
   PRAGMA user_version, software_releases):
     a. the previous release creates the ledger and writes (schema 5);
     b. this build opens it (migrates it to v6, records its release) and writes;
     c. the previous release opens it again: it must open, pass its full check with no problem
        and write more receipts (the rollback), and leaves user_version at 6;
     d. this build opens it again: its check passes, it sees everything the previous release
        wrote, and software_releases still holds its row (first_opened_at from b).
3. A copy at a hypothetical contract v7 (user_version 7, min_reader_version 7, set with sqlite3)
   is refused by both builds with the exact "newer than this build" message.

Prints how long each part took. Exit status 0 when everything held, 1 at the first failure.
"""

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import time

# Times the steps run at (Unix seconds): a, b, c, d; each write takes four seconds from its time.
STEP_AT = {"a": 1_795_000_000, "b": 1_795_100_000, "c": 1_795_200_000, "d": 1_795_300_000}
CHECK_AFTER_S = 100  # each step's check opens the ledger this long after its write

# What one `ledger_driver write --seed N` adds (tests/storage/rollback/ledger_driver.cc):
#   S<N>-1  anna, 2 x 60.00 of groceries: earns 120 (1 point per 1.00)
#   S<N>-2  ben, 2 x 25.00 of bread: earns 50
#   S<N>-3  anna, 40.00 of coffee beans, 30 points as tender: burns 30 and earns 39 on the 39.70
#           she pays
#   S<N>-R1 one loaf of S<N>-2 back: ben's 25 points for it are reversed
# so anna gains 120 - 30 + 39 = 129 and ben 50 - 25 = 25; three checkout events and a refund;
# five transfers (three earns, the burn, the reversal) and three lots (one per earning receipt).
ANNA_PER_SEED = 129
BEN_PER_SEED = 25
TRANSFERS_PER_SEED = 5
LOTS_PER_SEED = 3
ACCOUNTS = 4  # issuance, redemption, anna's and ben's points


class Failure(Exception):
    pass


def fail(message):
    raise Failure(message)


def run(args, **kwargs):
    try:
        return subprocess.run(args, capture_output=True, text=True, **kwargs)
    except OSError as error:
        fail(f"cannot run {args[0]}: {error.strerror}")


def output_tail(result, lines=60):
    text = (result.stdout + result.stderr).rstrip("\n").split("\n")
    return "\n".join(text[-lines:])


# --- The previous release -------------------------------------------------------------------------


def previous_release(source_dir):
    """(version, commit) from packaging/previous-release: comment lines, then `VERSION COMMIT`."""
    path = os.path.join(source_dir, "packaging", "previous-release")
    try:
        with open(path, encoding="utf-8") as f:
            lines = [line.strip() for line in f]
    except OSError as error:
        fail(f"{path}: {error.strerror}: it names the release the rollback test builds")
    entries = [line for line in lines if line and not line.startswith("#")]
    if len(entries) != 1 or not re.fullmatch(r"[0-9A-Za-z.+~_-]+ [0-9a-f]{40}", entries[0]):
        fail(f"{path}: expected one line 'VERSION COMMIT' (a 40-digit commit id) besides the "
             f"comments, found {entries!r}")
    version, commit = entries[0].split(" ")
    return version, commit


def check_repository(source_dir, version, commit):
    """Fails, saying what to do, unless git can archive `commit` from the repository."""
    if shutil.which("git") is None:
        fail("git is not on PATH: the rollback test builds the previous release from the "
             "repository's history (Debian: apt-get install git)")
    inside = run(["git", "-C", source_dir, "rev-parse", "--is-inside-work-tree"])
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        fail(f"{source_dir} is not a git repository ({inside.stderr.strip()}): the rollback test "
             f"builds release {version} from the history, so run it in a git clone of the "
             f"project, not an exported tree")
    present = run(["git", "-C", source_dir, "cat-file", "-e", f"{commit}^{{commit}}"])
    if present.returncode == 0:
        return
    shallow = run(["git", "-C", source_dir, "rev-parse", "--is-shallow-repository"])
    if shallow.stdout.strip() == "true":
        fail(f"commit {commit} (release {version}, packaging/previous-release) is not in the "
             f"repository at {source_dir}: it is a shallow clone; run `git fetch --unshallow` "
             f"(CI: clone with full history, e.g. fetch-depth: 0)")
    fail(f"commit {commit} (release {version}, packaging/previous-release) is not in the "
         f"repository at {source_dir}: fetch it (git fetch origin) or correct "
         f"packaging/previous-release")


def extract(source_dir, commit, release_dir):
    """WORK/previous-*/src from `git archive`, unless a run before extracted the same commit."""
    stamp = os.path.join(release_dir, "commit")
    tree = os.path.join(release_dir, "src")
    if os.path.isfile(stamp) and os.path.isdir(tree):
        with open(stamp, encoding="utf-8") as f:
            if f.read().strip() == commit:
                return False
    shutil.rmtree(release_dir, ignore_errors=True)
    os.makedirs(release_dir)
    partial = tree + ".partial"
    archive = os.path.join(release_dir, "tree.tar")
    with open(archive, "wb") as out:
        result = subprocess.run(["git", "-C", source_dir, "archive", "--format=tar", commit],
                                stdout=out, stderr=subprocess.PIPE, text=False)
    if result.returncode != 0:
        fail(f"git archive {commit} failed: {result.stderr.decode(errors='replace').strip()}")
    with tarfile.open(archive) as tar:
        tar.extractall(partial)
    os.remove(archive)
    os.rename(partial, tree)
    with open(stamp, "w", encoding="utf-8") as f:
        f.write(commit + "\n")  # written last: a tree without it is extracted again
    return True


def build_previous(args, version, commit):
    """The previous release's ledger_driver, built (or brought up to date) in WORK."""
    release_dir = os.path.join(args.work_dir, f"previous-{version}-{commit[:12]}")
    timings = {}
    started = time.monotonic()
    extracted = extract(args.source_dir, commit, release_dir)
    timings["extract"] = time.monotonic() - started
    build_dir = os.path.join(release_dir, "build")
    configure = [args.cmake, "-S", os.path.join(args.source_dir, "tests/storage/rollback/driver"),
                 "-B", build_dir, "-G", args.generator,
                 f"-DCMAKE_CXX_COMPILER={args.cxx}",
                 # The driver runs for a second: no optimisation, no debug info, the fastest build.
                 "-DCMAKE_BUILD_TYPE=Debug", "-DCMAKE_CXX_FLAGS_DEBUG=-O0",
                 f"-DLOYALTY_TREE={os.path.join(release_dir, 'src')}",
                 "-DLOYALTY_DRIVER_SOURCE=" +
                 os.path.join(args.source_dir, "tests/storage/rollback/ledger_driver.cc")]
    if shutil.which("ccache"):
        configure.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
    started = time.monotonic()
    # Written at the end of a generation that succeeded: a configure cut short runs again.
    if not os.path.isfile(os.path.join(build_dir, "CMakeFiles", "cmake.check_cache")):
        result = run(configure)
        if result.returncode != 0:
            fail(f"configuring release {version} failed:\n{output_tail(result)}")
    timings["configure"] = time.monotonic() - started
    started = time.monotonic()
    result = run([args.cmake, "--build", build_dir, "--target", "ledger_driver"])
    if result.returncode != 0:
        fail(f"building release {version} (core, storage, ledger_driver) failed:\n"
             f"{output_tail(result)}")
    timings["build"] = time.monotonic() - started
    driver = os.path.join(build_dir, "ledger_driver")
    print(f"previous release {version} ({commit[:12]}): "
          f"{'extracted' if extracted else 'reused'} in {timings['extract']:.1f} s, configured "
          f"in {timings['configure']:.1f} s, built in {timings['build']:.1f} s "
          f"(ccache: {'yes' if shutil.which('ccache') else 'no'}) -> {driver}", flush=True)
    return driver


# --- The cycle ------------------------------------------------------------------------------------


class Driver:
    def __init__(self, name, path):
        self.name = name
        self.path = path
        self.info = self.json("0", ["info"])

    def run(self, args):
        return run([self.path] + args)

    def json(self, step, args):
        result = self.run(args)
        if result.returncode != 0:
            fail(f"step {step}: {self.name}: ledger_driver {' '.join(args)} exited "
                 f"{result.returncode}:\n{output_tail(result)}")
        lines = result.stdout.strip().split("\n")
        if len(lines) != 1:
            fail(f"step {step}: {self.name}: ledger_driver {' '.join(args)}: expected one JSON "
                 f"line, got {result.stdout!r}")
        return json.loads(lines[0])

    def write(self, step, db, seed, at):
        return self.json(step, ["write", "--db", db, "--terminal", "store-7/till-2",
                                "--seed", str(seed), "--at", str(at)])

    def check(self, step, db, at):
        return self.json(step, ["check", "--db", db, "--at", str(at)])


def read_db(db, sql):
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def user_version(db):
    return read_db(db, "PRAGMA user_version")[0][0]


def min_reader_version(db):
    return read_db(db, "SELECT value FROM meta WHERE key = 'min_reader_version'")[0][0]


def has_table(db, name):
    return read_db(db, "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND "
                       f"name = '{name}'")[0][0] == 1


def expect(step, what, actual, expected):
    if actual == expected:
        return
    if isinstance(actual, dict) and isinstance(expected, dict):
        keys = sorted(set(actual) | set(expected))
        differ = [f"{key}: expected {expected.get(key)!r}, got {actual.get(key)!r}"
                  for key in keys if actual.get(key) != expected.get(key)]
        fail(f"step {step}: {what}: " + "; ".join(differ) + f" (all of it: {actual!r})")
    fail(f"step {step}: {what}: expected {expected!r}, got {actual!r}")


def expected_check(seeds, schema_version, schema_build):
    return {
        "schema_version": schema_version,
        "schema_build": schema_build,
        "ok": True,
        "problems": [],
        "accounts": ACCOUNTS,
        "transfers": TRANSFERS_PER_SEED * seeds,
        "pending_open": 0,
        "lots": LOTS_PER_SEED * seeds,
        "events": 4 * seeds,
        "balances": {
            # anna's live lots: her S<N>-1 and S<N>-3 lots, less those her burns emptied. Every
            # burn takes its 30 points from her oldest lot with points left (no lot expires), so
            # the 120 of S1-1 are gone after four seeds, S2-1's after eight...; ben's S<N>-2 lots
            # each keep the 25 points of the loaf he did not return.
            "anna": {"posted": ANNA_PER_SEED * seeds, "available": ANNA_PER_SEED * seeds,
                     "lots": 2 * seeds - seeds // 4},
            "ben": {"posted": BEN_PER_SEED * seeds, "available": BEN_PER_SEED * seeds,
                    "lots": seeds},
        },
        "event_seq_last": 4 * seeds,
        "event_kinds": {"checkout": 3 * seeds, "refund": seeds},
    }


def cycle(old, new, work_dir):
    cycle_dir = os.path.join(work_dir, "cycle")
    shutil.rmtree(cycle_dir, ignore_errors=True)
    os.makedirs(cycle_dir)
    db = os.path.join(cycle_dir, "ledger.db")
    release = new.info["release"]
    expect("0", "the previous release's driver", old.info, {"release": "", "schema_build": 5})
    expect("0", "this build's schema", new.info["schema_build"], 6)
    if not release:
        fail("this build's ledger_driver records no release (LOYALTY_LEDGER_DRIVER_RELEASE)")

    # a. The previous release creates the ledger and writes.
    at = STEP_AT["a"]
    expect("a", "write", old.write("a", db, 1, at), {"event_seq_last": 4})
    expect("a", "check", old.check("a", db, at + CHECK_AFTER_S), expected_check(1, 5, 5))
    expect("a", "user_version", user_version(db), 5)
    expect("a", "software_releases exists", has_table(db, "software_releases"), False)

    # b. This build opens it: migrates to v6, records its release, writes.
    at = STEP_AT["b"]
    expect("b", "write", new.write("b", db, 2, at), {"event_seq_last": 8})
    expect("b", "user_version", user_version(db), 6)
    # An expand-only v6 leaves it at 5; a contract one would raise it, and lock the previous
    # release out (step c).
    expect("b", "min_reader_version", min_reader_version(db), "5")
    first_opened_at = at
    checked = new.check("b", db, at + CHECK_AFTER_S)
    wanted = expected_check(2, 6, 6)
    wanted["releases"] = [{"release": release, "schema_build": 6,
                           "first_opened_at": first_opened_at,
                           "last_opened_at": at + CHECK_AFTER_S}]
    expect("b", "check", checked, wanted)
    rows_after_b = read_db(db, "SELECT * FROM software_releases ORDER BY release")
    expect("b", "software_releases", rows_after_b,
           [(release, 6, first_opened_at, at + CHECK_AFTER_S)])

    # c. The rollback: the previous release opens the v6 ledger, checks it, writes more.
    at = STEP_AT["c"]
    expect("c", "write", old.write("c", db, 3, at), {"event_seq_last": 12})
    expect("c", "check", old.check("c", db, at + CHECK_AFTER_S), expected_check(3, 6, 5))
    expect("c", "user_version", user_version(db), 6)
    expect("c", "min_reader_version", min_reader_version(db), "5")
    expect("c", "software_releases (the previous release records nothing)",
           read_db(db, "SELECT * FROM software_releases ORDER BY release"), rows_after_b)

    # d. Updated again: this build sees everything, its table and row still there.
    at = STEP_AT["d"]
    expect("d", "write", new.write("d", db, 4, at), {"event_seq_last": 16})
    checked = new.check("d", db, at + CHECK_AFTER_S)
    wanted = expected_check(4, 6, 6)
    wanted["releases"] = [{"release": release, "schema_build": 6,
                           "first_opened_at": first_opened_at,
                           "last_opened_at": at + CHECK_AFTER_S}]
    expect("d", "check", checked, wanted)
    expect("d", "user_version", user_version(db), 6)
    receipts = read_db(db, "SELECT receipt_id FROM receipts ORDER BY receipt_id")
    expect("d", "receipts", [r[0] for r in receipts],
           [f"S{seed}-{n}" for seed in range(1, 5) for n in range(1, 4)])

    # e. A ledger at a contract v7 is refused by both, and left as it was.
    contract = os.path.join(cycle_dir, "ledger-v7.db")
    source = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    target = sqlite3.connect(contract)
    source.backup(target)
    source.close()
    target.execute("UPDATE meta SET value = '7' WHERE key = 'min_reader_version'")
    target.commit()
    target.execute("PRAGMA user_version = 7")
    target.close()
    for driver, build in ((old, 5), (new, 6)):
        result = driver.run(["check", "--db", contract, "--at", str(at)])
        expect("e", f"{driver.name}: exit status on v7", result.returncode, 1)
        expect("e", f"{driver.name}: message on v7", result.stderr,
               f"ledger_driver: open {contract}: ledger schema version 7 is newer than this "
               f"build ({build}); install a newer release\n")
        expect("e", f"{driver.name}: stdout on v7", result.stdout, "")
        expect("e", "user_version of the v7 copy", user_version(contract), 7)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--driver", required=True, help="this build's ledger_driver")
    parser.add_argument("--cmake", default="cmake")
    parser.add_argument("--generator", default="Ninja")
    parser.add_argument("--cxx", default="g++")
    args = parser.parse_args()
    started = time.monotonic()
    try:
        version, commit = previous_release(args.source_dir)
        check_repository(args.source_dir, version, commit)
        os.makedirs(args.work_dir, exist_ok=True)
        if not os.access(args.driver, os.X_OK):
            fail(f"{args.driver} is missing: build this tree's ledger_driver first "
                 f"(cmake --build BUILD --target ledger_driver)")
        old = Driver(f"release {version}", build_previous(args, version, commit))
        new = Driver("this build", args.driver)
        cycle_started = time.monotonic()
        cycle(old, new, args.work_dir)
    except Failure as failure:
        print(f"rollback: FAILED: {failure}", file=sys.stderr)
        return 1
    print(f"rollback: release {version} and this build ({new.info['release']}) took turns on one "
          f"ledger: created, migrated to v6, rolled back and written, updated again; a contract "
          f"v7 refused by both. Cycle {time.monotonic() - cycle_started:.1f} s, "
          f"total {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
