// `loyaltyctl customer refresh|show|block|unblock|erase`: the ledger's offline customer cache
// (storage::CustomerCache) over an existing ledger file.
//
// refresh stores the state HQ issued for a customer (the --customer document) with their
// consent; show prints what the cache holds for a card; block and unblock edit the local
// blocklist; erase carries out an erasure order and prints what it changed.
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "output/cached_customer_json.h"
#include "args/cli_args.h"
#include "commands.h"
#include "ledger/ledger_access.h"
#include "loyalty/core/json.h"
#include "loyalty/storage/customers.h"

namespace loyalty::cli {

namespace {

constexpr std::string_view subcommands = "refresh, show, block, unblock, erase";

// "marketing,profile" (any order, either, or "" for none).
Result<storage::Consent> parse_consent(std::string_view text) {
  storage::Consent consent;
  if (text.empty()) return consent;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const std::string_view item =
        text.substr(start, comma == text.npos ? text.npos : comma - start);
    if (item == "marketing") {
      consent.marketing = true;
    } else if (item == "profile") {
      consent.profile = true;
    } else {
      return usage_error("customer refresh", "--consent: unknown consent flag " +
                                                 json::quote(item) +
                                                 " (expected a comma list of marketing, profile)");
    }
    if (comma == text.npos) return consent;
    start = comma + 1;
  }
}

// What the cache holds for `card`, with its blocklist entry, as one JSON line.
Status write_cached(storage::Ledger& ledger, std::string_view card, std::ostream& out) {
  storage::CustomerCache cache(ledger);
  const std::optional<storage::CachedCustomer> found = TRY(cache.find(card));
  if (!found) {
    return make_error(ErrorCode::not_found,
                      "card " + std::string(card) +
                          " is not in the ledger's customer cache (refresh it from HQ or check "
                          "a receipt out with --card first)");
  }
  const std::optional<std::string> blocked = TRY(cache.blocked(card));
  return write_output(out, cached_customer_json(*found, blocked));
}

Status run_refresh(std::span<const std::string_view> args, std::ostream& out) {
  constexpr FlagSpec flags[] = {
      {"db", true}, {"customer", true}, {"consent", false, true}, {"at", false}};
  const ParsedArgs parsed = TRY(parse_args("customer refresh", args, flags, {}));
  const Timestamp at = TRY(time_flag(parsed));
  const std::string* consent_flag = parsed.flag("consent");
  const storage::Consent consent =
      TRY(parse_consent(consent_flag != nullptr ? *consent_flag : std::string()));
  const std::string& customer_path = *parsed.flag("customer");
  const CustomerState state = TRY(load_customer_file(customer_path));
  storage::Ledger ledger = TRY(open_existing_ledger(*parsed.flag("db"), at));
  const Status refreshed = storage::CustomerCache(ledger).refresh_from_hq(state, consent, at);
  if (!refreshed.ok()) {
    return make_error(refreshed.error().code, customer_path + ": " + refreshed.error().message);
  }
  return write_cached(ledger, state.customer_id, out);
}

Status run_show(std::span<const std::string_view> args, std::ostream& out) {
  constexpr FlagSpec flags[] = {{"db", true}, {"card", true}};
  const ParsedArgs parsed = TRY(parse_args("customer show", args, flags, {}));
  storage::Ledger ledger = TRY(open_existing_ledger(*parsed.flag("db"), TRY(time_flag(parsed))));
  return write_cached(ledger, *parsed.flag("card"), out);
}

// {"customer_id","blocked": reason or null}: the card's blocklist entry after block / unblock.
Status write_blocked(std::string_view card, const std::optional<std::string>& reason,
                     std::ostream& out) {
  return write_output(out, "{" + json_field("customer_id", card) + ",\"blocked\":" +
                               (reason ? json::quote(*reason) : std::string("null")) + "}\n");
}

Status run_block(std::span<const std::string_view> args, std::ostream& out) {
  constexpr FlagSpec flags[] = {{"db", true}, {"card", true}, {"reason", true}, {"at", false}};
  const ParsedArgs parsed = TRY(parse_args("customer block", args, flags, {}));
  const Timestamp at = TRY(time_flag(parsed));
  storage::Ledger ledger = TRY(open_existing_ledger(*parsed.flag("db"), at));
  const std::string& card = *parsed.flag("card");
  storage::CustomerCache cache(ledger);
  TRY(cache.block(card, *parsed.flag("reason"), at));
  return write_blocked(card, TRY(cache.blocked(card)), out);
}

Status run_unblock(std::span<const std::string_view> args, std::ostream& out) {
  constexpr FlagSpec flags[] = {{"db", true}, {"card", true}};
  const ParsedArgs parsed = TRY(parse_args("customer unblock", args, flags, {}));
  storage::Ledger ledger = TRY(open_existing_ledger(*parsed.flag("db"), TRY(time_flag(parsed))));
  const std::string& card = *parsed.flag("card");
  storage::CustomerCache cache(ledger);
  TRY(cache.unblock(card));
  return write_blocked(card, TRY(cache.blocked(card)), out);
}

Status run_erase(std::span<const std::string_view> args, std::ostream& out) {
  constexpr FlagSpec flags[] = {{"db", true}, {"card", true}, {"at", false}};
  const ParsedArgs parsed = TRY(parse_args("customer erase", args, flags, {}));
  const Timestamp at = TRY(time_flag(parsed));
  storage::Ledger ledger = TRY(open_existing_ledger(*parsed.flag("db"), at));
  const storage::ErasureReport report =
      TRY(storage::CustomerCache(ledger).erase(*parsed.flag("card"), at));
  return write_output(out, "{" + json_field("pseudonym", report.pseudonym) +
                               ",\"accounts\":" + std::to_string(report.accounts) +
                               ",\"receipts\":" + std::to_string(report.receipts) +
                               ",\"counters\":" + std::to_string(report.counters) +
                               ",\"referrals\":" + std::to_string(report.referrals) +
                               ",\"cancelled\":" + std::to_string(report.cancelled) + "}\n");
}

}  // namespace

Status run_customer(std::span<const std::string_view> args, std::ostream& out) {
  if (args.empty()) {
    return usage_error("customer",
                       "missing subcommand (expected: " + std::string(subcommands) + ")");
  }
  const std::span<const std::string_view> rest = args.subspan(1);
  if (args.front() == "refresh") return run_refresh(rest, out);
  if (args.front() == "show") return run_show(rest, out);
  if (args.front() == "block") return run_block(rest, out);
  if (args.front() == "unblock") return run_unblock(rest, out);
  if (args.front() == "erase") return run_erase(rest, out);
  return usage_error("customer", "unknown subcommand " + json::quote(args.front()) +
                                     " (expected: " + std::string(subcommands) + ")");
}

}  // namespace loyalty::cli
