// `loyaltyctl program check FILE`, and the loaders of document files shared by the commands.
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "args/cli_args.h"
#include "commands.h"
#include "loyalty/core/documents.h"
#include "loyalty/core/json.h"
#include "loyalty/core/program_loader.h"
#include "args/read_file.h"

namespace loyalty::cli {

namespace {

// Reads `path` and loads it with `load`, naming the path in any error.
template <class Load>
auto load_file(const std::string& path, Load load) -> decltype(load(std::string_view())) {
  const std::string text = TRY(read_file(path));
  auto loaded = load(std::string_view(text));
  if (!loaded.ok()) {
    Error error = std::move(loaded).error();
    return make_error(error.code, path + ": " + error.message);
  }
  return loaded;
}

}  // namespace

Result<Program> load_program_file(const std::string& path) {
  return load_file(path, [](std::string_view text) { return load_program(text); });
}

Result<CustomerState> load_customer_file(const std::string& path) {
  return load_file(path, [](std::string_view text) { return load_customer(text); });
}

Result<Receipt> load_receipt_file(const std::string& path) {
  return load_file(path, [](std::string_view text) { return load_receipt(text); });
}

Status write_output(std::ostream& out, std::string_view text) {
  out << text;
  out.flush();
  if (!out) return make_error(ErrorCode::internal, "cannot write to standard output");
  return Status();
}

Status run_program(std::span<const std::string_view> args, std::ostream& out) {
  if (args.empty()) return usage_error("program", "missing subcommand (expected: check)");
  if (args.front() != "check") {
    return usage_error("program",
                       "unknown subcommand " + json::quote(args.front()) + " (expected: check)");
  }
  constexpr std::string_view positional[] = {"FILE"};
  const ParsedArgs parsed = TRY(parse_args("program check", args.subspan(1), {}, positional));
  const Program program = TRY(load_program_file(parsed.positional().front()));
  return write_output(out, "ok: " + program.program_id + " version " +
                               std::to_string(program.version) + ", " +
                               std::to_string(program.rules.size()) + " rules, " +
                               std::to_string(program.tiers.tiers.size()) + " tiers\n");
}

}  // namespace loyalty::cli
