#include "panel/panel.h"

#include <sys/stat.h>

#include <boost/beast/http/field.hpp>
#include <fstream>
#include <map>

#include "config/read_file.h"
#include "loyalty/core/json.h"

namespace loyalty::daemon {

namespace {

constexpr std::size_t panel_file_bytes_max = 512 * 1024;
constexpr std::size_t panel_sockets_max = 8;
constexpr const char* installed_panel_dir = "/usr/share/loyalty/panel";

struct FileSpec {
  const char* name;
  const char* content_type;
};
constexpr FileSpec panel_files[] = {
    {"index.html", "text/html; charset=utf-8"},
    {"customer.html", "text/html; charset=utf-8"},
    {"panel.css", "text/css; charset=utf-8"},
    {"panel.js", "text/javascript; charset=utf-8"},
};

bool is_directory(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

std::string panel_directory(const PanelConfig& config) {
  if (config.directory) return *config.directory;
  if (is_directory(installed_panel_dir)) return installed_panel_dir;
  return LOYALTY_PANEL_SOURCE_DIR;
}

// One offer of a quote: what a rule gave on this receipt.
struct Offer {
  std::string description;
  std::int64_t discount_minor = 0;
  std::int64_t points = 0;
};

void add_offers(const json::Value& entries, bool discount, std::map<std::string, Offer>& offers) {
  if (!entries.is_array()) return;
  for (const json::Value& entry : entries.as_array()) {
    const json::Value* source = entry.find("source");
    if (source == nullptr || !source->is_string()) continue;
    const std::string& name = source->as_string();
    if (!name.starts_with("rule:")) continue;
    Offer& offer = offers[name.substr(5)];
    const json::Value* amount = entry.find(discount ? "amount_minor" : "points");
    if (amount == nullptr || !amount->is_int()) continue;
    (discount ? offer.discount_minor : offer.points) += amount->as_int();
  }
}

// The rules that gave something on the receipt, by rule id, with their descriptions.
std::map<std::string, Offer> offers_of(const json::Value& quote, const ProgramState* program) {
  std::map<std::string, Offer> offers;
  if (const json::Value* lines = quote.find("lines"); lines != nullptr && lines->is_array()) {
    for (const json::Value& line : lines->as_array()) {
      if (const json::Value* d = line.find("discounts")) add_offers(*d, true, offers);
      if (const json::Value* e = line.find("earns")) add_offers(*e, false, offers);
    }
  }
  if (const json::Value* earns = quote.find("receipt_earns")) add_offers(*earns, false, offers);
  for (auto& [id, offer] : offers) {
    offer.description = id;
    if (program == nullptr) continue;
    for (const Rule& rule : program->program.rules) {
      if (rule.id == id && !rule.description.empty()) offer.description = rule.description;
    }
  }
  return offers;
}

void write_offers(json::Writer& out, const std::map<std::string, Offer>& offers, bool with_ids) {
  out.key("offers");
  out.begin_array();
  for (const auto& [id, offer] : offers) {
    out.begin_object();
    if (with_ids) {
      out.key("rule");
      out.value(id);
    }
    out.key("description");
    out.value(offer.description);
    out.key("discount_minor");
    out.value(offer.discount_minor);
    out.key("points");
    out.value(offer.points);
    out.end_object();
  }
  out.end_array();
}

void copy_member(json::Writer& out, const json::Value& from, std::string_view key) {
  out.key(key);
  const json::Value* value = from.find(key);
  if (value == nullptr) {
    out.null();
  } else {
    out.value(*value);
  }
}

}  // namespace

std::string mask_card_number(std::string_view card) {
  const std::string dots = "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2";  // ••••
  if (card.size() <= 4) return dots;
  return dots + " " + std::string(card.substr(card.size() - 4));
}

Result<std::unique_ptr<PanelHandler>> PanelHandler::create(PanelContext context) {
  const std::string directory = panel_directory(context.config);
  std::unique_ptr<PanelHandler> handler(new PanelHandler(std::move(context)));
  for (const FileSpec& spec : panel_files) {
    const std::string path = directory + "/" + spec.name;
    Result<std::string> body = read_bounded_file(path, panel_file_bytes_max);
    if (!body.ok()) {
      return make_error(ErrorCode::invalid_argument,
                        "panel.directory: " + directory + " has no readable " + spec.name + " (" +
                            body.error().message + ")");
    }
    handler->files_.push_back({spec.name, spec.content_type, std::move(body).value()});
  }
  PanelHandler* self = handler.get();
  handler->context_.hub->observe(
      [self](const StreamEvent& event, std::uint64_t seq) { self->observe(event, seq); });
  return handler;
}

void PanelHandler::observe(const StreamEvent& event, std::uint64_t seq) {
  seq_ = seq;
  const bool customer_event = event.type == "customer.identified" || event.type == "customer.enrolled";
  const bool receipt_event = event.type.starts_with("receipt.");
  if (customer_event || receipt_event) {
    Result<json::Value> data = json::parse(event.data_json);
    if (!data.ok() || !data->is_object()) return;
    if (const json::Value* customer = data->find("customer"); customer && customer->is_object()) {
      customer_ = *customer;
    }
    if (customer_event) {
      receipt_ = json::Value();  // a new customer at the till: a new receipt follows
      last_scan_json_ = "null";  // the card asked for after a refused scan came: no warning left
    } else if (data->find("receipt_id") != nullptr) {
      receipt_ = std::move(data).value();
    }
  } else if (event.type.starts_with("scan.")) {
    last_scan_json_ = "{\"type\":" + json::quote(event.type) + "}";
  }
  broadcast();
}

std::string PanelHandler::cashier_state() const {
  const std::shared_ptr<const ProgramState> program =
      context_.program ? context_.program() : nullptr;
  json::Writer out;
  out.begin_object();
  out.key("seq");
  out.value(static_cast<std::int64_t>(seq_));
  out.key("customer");
  out.value(customer_);
  out.key("receipt");
  const json::Value* quote = receipt_.is_object() ? receipt_.find("quote") : nullptr;
  if (quote != nullptr && quote->is_object()) {
    out.begin_object();
    copy_member(out, receipt_, "receipt_id");
    copy_member(out, receipt_, "state");
    out.key("quote");
    out.value(*quote);
    write_offers(out, offers_of(*quote, program.get()), true);
    out.end_object();
  } else if (receipt_.is_object()) {
    // A receipt event without a quote (a cancel): its id and state.
    out.begin_object();
    copy_member(out, receipt_, "receipt_id");
    copy_member(out, receipt_, "state");
    copy_member(out, receipt_, "quote");
    out.end_object();
  } else {
    out.null();
  }
  out.key("readers");
  Result<json::Value> readers = json::parse(context_.readers_json());
  const json::Value* list = readers.ok() ? readers->find("readers") : nullptr;
  if (list != nullptr) {
    out.value(*list);
  } else {
    out.begin_array();
    out.end_array();
  }
  out.key("sync");
  out.value(context_.sync_state ? context_.sync_state() : std::string("offline"));
  out.key("sync_detail");
  if (context_.sync_detail) {
    context_.sync_detail(out);
  } else {
    out.null();
  }
  out.end_object();
  std::string text = out.take();
  text.pop_back();
  return text + ",\"last_scan\":" + last_scan_json_ + "}";
}

std::string PanelHandler::customer_state() const {
  const std::shared_ptr<const ProgramState> program =
      context_.program ? context_.program() : nullptr;
  json::Writer out;
  out.begin_object();
  out.key("seq");
  out.value(static_cast<std::int64_t>(seq_));
  out.key("customer");
  if (customer_.is_object()) {
    out.begin_object();
    const json::Value* id = customer_.find("customer_id");
    out.key("card");
    out.value(mask_card_number(id && id->is_string() ? id->as_string() : std::string()));
    const json::Value* tier = customer_.find("tier");
    const json::Value* name = tier && tier->is_object() ? tier->find("name") : nullptr;
    out.key("tier");
    if (name != nullptr && name->is_string()) {
      out.value(name->as_string());
    } else {
      out.null();
    }
    const json::Value* balance = customer_.find("balance");
    const json::Value* available = balance && balance->is_object() ? balance->find("available")
                                                                    : nullptr;
    out.key("available");
    out.value(available && available->is_int() ? available->as_int() : 0);
    const json::Value* next = customer_.find("next_reward");
    out.key("next_reward");
    if (next != nullptr && next->is_object()) {
      out.begin_object();
      copy_member(out, *next, "reward_id");
      copy_member(out, *next, "points_needed");
      out.end_object();
    } else {
      out.null();
    }
    out.end_object();
  } else {
    out.null();
  }
  out.key("receipt");
  const json::Value* quote = receipt_.is_object() ? receipt_.find("quote") : nullptr;
  if (quote != nullptr && quote->is_object()) {
    out.begin_object();
    copy_member(out, receipt_, "state");
    copy_member(out, *quote, "totals");
    out.key("points");
    out.begin_object();
    const json::Value* points = quote->find("points");
    for (const char* key : {"earned", "burned"}) {
      const json::Value* value = points && points->is_object() ? points->find(key) : nullptr;
      out.key(key);
      out.value(value && value->is_int() ? value->as_int() : 0);
    }
    out.end_object();
    write_offers(out, offers_of(*quote, program.get()), false);
    out.end_object();
  } else {
    out.null();
  }
  out.end_object();
  return out.take();
}

bool PanelHandler::origin_allowed(const HttpRequest& request) const {
  const auto origin = request.find(boost::beast::http::field::origin);
  if (origin == request.end()) return true;  // not from a page: a plain GET of a file
  const std::string_view value = std_view(origin->value());
  const std::string port = std::to_string(port_);
  return value == "http://127.0.0.1:" + port || value == "http://localhost:" + port ||
         value == "http://[::1]:" + port;
}

void PanelHandler::handle(const HttpRequest& request, std::function<void(HttpResponse)> respond) {
  const std::string_view target = std_view(request.target());
  const std::string_view path = target.substr(0, target.find('?'));
  const auto problem = [&](ProblemType type, std::string detail) {
    return HttpServer::make_response(request, problem_status(type), "application/problem+json",
                                     problem_json(make_problem(type, std::move(detail)), path));
  };
  if (!origin_allowed(request)) {
    return respond(problem(ProblemType::forbidden_origin,
                           "the till panel serves its own pages only"));
  }
  if (request.method() != boost::beast::http::verb::get) {
    return respond(problem(ProblemType::method_not_allowed, "the till panel is read-only"));
  }
  if (path == "/" || path == "/panel") {
    HttpResponse redirect = HttpServer::make_response(request, 302, "text/plain", "");
    redirect.set(boost::beast::http::field::location, "/panel/");
    return respond(std::move(redirect));
  }
  std::string name;
  if (path == "/panel/") name = "index.html";
  if (path == "/panel/customer") name = "customer.html";
  if (path == "/panel/state") {
    return respond(HttpServer::make_response(request, 200, "application/json", cashier_state()));
  }
  if (path == "/panel/customer/state") {
    return respond(HttpServer::make_response(request, 200, "application/json", customer_state()));
  }
  if (name.empty() && path.starts_with("/panel/")) name = std::string(path.substr(7));
  for (const File& file : files_) {
    if (file.name != name) continue;
    HttpResponse response = HttpServer::make_response(request, 200, file.content_type, file.body);
    response.set("Content-Security-Policy",
                 "default-src 'self'; connect-src 'self' ws://127.0.0.1:" + std::to_string(port_) +
                     " ws://localhost:" + std::to_string(port_) +
                     "; img-src 'self' data:; frame-ancestors 'none'");
    response.set("X-Frame-Options", "DENY");
    response.prepare_payload();
    return respond(std::move(response));
  }
  respond(problem(ProblemType::not_found, "the till panel has no " + std::string(path)));
}

std::optional<HttpResponse> PanelHandler::check_upgrade(const HttpRequest& request) {
  const std::string_view target = std_view(request.target());
  const auto problem = [&](ProblemType type, std::string detail) {
    return HttpServer::make_response(request, problem_status(type), "application/problem+json",
                                     problem_json(make_problem(type, std::move(detail)), target));
  };
  // A WebSocket always carries an Origin from a browser; one without is not the panel's page.
  if (request.find(boost::beast::http::field::origin) == request.end() ||
      !origin_allowed(request)) {
    return problem(ProblemType::forbidden_origin, "the panel's stream is for its own pages only");
  }
  if (target != "/panel/events" && target != "/panel/customer/events") {
    return problem(ProblemType::not_found, "no such stream");
  }
  const auto& sockets = target == "/panel/events" ? cashier_sockets_ : customer_sockets_;
  std::size_t live = 0;
  for (const auto& socket : sockets) live += socket->alive() ? 1 : 0;
  if (live >= panel_sockets_max) return problem(ProblemType::unavailable, "too many panels open");
  return std::nullopt;
}

void PanelHandler::opened(const HttpRequest& request, std::shared_ptr<WebSocketChannel> channel) {
  const bool customer = std_view(request.target()) == "/panel/customer/events";
  auto& sockets = customer ? customer_sockets_ : cashier_sockets_;
  std::erase_if(sockets, [](const auto& socket) { return !socket->alive(); });
  channel->send(std::make_shared<const std::string>(customer ? customer_state() : cashier_state()));
  sockets.push_back(std::move(channel));
}

void PanelHandler::broadcast() {
  for (auto* sockets : {&cashier_sockets_, &customer_sockets_}) {
    std::erase_if(*sockets, [](const auto& socket) { return !socket->alive(); });
    if (sockets->empty()) continue;
    auto message = std::make_shared<const std::string>(
        sockets == &cashier_sockets_ ? cashier_state() : customer_state());
    for (const auto& socket : *sockets) {
      if (!socket->send(message)) socket->close("too slow");
    }
  }
}

}  // namespace loyalty::daemon
