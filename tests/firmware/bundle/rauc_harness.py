"""A terminal for RAUC to update in a scratch directory, with the real `rauc service` and install.

    import rauc_harness
    from rauc_harness import TestSystem

    reason = rauc_harness.install_blocker()   # None, or why `rauc install` cannot run here
    rauc_harness.install_terminal(cmake, build_dir, tree)          # this build's terminal
    rauc_harness.build_bundle(tree, bundle, compatible="loyalty-terminal-test",
                              version="0.1.1")                     # development keys
    with TestSystem(work_dir, compatible="loyalty-terminal-test", keyring=rauc_harness.DEV_CA,
                    factory_version="0.1.0") as system:
        result = system.install(bundle)             # RaucResult: .ok, .last_error, .output
        system.reboot()                             # boots the primary slot, as a bootloader would
        system.boot_state("booted")                 # "good", "bad" or "unmarked"
        system.mark_good()                          # `rauc status mark-good booted`
        subprocess.run(["rauc", "status", "mark-good"], env=system.env)   # any program, same bus

What it builds under work_dir (which it empties first):

    system.conf        RAUC's configuration: [system] compatible=, bootloader=custom, a mount
                       prefix and data directory of its own, the keyring given, two rootfs slots
    slots/rootfs.0.img, slots/rootfs.1.img
                       the slots (bootnames A and B): sparse files of type raw, into which RAUC
                       writes the bundle's squashfs image as it would into a partition. Slot A
                       holds the factory image (factory_tree, or an empty tree, with
                       /usr/share/loyalty/version = factory_version when that is not None).
    bootloader-backend RAUC's custom bootloader backend (RAUC 1.8: get-primary, set-primary,
                       get-state, set-state; get-current for newer RAUC), which runs this module;
                       the boot state is in boot-state.json and every call is appended to
                       bootloader.log
    root/              the running system's files: the booted slot's image unpacked at each
                       (re)boot, with an empty run/ (a tmpfs on a terminal, so whatever was in it
                       is gone after reboot()). The bundle hook sees it through
                       LOYALTY_UPDATE_ROOT (firmware/bundle/hook.sh).
    data/              RAUC's data directory (central.raucs: what it installed where)
    mnt/               RAUC's mount prefix (the bundle is loop-mounted at mnt/bundle)

Why it can run here: RAUC 1.8 (Debian 12) does `rauc install` and `rauc status mark-*` through
its D-Bus service, even on the command line ("Error creating proxy: Could not connect" without
it), and Debian ships neither a D-Bus policy nor a unit for it. start() runs a system bus of its
own (dbus-daemon --config-file=dbus-system.conf in work_dir: Debian's system bus policy, with
the terminal's RAUC policy firmware/bundle/board/de.pengutronix.rauc.conf included, so that is
tested too: root only), then `rauc service --conf=system.conf --override-boot-slot=<bootname>`
on it, reached through DBUS_SYSTEM_BUS_ADDRESS (the booted slot is given because /proc/cmdline
has no rauc.slot= here). Slots of type raw can be regular files, and a custom bootloader backend
needs no bootloader, so no block device, partition or bootloader is needed. What does need
privileges: RAUC loop-mounts the bundle (root, /dev/loop-control), and a verity bundle needs
device-mapper with dm-verity, which some kernels (this sandbox's) lack: install_format() says
which format this machine can install, install_blocker() whether any. (RAUC also picks the
session bus when DBUS_STARTER_BUS_TYPE=session, which would need no policy; the system bus is
what a terminal has.)

The boot model (boot-state.json, one entry per bootname):

    good      confirmed: marked good (`rauc status mark-good`, set-state good)
    bad       not bootable: RAUC marks the target slot bad before writing it, or mark-bad
    unmarked  activated but not confirmed: set-primary of a slot that was not good (after an
              install, or mark-active of a bad slot) gives it boot_attempts tries, as barebox's
              bootchooser or U-Boot's counter do. RAUC only knows good and bad: get-state says
              "good" for an unmarked slot, which is bootable.

reboot() boots the primary slot if it is good, or unmarked with attempts left (one is used);
an unmarked slot without attempts left becomes bad and the other slot is tried, like a
bootloader falling back. The slot booted becomes the primary.

API (TestSystem):
    TestSystem(work_dir, *, compatible, keyring, factory_version, factory_tree=None,
               boot_attempts=3, slot_size_bytes=256 MiB, bundle_formats="plain verity")
    start(), stop(); a context manager (start on enter, stop on exit)
    reboot() -> str                the bootname booted (restarts rauc service; empties root/run)
    install(bundle, timeout_s=60) -> RaucResult     `rauc install BUNDLE`
    mark_good(slot="booted"), mark_bad(slot), mark_active(slot) -> RaucResult
    rauc(*args, timeout_s=60) -> RaucResult          any rauc command, against this system
    status() -> dict                 `rauc status --output-format=json`
    booted() -> str, primary() -> str                bootnames ("A", "B")
    boot_state(slot) -> str          "good" | "bad" | "unmarked"; slot is a bootname, a slot
                                     name ("rootfs.0"), "booted" or "other"
    boot_attempts_left(slot) -> int
    slot_status(slot) -> dict        RAUC's record of the slot (central.raucs), e.g.
                                     {"bundle.version": "0.1.1", "status": "ok", ...}; {} if none
    slot_sha256(slot) -> str         of the slot file's contents
    slot_version(slot) -> str|None   /usr/share/loyalty/version inside the slot's image
    running_version() -> str|None    root/usr/share/loyalty/version
    allow_downgrade()                creates root/run/loyalty-update/allow-downgrade (the hook's
                                     override; gone after reboot())
    bootloader_calls() -> list[str]  the backend's calls so far, e.g. "set-state B bad"
    service_log() -> str             rauc service's output since the last (re)start
    env: dict                        the environment whose rauc clients reach this system's
                                     service: DBUS_SYSTEM_BUS_ADDRESS of the private bus (and
                                     LOYALTY_UPDATE_ROOT); run them as root, as the policy says
    root, conf_path, work_dir: str

RaucResult: returncode, stdout, stderr, output (both), ok (returncode == 0), last_error (the
"LastError:" line of a failed install, without the prefix, or "").

Module functions:
    install_format() -> "verity" | "plain"    what `rauc install` can mount on this machine
    install_blocker() -> str | None           why it cannot install at all, or None
    install_terminal(cmake, build_dir, destdir) -> CompletedProcess
                       `cmake --install build_dir --prefix /usr --component terminal --strip`
                       into DESTDIR=destdir: the tree a terminal's image holds
    build_bundle(tree, output, *, compatible, version, fmt=None, cert=DEV_CERT, key=DEV_KEY,
                 keyring=DEV_CA) -> CompletedProcess
                       firmware/bundle/build-bundle.sh (fmt None: install_format()); keyring
                       None leaves out --keyring
    DEV_CA, DEV_CERT, DEV_KEY                 the development keys (firmware/bundle/keys/dev/)
Running this file as `rauc_harness.py bootloader-backend STATE_FILE COMMAND [ARGS]` is the
backend itself (what bootloader-backend runs).
"""

