// `loyaltyctl swipe --tracks STRING`: decodes a magnetic-stripe swipe offline, as a
// keyboard-wedge reader types it (`%T1?;T2?+T3?`, `E` for a failed track), with the drivers'
// decoders. A payment card's track data is withheld by the decoder and never printed.
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "cli_args.h"
#include "commands.h"
#include "loyalty/core/json.h"
#include "loyalty/drivers/magstripe/magstripe.h"
#include "loyalty/drivers/magstripe/wedge_swipe.h"
#include "swipe_json.h"

namespace loyalty::cli {

namespace {

std::string swipe_json(const drivers::Swipe& swipe) {
  json::Writer out;
  out.begin_object();
  out.key("payment_card");
  out.value(swipe.payment_card);
  out.key("tracks");
  write_tracks_json(out, swipe);
  out.key("summary");
  out.value(drivers::describe_swipe(swipe));
  out.end_object();
  return out.take() + "\n";
}

}  // namespace

Status run_swipe(std::span<const std::string_view> args, std::ostream& out) {
  static constexpr FlagSpec flags[] = {{"tracks", true}};
  const ParsedArgs parsed = TRY(parse_args("swipe", args, flags, {}));
  // A reader ends the line with CR; typed on a command line it usually has none.
  std::string line = *parsed.flag("tracks");
  if (line.empty() || (line.back() != '\r' && line.back() != '\n')) line += '\r';
  const drivers::Swipe swipe = TRY(drivers::parse_wedge_swipe(line));
  return write_output(out, swipe_json(swipe));
}

}  // namespace loyalty::cli
