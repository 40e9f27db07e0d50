#!/usr/bin/python3
"""The bundle hook's anti-downgrade and board checks, through a real `rauc install`.

    bundle_anti_downgrade_test.py SOURCE_DIR WORK_DIR VERSION CMAKE BUILD_DIR

WORK_DIR is emptied first. Bundles of this build's terminal tree (`cmake --install --component
terminal --strip` into a DESTDIR) are built with firmware/bundle/build-bundle.sh and the
development keys, then installed by RAUC 1.8's own `rauc service` into a test terminal of
tests/firmware/bundle/rauc_harness.py: file-backed raw slots, a custom bootloader backend, a
private D-Bus session bus. The hook (firmware/bundle/hook.sh) runs as RAUC runs it, from the
mounted bundle with RAUC's environment; the "running system" it reads is the harness's root/,
unpacked from the booted slot, through LOYALTY_UPDATE_ROOT.

The bundle format is the one this machine can install (rauc_harness.install_format()): verity
when device-mapper has dm-verity, else plain, whose install RAUC mounts from a loop device
alone. The hook and the manifest are the same in both; only the format line differs. Without
root or loop devices (rauc_harness.install_blocker()) the test reports "skipped:".

With VERSION the project's version V, the factory image V in slot A, booted:

 1. V~rc1 (older) is refused, with the hook's exact message; no slot or boot state changes.
 2. V+build.2 (newer) is installed into B, which becomes primary and unmarked; after reboot() it
    is booted (the running version is V+build.2) and `rauc status mark-good` makes it good.
 3. V+build.2 again (the same version) is accepted: the policy (hook.sh) is that reinstalling
    the running release is allowed; it goes into A.
 4. A bundle for another board is refused, even with the downgrade override present.
 5. reboot() empties run/, so the override is gone: V~rc1 is refused again. An override file not
    owned by root is refused with its own message. Then, with the override, V~rc1 is installed.
 6. A terminal whose image has no version file refuses a bundle until the override is set.

Every failed check is listed; exit status 1 if there was any.
"""

import os
import shutil
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rauc_harness  # noqa: E402
from checks import check, finish, run  # noqa: E402

source_dir, work_dir, project_version, cmake, build_dir = sys.argv[1:6]
dev_ca = rauc_harness.DEV_CA
board = "loyalty-terminal-test"
other_board = "loyalty-terminal-otherboard"
older, newer = f"{project_version}~rc1", f"{project_version}+build.2"
override_how = ("as root: mkdir -p /run/loyalty-update && touch /run/loyalty-update/"
                "allow-downgrade (cleared at reboot), then install again")





blocker = rauc_harness.install_blocker()
if blocker:
    print(f"skipped: {blocker}")
    sys.exit(0)
bundle_format = rauc_harness.install_format()

# The versions compare as the policy needs (dpkg, as the hook does).
for low, high in [(older, project_version), (project_version, newer)]:
    check(run(["dpkg", "--compare-versions", low, "lt", high]).returncode == 0,
          f"dpkg does not order {low} < {high}: the test's versions are wrong")

shutil.rmtree(work_dir, ignore_errors=True)
os.makedirs(work_dir)
tree = os.path.join(work_dir, "tree")
installed = rauc_harness.install_terminal(cmake, build_dir, tree)
if not check(installed.returncode == 0, f"cmake --install of {build_dir} into {tree} failed:\n"
             f"{installed.stdout}{installed.stderr}"):
    finish()

bundles = {}
for name, compatible, version in [("older", board, older), ("newer", board, newer),
                                  ("other-board", other_board, newer)]:
    bundles[name] = os.path.join(work_dir, f"{name}.raucb")
    built = rauc_harness.build_bundle(tree, bundles[name], compatible=compatible, version=version,
                                      fmt=bundle_format)
    if not check(built.returncode == 0, f"build-bundle.sh {name}: exit {built.returncode}\n"
                 f"{built.stdout}{built.stderr}"):
        finish()


def rejected(message):
    return f"Installation error: Bundle rejected: Hook returned: loyalty install-check: {message}"


def downgrade_refusal(system, bundle_version, installed_version):
    return rejected(
        f"refusing to downgrade: the bundle's version {bundle_version} is older than the installed "
        f"{installed_version} ({system.root}/usr/share/loyalty/version); install "
        f"{installed_version} or newer, or to downgrade on purpose, {override_how}")


def expect_refused(system, bundle, message, what):
    before = (system.slot_sha256("A"), system.slot_sha256("B"), system.primary(),
              system.boot_state("A"), system.boot_state("B"), system.slot_status("other"))
    calls = len(system.bootloader_calls())
    result = system.install(bundle)
    check(result.returncode == 1 and result.last_error == message,
          f"{what}: expected exit 1 and\n    LastError: {message}\n  got {result}")
    after = (system.slot_sha256("A"), system.slot_sha256("B"), system.primary(),
             system.boot_state("A"), system.boot_state("B"), system.slot_status("other"))
    check(after == before and system.bootloader_calls()[calls:] == [],
          f"{what}: the refused install changed the slots or the boot state: {before} -> {after}, "
          f"bootloader calls {system.bootloader_calls()[calls:]}")