import configparser
import hashlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SERVICE_START_TIMEOUT_S = 10
SERVICE_STOP_TIMEOUT_S = 10
BOOTNAMES = {"rootfs.0": "A", "rootfs.1": "B"}
VERSION_PATH = "usr/share/loyalty/version"
OVERRIDE_PATH = "run/loyalty-update/allow-downgrade"
BUNDLE_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                          "..", "firmware", "bundle"))
RECIPE = os.path.join(BUNDLE_DIR, "build-bundle.sh")
DEV_CA = os.path.join(BUNDLE_DIR, "keys", "dev", "ca.cert.pem")
DEV_CERT = os.path.join(BUNDLE_DIR, "keys", "dev", "signer.cert.pem")
DEV_KEY = os.path.join(BUNDLE_DIR, "keys", "dev", "signer.key.pem")
# The terminal's D-Bus policy for RAUC, which the private bus applies.
RAUC_POLICY = os.path.join(BUNDLE_DIR, "board", "de.pengutronix.rauc.conf")
# A system bus of its own: Debian's /usr/share/dbus-1/system.conf without the parts that need
# the real one (its user, pid file, syslog, activation helper) and with only RAUC's policy.
SYSTEM_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC
 "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <auth>EXTERNAL</auth>
  <listen>unix:path={socket}</listen>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <include>{rauc_policy}</include>
