// `loyalty-hq ca init --dir D` (the development CA in D/ca) and `loyalty-hq ca issue --dir D
// (--store S --terminal T | --server-name N[,N...]) --out DIR [--valid-days N]`: a terminal's
// client certificate (DIR/terminal.crt, terminal.key, ca.crt) or an HQ server certificate
// (DIR/server.crt, server.key, ca.crt), issued by D/ca. Issuing again replaces the files in DIR
// (a renewal).

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "args/hq_args.h"
#include "commands.h"
#include "loyalty/core/json.h"
#include "loyalty/sync/tls.h"
#include "state/hq_dir.h"

namespace loyalty::hq {

namespace {

constexpr std::int64_t valid_days_default = 825;
constexpr std::int64_t valid_days_max = 36'500;
constexpr std::int64_t clock_skew_seconds = 3600;  // valid from an hour ago, as init does

Status run_ca_init(std::span<const std::string_view> args, std::ostream& out) {
  constexpr FlagSpec flags[] = {{"dir"}};
  const ParsedArgs parsed = TRY(parse_flags("ca init", args, flags));
  const HqDir dir = hq_dir(parsed);
  TRY(sync::ca_init(sync::CaInit{.directory = dir.ca(),
                                 .now = plus_seconds(wall_clock_now(), -clock_skew_seconds)}));
  json::Writer json;
  json.begin_object();
  json.key("ca");
  json.value(dir.ca() + "/ca.crt");
  json.end_object();
  return write_json_line(out, json.take());
}

// The request for a terminal (--store and --terminal) or a server (--server-name).
Result<sync::CaIssue> issue_request(const ParsedArgs& parsed) {
  constexpr std::string_view command = "ca issue";
  const std::string* store = parsed.flag("store");
  const std::string* terminal = parsed.flag("terminal");
  const std::string* server_names = parsed.flag("server-name");
  sync::CaIssue request;
  if (server_names != nullptr) {
    if (store != nullptr || terminal != nullptr) {
      return usage_error(command,
                         "--server-name issues a server certificate; it does not take "
                         "--store or --terminal");
    }
    request.server_names = TRY(server_names_flag(command, *server_names));
  } else {
    if (store == nullptr || terminal == nullptr) {
      return usage_error(command,
                         "give --store S and --terminal T (a terminal's certificate) or "
                         "--server-name N (HQ's)");
    }
    TRY(check_id_flag(command, "store", *store));
    TRY(check_id_flag(command, "terminal", *terminal));
    request.terminal = sync::TerminalIdentity{*store, *terminal};
  }
  request.ca_directory = hq_dir(parsed).ca();
  request.out_directory = *parsed.flag("out");
  request.not_before = plus_seconds(wall_clock_now(), -clock_skew_seconds);
  request.valid_days =
      TRY(integer_flag(command, parsed, "valid-days", 1, valid_days_max, valid_days_default));
  return request;
}

Status run_ca_issue(std::span<const std::string_view> args, std::ostream& out) {
  constexpr FlagSpec flags[] = {{"dir"},         {"store"},     {"terminal"},
                                {"server-name"}, {"out", true}, {"valid-days"}};
  const ParsedArgs parsed = TRY(parse_flags("ca issue", args, flags));
  const sync::CaIssue request = TRY(issue_request(parsed));
  TRY(sync::ca_issue(request));
  const std::string prefix = request.out_directory + (request.terminal ? "/terminal" : "/server");
  json::Writer json;
  json.begin_object();
  json.key("certificate");
  json.value(prefix + ".crt");
  json.key("key");
  json.value(prefix + ".key");
  json.key("ca");
  json.value(request.out_directory + "/ca.crt");
  if (request.terminal) {
    json.key("identity");
    json.value(sync::terminal_uri(*request.terminal));
  } else {
    json.key("server_names");
    json.begin_array();
    for (const std::string& name : request.server_names) json.value(name);
    json.end_array();
  }
  json.key("valid_days");
  json.value(request.valid_days);
  json.end_object();
  return write_json_line(out, json.take());
}

}  // namespace

Status run_ca(std::span<const std::string_view> args, std::ostream& out) {
  const Subcommand sub = TRY(split_subcommand("ca", args, "init, issue"));
  if (sub.name == "init") return run_ca_init(sub.rest, out);
  if (sub.name == "issue") return run_ca_issue(sub.rest, out);
  return usage_error("ca",
                     "unknown subcommand " + json::quote(sub.name) + " (expected: init, issue)");
}

}  // namespace loyalty::hq
