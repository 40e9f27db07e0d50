// The command line of loyalty-decoder (decoder_arguments.h).
#include "sandbox/decoder_arguments.h"

#include <array>
#include <charconv>
#include <optional>
#include <system_error>
#include <utility>

#include "loyalty/core/limits.h"

namespace loyalty::daemon {

namespace {

using drivers::DecodeEffort;

constexpr std::string_view kFormats = "--formats=";
constexpr std::string_view kEffort = "--effort=";
constexpr std::string_view kSymbolsMax = "--symbols-max=";
constexpr std::string_view kQuarterTurns = "--quarter-turns";

Error bad(std::string message) {
  return make_error(ErrorCode::invalid_argument, "loyalty-decoder: " + std::move(message));
}

Result<std::size_t> parse_symbols_max(std::string_view text) {
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 ||
      value > limits::image_symbols_max) {
    return bad("--symbols-max must be a whole number from 1 to " +
               std::to_string(limits::image_symbols_max) + ", not \"" + std::string(text) + "\"");
  }
  return value;
}

// Stores `value` in `slot` unless the option was given already.
Status once(std::optional<std::string_view>& slot, std::string_view value, std::string_view name) {
  if (slot) return bad(std::string(name) + " is given twice");
  slot = value;
  return {};
}

}  // namespace

const char* decode_effort_name(DecodeEffort effort) {
  switch (effort) {
    case DecodeEffort::fast:
      return "fast";
    case DecodeEffort::thorough:
      return "thorough";
    case DecodeEffort::adaptive:
      return "adaptive";
  }
  return "adaptive";
}

Result<DecodeEffort> parse_decode_effort(std::string_view name) {
  for (DecodeEffort effort : {DecodeEffort::fast, DecodeEffort::thorough, DecodeEffort::adaptive}) {
    if (name == decode_effort_name(effort)) return effort;
  }
  return bad("unknown decode effort \"" + std::string(name) +
             "\" (expected fast, thorough or adaptive)");
}

std::vector<std::string> decoder_arguments(const drivers::ImageDecodeOptions& options) {
  std::string formats;
  for (drivers::ScanDataType type : options.formats()) {
    if (!formats.empty()) formats += ',';
    formats += drivers::scan_data_type_name(type);
  }
  std::vector<std::string> args = {
      std::string(kFormats) + formats,
      std::string(kEffort) + decode_effort_name(options.effort()),
      std::string(kSymbolsMax) + std::to_string(options.symbols_max()),
  };
  if (options.quarter_turns() == drivers::QuarterTurns::try_them) {
    args.emplace_back(kQuarterTurns);
  }
  return args;
}

Result<drivers::ImageDecodeOptions> parse_decoder_arguments(
    std::span<const std::string_view> args) {
  std::optional<std::string_view> formats;
  std::optional<std::string_view> effort;
  std::optional<std::string_view> symbols_max;
  bool quarter_turns = false;
  for (std::string_view arg : args) {
    if (arg.starts_with(kFormats)) {
      TRY(once(formats, arg.substr(kFormats.size()), "--formats"));
    } else if (arg.starts_with(kEffort)) {
      TRY(once(effort, arg.substr(kEffort.size()), "--effort"));
    } else if (arg.starts_with(kSymbolsMax)) {
      TRY(once(symbols_max, arg.substr(kSymbolsMax.size()), "--symbols-max"));
    } else if (arg == kQuarterTurns) {
      if (quarter_turns) return bad("--quarter-turns is given twice");
      quarter_turns = true;
    } else {
      return bad("unknown argument \"" + std::string(arg) +
                 "\" (expected --formats=, --effort=, --symbols-max=, --quarter-turns)");
    }
  }
  if (!formats || !effort || !symbols_max) {
    return bad("--formats=, --effort= and --symbols-max= are required");
  }
  auto parsed_formats = drivers::parse_scan_formats(*formats);
  if (!parsed_formats.ok()) return bad("--formats: " + parsed_formats.error().message);
  drivers::ImageDecodeOptions options;
  options.set_formats(std::move(parsed_formats).value())
      .set_effort(TRY(parse_decode_effort(*effort)))
      .set_symbols_max(TRY(parse_symbols_max(*symbols_max)))
      .set_quarter_turns(quarter_turns ? drivers::QuarterTurns::try_them
                                       : drivers::QuarterTurns::skip);
  return options;
}

}  // namespace loyalty::daemon
