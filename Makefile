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
        cross-armhf packages

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
