// The POS API (docs/pos-api.md, docs/pos-api.yaml): the RequestHandler of the POS listeners.
//
// For every request, in order: a request from a web page (any Origin header) is refused with 403,
// since the POS is a program, not a page, and no CORS is offered; a missing or unknown bearer
// token gets 401 (logged without the token); the route is matched (404, 405); a POST body must be
// application/json (415). The operation then runs: ledger operations as jobs on the storage
// thread (503 busy when its queue is full), health and readers on the loop. The reply's events go
// to the event hub. A WebSocket on /v1/events subscribes to the hub, with the same checks.
//
// Ownership: borrows everything in PosApiContext, which must outlive it. Thread-safety: the
// loop's thread only.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "api/auth.h"
#include "api/http_server.h"
#include "events/event_hub.h"
#include "loyalty/core/time.h"
#include "service/storage_worker.h"
#include "service/till_service.h"

namespace loyalty::daemon {

struct PosApiContext {
  StorageWorker* worker = nullptr;
  TillService* service = nullptr;  // touched only by jobs on the storage thread
  EventHub* hub = nullptr;
  const ApiTokens* tokens = nullptr;
  std::function<Timestamp()> clock;
  std::function<std::string()> readers_json;  // {"readers":[...]}
  std::function<std::string()> health_json;   // the loop's part of /v1/health
  std::size_t event_streams_max = 8;
};

class PosApi final : public RequestHandler {
 public:
  explicit PosApi(PosApiContext context) : context_(std::move(context)) {}

  void handle(const HttpRequest& request, std::function<void(HttpResponse)> respond) override;
  std::optional<HttpResponse> check_upgrade(const HttpRequest& request) override;
  void opened(const HttpRequest& request, std::shared_ptr<WebSocketChannel> channel) override;

  // Publishes an outcome's events on the hub (also used for the readers' scans).
  void publish(const Outcome& outcome);

 private:
  std::optional<HttpResponse> refuse(const HttpRequest& request);
  void run_on_storage(const HttpRequest& request, std::function<Outcome(TillService&, Timestamp)> job,
                      std::function<void(HttpResponse)> respond);

  PosApiContext context_;
};

// The response an Outcome becomes: its JSON body, or its problem as application/problem+json.
HttpResponse outcome_response(const HttpRequest& request, const Outcome& outcome);

}  // namespace loyalty::daemon
