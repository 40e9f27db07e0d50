# Thin glue over CMakePresets.json. Every target installs missing Debian packages first
# (scripts/install-deps.sh is a quiet no-op when nothing is missing).
#
#   make demo        build, then quote the sample scenarios in examples/ as a table
#   make test        build and run every test (ctest --preset default)
#   make asan-test   build and test with AddressSanitizer + UBSan (clang)
#   make fuzz        build the libFuzzer targets (clang)
#   make fuzz-smoke  run each fuzz target for FUZZ_SECONDS from a copy of its seed corpus
#   make bench       release build, then run the benchmarks
#   make packages    build, then the .deb packages loyalty-terminal and loyalty-hq with cpack
#                    (build/*.deb, docs/packages.md)
#   make cross-aarch64, make cross-armhf
#                    cross build for the terminals' ARM CPUs (toolchains/), then their tests
#                    under qemu-user; CROSS_COMPONENTS picks what (core;storage, the
#                    default, core, or all: the whole terminal and loyalty-hq)
#   make bundle      the cross aarch64 terminal (CROSS_COMPONENTS=all), then its signed RAUC
#                    update bundle build-aarch64/loyalty-<version>-<BOARD>.raucb
#                    (firmware/bundle/README.md)
#   make format      clang-format -i over the project sources
#   make clean       remove every build directory

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

FUZZ_SECONDS ?= 60
# Per-input timeout while fuzzing, in seconds (libFuzzer's default is 20 minutes).
FUZZ_TIMEOUT ?= 20
BENCH_ARGS ?=
FORMAT_DIRS := $(wildcard core storage drivers sync firmware tests examples)
BUILD_DIRS := build build-asan build-fuzz build-release build-aarch64 build-armhf
CROSS_COMPONENTS ?= core;storage

.PHONY: all deps build test demo asan-test fuzz fuzz-smoke bench format clean cross-aarch64 \
        cross-armhf packages bundle

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	cmake --preset default
	cmake --build --preset default

test: build
	ctest --preset default

demo: build
	bash scripts/demo.sh

# cmake/packaging.cmake: one package per install component, Depends from dpkg-shlibdeps.
packages: build
	cd build && cpack

asan-test: deps
	cmake --preset asan
	cmake --build --preset asan
	ctest --preset asan

# The cross compiler, qemu-user and the target's -dev packages are installed first (dpkg
# architecture added when missing); the tests run under qemu (CMAKE_CROSSCOMPILING_EMULATOR).
# The -dev packages of drivers, sync and firmware only when more than the foundations is built
# (install-deps.sh --all, e.g. CROSS_COMPONENTS=all), so the default stays as light as CI wants.
cross_deps_all = $(if $(filter-out core core;storage,$(CROSS_COMPONENTS)),--all)

cross-aarch64:
	@bash scripts/install-deps.sh --cross arm64 $(cross_deps_all)
	cmake --preset cross-aarch64 -DLOYALTY_COMPONENTS="$(CROSS_COMPONENTS)"
	cmake --build --preset cross-aarch64
	ctest --preset cross-aarch64

cross-armhf:
	@bash scripts/install-deps.sh --cross armhf $(cross_deps_all)
	cmake --preset cross-armhf -DLOYALTY_COMPONENTS="$(CROSS_COMPONENTS)"
	cmake --build --preset cross-armhf
	ctest --preset cross-armhf

# The terminal's update bundle (firmware/bundle/README.md): the whole aarch64 build and its tests,
# the terminal's install component stripped into a staging root, then build-bundle.sh, which
# packs it with the version file and the install-check hook, signs it and checks it against
# BUNDLE_KEYRING. The version is the project's (CMakeLists.txt, as the cross build configured
# it) with BUNDLE_VERSION_SUFFIX after it (e.g. +ci.42). The development keys by default: a
# chain's release sets BUNDLE_CERT, BUNDLE_KEY and BUNDLE_KEYRING to its own.
BOARD ?= loyalty-terminal-aarch64
BUNDLE_CERT ?= firmware/bundle/keys/dev/signer.cert.pem
BUNDLE_KEY ?= firmware/bundle/keys/dev/signer.key.pem
BUNDLE_KEYRING ?= firmware/bundle/keys/dev/ca.cert.pem
BUNDLE_VERSION_SUFFIX ?=
# The board's base system (an arm64 Debian root tree with its kernel modules, systemd, rauc and
# dbus, e.g. made with mmdebstrap), into which the terminal is installed; without it the image
# holds the terminal and RAUC's files alone (docs/flashing.md, "Build").
BASE_ROOTFS ?=
# /etc/rauc/system.conf of the image: its compatible= must be BOARD.
BOARD_SYSTEM_CONF ?= firmware/bundle/board/system.conf
bundle_root := build-aarch64/bundle-root