def expect_installed(system, bundle, version, what):
    target = {"A": "B", "B": "A"}[system.booted()]
    result = system.install(bundle)
    check(result.ok and f"Installing `{bundle}` succeeded" in result.output,
          f"{what}: expected the install to succeed, got {result}")
    check(system.slot_version(target) == version
          and system.slot_status(target).get("bundle.version") == version
          and system.slot_status(target).get("status") == "ok",
          f"{what}: slot {target} holds {system.slot_version(target)}, RAUC recorded "
          f"{system.slot_status(target)}; expected {version}")
    check(system.primary() == target and system.boot_state(target) == "unmarked",
          f"{what}: primary {system.primary()}, {target} is {system.boot_state(target)}; expected "
          f"{target} primary and unmarked")


terminal_dir = os.path.join(work_dir, "terminal")
with rauc_harness.TestSystem(terminal_dir, compatible=board, keyring=dev_ca,
                             factory_version=project_version) as terminal:
    check(terminal.booted() == "A" and terminal.running_version() == project_version,
          f"the factory terminal runs {terminal.booted()} {terminal.running_version()}")

    # 1. Older than what runs.
    expect_refused(terminal, bundles["older"], downgrade_refusal(terminal, older, project_version),
                   f"installing {older} over {project_version}")

    # 2. Newer: installed, booted, confirmed.
    expect_installed(terminal, bundles["newer"], newer,
                     f"installing {newer} over {project_version}")
    booted = terminal.reboot()
    check(booted == "B" and terminal.running_version() == newer
          and terminal.boot_state("B") == "unmarked" and terminal.boot_attempts_left("B") == 2,
          f"after reboot: booted {booted} running {terminal.running_version()}, B "
          f"{terminal.boot_state('B')} with {terminal.boot_attempts_left('B')} attempts left")
    marked = terminal.mark_good()
    check(marked.ok and marked.stdout == "rauc status: marked slot rootfs.1 as good\n"
          and terminal.boot_state("B") == "good" and terminal.boot_state("A") == "good",
          f"rauc status mark-good: {marked}; B {terminal.boot_state('B')}")

    # 3. The same version again: accepted (hook.sh's policy), into the other slot.
    expect_installed(terminal, bundles["newer"], newer, f"installing {newer} over itself")

    # 4. Another board: refused, and the downgrade override does not change that.
    terminal.allow_downgrade()
    expect_refused(terminal, bundles["other-board"], rejected(
        f"this bundle is for '{other_board}', this terminal is '{board}' ([system] compatible= of "
        f"/etc/rauc/system.conf): install the bundle built for '{board}' (build-bundle.sh "
        f"--compatible '{board}')"), "installing a bundle for another board")

    # 5. The override lives in /run: a reboot ends it.
    booted = terminal.reboot()
    override = os.path.join(terminal.root, "run/loyalty-update/allow-downgrade")
    check(booted == "A" and terminal.running_version() == newer and not os.path.exists(override),
          f"after the second reboot: booted {booted} running {terminal.running_version()}, "
          f"override {'still there' if os.path.exists(override) else 'gone'}")
    expect_refused(terminal, bundles["older"], downgrade_refusal(terminal, older, newer),
                   f"installing {older} over {newer} after the reboot")
    terminal.allow_downgrade()
    os.chown(override, 65534, 65534)
    expect_refused(terminal, bundles["older"], rejected(
        f"ignoring {override}: it must be a regular file owned by root in a directory only root "
        f"can write; remove it and, {override_how}"), "installing with a non-root override file")
    os.chown(override, 0, 0)
    expect_installed(terminal, bundles["older"], older, f"installing {older} with the override")

# 6. An image without the version file: nothing to compare with, so refused until overridden.
blank_dir = os.path.join(work_dir, "terminal-without-version")
with rauc_harness.TestSystem(blank_dir, compatible=board, keyring=dev_ca,
                             factory_version=None) as blank:
    expect_refused(blank, bundles["newer"], rejected(
        f"cannot tell the installed version: {blank.root}/usr/share/loyalty/version is missing or "
        f"holds no Debian version, so bundle {newer} might be a downgrade; to install it anyway, "
        f"{override_how}"), "installing onto an image without a version file")
    blank.allow_downgrade()
    expect_installed(blank, bundles["newer"], newer,
                     "installing with the override, no version file")

finish()
print(f"ok: {bundle_format} bundles: older refused, newer and same accepted, other board refused, "
      "override until reboot")
