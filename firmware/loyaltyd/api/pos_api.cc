#include "api/pos_api.h"

#include <boost/beast/websocket.hpp>

#include "api/routes.h"
#include "loyalty/core/json.h"
#include "loyalty/drivers/log.h"

namespace loyalty::daemon {

namespace {

std::string target_path(const HttpRequest& request) {
  const std::string_view target = std_view(request.target());
  return std::string(target.substr(0, target.find('?')));
}

HttpResponse problem_of(const HttpRequest& request, const Problem& problem) {
  HttpResponse response = HttpServer::make_response(
      request, problem_status(problem.type), "application/problem+json",
      problem_json(problem, target_path(request)));
  if (problem.type == ProblemType::unauthorized) {
    response.set(boost::beast::http::field::www_authenticate, "Bearer realm=\"loyaltyd\"");
  }
  if (problem.allow) response.set(boost::beast::http::field::allow, *problem.allow);
  if (problem.type == ProblemType::upgrade_required) {
    response.set(boost::beast::http::field::upgrade, "websocket");
    response.set(boost::beast::http::field::connection, "Upgrade");
  }
  response.prepare_payload();
  return response;
}

// Adapts a WebSocket to the hub.
class StreamSubscriber final : public EventSubscriber {
 public:
  explicit StreamSubscriber(std::shared_ptr<WebSocketChannel> channel)
      : channel_(std::move(channel)) {}
  bool deliver(const std::shared_ptr<const std::string>& message) override {
    return channel_->send(message);
  }
  void close_slow() override {
    channel_->close("too slow: the event stream's queue filled up; reconnect");
  }
  bool alive() const override { return channel_->alive(); }