bundle:
	$(MAKE) cross-aarch64 CROSS_COMPONENTS=all
	board_compatible=$$(sed -n 's/^compatible=//p' "$(BOARD_SYSTEM_CONF)"); \
	[[ "$$board_compatible" == "$(BOARD)" ]] || { echo "bundle: $(BOARD_SYSTEM_CONF) says" \
	  "compatible=$$board_compatible, but BOARD is $(BOARD): a terminal of that image could not" \
	  "install the next bundle; set BOARD_SYSTEM_CONF to the board's system.conf" >&2; exit 2; }
	rm -rf $(bundle_root)
	mkdir -p $(bundle_root)
	if [[ -n "$(BASE_ROOTFS)" ]]; then cp -a "$(BASE_ROOTFS)/." $(bundle_root)/; else \
	  echo "bundle: no BASE_ROOTFS: the image holds the terminal and RAUC's files, not a" \
	  "bootable system (docs/flashing.md)"; fi
	DESTDIR=$(CURDIR)/$(bundle_root) cmake --install build-aarch64 --prefix /usr \
	  --component terminal --strip
	install -D -m 0644 "$(BOARD_SYSTEM_CONF)" $(bundle_root)/etc/rauc/system.conf
	install -D -m 0644 "$(BUNDLE_KEYRING)" $(bundle_root)/etc/rauc/keyring.pem
	install -D -m 0644 firmware/bundle/board/de.pengutronix.rauc.conf \
	  $(bundle_root)/usr/share/dbus-1/system.d/de.pengutronix.rauc.conf
	install -D -m 0644 firmware/bundle/board/rauc.service \
	  $(bundle_root)/usr/lib/systemd/system/rauc.service
	version=$$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' build-aarch64/CMakeCache.txt); \
	[[ -n "$$version" ]] || { echo "bundle: no CMAKE_PROJECT_VERSION in" \
	  "build-aarch64/CMakeCache.txt: configure the cross build (make cross-aarch64)" >&2; exit 1; }; \
	version="$$version$(BUNDLE_VERSION_SUFFIX)"; \
	bash firmware/bundle/build-bundle.sh --tree $(bundle_root) --compatible "$(BOARD)" \
	  --version "$$version" --cert "$(BUNDLE_CERT)" --key "$(BUNDLE_KEY)" \
	  --keyring "$(BUNDLE_KEYRING)" --output "build-aarch64/loyalty-$$version-$(BOARD).raucb"

fuzz: deps
	cmake --preset fuzz
	cmake --build --preset fuzz

# Each fuzz target fuzz_<x> starts from a temporary copy of tests/fuzz/corpus/<x>/, so the seed
# corpus in the repository is never modified. Crash reproducers go to build-fuzz/fuzz-artifacts/.
fuzz-smoke: fuzz
	@shopt -s nullglob; \
	targets=(); \
	for t in build-fuzz/tests/fuzz/fuzz_*; do [[ -f $$t && -x $$t ]] && targets+=("$$t"); done; \
	if (( $${#targets[@]} == 0 )); then \
	  echo "fuzz-smoke: no fuzz targets yet (tests/fuzz/fuzz_*.cc)"; exit 0; \
	fi; \
	work_root=$$(mktemp -d); trap 'rm -rf "$$work_root"' EXIT; \
	failed=(); \
	for t in "$${targets[@]}"; do \
	  name=$${t##*/}; seeds=tests/fuzz/corpus/$${name#fuzz_}; \
	  work=$$work_root/$$name; artifacts=build-fuzz/fuzz-artifacts/$$name; \
	  mkdir -p "$$work" "$$artifacts"; \
	  if [[ -d $$seeds ]]; then cp -R "$$seeds/." "$$work/"; \
	  else echo "fuzz-smoke: $$name has no seed corpus at $$seeds/"; fi; \
	  echo "== $$name: $(FUZZ_SECONDS) s, seeds from $$seeds/ =="; \
	  if ! "$$t" -max_total_time=$(FUZZ_SECONDS) -timeout=$(FUZZ_TIMEOUT) \
	       -artifact_prefix="$$artifacts/" -print_final_stats=1 "$$work"; then \
	    failed+=("$$name"); \
	  fi; \
	done; \
	if (( $${#failed[@]} > 0 )); then \
	  echo "fuzz-smoke: FAILED: $${failed[*]} (reproducers in build-fuzz/fuzz-artifacts/)"; exit 1; \
	fi; \
	echo "fuzz-smoke: $${#targets[@]} target(s) ran $(FUZZ_SECONDS) s each without a finding"

bench: deps
	cmake --preset release
	cmake --build --preset release --target loyalty_benchmarks
	@shopt -s nullglob; ran=0; \
	for b in build-release/tests/bench/bench_*; do \
	  [[ -f $$b && -x $$b ]] || continue; \
	  echo "== $${b##*/} =="; "$$b" $(BENCH_ARGS); ran=$$((ran + 1)); \
	done; \
	(( ran > 0 )) || echo "bench: no benchmarks yet (tests/bench/bench_*.cc)"

format:
	@command -v clang-format >/dev/null || \
	  { echo "format: clang-format not found (Debian package clang-format)" >&2; exit 1; }
	find $(FORMAT_DIRS) -type f \( -name '*.h' -o -name '*.cc' \) -print0 | xargs -0 -r clang-format -i

clean:
	rm -rf $(BUILD_DIRS)
