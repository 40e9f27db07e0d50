#!/usr/bin/python3
"""The .deb packages of cmake/packaging.cmake, built, unpacked, installed and checked exactly.

    deb_contents_test.py CPACK BUILD_DIR SOURCE_DIR WORK_DIR VERSION MAINTAINER

1. `cpack -B WORK_DIR/debs` in BUILD_DIR writes loyalty-terminal and loyalty-hq (nothing else).
2. Each package's control fields (Package, Version, Architecture, Maintainer, Source, Depends
   as the set of package names dpkg-shlibdeps found), its control files (maintainer scripts
   0755 and `sh -n` clean, conffiles), and the exact list of files with their modes.
3. `dpkg-deb -x` into a scratch root: the modes on disk, no RPATH/RUNPATH, and no path of the
   source or build tree in any file but the two build-tree fallbacks of loyaltyd listed below.
4. `dpkg --root --force-script-chrootless` installs both into another scratch root, running the
   maintainer scripts with DPKG_ROOT (they touch only that root): the users and groups of
   sysusers.d, the modes of tmpfiles.d, then the installed loyaltyd checks the installed
   configuration; `dpkg -r` keeps the conffile, `--purge` removes it, HQ's state stays.
5. lintian: no error, no warning, and exactly the overrides the packages carry are used.

Every failed check is listed; the exit status is 1 if there was any.
"""

import os
import re
import shutil
import stat
import subprocess
import sys

cpack, build_dir, source_dir, work_dir, version, maintainer = sys.argv[1:7]
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, **kwargs)


arch = run(["dpkg", "--print-architecture"]).stdout.strip()

# --- What each package must hold ------------------------------------------------------------------

# Regular files: path -> mode. Directories are 0755 throughout (checked separately).
expected_files = {
    "loyalty-terminal": {
        "/etc/loyalty/loyaltyd.toml": 0o644,
        "/usr/bin/loyaltyctl": 0o755,
        "/usr/bin/loyaltyd": 0o755,
        "/usr/libexec/loyalty/loyalty-decoder": 0o755,
        "/usr/lib/systemd/system/loyalty-health.service": 0o644,
        "/usr/lib/systemd/system/loyaltyd.service": 0o644,
        "/usr/lib/sysusers.d/loyalty.conf": 0o644,
        "/usr/lib/tmpfiles.d/loyalty.conf": 0o644,
        "/usr/lib/udev/rules.d/70-loyalty-readers.rules": 0o644,
        "/usr/share/loyalty/panel/customer.html": 0o644,
        "/usr/share/loyalty/panel/index.html": 0o644,
        "/usr/share/loyalty/panel/panel.css": 0o644,
        "/usr/share/loyalty/panel/panel.js": 0o644,
        "/usr/share/doc/loyalty-terminal/changelog.gz": 0o644,
        "/usr/share/doc/loyalty-terminal/configuration.md": 0o644,
        "/usr/share/doc/loyalty-terminal/flashing.md": 0o644,
        "/usr/share/doc/loyalty-terminal/copyright": 0o644,
        "/usr/share/doc/loyalty-terminal/packages.md": 0o644,
        "/usr/share/doc/loyalty-terminal/pos-api.md": 0o644,
        "/usr/share/doc/loyalty-terminal/system-integration.md": 0o644,
        "/usr/share/lintian/overrides/loyalty-terminal": 0o644,
    },
    "loyalty-hq": {
        "/usr/bin/loyalty-hq": 0o755,
        "/usr/lib/systemd/system/loyalty-hq.service": 0o644,
        "/usr/lib/sysusers.d/loyalty-hq.conf": 0o644,
        "/usr/lib/tmpfiles.d/loyalty-hq.conf": 0o644,
        "/usr/share/doc/loyalty-hq/changelog.gz": 0o644,
        "/usr/share/doc/loyalty-hq/copyright": 0o644,
        "/usr/share/doc/loyalty-hq/backtest.md": 0o644,
        "/usr/share/doc/loyalty-hq/hq-postgres.md": 0o644,
        "/usr/share/doc/loyalty-hq/hq-report.md": 0o644,
        "/usr/share/doc/loyalty-hq/packages.md": 0o644,
        "/usr/share/doc/loyalty-hq/sync.md": 0o644,
        "/usr/share/lintian/overrides/loyalty-hq": 0o644,
    },
}
# Depends, as package names: Debian 12's libraries the programs link (dpkg-shlibdeps), adduser
# for the postinst's fallback, and (loyalty-hq) the Chart.js its report pages inline.
expected_depends = {
    "loyalty-terminal": {
        "adduser", "libc6", "libdate-tz3", "libgcc-s1", "libjpeg62-turbo", "libpng16-16",
        "libseccomp2", "libsqlite3-0", "libssl3", "libstdc++6", "libsystemd0",
        "libtomlplusplus3", "libudev1", "libwebp7", "libxkbcommon0", "libzstd1", "libzxing2",
    },
    "loyalty-hq": {
        "adduser", "libc6", "libdate-tz3", "libgcc-s1", "libjs-chart.js", "libpq5",
        "libsqlite3-0", "libssl3", "libstdc++6", "libzstd1",
    },
}
expected_recommends = {"loyalty-terminal": "systemd, udev", "loyalty-hq": "systemd"}
expected_control_files = {
    "loyalty-terminal": {"control", "md5sums", "postinst", "prerm", "postrm", "conffiles"},
    "loyalty-hq": {"control", "md5sums", "postinst", "prerm", "postrm"},
}
expected_conffiles = {"loyalty-terminal": "/etc/loyalty/loyaltyd.toml\n"}
# Strings of the build machine that may stay in an installed file: loyaltyd's build-tree
# fallbacks (firmware/CMakeLists.txt: LOYALTY_BUILD_BIN_DIR, LOYALTY_PANEL_SOURCE_DIR), reached
# only when neither the configuration nor the installed paths name the decoder or the panel.
allowed_leaks = {
    "/usr/bin/loyaltyd": {
        os.path.join(build_dir, "firmware"),
        os.path.join(source_dir, "firmware", "panel"),
    },
}
# What loyaltyd looks for where the package puts it (readers/decoder_path.h, panel/panel.cc).
expected_strings = {
    "/usr/bin/loyaltyd": ["../libexec/loyalty/loyalty-decoder", "/usr/share/loyalty/panel"],
}
# The overrides lintian must use (packaging/<package>/lintian-overrides), no more, no fewer.
expected_overrides = {
    "O: loyalty-hq: no-manual-page [usr/bin/loyalty-hq]",
    "O: loyalty-terminal: no-manual-page [usr/bin/loyaltyctl]",
    "O: loyalty-terminal: no-manual-page [usr/bin/loyaltyd]",
}

