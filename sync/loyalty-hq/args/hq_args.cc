// loyalty-hq's flag parsing (hq_args.h).

#include "args/hq_args.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <system_error>

#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"

namespace loyalty::hq {

namespace {

bool is_flag(std::string_view arg) { return arg.size() > 2 && arg.starts_with("--"); }

std::string expected_flags(std::span<const FlagSpec> flags) {
  if (flags.empty()) return " (this command takes no options)";
  std::string text = " (expected";
  for (std::size_t i = 0; i < flags.size(); ++i) {
    text += i == 0 ? " --" : ", --";
    text += flags[i].name;
  }
  return text + ")";
}

bool is_ip_address(const std::string& name) {
  unsigned char buffer[16];
  return ::inet_pton(AF_INET, name.c_str(), buffer) == 1 ||
         ::inet_pton(AF_INET6, name.c_str(), buffer) == 1;
}

bool is_dns_name(std::string_view name) {
  constexpr std::size_t dns_name_bytes_max = 253;
  if (name.empty() || name.size() > dns_name_bytes_max || name.front() == '.' ||
      name.back() == '.' || name.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-';
  });
}

}  // namespace

const std::string* ParsedArgs::flag(std::string_view name) const {
  for (const auto& [key, value] : flags_) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string ParsedArgs::flag_or(std::string_view name, std::string_view fallback) const {
  const std::string* value = flag(name);
  return value != nullptr ? *value : std::string(fallback);
}

Result<ParsedArgs> parse_flags(std::string_view command, std::span<const std::string_view> args,
                               std::span<const FlagSpec> flags) {
  ParsedArgs parsed;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (!is_flag(arg)) {
      return usage_error(
          command,
          (arg.starts_with("-") ? "unknown option " : "unexpected argument ") + json::quote(arg));
    }
    const std::size_t equals = arg.find('=');
    const std::string_view name = arg.substr(2, equals == arg.npos ? arg.npos : equals - 2);
    const auto spec = std::find_if(flags.begin(), flags.end(),
                                   [name](const FlagSpec& f) { return f.name == name; });
    if (spec == flags.end()) {
      return usage_error(command, "unknown option --" + std::string(name) + expected_flags(flags));
    }
    if (parsed.flag(name) != nullptr) {
      return usage_error(command, "--" + std::string(name) + " is given more than once");
    }
    std::string_view value;
    if (equals != arg.npos) {
      value = arg.substr(equals + 1);
    } else if (i + 1 < args.size() && !is_flag(args[i + 1])) {
      value = args[++i];
    }
    if (value.empty()) return usage_error(command, "--" + std::string(name) + " needs a value");
    parsed.flags_.emplace_back(std::string(name), std::string(value));
  }
  for (const FlagSpec& spec : flags) {
    if (spec.required && parsed.flag(spec.name) == nullptr) {
      return usage_error(command, "missing --" + std::string(spec.name));
    }
  }
  return parsed;
}

Result<Subcommand> split_subcommand(std::string_view command,
                                    std::span<const std::string_view> args,
                                    std::string_view expected) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (!is_flag(args[i])) {
      Subcommand found{args[i], {}};
      found.rest.assign(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(i));
      found.rest.insert(found.rest.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                        args.end());
      return found;
    }
    if (args[i].find('=') == std::string_view::npos) ++i;  // skip the flag's value
  }
  return usage_error(command, "missing subcommand (expected: " + std::string(expected) + ")");
}

Error usage_error(std::string_view command, std::string_view message) {
  return make_error(
      ErrorCode::invalid_argument,
      std::string(command) + ": " + std::string(message) + " (see 'loyalty-hq --help')");
}

Result<std::int64_t> integer_flag(std::string_view command, const ParsedArgs& parsed,
                                  std::string_view name, std::int64_t min, std::int64_t max,
                                  std::int64_t fallback) {
  const std::string* text = parsed.flag(name);
  if (text == nullptr) return fallback;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    return usage_error(command, "--" + std::string(name) + " must be a whole number from " +
                                    std::to_string(min) + " to " + std::to_string(max) + ", not " +
                                    json::quote(*text));
  }
  return value;
}

Timestamp wall_clock_now() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return Timestamp{std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count()};
}

Result<Timestamp> time_flag(std::string_view command, const ParsedArgs& parsed,
                            std::string_view name) {
  const std::string* text = parsed.flag(name);
  if (text == nullptr) return wall_clock_now();
  Result<Timestamp> at = parse_timestamp(*text);
  if (!at.ok()) return usage_error(command, "--" + std::string(name) + ": " + at.error().message);
  return at;
}

Status check_id_flag(std::string_view command, std::string_view flag, std::string_view id) {
  const bool valid = !id.empty() && id.size() <= limits::sync_id_bytes_max &&
                     std::all_of(id.begin(), id.end(), [](char c) {
                       return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
                     });
  if (valid) return Status();
  return usage_error(command, "--" + std::string(flag) + " " + json::quote(id) +
                                  " is not an id: use 1.." +
                                  std::to_string(limits::sync_id_bytes_max) +
                                  " of the characters A-Z a-z 0-9 . _ -");
}

Result<std::vector<std::string>> list_flag(std::string_view command, std::string_view flag,
                                           std::string_view text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    if (comma == start) {
      return usage_error(command,
                         "--" + std::string(flag) + " has an empty item in " + json::quote(text));
    }
    items.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return items;
}

Result<std::vector<std::string>> server_names_flag(std::string_view command,
                                                   std::string_view text) {
  std::vector<std::string> names = TRY(list_flag(command, "server-name", text));
  for (const std::string& name : names) {
    if (!is_ip_address(name) && !is_dns_name(name)) {
      return usage_error(command, "--server-name " + json::quote(name) +
                                      " is neither a DNS name nor an IP address");
    }
  }
  return names;
}

}  // namespace loyalty::hq