</busconfig>
"""


class RaucResult:
    """The outcome of one rauc command: exit status and what it printed."""

    def __init__(self, args, completed):
        self.args = args
        self.returncode = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr

    @property
    def ok(self):
        return self.returncode == 0

    @property
    def output(self):
        return self.stdout + self.stderr

    @property
    def last_error(self):
        for line in self.output.splitlines():
            if line.startswith("LastError: "):
                return line[len("LastError: "):]
        return ""

    def __repr__(self):
        return f"RaucResult({' '.join(self.args)!r}, exit {self.returncode}, {self.output!r})"


def _device_mapper_has_verity():
    if not os.path.exists("/dev/mapper/control") or shutil.which("dmsetup") is None:
        return False
    targets = subprocess.run(["dmsetup", "targets"], capture_output=True, text=True)
    return targets.returncode == 0 and any(
        line.split()[0] == "verity" for line in targets.stdout.splitlines() if line.split())


def install_format():
    """The bundle format `rauc install` can mount on this machine: verity needs dm-verity."""
    return "verity" if _device_mapper_has_verity() else "plain"


def install_blocker():
    """Why a real `rauc install` cannot run here, or None when it can."""
    for tool, package in (("rauc", "rauc"), ("dbus-daemon", "dbus"), ("dbus-send", "dbus"),
                          ("mksquashfs", "squashfs-tools"), ("unsquashfs", "squashfs-tools")):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian: {package}; scripts/install-deps.sh)"
    if os.geteuid() != 0:
        return "not root: rauc install loop-mounts the bundle"
    if not os.path.exists("/dev/loop-control"):
        return "no /dev/loop-control: rauc install loop-mounts the bundle"
    return None


def install_terminal(cmake, build_dir, destdir):
    """The terminal's files of build_dir, stripped, as the image holds them, under destdir."""
    return subprocess.run([cmake, "--install", build_dir, "--prefix", "/usr", "--component",
                           "terminal", "--strip"], env=dict(os.environ, DESTDIR=destdir),
                          capture_output=True, text=True)


def build_bundle(tree, output, *, compatible, version, fmt=None, cert=DEV_CERT, key=DEV_KEY,
                 keyring=DEV_CA):
    """firmware/bundle/build-bundle.sh of tree into output; fmt None: what installs here."""
    args = ["bash", RECIPE, "--tree", tree, "--compatible", compatible, "--version", version,
            "--cert", cert, "--key", key, "--format", fmt or install_format(), "--output", output]
    if keyring:
        args += ["--keyring", keyring]
    return subprocess.run(args, capture_output=True, text=True)


# --- The boot state (shared by the harness and the backend) ---------------------------------------


def _load_state(path):
    with open(path) as file:
        return json.load(file)


def _save_state(path, state):
    temporary = path + ".new"
    with open(temporary, "w") as file:
        json.dump(state, file, indent=1, sort_keys=True)
        file.write("\n")
    os.replace(temporary, path)


def _backend(state_path, args):
    """RAUC's custom bootloader backend over boot-state.json; returns the exit status."""
    state = _load_state(state_path)
    with open(os.path.join(os.path.dirname(state_path), "bootloader.log"), "a") as log:
        log.write(" ".join(args) + "\n")
    command, operands = (args[0], args[1:]) if args else ("", [])
    slots = state["slots"]
    if operands and operands[0] not in slots:
        print(f"bootloader-backend: unknown bootname {operands[0]!r} (have {sorted(slots)})",
              file=sys.stderr)
        return 2
    if command == "get-primary" and not operands:
        print(state["primary"])
    elif command == "get-current" and not operands:
        print(state["booted"])
    elif command == "get-state" and len(operands) == 1:
        print("bad" if slots[operands[0]]["state"] == "bad" else "good")
    elif command == "set-state" and len(operands) == 2 and operands[1] in ("good", "bad"):
        slot = slots[operands[0]]
        slot["state"] = operands[1]
        slot["attempts_left"] = state["boot_attempts"] if operands[1] == "good" else 0
        _save_state(state_path, state)
    elif command == "set-primary" and len(operands) == 1:
        state["primary"] = operands[0]
        slot = slots[operands[0]]
        if slot["state"] != "good":
            slot["state"] = "unmarked"
            slot["attempts_left"] = state["boot_attempts"]
        _save_state(state_path, state)
    else:
        print(f"bootloader-backend: cannot do {' '.join(args)!r} (get-primary, set-primary B, "
              "get-state B, set-state B good|bad, get-current)", file=sys.stderr)
        return 2
    return 0