# --- 1. Build them --------------------------------------------------------------------------------

shutil.rmtree(work_dir, ignore_errors=True)
debs_dir = os.path.join(work_dir, "debs")
os.makedirs(debs_dir)
built = run([cpack, "-B", debs_dir], cwd=build_dir)
if built.returncode != 0:
    print(f"cpack failed (exit {built.returncode}):\n{built.stdout}{built.stderr}")
    sys.exit(1)
debs = sorted(name for name in os.listdir(debs_dir) if name.endswith(".deb"))
names = [f"loyalty-hq_{version}_{arch}.deb", f"loyalty-terminal_{version}_{arch}.deb"]
if not check(debs == names, f"cpack wrote {debs}, expected {names}"):
    print("\n".join(failures))
    sys.exit(1)
deb_of = {package: os.path.join(debs_dir, f"{package}_{version}_{arch}.deb")
          for package in expected_files}

# --- 2. Control fields, control files, file list ---------------------------------------------------


def control_fields(deb):
    fields = {}
    for line in run(["dpkg-deb", "-f", deb]).stdout.splitlines():
        match = re.match(r"^([A-Za-z-]+): (.*)$", line)
        if match:
            fields[match.group(1)] = match.group(2)
    return fields


for package, deb in deb_of.items():
    fields = control_fields(deb)
    for key, want in [("Package", package), ("Version", version), ("Architecture", arch),
                      ("Maintainer", maintainer), ("Source", "loyalty"), ("Section", "misc"),
                      ("Priority", "optional"), ("Recommends", expected_recommends[package])]:
        check(fields.get(key) == want, f"{package}: {key} is {fields.get(key)!r}, expected {want!r}")
    depends = fields.get("Depends", "")
    names_found = {part.split()[0] for part in depends.split(",") if part.strip()}
    check(names_found == expected_depends[package],
          f"{package}: Depends names {sorted(names_found)}, expected "
          f"{sorted(expected_depends[package])} (Depends: {depends!r})")

    control_dir = os.path.join(work_dir, "control", package)
    os.makedirs(control_dir)
    subprocess.run(["dpkg-deb", "-e", deb, control_dir], check=True)
    found = set(os.listdir(control_dir))
    check(found == expected_control_files[package],
          f"{package}: control files {sorted(found)}, expected "
          f"{sorted(expected_control_files[package])}")
    for script in ("postinst", "prerm", "postrm"):
        path = os.path.join(control_dir, script)
        if not check(os.path.isfile(path), f"{package}: no {script}"):
            continue
        mode = stat.S_IMODE(os.stat(path).st_mode)
        check(mode == 0o755, f"{package}: {script} is {mode:04o}, expected 0755")
        with open(path) as file:
            first = file.readline()
        check(first == "#!/bin/sh\n", f"{package}: {script} starts {first!r}, not #!/bin/sh")
        syntax = run(["sh", "-n", path])
        check(syntax.returncode == 0, f"{package}: sh -n {script}: {syntax.stderr.strip()}")
    conffiles = os.path.join(control_dir, "conffiles")
    if package in expected_conffiles and check(os.path.isfile(conffiles), f"{package}: no conffiles"):
        with open(conffiles) as file:
            text = file.read()
        check(text == expected_conffiles[package],
              f"{package}: conffiles is {text!r}, expected {expected_conffiles[package]!r}")
        mode = stat.S_IMODE(os.stat(conffiles).st_mode)
        check(mode == 0o644, f"{package}: conffiles is {mode:04o}, expected 0644")

    # dpkg-deb -c: "-rwxr-xr-x root/root 2274848 2026-12-07 12:21 ./usr/bin/loyalty-hq"
    listed = {}
    for line in run(["dpkg-deb", "-c", deb]).stdout.splitlines():
        perms, owner, _size, _date, _time, path = line.split(None, 5)
        check(owner == "root/root", f"{package}: {path} is owned by {owner}, not root/root")
        path = path[1:]  # "./usr/bin" -> "/usr/bin"
        if perms.startswith("d"):
            check(perms == "drwxr-xr-x", f"{package}: directory {path} is {perms}")
        else:
            check(perms.startswith("-"), f"{package}: {path} is not a regular file ({perms})")
            listed[path] = perms
    want = expected_files[package]
    check(set(listed) == set(want),
          f"{package}: missing {sorted(set(want) - set(listed))}, "
          f"unexpected {sorted(set(listed) - set(want))}")