 private:
  std::shared_ptr<WebSocketChannel> channel_;
};

}  // namespace

HttpResponse outcome_response(const HttpRequest& request, const Outcome& outcome) {
  if (outcome.problem) return problem_of(request, *outcome.problem);
  return HttpServer::make_response(request, outcome.status, "application/json",
                                   outcome.body_json);
}

std::optional<HttpResponse> PosApi::refuse(const HttpRequest& request) {
  if (request.find(boost::beast::http::field::origin) != request.end()) {
    drivers::log(drivers::LogLevel::warning,
                 "POS API: 403 for " + std::string(std_view(request.method_string())) + " " +
                     target_path(request) + ": the request came from a web page (Origin header)");
    return problem_of(request, make_problem(ProblemType::forbidden_origin,
                                            "the POS API does not serve web pages (no CORS); "
                                            "the till panel has its own read-only listener"));
  }
  const auto authorization = request.find(boost::beast::http::field::authorization);
  const std::string_view header =
      authorization == request.end() ? std::string_view() : std_view(authorization->value());
  const AuthCheck check = context_.tokens->check(header);
  if (check != AuthCheck::accepted) {
    const char* why = check == AuthCheck::missing ? "no bearer token" : "an unknown bearer token";
    drivers::log(drivers::LogLevel::warning,
                 std::string("POS API: 401 for ") + std::string(std_view(request.method_string())) + " " +
                     target_path(request) + ": " + why);
    return problem_of(request, make_problem(ProblemType::unauthorized,
                                            std::string("the request carries ") + why +
                                                "; send Authorization: Bearer <token>"));
  }
  return std::nullopt;
}

void PosApi::run_on_storage(const HttpRequest& request,
                            std::function<Outcome(TillService&, Timestamp)> job,
                            std::function<void(HttpResponse)> respond) {
  TillService* service = context_.service;
  const Timestamp now = context_.clock();
  auto shared_request = std::make_shared<HttpRequest>(request);
  const bool queued = context_.worker->submit(
      [service, job, now]() { return job(*service, now); },
      [this, shared_request, respond](Outcome outcome) {
        publish(outcome);
        respond(outcome_response(*shared_request, outcome));
      });
  if (!queued) {
    respond(problem_of(request, make_problem(ProblemType::busy,
                                             "the ledger's queue is full; retry the request")));
  }
}

void PosApi::publish(const Outcome& outcome) {
  for (const StreamEvent& event : outcome.events) context_.hub->publish(event, context_.clock());
}

void PosApi::handle(const HttpRequest& request, std::function<void(HttpResponse)> respond) {
  if (std::optional<HttpResponse> refused = refuse(request)) return respond(std::move(*refused));
  auto matched = match_route(std_view(request.method_string()), std_view(request.target()));
  if (std::holds_alternative<Problem>(matched)) {
    return respond(problem_of(request, std::get<Problem>(matched)));
  }
  const Route route = std::get<Route>(matched);
  if (route.takes_body && !request.body().empty()) {
    const auto type = request.find(boost::beast::http::field::content_type);
    const std::string_view value = type == request.end() ? std::string_view() : std_view(type->value());
    if (!value.starts_with("application/json")) {
      return respond(problem_of(request, make_problem(ProblemType::unsupported_media,
                                                      "send the body as application/json")));
    }
  }
  const std::string body = request.body();
  const std::string id = route.id;
  switch (route.operation) {
    case Operation::health: {
      const std::string loop_part = context_.health_json();
      return run_on_storage(
          request,
          [loop_part](TillService& service, Timestamp) {
            Outcome ledger = service.ledger_health();
            if (ledger.problem) return ledger;
            std::string text = loop_part;
            text.pop_back();
            return Outcome::ok(text + ",\"ledger\":" + ledger.body_json + "}");
          },
          respond);
    }
    case Operation::readers:
      return respond(HttpServer::make_response(request, 200, "application/json",
                                               context_.readers_json()));
    case Operation::events:
      return respond(problem_of(request, make_problem(ProblemType::upgrade_required,
                                                      "/v1/events is a WebSocket: send an "
                                                      "Upgrade: websocket request")));
    case Operation::identify:
      return run_on_storage(
          request, [body](TillService& s, Timestamp now) { return s.identify(body, now); },
          respond);
    case Operation::quote:
      return run_on_storage(
          request, [body](TillService& s, Timestamp now) { return s.quote(body, now); }, respond);
    case Operation::receipt:
      return run_on_storage(
          request, [id](TillService& s, Timestamp) { return s.get_receipt(id); }, respond);
    case Operation::open:
      return run_on_storage(
          request, [id, body](TillService& s, Timestamp now) { return s.open_receipt(id, body, now); },
          respond);
    case Operation::commit:
      return run_on_storage(
          request,
          [id, body](TillService& s, Timestamp now) { return s.commit_receipt(id, body, now); },
          respond);
    case Operation::cancel:
      return run_on_storage(
          request, [id](TillService& s, Timestamp now) { return s.cancel_receipt(id, now); },
          respond);
    case Operation::refund:
      return run_on_storage(
          request, [id, body](TillService& s, Timestamp now) { return s.refund(id, body, now); },
          respond);
    case Operation::enrol:
      return run_on_storage(
          request, [body](TillService& s, Timestamp now) { return s.enrol(body, now); }, respond);
    case Operation::balance:
      return run_on_storage(
          request, [id](TillService& s, Timestamp now) { return s.balance(id, now); }, respond);
    case Operation::history: {
      const std::size_t limit = route.limit;
      return run_on_storage(
          request, [id, limit](TillService& s, Timestamp) { return s.history(id, limit); },
          respond);
    }
    case Operation::ledger_check:
      return run_on_storage(
          request, [](TillService& s, Timestamp now) { return s.check_ledger(now); }, respond);
  }
}

std::optional<HttpResponse> PosApi::check_upgrade(const HttpRequest& request) {
  if (std::optional<HttpResponse> refused = refuse(request)) return refused;
  auto matched = match_route(std_view(request.method_string()), std_view(request.target()));
  if (std::holds_alternative<Problem>(matched)) return problem_of(request, std::get<Problem>(matched));
  if (std::get<Route>(matched).operation != Operation::events) {
    return problem_of(request, make_problem(ProblemType::not_found,
                                            "only /v1/events is a WebSocket"));
  }
  if (context_.hub->subscribers() >= context_.event_streams_max) {
    return problem_of(request, make_problem(ProblemType::unavailable,
                                            "too many event streams (api.event_streams_max = " +
                                                std::to_string(context_.event_streams_max) + ")"));
  }
  return std::nullopt;
}

void PosApi::opened(const HttpRequest&, std::shared_ptr<WebSocketChannel> channel) {
  auto subscriber = std::make_shared<StreamSubscriber>(channel);
  context_.hub->subscribe(subscriber);
  channel->send(std::make_shared<const std::string>(
      "{\"seq\":" + std::to_string(context_.hub->last_seq()) +
      ",\"type\":\"stream.opened\",\"at\":" + json::quote(format_timestamp(context_.clock())) +
      ",\"data\":{}}"));
}

}  // namespace loyalty::daemon
