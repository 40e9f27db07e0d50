// Keyboard-wedge key decoding: KeyboardDecoder (a table compiled once per keymap from
// libxkbcommon) against the baseline of asking libxkbcommon per key (xkb_state_update_key and
// xkb_state_key_get_utf32 on every event), on the same key events; and the cost of
// Keymap::load() itself. A plain main(): it reports the median and p99 of single latencies.
//
//   build-release/tests/bench/bench_wedge_keymap [rounds, default 20000, at least 100]
//
// One sample is one scan: the key events of a 24-character GS1 label typed on "fr" (Shift for
// every digit, Ctrl+key for the GS, Enter), about 100 events, decoded from a fresh state.
#include <linux/input-event-codes.h>
#include <xkbcommon/xkbcommon.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "loyalty/drivers/wedge/keymap.h"

namespace {

using loyalty::drivers::KeyboardDecoder;
using loyalty::drivers::KeyEvent;
using loyalty::drivers::Keymap;
using Clock = std::chrono::steady_clock;

constexpr const char* kLayout = "fr";
constexpr const char* kLabel =
    "0104006381333931\x1D"
    "10LOT-42A\r";

struct Figures {
  double median_ns = 0;
  double p99_ns = 0;
};

Figures percentiles(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  return {samples[samples.size() / 2], samples[samples.size() * 99 / 100]};
}

template <class F>
Figures measure(int rounds, F&& one) {
  std::vector<double> samples;
  samples.reserve(static_cast<std::size_t>(rounds));
  for (int i = 0; i < rounds; ++i) {
    const auto start = Clock::now();
    one();
    samples.push_back(std::chrono::duration<double, std::nano>(Clock::now() - start).count());
  }
  return percentiles(std::move(samples));
}

void print(const char* name, const Figures& f, std::size_t events) {
  std::printf("%-34s median %10.0f ns  p99 %10.0f ns  (%.1f / %.1f ns per event)\n", name,
              f.median_ns, f.p99_ns, f.median_ns / static_cast<double>(events),
              f.p99_ns / static_cast<double>(events));
}

// The baseline: libxkbcommon's state machine on every event, as a desktop client does.
std::size_t decode_with_xkb_state(xkb_keymap* keymap, const std::vector<KeyEvent>& events) {
  xkb_state* state = xkb_state_new(keymap);
  std::size_t typed = 0;
  for (const KeyEvent& e : events) {
    const xkb_keycode_t key = e.code + 8;
    if (e.value == 1 && xkb_state_key_get_utf32(state, key) != 0) ++typed;
    xkb_state_update_key(state, key, e.value == 0 ? XKB_KEY_UP : XKB_KEY_DOWN);
  }
  xkb_state_unref(state);
  return typed;
}

}  // namespace

int main(int argc, char** argv) {
  // `make bench` passes BENCH_ARGS (Google Benchmark flags) to every benchmark: only a plain
  // number is taken as the rounds.
  int rounds = 20000;
  if (argc > 1 && std::string(argv[1]).find_first_not_of("0123456789") == std::string::npos) {
    rounds = std::max(100, std::atoi(argv[1]));
  }
  const auto loaded = Keymap::load(kLayout);
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", loaded.error().message.c_str());
    return 1;
  }
  const auto events = loyalty::drivers::key_events_for_text(*loaded, kLabel);
  if (!events.ok()) {
    std::fprintf(stderr, "%s\n", events.error().message.c_str());
    return 1;
  }

  xkb_context* context = xkb_context_new(XKB_CONTEXT_NO_ENVIRONMENT_NAMES);
  const xkb_rule_names names{"evdev", "pc105", kLayout, "", ""};
  xkb_keymap* xkb = xkb_keymap_new_from_names(context, &names, XKB_KEYMAP_COMPILE_NO_FLAGS);
  if (xkb == nullptr) return 1;

  std::size_t sink = 0;
  const Figures table = measure(rounds, [&] {
    KeyboardDecoder decoder(*loaded);
    for (const KeyEvent& e : *events) sink += decoder.feed(e.code, e.value).size;
  });
  const Figures baseline = measure(rounds, [&] { sink += decode_with_xkb_state(xkb, *events); });
  const int load_rounds = std::max(20, rounds / 1000);
  const Figures load = measure(load_rounds, [&] { sink += Keymap::load(kLayout).ok() ? 1 : 0; });

  std::printf("one scan on \"%s\": %zu key events, %d rounds (Keymap::load: %d)\n", kLayout,
              events->size(), rounds, load_rounds);
  print("KeyboardDecoder (compiled table)", table, events->size());
  print("baseline: xkb_state per event", baseline, events->size());
  std::printf("%-34s median %10.2f ms  p99 %10.2f ms\n", "Keymap::load (once per reader)",
              load.median_ns / 1e6, load.p99_ns / 1e6);
  xkb_keymap_unref(xkb);
  xkb_context_unref(context);
  return sink == 0 ? 1 : 0;
}