# --- 3. Unpacked: modes, RPATH, paths of the build machine ----------------------------------------

unpacked = os.path.join(work_dir, "unpacked")
for package, deb in deb_of.items():
    subprocess.run(["dpkg-deb", "-x", deb, unpacked], check=True)
    for path, mode in expected_files[package].items():
        full = unpacked + path
        if not check(os.path.isfile(full), f"{package}: {path} not unpacked"):
            continue
        found = stat.S_IMODE(os.stat(full).st_mode)
        check(found == mode, f"{package}: {path} is {found:04o}, expected {mode:04o}")
        if mode == 0o755:
            dynamic = run(["readelf", "-d", full]).stdout
            check("RPATH" not in dynamic and "RUNPATH" not in dynamic,
                  f"{package}: {path} has an RPATH/RUNPATH: {dynamic}")
            sections = run(["readelf", "-S", full]).stdout
            check(".debug_info" not in sections, f"{package}: {path} is not stripped")

build_paths = [os.path.realpath(build_dir), os.path.realpath(source_dir)]
for directory, _dirs, files in os.walk(unpacked):
    for name in files:
        full = os.path.join(directory, name)
        path = full[len(unpacked):]
        with open(full, "rb") as file:
            data = file.read()
        found = set()
        for root in build_paths:
            for match in re.finditer(re.escape(root.encode()) + rb"[^\0\n\"' ]*", data):
                found.add(match.group().decode(errors="replace"))
        check(found == allowed_leaks.get(path, set()),
              f"{path}: holds build-machine paths {sorted(found)}, allowed "
              f"{sorted(allowed_leaks.get(path, set()))}")
for path, strings in expected_strings.items():
    with open(unpacked + path, "rb") as file:
        data = file.read()
    for text in strings:
        check(text.encode() + b"\0" in data, f"{path}: does not hold the path {text!r}")

# --- 4. Installed with dpkg into a scratch root ----------------------------------------------------

root = os.path.join(work_dir, "root")
as_root = os.geteuid() == 0
if not as_root:
    print("note: not root, so the packages are not installed into a scratch root "
          "(systemd-sysusers and systemd-tmpfiles give files to its users only as root)")
for sub in ("var/lib/dpkg/info", "var/lib/dpkg/updates", "etc"):
    os.makedirs(os.path.join(root, sub))
for name in ("status", "available"):
    open(os.path.join(root, "var/lib/dpkg", name), "w").close()
