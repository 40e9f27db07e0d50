// libFuzzer target for the keyboard-wedge path: key events -> KeyboardDecoder -> ScanFramer ->
// sanitize_scan (and parse_wedge_swipe for magstripe lines).
//
// Input: one configuration byte, then 3 bytes per key event.
//   config  bit 0 keymap (XKB us/de, compiled once), bits 1-3 suffix (mod 5), bit 4 prefix STX, bit
//   5 AIM id,
//           bit 6 label_bytes_max 16, bit 7 repeats typed
//   event   code low byte; flags (bits 0-1 value 0..3, bit 2 code + 256); milliseconds since the
//           previous event
// Properties checked:
//   - a character result is 1-4 bytes (a dead key's spacing character included); every frame is
//   non-empty, within label_bytes_max, has an
//     AIM id exactly when configured, and its raw bytes contain the label (ending with the suffix
//     when the suffix ended it); poll() before the deadline returns nothing;
//   - an accepted label keeps only allowed control characters, and an error message never
//     contains a label of 12 bytes or more;
//   - a label the keymap can type decodes back to itself;
//   - escape_scan_for_log() output is printable ASCII;
//   - a magstripe swipe from a frame that is a payment card exposes no raw track.
// The whole input is also sanitised directly as a label, under each policy.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/drivers/magstripe/wedge_swipe.h"
#include "loyalty/drivers/scan/scan_framer.h"
#include "loyalty/drivers/scan/scan_sanitizer.h"
#include "loyalty/drivers/wedge/keymap.h"

namespace {

using namespace loyalty::drivers;

// Compiled once: libxkbcommon takes milliseconds per layout, the fuzzer runs thousands of inputs a
// second. A layout that cannot be built is a broken machine, not a finding.
const Keymap& keymap_for(bool de) {
  static const Keymap us = Keymap::load("us").value();
  static const Keymap german = Keymap::load("de").value();
  return de ? german : us;
}

void check_log_text(std::string_view label) {
  const std::string escaped = escape_scan_for_log(label);
  for (const char c : escaped) {
    const auto b = static_cast<unsigned char>(c);
    LOYALTY_ASSERT(b >= 0x20 && b < 0x7F);
  }
}

void check_sanitized(std::string_view label, const ScanSanitizerOptions& options) {
  const auto r = sanitize_scan(label, options);
  check_log_text(label);
  if (!r.ok()) {
    LOYALTY_ASSERT(!r.error().message.empty());
    LOYALTY_ASSERT(label.size() < 12 || r.error().message.find(label) == std::string::npos);
    return;
  }
  if (r->verdict == ScanVerdict::ignored_configuration_barcode) {
    LOYALTY_ASSERT(r->rule != nullptr && r->label.empty());
    return;
  }
  LOYALTY_ASSERT(!r->label.empty());
  const bool envelope = label.starts_with("[)>\x1E");
  for (const char c : r->label) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7F) {
      LOYALTY_ASSERT(b == 0x1D || (envelope && (b == 0x1E || b == 0x04)));
    }
  }
  if (options.controls == ControlPolicy::reject) LOYALTY_ASSERT(r->label == label);
}

void round_trip(const Keymap& keymap, std::string_view label) {
  const auto events = key_events_for_text(keymap, label);
  if (!events.ok()) return;
  KeyboardDecoder decoder(keymap);
  std::string typed;
  for (const KeyEvent& e : *events) {
    const KeyResult r = decoder.feed(e.code, e.value);
    LOYALTY_ASSERT(r.status != KeyStatus::unmapped);
    typed += r.text();
  }
  LOYALTY_ASSERT(typed == label);
}

void check_frame(const ScanFrame& f, const ScanFramerOptions& options, const Keymap& keymap) {
  LOYALTY_ASSERT(!f.label.empty() && f.label.size() <= options.label_bytes_max);
  LOYALTY_ASSERT(f.aim.has_value() == options.aim_id);
  const std::string raw(f.raw.begin(), f.raw.end());
  LOYALTY_ASSERT(raw.find(f.label) != std::string::npos);
  LOYALTY_ASSERT(raw.starts_with(options.prefix));
  if (f.end == FrameEnd::suffix) LOYALTY_ASSERT(raw.ends_with(scan_suffix_bytes(options.suffix)));
  check_sanitized(f.label, {});
  round_trip(keymap, f.label);
  if (f.end == FrameEnd::suffix) {
    const auto swipe = parse_wedge_swipe(raw);
    if (swipe.ok() && swipe->payment_card) {
      for (const TrackResult& t : swipe->tracks) LOYALTY_ASSERT(t.raw.empty());
    }
  }
}

void collect(loyalty::Result<ScanFrame>&& r, const ScanFramerOptions& options,
             const Keymap& keymap) {
  if (r.ok()) {
    check_frame(*r, options, keymap);
  } else {
    LOYALTY_ASSERT(!r.error().message.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view whole(reinterpret_cast<const char*>(data), size);
  for (const auto controls : {ControlPolicy::reject, ControlPolicy::escape}) {
    for (const auto text : {TextPolicy::utf8, TextPolicy::bytes}) {
      ScanSanitizerOptions options;
      options.controls = controls;
      options.text = text;
      check_sanitized(whole, options);
    }
  }
  if (size == 0) return 0;

  const std::uint8_t config = data[0];
  const Keymap& keymap = keymap_for((config & 1) != 0);
  ScanFramerOptions options;
  options.suffix = static_cast<ScanSuffix>(((config >> 1) & 7) % 5);
  if (config & 0x10) options.prefix = "\x02";
  options.aim_id = (config & 0x20) != 0;
  if (config & 0x40) options.label_bytes_max = 16;
  LOYALTY_ASSERT(validate_scan_framer_options(options).ok());
  KeyboardOptions keyboard;
  if (config & 0x80) keyboard.repeat = RepeatPolicy::type;

  KeyboardDecoder decoder(keymap, keyboard);
  ScanFramer framer(options);
  std::int64_t now_ms = 0;
  for (std::size_t i = 1; i + 3 <= size; i += 3) {
    const auto code = static_cast<std::uint16_t>(data[i] | ((data[i + 1] & 4) << 6));
    const std::int32_t value = data[i + 1] & 3;
    now_ms += data[i + 2];
    if (const auto deadline = framer.deadline_ms(); deadline && *deadline > now_ms) {
      LOYALTY_ASSERT(!framer.poll(now_ms).has_value());
    }
    const KeyResult key = decoder.feed(code, value);
    LOYALTY_ASSERT(key.code == code);
    LOYALTY_ASSERT((key.status == KeyStatus::character) == (key.size > 0));
    LOYALTY_ASSERT(key.size <= 4);
    for (auto& r : framer.feed(key.text(), now_ms)) collect(std::move(r), options, keymap);
  }
  if (auto r = framer.poll(now_ms + options.idle_timeout_ms)) {
    collect(std::move(*r), options, keymap);
  }
  LOYALTY_ASSERT(!framer.deadline_ms().has_value());
  return 0;
}
