// The till panel: a read-only page for the cashier's screen and a second one for the
// customer-facing display, served on a loopback TCP listener of their own (panel.listen), with
// their live state over a WebSocket.
//
//   GET /panel/                 the cashier's view (index.html)
//   GET /panel/customer         the customer-facing view (customer.html)
//   GET /panel/panel.css, /panel/panel.js
//   GET /panel/state            the cashier's state (JSON, below)
//   GET /panel/customer/state   the customer's state: what the customer may see, no more
//   GET /panel/events           WebSocket: the cashier's state again after every change
//   GET /panel/customer/events  WebSocket: the customer's state after every change
//
// Cashier's state: {"seq","customer": summary|null, "receipt": {"receipt_id","state","quote",
// "offers":[{"rule","description","discount_minor","points"}]}|null, "readers":[...],
// "sync":"offline", "last_scan": {...}|null}. Customer's state: {"seq","customer":{"card":
// "•••• 0017","tier","available","next_reward"}|null,"receipt":{"state","totals","points":
// {"earned","burned"},"offers":[{"description","discount_minor","points"}]}|null}: no card number
// but its last four digits, no other customer, no reader or ledger details.
//
// The panel takes no token: it is read-only and bound to loopback. A request carrying an Origin
// other than the panel's own (http://127.0.0.1:<port>, http://localhost:<port>) is refused with
// 403, WebSockets included, so another page open in the till's browser cannot read it either. No
// CORS headers are ever sent. The page's files are read at start from panel.directory (default:
// /usr/share/loyalty/panel when installed, else the source tree's firmware/panel/).
//
// Ownership: borrows the hub (which must outlive it). Thread-safety: the loop's thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>
#include <memory>
#include <string>

#include "api/http_server.h"
#include "config/config.h"
#include "events/event_hub.h"
#include "loyalty/core/json.h"
#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "service/program_state.h"

namespace loyalty::daemon {

struct PanelContext {
  EventHub* hub = nullptr;
  std::function<Timestamp()> clock;
  PanelConfig config;
  std::function<std::string()> readers_json;  // {"readers":[...]}
  std::function<std::shared_ptr<const ProgramState>()> program;  // the bundle in force
  // "offline", "syncing", "in_sync", "quarantined" (sync/sync_link.h), and its details (JSON).
  std::function<std::string()> sync_state;
  std::function<void(json::Writer&)> sync_detail;
};

class PanelHandler final : public RequestHandler {
 public:
  // Reads the page's files; an error names the directory and the missing file.
  static Result<std::unique_ptr<PanelHandler>> create(PanelContext context);

  // The port the panel listens on, for its own origin (after listen_tcp picked it).
  void set_port(std::uint16_t port) { port_ = port; }

  void handle(const HttpRequest& request, std::function<void(HttpResponse)> respond) override;
  std::optional<HttpResponse> check_upgrade(const HttpRequest& request) override;
  void opened(const HttpRequest& request, std::shared_ptr<WebSocketChannel> channel) override;

  std::string cashier_state() const;
  std::string customer_state() const;

 private:
  explicit PanelHandler(PanelContext context) : context_(std::move(context)) {}
  void observe(const StreamEvent& event, std::uint64_t seq);
  bool origin_allowed(const HttpRequest& request) const;
  void broadcast();

  PanelContext context_;
  std::uint16_t port_ = 0;
  struct File {
    std::string name;
    std::string content_type;
    std::string body;
  };
  std::vector<File> files_;
  std::uint64_t seq_ = 0;
  // Kept parsed, as the events brought them: each broadcast writes them, never parses them again.
  json::Value customer_;  // the summary of the customer at the till; null when none
  json::Value receipt_;   // the last receipt event's data ({"receipt_id","state","quote",...})
  std::string last_scan_json_ = "null";
  std::vector<std::shared_ptr<WebSocketChannel>> cashier_sockets_;
  std::vector<std::shared_ptr<WebSocketChannel>> customer_sockets_;
};

// "•••• 0017" for "2900000000017": the last four characters behind four dots ("••••" alone for
// four or fewer).
std::string mask_card_number(std::string_view card);

}  // namespace loyalty::daemon