if as_root:
    # --force-script-chrootless: the scripts run here, with DPKG_ROOT=root, instead of chrooted into
    # a root without /bin/sh; --force-depends: the root has none of the libraries; --force-not-root
    # lets the test run unprivileged as far as dpkg goes (sysusers and tmpfiles still need root).
    dpkg = ["dpkg", f"--root={root}", "--force-script-chrootless", "--force-not-root",
            "--force-depends", "--log=/dev/null"]
    installed = run(dpkg + ["-i", deb_of["loyalty-terminal"], deb_of["loyalty-hq"]])
    check(installed.returncode == 0,
          f"dpkg -i into {root} failed (exit {installed.returncode}):\n{installed.stderr}")
    status = run(["dpkg-query", f"--admindir={root}/var/lib/dpkg", "-W",
                  "-f=${Package} ${Status}\n"]).stdout
    check(status == "loyalty-hq install ok installed\nloyalty-terminal install ok installed\n",
          f"dpkg-query in the scratch root: {status!r}")


    def read(path):
        try:
            with open(root + path) as file:
                return file.read()
        except OSError as error:
            return f"<{error}>"


    # An empty root: sysusers counts down from 999 in the order of the files, terminal first.
    check(read("/etc/passwd") ==
          "loyalty:x:998:998:Loyalty terminal daemon:/:/usr/sbin/nologin\n"
          "loyalty-hq:x:997:997:Loyalty HQ receiver:/:/usr/sbin/nologin\n",
          f"scratch /etc/passwd is {read('/etc/passwd')!r}")
    check(read("/etc/group") == "loyalty-readers:x:999:loyalty\nloyalty:x:998:\nloyalty-hq:x:997:\n",
          f"scratch /etc/group is {read('/etc/group')!r}")


    def mode_owner(path):
        info = os.stat(root + path)
        return f"{stat.S_IMODE(info.st_mode):04o} {info.st_uid}:{info.st_gid}"


    for path, want in [("/etc/loyalty/loyaltyd.toml", "0640 0:998"),
                       ("/var/lib/loyalty-hq", "0700 997:997"),
                       ("/usr/bin/loyaltyd", "0755 0:0")]:
        found = mode_owner(path) if os.path.exists(root + path) else "missing"
        check(found == want, f"scratch {path} is {found}, expected {want} (mode uid:gid)")

    # The installed daemon reads the installed configuration: valid, but for the terminal's identity.
    config = f"{root}/etc/loyalty/loyaltyd.toml"
    checked = run([f"{root}/usr/bin/loyaltyd", "--config", config, "--check-config"])
    check((checked.returncode, checked.stderr) == (2, f"loyaltyd: {config}: terminal.id: is required\n"),
          f"loyaltyd --check-config of the shipped file: exit {checked.returncode}, {checked.stderr!r}")
    checked = run([f"{root}/usr/bin/loyaltyd", "--config", config, "--set", "terminal.id=FM014-T2",
                   "--set", "terminal.store_id=fm-014", "--check-config"])
    check((checked.returncode, checked.stdout) == (0, f"ok: {config}\n"),
          f"loyaltyd --check-config with the identity set: exit {checked.returncode}, "
          f"{checked.stdout!r} {checked.stderr!r}")

    removed = run(dpkg + ["-r", "loyalty-terminal", "loyalty-hq"])
    check(removed.returncode == 0, f"dpkg -r failed (exit {removed.returncode}):\n{removed.stderr}")
    check(os.path.isfile(config) and not os.path.exists(f"{root}/usr/bin/loyaltyd"),
          "after dpkg -r: the conffile must stay and /usr/bin/loyaltyd go")
    purged = run(dpkg + ["--purge", "loyalty-terminal", "loyalty-hq"])
    check(purged.returncode == 0, f"dpkg --purge failed (exit {purged.returncode}):\n{purged.stderr}")
    check(not os.path.exists(config), "after dpkg --purge: /etc/loyalty/loyaltyd.toml is still there")
    check(os.path.isdir(f"{root}/var/lib/loyalty-hq"),
          "after dpkg --purge: /var/lib/loyalty-hq (HQ's ledger and keys) must stay")

# --- 5. lintian ------------------------------------------------------------------------------------

lintian = run(["lintian", "--show-overrides", "--tag-display-limit", "0",
               deb_of["loyalty-terminal"], deb_of["loyalty-hq"]])
lines = lintian.stdout.splitlines()
bad = [line for line in lines if re.match(r"^[EW]: ", line)]
check(not bad, "lintian reports:\n  " + "\n  ".join(bad))
overrides = {line for line in lines if line.startswith("O: ")}
check(overrides == expected_overrides,
      f"lintian used the overrides {sorted(overrides)}, expected {sorted(expected_overrides)}")
check(lintian.returncode == 0, f"lintian exit {lintian.returncode}:\n{lintian.stdout}{lintian.stderr}")

if failures:
    print(f"{len(failures)} check(s) failed:")
    for failure in failures:
        print("- " + failure)
    sys.exit(1)
print(f"ok: {', '.join(debs)}: contents, control, install into a scratch root, lintian clean")