# --- The test system ------------------------------------------------------------------------------


class TestSystem:
    """A terminal for RAUC to update (module docstring). Not thread-safe; owns work_dir and the
    dbus-daemon and rauc service processes it starts, which stop() ends."""

    def __init__(self, work_dir, *, compatible, keyring, factory_version, factory_tree=None,
                 boot_attempts=3, slot_size_bytes=256 << 20, bundle_formats="plain verity"):
        assert boot_attempts > 0 and slot_size_bytes > 0
        self.work_dir = os.path.abspath(work_dir)
        self.root = os.path.join(self.work_dir, "root")
        self.conf_path = os.path.join(self.work_dir, "system.conf")
        self._state_path = os.path.join(self.work_dir, "boot-state.json")
        self._slot_paths = {bootname: os.path.join(self.work_dir, "slots", f"{name}.img")
                            for name, bootname in BOOTNAMES.items()}
        self._bus = None
        self._service = None
        self._bus_log = None
        self._service_log_path = os.path.join(self.work_dir, "rauc-service.log")
        self._bus_dir = None
        self.env = {}

        shutil.rmtree(self.work_dir, ignore_errors=True)
        for sub in ("slots", "data", "mnt"):
            os.makedirs(os.path.join(self.work_dir, sub))
        self._write_conf(compatible, os.path.abspath(keyring), bundle_formats)
        self._write_backend()
        for path in self._slot_paths.values():
            with open(path, "wb") as file:
                file.truncate(slot_size_bytes)
        self._write_factory_image(factory_tree, factory_version, self._slot_paths["A"])
        # The factory's state: A confirmed and booted, B empty and not bootable.
        _save_state(self._state_path, {
            "boot_attempts": boot_attempts, "booted": "A", "primary": "A",
            "slots": {"A": {"state": "good", "attempts_left": boot_attempts},
                      "B": {"state": "bad", "attempts_left": 0}}})
        self._unpack_root("A")

    def _write_conf(self, compatible, keyring, bundle_formats):
        slots = "".join(
            f"\n[slot.{name}]\ndevice={self._slot_paths[bootname]}\ntype=raw\nbootname={bootname}\n"
            for name, bootname in BOOTNAMES.items())
        with open(self.conf_path, "w") as file:
            file.write(f"""# A test terminal (tests/firmware/bundle/rauc_harness.py).
[system]
compatible={compatible}
bootloader=custom
mountprefix={self.work_dir}/mnt
data-directory={self.work_dir}/data
bundle-formats={bundle_formats}

[keyring]
path={keyring}

[handlers]
bootloader-custom-backend={self.work_dir}/bootloader-backend
{slots}""")

    def _write_backend(self):
        path = os.path.join(self.work_dir, "bootloader-backend")
        with open(path, "w") as file:
            file.write("#!/bin/sh\n# RAUC's custom bootloader backend: tests/firmware/bundle/"
                       "rauc_harness.py over boot-state.json.\n"
                       f"exec /usr/bin/python3 {shlex.quote(os.path.abspath(__file__))} "
                       f"bootloader-backend {shlex.quote(self._state_path)} \"$@\"\n")
        os.chmod(path, 0o755)

    def _write_factory_image(self, factory_tree, factory_version, slot_path):
        with tempfile.TemporaryDirectory(dir=self.work_dir) as scratch:
            tree = os.path.join(scratch, "tree")
            if factory_tree:
                shutil.copytree(factory_tree, tree, symlinks=True)
            else:
                os.makedirs(os.path.join(tree, "usr"))
            if factory_version is not None:
                os.makedirs(os.path.join(tree, os.path.dirname(VERSION_PATH)), exist_ok=True)
                with open(os.path.join(tree, VERSION_PATH), "w") as file:
                    file.write(factory_version + "\n")
            image = os.path.join(scratch, "rootfs.img")
            _check(["mksquashfs", tree, image, "-all-root", "-noappend", "-quiet", "-no-progress"])
            # Written over the start of the slot, as a factory would flash the partition.
            with open(image, "rb") as source, open(slot_path, "r+b") as slot:
                shutil.copyfileobj(source, slot)

    def _unpack_root(self, bootname):
        shutil.rmtree(self.root, ignore_errors=True)
        unpacked = subprocess.run(["unsquashfs", "-q", "-n", "-d", self.root,
                                   self._slot_paths[bootname]], capture_output=True, text=True)
        if unpacked.returncode != 0:
            raise RuntimeError(f"slot {bootname} holds no squashfs image the bootloader could "
                               f"boot: {unpacked.stderr.strip()}")
        os.makedirs(os.path.join(self.root, "run"), exist_ok=True)

    # --- Processes ---------------------------------------------------------------------------

    def start(self):
        assert self._service is None, "already started"
        self._bus_dir = tempfile.mkdtemp(prefix="rauc-bus-")  # short: socket paths are limited
        os.chmod(self._bus_dir, 0o755)  # any user may connect, as to /run/dbus: the policy decides
        socket = os.path.join(self._bus_dir, "system_bus_socket")
        config = os.path.join(self.work_dir, "dbus-system.conf")
        with open(config, "w") as file:
            file.write(SYSTEM_BUS_CONFIG.format(socket=socket, rauc_policy=RAUC_POLICY))
        self._bus_log = open(os.path.join(self.work_dir, "dbus-daemon.log"), "w")
        self._bus = subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--nopidfile"],
            stdout=self._bus_log, stderr=subprocess.STDOUT)
        self.env = {name: value for name, value in os.environ.items()
                    if name not in ("DBUS_SESSION_BUS_ADDRESS", "DBUS_STARTER_BUS_TYPE",
                                    "DBUS_STARTER_ADDRESS")}
        self.env.update(DBUS_SYSTEM_BUS_ADDRESS=f"unix:path={socket}",
                        LOYALTY_UPDATE_ROOT=self.root)
        deadline = time.monotonic() + SERVICE_START_TIMEOUT_S
        while not os.path.exists(socket):
            if self._bus.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dbus-daemon --config-file={config} did not start")
            time.sleep(0.02)
        self._start_service()

    def _start_service(self):
        booted = _load_state(self._state_path)["booted"]
        with open(self._service_log_path, "w") as log:
            self._service = subprocess.Popen(
                ["rauc", "service", f"--conf={self.conf_path}", f"--override-boot-slot={booted}"],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=self.work_dir)
        deadline = time.monotonic() + SERVICE_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._service.poll() is not None:
                raise RuntimeError(f"rauc service exited ({self._service.returncode}):\n"
                                   + self.service_log())
            owner = subprocess.run(
                ["dbus-send", f"--bus={self.env['DBUS_SYSTEM_BUS_ADDRESS']}", "--print-reply",
                 "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                 "org.freedesktop.DBus.NameHasOwner", "string:de.pengutronix.rauc"],
                capture_output=True, text=True)
            if "boolean true" in owner.stdout:
                return
            time.sleep(0.05)
        raise RuntimeError(f"rauc service did not take de.pengutronix.rauc within "
                           f"{SERVICE_START_TIMEOUT_S} s:\n" + self.service_log())

    def _stop_process(self, process):
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=SERVICE_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _stop_service(self):
        self._stop_process(self._service)
        self._service = None
        # A service killed mid-install may leave the bundle mounted: only this system's mounts.
        mnt = os.path.join(self.work_dir, "mnt") + "/"
        with open("/proc/self/mounts") as mounts:
            ours = [line.split()[1] for line in mounts if line.split()[1].startswith(mnt)]
        for mount_point in reversed(ours):
            subprocess.run(["umount", "-l", mount_point], capture_output=True)

    def stop(self):
        self._stop_service()
        self._stop_process(self._bus)
        self._bus = None
        if self._bus_log:
            self._bus_log.close()
            self._bus_log = None
        if self._bus_dir:
            shutil.rmtree(self._bus_dir, ignore_errors=True)
            self._bus_dir = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    # --- Operations ------------------------------------------------------------------------------

    def rauc(self, *args, timeout_s=60):
        assert self._service is not None, "start() the system first"
        command = ["rauc", *args]
        completed = subprocess.run(command, env=self.env, capture_output=True, text=True,
                                   timeout=timeout_s, cwd=self.work_dir)
        return RaucResult(command, completed)

    def install(self, bundle, timeout_s=60):
        return self.rauc("install", os.path.abspath(bundle), timeout_s=timeout_s)

    def mark_good(self, slot="booted"):
        return self.rauc("status", "mark-good", slot)

    def mark_bad(self, slot="booted"):
        return self.rauc("status", "mark-bad", slot)

    def mark_active(self, slot="booted"):
        return self.rauc("status", "mark-active", slot)

    def status(self):
        result = self.rauc("status", "--output-format=json")
        if not result.ok:
            raise RuntimeError(f"rauc status failed: {result}")
        return json.loads(result.stdout)

    def reboot(self):
        """Boots as a bootloader would (module docstring); returns the bootname booted."""
        self._stop_service()
        state = _load_state(self._state_path)
        order = [state["primary"]] + sorted(set(state["slots"]) - {state["primary"]})
        booted = None
        for bootname in order:
            slot = state["slots"][bootname]
            if slot["state"] == "good":
                booted = bootname
            elif slot["state"] == "unmarked" and slot["attempts_left"] > 0:
                slot["attempts_left"] -= 1
                booted = bootname
            elif slot["state"] == "unmarked":
                slot["state"] = "bad"  # out of attempts: the bootloader gives up on it
            if booted:
                break
        if booted is None:
            raise RuntimeError(f"no bootable slot: {state['slots']}")
        state["booted"] = state["primary"] = booted
        _save_state(self._state_path, state)
        self._unpack_root(booted)
        self._start_service()
        return booted

    # --- What is where -----------------------------------------------------------------------

    def _bootname(self, slot):
        state = _load_state(self._state_path)
        if slot == "booted":
            return state["booted"]
        if slot == "other":
            others = sorted(set(state["slots"]) - {state["booted"]})
            assert len(others) == 1
            return others[0]
        if slot in BOOTNAMES:
            return BOOTNAMES[slot]
        assert slot in state["slots"], f"no slot {slot!r}"
        return slot

    def booted(self):
        return _load_state(self._state_path)["booted"]

    def primary(self):
        return _load_state(self._state_path)["primary"]

    def boot_state(self, slot):
        return _load_state(self._state_path)["slots"][self._bootname(slot)]["state"]

    def boot_attempts_left(self, slot):
        return _load_state(self._state_path)["slots"][self._bootname(slot)]["attempts_left"]

    def slot_status(self, slot):
        bootname = self._bootname(slot)
        name = next(name for name, other in BOOTNAMES.items() if other == bootname)
        status = configparser.ConfigParser(interpolation=None)
        status.read(os.path.join(self.work_dir, "data", "central.raucs"))
        section = f"slot.{name}"
        return dict(status[section]) if status.has_section(section) else {}

    def slot_sha256(self, slot):
        digest = hashlib.sha256()
        with open(self._slot_paths[self._bootname(slot)], "rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()

    def slot_version(self, slot):
        found = subprocess.run(["unsquashfs", "-cat", self._slot_paths[self._bootname(slot)],
                                VERSION_PATH], capture_output=True, text=True)
        return found.stdout.strip() if found.returncode == 0 else None

    def running_version(self):
        try:
            with open(os.path.join(self.root, VERSION_PATH)) as file:
                return file.read().strip()
        except FileNotFoundError:
            return None

    def allow_downgrade(self):
        path = os.path.join(self.root, OVERRIDE_PATH)
        os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
        open(path, "w").close()

    def bootloader_calls(self):
        try:
            with open(os.path.join(self.work_dir, "bootloader.log")) as log:
                return log.read().splitlines()
        except FileNotFoundError:
            return []

    def service_log(self):
        try:
            with open(self._service_log_path) as log:
                return log.read()
        except FileNotFoundError:
            return ""


def _check(args):
    completed = subprocess.run(args, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed (exit {completed.returncode}):\n"
                           f"{completed.stdout}{completed.stderr}")
    return completed


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "bootloader-backend":
        sys.exit(_backend(sys.argv[2], sys.argv[3:]))
    print("usage: rauc_harness.py bootloader-backend STATE_FILE COMMAND [ARGS] (RAUC runs this; "
          "tests import the module)", file=sys.stderr)
    sys.exit(2)
