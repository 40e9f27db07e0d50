// loyalty-hq's command-line parsing: flags written `--name value` or `--name=value`, and the
// subcommand word of `ca`, `publish`. Unknown, repeated, value-less and missing required flags
// are refused with a one-line usage error naming the command.
//
// Thread-safety: pure functions; ParsedArgs is a plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/core/time.h"

namespace loyalty::hq {

// A flag a command accepts; `name` is written without the leading "--".
struct FlagSpec {
  std::string_view name;
  bool required = false;
};

// The parsed flags of one command. Owns copies of the values.
class ParsedArgs {
 public:
  // The flag's value, or nullptr when the flag was not given.
  const std::string* flag(std::string_view name) const;
  std::string flag_or(std::string_view name, std::string_view fallback) const;

 private:
  friend Result<ParsedArgs> parse_flags(std::string_view command,
                                        std::span<const std::string_view> args,
                                        std::span<const FlagSpec> flags);
  std::vector<std::pair<std::string, std::string>> flags_;  // in command-line order
};

// Parses `args` (the words after the command) as flags only: a word that is not a flag is an
// error ("unexpected argument").
Result<ParsedArgs> parse_flags(std::string_view command, std::span<const std::string_view> args,
                               std::span<const FlagSpec> flags);

// The first word of `args` that is neither a flag nor a flag's value (`publish --dir D block
// --card C` gives "block"), and the words around it; a usage error when there is none.
struct Subcommand {
  std::string_view name;
  std::vector<std::string_view> rest;
};
Result<Subcommand> split_subcommand(std::string_view command,
                                    std::span<const std::string_view> args,
                                    std::string_view expected);

// An ErrorCode::invalid_argument error for a misused command line:
// "<command>: <message> (see 'loyalty-hq --help')".
Error usage_error(std::string_view command, std::string_view message);

// The integer flag `name` in [min, max], or `fallback` when absent. Usage errors name the flag.
Result<std::int64_t> integer_flag(std::string_view command, const ParsedArgs& parsed,
                                  std::string_view name, std::int64_t min, std::int64_t max,
                                  std::int64_t fallback);
// The RFC 3339 time of flag `name`, or now (the system clock: this is the edge) when absent.
Result<Timestamp> time_flag(std::string_view command, const ParsedArgs& parsed,
                            std::string_view name);
Timestamp wall_clock_now();

// A store, terminal or key id as sync carries it: 1..limits::sync_id_bytes_max bytes of
// [A-Za-z0-9._-]. A usage error naming the flag otherwise.
Status check_id_flag(std::string_view command, std::string_view flag, std::string_view id);

// "a,b" -> {"a", "b"}; empty items are refused.
Result<std::vector<std::string>> list_flag(std::string_view command, std::string_view flag,
                                           std::string_view text);

// --server-name's list: DNS names or IP addresses (as ca_issue takes them), checked before
// anything is written so that a typo leaves nothing half made.
Result<std::vector<std::string>> server_names_flag(std::string_view command, std::string_view text);

}  // namespace loyalty::hq
