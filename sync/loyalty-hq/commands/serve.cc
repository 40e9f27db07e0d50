// `loyalty-hq serve --dir D [--listen ADDR:PORT] [--workers N]`: runs the HQ service (HqService)
// on D's store and server certificate until SIGTERM or SIGINT, then stops it cleanly: no new
// connections, the workers' store calls finished, the stores closed. Once listening it writes
// the port to D/serve.port and "listening on ADDR:PORT" to standard error (port 0 picks a free
// one, which both then name); the service logs one line per batch there too.

#include <signal.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <charconv>
#include <cstdint>
#include <iostream>
#include <memory>
#include <ostream>
#include <string>
#include <system_error>

#include "args/hq_args.h"
#include "commands.h"
#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "loyalty/sync/hq_service.h"
#include "state/hq_dir.h"
#include "state/state_files.h"
#include "state/store_choice.h"

namespace loyalty::hq {

namespace {

constexpr std::string_view command = "serve";
constexpr std::string_view default_listen = "127.0.0.1:8443";

struct ListenAddress {
  std::string address;
  std::uint16_t port = 0;
};

// "127.0.0.1:8443", "0.0.0.0:0", "[::]:8443".
Result<ListenAddress> parse_listen(const ParsedArgs& parsed) {
  const std::string text = parsed.flag_or("listen", default_listen);
  const std::size_t colon = text.rfind(':');
  const auto bad = [&text] {
    return usage_error(command, "--listen " + json::quote(text) +
                                    " is not ADDRESS:PORT (e.g. 127.0.0.1:8443 or [::]:8443)");
  };
  if (colon == std::string::npos || colon == 0) return bad();
  std::string address = text.substr(0, colon);
  if (address.front() == '[') {
    if (address.size() < 3 || address.back() != ']') return bad();
    address = address.substr(1, address.size() - 2);
  }
  const std::string port_text = text.substr(colon + 1);
  std::uint16_t port = 0;
  const auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size()) {
    return bad();
  }
  return ListenAddress{address, port};
}

std::string stats_line(const sync::HqServiceStats& stats) {
  return "stopped: " + std::to_string(stats.batches) + " batches (" +
         std::to_string(stats.quarantines) + " quarantined, " +
         std::to_string(stats.batches_refused) + " refused), " +
         std::to_string(stats.events_stored) + " events stored, " +
         std::to_string(stats.events_duplicate) + " duplicates, " +
         std::to_string(stats.events_applied) + " applied";
}

}  // namespace

Status run_serve(std::span<const std::string_view> args, std::ostream&) {
  constexpr FlagSpec flags[] = {{"dir"}, {"listen"}, {"workers"}};
  const ParsedArgs parsed = TRY(parse_flags(command, args, flags));
  const HqDir dir = hq_dir(parsed);
  const ListenAddress listen = TRY(parse_listen(parsed));
  const std::int64_t workers = TRY(
      integer_flag(command, parsed, "workers", 1, static_cast<std::int64_t>(limits::hq_workers_max),
                   static_cast<std::int64_t>(limits::hq_workers_default)));
  TRY(open_store(dir));  // an initialised directory, checked before anything listens

  sync::HqServiceOptions options;
  options.listen_address = listen.address;
  options.listen_port = listen.port;
  options.tls = dir.server_tls();
  options.workers = static_cast<std::size_t>(workers);
  options.store_factory = TRY(store_factory(dir));

  boost::asio::io_context io;
  std::unique_ptr<sync::HqService> service;
  // Handled from before the service starts, so an early SIGTERM also stops it cleanly.
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& error, int number) {
    if (error) return;
    std::cerr << "signal " << number << ": stopping" << std::endl;
    if (service) service->stop();
    io.stop();
  });
  service = TRY(sync::HqService::start(io, std::move(options)));
  const std::uint16_t port = service->port();
  TRY(replace_file(dir.serve_port(), std::to_string(port) + "\n", 0644));
  const bool v6 = listen.address.find(':') != std::string::npos;
  std::cerr << "listening on " << (v6 ? "[" + listen.address + "]" : listen.address) << ":" << port
            << std::endl;
  io.run();
  service->stop();
  std::cerr << stats_line(service->stats()) << std::endl;
  service.reset();
  ::unlink(dir.serve_port().c_str());
  return Status();
}

}  // namespace loyalty::hq
