#include "args/cli_args.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "loyalty/core/json.h"

namespace loyalty::cli {

namespace {

bool is_option(std::string_view arg) { return arg.size() > 1 && arg.front() == '-'; }

const FlagSpec* find_spec(std::span<const FlagSpec> flags, std::string_view name) {
  const auto it = std::find_if(flags.begin(), flags.end(),
                               [name](const FlagSpec& f) { return f.name == name; });
  return it == flags.end() ? nullptr : &*it;
}

std::string unknown_option_message(std::string_view arg, std::span<const FlagSpec> flags) {
  std::string message = "unknown option " + std::string(arg);
  if (flags.empty()) return message + " (this command takes no options)";
  message += " (expected";
  for (std::size_t i = 0; i < flags.size(); ++i) {
    message += i == 0 ? " " : ", ";
    message += "--";
    message += flags[i].name;
  }
  return message + ")";
}

// One flag at args[i] (which starts with "--"); advances `i` past its value.
Status read_flag(std::string_view command, std::span<const std::string_view> args, std::size_t& i,
                 std::span<const FlagSpec> flags,
                 std::vector<std::pair<std::string, std::string>>& out) {
  const std::string_view arg = args[i];
  const std::size_t equals = arg.find('=');
  const std::string_view name =
      arg.substr(2, equals == std::string_view::npos ? arg.npos : equals - 2);
  const FlagSpec* spec = find_spec(flags, name);
  if (spec == nullptr) {
    return usage_error(command, unknown_option_message(arg.substr(0, equals), flags));
  }
  const std::string display = "--" + std::string(name);
  for (const auto& given : out) {
    if (given.first == name) return usage_error(command, display + " is given more than once");
  }
  if (spec->is_switch) {
    if (equals != std::string_view::npos) {
      return usage_error(command, display + " takes no value");
    }
    out.emplace_back(std::string(name), std::string());
    return Status();
  }
  std::optional<std::string_view> value;
  if (equals != std::string_view::npos) {
    value = arg.substr(equals + 1);
  } else if (i + 1 < args.size() && !is_option(args[i + 1])) {
    value = args[++i];
  }
  if (!value || (value->empty() && !spec->allow_empty)) {
    return usage_error(command, display + " needs a value");
  }
  out.emplace_back(std::string(name), std::string(*value));
  return Status();
}

Status check_counts(std::string_view command, const ParsedArgs& parsed,
                    std::span<const FlagSpec> flags,
                    std::span<const std::string_view> positional_names) {
  for (const FlagSpec& spec : flags) {
    if (spec.required && parsed.flag(spec.name) == nullptr) {
      return usage_error(command, "missing --" + std::string(spec.name));
    }
  }
  const std::vector<std::string>& positional = parsed.positional();
  if (positional.size() < positional_names.size()) {
    return usage_error(command, "missing " + std::string(positional_names[positional.size()]));
  }
  if (positional.size() > positional_names.size()) {
    return usage_error(command,
                       "unexpected argument " + json::quote(positional[positional_names.size()]));
  }
  return Status();
}

}  // namespace

const std::string* ParsedArgs::flag(std::string_view name) const {
  for (const auto& [key, value] : flags_) {
    if (key == name) return &value;
  }
  return nullptr;
}

Result<ParsedArgs> parse_args(std::string_view command, std::span<const std::string_view> args,
                              std::span<const FlagSpec> flags,
                              std::span<const std::string_view> positional_names) {
  ParsedArgs parsed;
  bool flags_ended = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (!flags_ended && arg == "--") {
      flags_ended = true;
    } else if (!flags_ended && arg.starts_with("--")) {
      TRY(read_flag(command, args, i, flags, parsed.flags_));
    } else if (!flags_ended && is_option(arg)) {
      return usage_error(command, unknown_option_message(arg, flags));
    } else {
      parsed.positional_.emplace_back(arg);
    }
  }
  TRY(check_counts(command, parsed, flags, positional_names));
  return parsed;
}

Error usage_error(std::string_view command, std::string_view message) {
  std::string text;
  if (!command.empty()) {
    text += command;
    text += ": ";
  }
  text += message;
  text += " (see 'loyaltyctl --help')";
  return make_error(ErrorCode::invalid_argument, std::move(text));
}

Result<Timestamp> time_flag(const ParsedArgs& parsed) {
  const std::string* at = parsed.flag("at");
  if (at == nullptr) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return Timestamp{std::chrono::duration_cast<std::chrono::seconds>(now).count()};
  }
  Result<Timestamp> parsed_at = parse_timestamp(*at);
  if (!parsed_at.ok()) {
    const Error& error = parsed_at.error();
    return make_error(error.code, "--at: " + error.message);
  }
  return parsed_at;
}

}  // namespace loyalty::cli
