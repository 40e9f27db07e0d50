// `loyaltyctl swipe --tracks STRING [--program FILE] [--at TIME]`: decodes a magnetic-stripe
// swipe offline, as a keyboard-wedge reader types it (`%T1?;T2?+T3?`, `E` for a failed track, an
// LRC after a track), with the drivers' decoders, and identifies the card under the bundle's
// identification section. A track in the financial layout is withheld by the decoder and never
// printed, unless its number is in one of the bundle's card ranges.
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "args/cli_args.h"
#include "commands.h"
#include "loyalty/core/json.h"
#include "loyalty/drivers/magstripe/magstripe.h"
#include "loyalty/drivers/magstripe/wedge_swipe.h"
#include "output/swipe_json.h"
#include "output/till_identification.h"

namespace loyalty::cli {

namespace {

std::string swipe_json(const drivers::Swipe& swipe, const TillIdentification& till, Timestamp now) {
  json::Writer out;
  out.begin_object();
  out.key("payment_card");
  out.value(swipe.payment_card);
  out.key("tracks");
  write_tracks_json(out, swipe);
  till.write_swipe(out, swipe, now);
  out.key("summary");
  out.value(drivers::describe_swipe(swipe));
  out.end_object();
  return out.take() + "\n";
}

}  // namespace

Status run_swipe(std::span<const std::string_view> args, std::ostream& out) {
  static constexpr FlagSpec flags[] = {{"tracks", true}, {"program"}, {"at"}};
  const ParsedArgs parsed = TRY(parse_args("swipe", args, flags, {}));
  const TillIdentification till = TRY(TillIdentification::load(parsed.flag("program")));
  const Timestamp now = TRY(time_flag(parsed));
  // A reader ends the line with CR; typed on a command line it usually has none.
  std::string line = *parsed.flag("tracks");
  if (line.empty() || (line.back() != '\r' && line.back() != '\n')) line += '\r';
  drivers::BankCardRule rule;
  rule.own_card_ranges = till.own_card_ranges();
  const drivers::Swipe swipe = TRY(drivers::parse_wedge_swipe(line, rule));
  return write_output(out, swipe_json(swipe, till, now));
}

}  // namespace loyalty::cli
