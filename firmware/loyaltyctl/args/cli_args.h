// A tiny command-line parser for loyaltyctl's commands: flags written `--name value` or
// `--name=value`, and positional arguments. Unknown, repeated, value-less (an empty value only
// where the flag allows it) and missing required flags are rejected with a one-line message, as
// are missing and surplus positional arguments.
//
// Thread-safety: pure functions; ParsedArgs is a plain value.
#pragma once

#include <charconv>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/core/time.h"

namespace loyalty::cli {

// A flag a command accepts; `name` is written without the leading "--". An empty value
// (`--name=` or `--name ""`) is refused unless `allow_empty`. A switch takes no value.
struct FlagSpec {
  std::string_view name;
  bool required = false;
  bool allow_empty = false;
  // A switch (`--mark-good`): written alone, it takes no value; `--name=value` is refused.
  // ParsedArgs::flag() gives "" for it when given.
  bool is_switch = false;
};

// The parsed arguments of one command. Owns copies of the values.
class ParsedArgs {
 public:
  // The flag's value, or nullptr when the flag was not given.
  const std::string* flag(std::string_view name) const;
  // Positional arguments in order; parse_args() guarantees their number.
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  friend Result<ParsedArgs> parse_args(std::string_view command,
                                       std::span<const std::string_view> args,
                                       std::span<const FlagSpec> flags,
                                       std::span<const std::string_view> positional_names);

  std::vector<std::pair<std::string, std::string>> flags_;  // in command-line order
  std::vector<std::string> positional_;
};

// Parses `args` (the words after the command) against the command's flags and its positional
// arguments, named for messages (e.g. {"FILE"}): exactly that many positional arguments must be
// given. A lone "--" ends the flags. Errors are usage_error()s naming `command`.
Result<ParsedArgs> parse_args(std::string_view command, std::span<const std::string_view> args,
                              std::span<const FlagSpec> flags,
                              std::span<const std::string_view> positional_names);

// Parses all of `text` as a decimal integer of type Int (no sign for unsigned types, no spaces);
// false for an empty text, trailing characters or an out-of-range value.
template <class Int>
bool parse_number(std::string_view text, Int& value) {
  if (text.empty()) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

// An ErrorCode::invalid_argument error for a misused command line:
// "<command>: <message> (see 'loyaltyctl --help')", or without "<command>: " when it is empty.
Error usage_error(std::string_view command, std::string_view message);

// --at, or the current time (UTC) when the flag is absent: this is the edge, where the clock may
// be read. Errors read "--at: ...".
Result<Timestamp> time_flag(const ParsedArgs& parsed);

}  // namespace loyalty::cli
