// `loyaltyctl listen --device NODE ...`: opens one reader through the drivers' UPOS model (open,
// claim, enable, DataEventEnabled), prints each event as one JSON line as it arrives, with the
// customer identification core makes of it, and stops after --count scans or --timeout-ms.
// Store IT uses it to check a reader at the till; the tests use it to drive the real transports
// under umockdev.
//
// Identification follows the bundle given with --program (its identification section): its card
// ranges are the bank-card rule's allow-list, its keys verify app tokens. Without a bundle, or
// with one that has no identification section, listen still reads, withholds every track in the
// financial layout and prints each scan, but identifies no one: "identification" then says
// {"reason":"no_rules","error":"..."}.
//
// A payment card swiped by mistake prints "payment_card":true with no track data; with
// --card-key-file it prints the card-linked token instead of nothing. Nothing it prints or logs
// carries a PAN.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "args/cli_args.h"
#include "commands.h"
#include "loyalty/core/identification.h"
#include "loyalty/core/json.h"
#include "loyalty/drivers/readers.h"
#include "loyalty/drivers/tokens/hmac_keys.h"
#include "args/read_file.h"
#include "output/swipe_json.h"
#include "output/till_identification.h"

namespace loyalty::cli {

namespace {

constexpr std::int64_t listen_timeout_ms_default = 30'000;
constexpr std::int64_t listen_timeout_ms_max = 24 * 3600 * 1000;
constexpr std::int64_t listen_count_max = 1'000'000;

Result<std::int64_t> integer_flag(const ParsedArgs& parsed, std::string_view name,
                                  std::int64_t fallback, std::int64_t min, std::int64_t max) {
  const std::string* text = parsed.flag(name);
  if (text == nullptr) return fallback;
  std::int64_t value = 0;
  if (!parse_number(*text, value)) {
    return usage_error("listen", "--" + std::string(name) + " must be a whole number");
  }
  if (value < min || value > max) {
    return usage_error("listen", "--" + std::string(name) + " must be between " +
                                     std::to_string(min) + " and " + std::to_string(max));
  }
  return value;
}

// The transport a node's name implies: /dev/hidraw*, /dev/input/event*, anything else a tty.
drivers::Transport transport_of(std::string_view node) {
  if (node.find("/hidraw") != std::string_view::npos) return drivers::Transport::hidraw;
  if (node.find("/input/event") != std::string_view::npos) return drivers::Transport::evdev;
  return drivers::Transport::serial;
}

// The card key file: 32 to 128 hex digits (16 to 64 bytes), surrounding whitespace ignored.
Result<drivers::HmacKeyBytes> read_card_key(const std::string& path) {
  std::string text = TRY(read_file(path, 1024));
  Result<drivers::HmacKeyBytes> key = drivers::parse_hmac_key_hex(text, path);
  std::fill(text.begin(), text.end(), '\0');
  return key;
}

std::string data_json(const drivers::ScanEvent& event, const TillIdentification& till,
                      Timestamp now) {
  json::Writer out;
  out.begin_object();
  out.key("event");
  out.value("data");
  out.key("device");
  out.value(event.device_id());
  out.key("kind");
  out.value(drivers::device_kind_name(event.kind()));
  if (event.kind() == drivers::DeviceKind::scanner) {
    out.key("type");
    out.value(drivers::scan_data_type_name(event.type()));
    out.key("aim_id");
    out.value(event.aim_id());
    out.key("label");
    out.value(event.label());
    till.write(out, event.label(), now);
  } else if (event.swipe()) {
    const drivers::Swipe& swipe = *event.swipe();
    out.key("payment_card");
    out.value(swipe.payment_card);
    if (swipe.card_token) {
      out.key("card_token");
      out.value(*swipe.card_token);
    }
    out.key("tracks");
    write_tracks_json(out, swipe);
    till.write_swipe(out, swipe, now);
  }
  out.end_object();
  return out.take() + "\n";
}

std::string error_json(const drivers::ErrorEvent& event) {
  json::Writer out;
  out.begin_object();
  out.key("event");
  out.value("error");
  out.key("device");
  out.value(event.device_id());
  out.key("result");
  out.value(drivers::upos_result_name(event.result()));
  out.key("extended");
  out.value(static_cast<std::int64_t>(event.extended()));
  out.key("message");
  out.value(event.message());
  out.end_object();
  return out.take() + "\n";
}

}  // namespace

Status run_listen(std::span<const std::string_view> args, std::ostream& out) {
  static constexpr FlagSpec flags[] = {{"device", true},  {"kind"}, {"count"},  {"timeout-ms"},
                                       {"card-key-file"}, {"baud"}, {"program"}};
  const ParsedArgs parsed = TRY(parse_args("listen", args, flags, {}));
  const std::int64_t count = TRY(integer_flag(parsed, "count", 1, 1, listen_count_max));
  const std::int64_t timeout_ms =
      TRY(integer_flag(parsed, "timeout-ms", listen_timeout_ms_default, 1, listen_timeout_ms_max));
  const std::int64_t baud = TRY(integer_flag(parsed, "baud", 9600, 50, 4'000'000));

  drivers::DeviceInfo info;
  info.node = *parsed.flag("device");
  info.transport = transport_of(info.node);
  info.id = std::string(drivers::transport_name(info.transport)) + ":" + info.node;
  const std::string* kind = parsed.flag("kind");
  if (kind == nullptr || *kind == "scanner") {
    info.kind = drivers::DeviceKind::scanner;
  } else if (*kind == "msr") {
    info.kind = drivers::DeviceKind::msr;
  } else {
    return usage_error("listen", "--kind must be scanner or msr");
  }

  const TillIdentification till = TRY(TillIdentification::load(parsed.flag("program")));
  std::optional<drivers::HmacCardTokenizer> tokenizer;
  if (const std::string* key_file = parsed.flag("card-key-file")) {
    drivers::HmacKeyBytes key = TRY(read_card_key(*key_file));
    tokenizer.emplace(TRY(drivers::HmacCardTokenizer::create(std::move(key))));
  }

  boost::asio::io_context io;
  drivers::ReaderOptions options;
  options.tokenizer = tokenizer ? &*tokenizer : nullptr;
  options.own_card_ranges = till.own_card_ranges();
  options.serial.baud_rate = static_cast<unsigned>(baud);
  std::unique_ptr<drivers::Device> reader = TRY(drivers::make_reader(io, info, options));

  std::int64_t seen = 0;
  Status output_status;
  boost::asio::steady_timer deadline(io, std::chrono::milliseconds(timeout_ms));
  const auto finish = [&] {
    deadline.cancel();
    reader->close();
    io.stop();
  };
  reader->on_data([&](const drivers::ScanEvent& event) {
    const Timestamp now{std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count()};
    output_status = write_output(out, data_json(event, till, now));
    if (!output_status.ok() || ++seen >= count) return finish();
    reader->set_data_event_enabled(true);
  });
  reader->on_error([&](const drivers::ErrorEvent& event) {
    output_status = write_output(out, error_json(event));
    if (!output_status.ok()) return finish();
    reader->set_data_event_enabled(true);
  });

  TRY(reader->open());
  if (Status claimed = reader->claim(); !claimed.ok()) {
    reader->close();
    return claimed;
  }
  if (Status enabled = reader->set_enabled(true); !enabled.ok()) {
    reader->close();
    return enabled;
  }
  reader->set_data_event_enabled(true);
  bool timed_out = false;
  deadline.async_wait([&](const boost::system::error_code& error) {
    if (error) return;
    timed_out = true;
    finish();
  });
  io.run();
  TRY(output_status);
  if (timed_out) {
    return make_error(ErrorCode::io_error, "listen: " + info.id + ": timed out after " +
                                               std::to_string(timeout_ms) + " ms with " +
                                               std::to_string(seen) + " of " +
                                               std::to_string(count) + " scans");
  }
  return {};
}

}  // namespace loyalty::cli
