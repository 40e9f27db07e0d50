#!/usr/bin/env bash
# Installs the Debian 12 packages the build needs, and only those that are missing.
# Idempotent: when everything is installed it prints nothing and touches nothing.
# Runs apt-get update at most once, and only if something must be installed.
#
#   scripts/install-deps.sh                 what the native build and its tests need
#   scripts/install-deps.sh --cross arm64   ... and a cross build for arm64 (or armhf): the cross
#                                           compiler, qemu-user, and the target's -dev packages of
#                                           the foundations (core, storage), adding the dpkg
#                                           architecture first
#   scripts/install-deps.sh --cross arm64 --all
#                                           ... and the target's -dev packages of every other
#                                           component too (make cross-aarch64
#                                           CROSS_COMPONENTS=all): a separate flag, so that the
#                                           foundations' cross build (what CI runs) installs no
#                                           more than it needs
set -euo pipefail

cross=""
cross_all=0
if (($# == 2 || $# == 3)) && [[ "$1" == "--cross" ]]; then
  cross="$2"
  if [[ "$cross" != "arm64" && "$cross" != "armhf" ]]; then
    echo "install-deps: --cross takes arm64 or armhf, not \"$cross\"" >&2
    exit 2
  fi
  if (($# == 3)); then
    if [[ "$3" != "--all" ]]; then
      echo "install-deps: after --cross $cross only --all may follow, not \"$3\"" >&2
      exit 2
    fi
    cross_all=1
  fi
elif (($# != 0)); then
  echo "usage: install-deps.sh [--cross arm64|armhf [--all]]" >&2
  exit 2
fi

# Needed now.
packages=(
  build-essential     # g++ 12, make
  cmake               # 3.25 (presets v6)
  ninja-build
  clang               # clang 14: asan and fuzz presets
  libclang-rt-14-dev  # sanitizer and libFuzzer runtimes for clang 14
  catch2              # Catch2 v2, tests
  libbenchmark-dev    # Google Benchmark, tests/bench
  libsqlite3-dev      # storage: SQLite ledger
  sqlite3             # tests: the CLI ledger tests break a ledger with the sqlite3 shell
  libssl-dev          # storage: SHA-256 of the event chain (libcrypto); later sync's TLS
  pkg-config
  # drivers (issue 4)
  libusb-1.0-0-dev    # vendor-class USB scanners (libusb async API)
  libudev-dev         # device enumeration and hotplug (udev monitor)
  libboost-dev        # Boost.Asio: the drivers' event loop, serial ports; later Beast for sync
  libzxing-dev        # camera and image barcode decoding (ZXing-C++)
  libpng-dev          # image files: PNG (camera path, loyaltyctl scan --image)
  libjpeg62-turbo-dev # image files: JPEG
  libwebp-dev         # image files: WebP
  umockdev            # tests: replayed hidraw, evdev and tty devices (umockdev-wrapper)
  libumockdev-dev     # tests: the umockdev testbed API
  zint                # tests and benchmarks: barcode images
  imagemagick         # tests and benchmarks: rotated, blurred and noisy barcode images
  libzbar-dev         # benchmarks: zbar, the camera path's baseline
  libxkbcommon-dev    # keyboard-wedge readers: XKB layouts (libxkbcommon)
  xkb-data            # keyboard-wedge readers: the XKB layouts themselves (/usr/share/X11/xkb)
  libx11-data         # keyboard-wedge readers: the Compose table giving dead keys their characters
  # environment: the store's time zone
  libhowardhinnant-date-dev  # date/tz.h: time zones over the system's tzdata
  libdate-tz3         # its tz library (libdate-tz.so)
  tzdata              # /usr/share/zoneinfo
  # firmware: loyaltyd
  libtomlplusplus-dev # the configuration file (TOML)
  libseccomp-dev      # the decoder sandbox (seccomp filter of loyalty-decoder)
  libsystemd-dev      # sd_notify, the watchdog and journald
  # sync: terminal <-> HQ
  libzstd-dev         # batches and downlink answers compressed with zstd
  libpq-dev           # loyalty-hq's PostgreSQL store (libpq)
  libjs-chart.js      # the HQ report's charts (Chart.js, inlined into the page)
  postgresql          # tests: a real PostgreSQL 15 server started by the tests (initdb, pg_ctl;
                      # postgres_fdw is in it)
  python3             # make demo's till day (scripts/till_day.py) and the Python tests
  chromium            # tests: the till panel's pages in headless Chromium (tests/firmware/panel)
  chromium-driver     # tests: chromedriver, through which Selenium drives Chromium
  python3-selenium    # tests: the panel's browser test (Selenium for /usr/bin/python3)
  systemd             # tests: systemd-analyze verify and security of loyaltyd.service,
                      # systemd-sysusers and systemd-tmpfiles of its sysusers.d and tmpfiles.d
                      # files (a Debian 12 container has none of them until installed)
  python3-yaml        # tests: the POS API's contract test reads docs/pos-api.yaml
  python3-jsonschema  # tests: ... and checks it and the daemon's replies (draft 2020-12)
  # packages: make packages (cpack) and their test (tests/packaging/deb_contents_test.py)
  dpkg-dev            # dpkg-shlibdeps, which writes the packages' Depends
  lintian             # tests: both .debs must have no lintian error or warning
  # update bundles: firmware/bundle/build-bundle.sh and its tests (tests/firmware/bundle/)
  rauc                # rauc bundle/info/extract, and the tests' rauc service and rauc install
  squashfs-tools      # mksquashfs: the bundle's rootfs image; unsquashfs in the tests
  openssl             # the recipe's certificate and key checks; the tests' other CA
  dbus                # tests: a private system bus (dbus-daemon) for rauc service's D-Bus API
)

# Added by later issues: move a line up into the list above when its component lands.
#   nlohmann-json3-dev   sync, firmware: JSON outside core (core has its own reader)
# Optional, for developers only (not installed here): clang-format (make format).

if [[ -n "$cross" ]]; then
  packages+=(
    "crossbuild-essential-$cross"  # the cross compilers (g++-12 for the target's triplet)
    qemu-user-static               # ctest runs the cross-built tests under qemu-user
    "libsqlite3-dev:$cross"        # storage, for the target
    "libssl-dev:$cross"            # storage's SHA-256 (libcrypto), for the target
  )
fi
# The rest of the terminal and HQ for the target (drivers, environment, sync, firmware): the
# libraries their CMakeLists.txt find, as in the native list above. Catch2 is header-only and its
# package is Multi-Arch: foreign, so the native one serves. The tests' tools (python3, zint,
# sqlite3, systemd, ...) run on the build machine and are in the native list. umockdev has no
# target package here: libumockdev-dev is not Multi-Arch and its preload library cannot reach a
# program under qemu-user, so the replayed-device tests are left out of cross builds
# (toolchains/README.md).
if [[ -n "$cross" ]] && ((cross_all)); then
  packages+=(
    "libboost-dev:$cross"              # drivers, sync, firmware: Asio and Beast (BoostConfig)
    "libzxing-dev:$cross"              # drivers: camera and image barcodes
    "libusb-1.0-0-dev:$cross"          # drivers: vendor-class USB scanners
    "libudev-dev:$cross"               # drivers: enumeration and hotplug
    "libpng-dev:$cross"                # drivers: image files
    "libjpeg62-turbo-dev:$cross"
    "libwebp-dev:$cross"
    "libxkbcommon-dev:$cross"          # drivers: keyboard-wedge layouts
    "libhowardhinnant-date-dev:$cross" # environment: time zones (and its libdate-tz3)
    "libzstd-dev:$cross"               # sync: compressed batches
    "libpq-dev:$cross"                 # sync: loyalty-hq's PostgreSQL store (libpq)
    "libtomlplusplus-dev:$cross"       # firmware: loyaltyd's configuration
    "libseccomp-dev:$cross"            # firmware: the decoder sandbox
    "libsystemd-dev:$cross"            # firmware: sd_notify, watchdog, journald
  )
fi

# "name" is installed for this machine's architecture (or for all); "name:arch" for that one.
native=$(dpkg --print-architecture)
is_installed() {
  local name="${1%%:*}" want="${native}"
  [[ "$1" == *:* ]] && want="${1#*:}"
  dpkg-query -W -f='${Status} ${Architecture}\n' "$name" 2>/dev/null |
    grep -Eq "^install ok installed (${want}|all)\$"
}

missing=()
for package in "${packages[@]}"; do
  is_installed "$package" || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

if ((EUID == 0)); then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "install-deps: missing ${missing[*]}, and not root and no sudo: install them as root." >&2
  exit 1
fi

if [[ -n "$cross" ]] && ! dpkg --print-foreign-architectures | grep -qx "$cross"; then
  echo "install-deps: adding the dpkg architecture $cross"
  "${sudo[@]}" dpkg --add-architecture "$cross"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: done"
