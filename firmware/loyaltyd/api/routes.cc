#include "api/routes.h"

#include <charconv>
#include <vector>

#include "loyalty/core/limits.h"

namespace loyalty::daemon {

namespace {

constexpr std::size_t path_segments_max = 8;
constexpr std::size_t history_limit_max = 200;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = hex_value(text[i + 1]);
    const int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

Problem not_found(std::string_view path) {
  return make_problem(ProblemType::not_found,
                      "no such resource: " + std::string(path) + " (docs/pos-api.md lists them)");
}

std::variant<std::string, Problem> id_segment(std::string_view raw, std::string_view what) {
  std::optional<std::string> id = percent_decode(raw);
  bool printable = id.has_value() && !id->empty() && id->size() <= limits::id_bytes_max;
  if (printable) {
    for (const char c : *id) printable = printable && c > 0x20 && c < 0x7f && c != '/';
  }
  if (!printable) {
    return make_problem(ProblemType::invalid_field,
                        std::string(what) + " in the path must be 1 to " +
                            std::to_string(limits::id_bytes_max) +
                            " printable characters without spaces or '/'",
                        std::string(what));
  }
  return std::move(*id);
}

}  // namespace

const char* operation_name(Operation operation) {
  switch (operation) {
    case Operation::health: return "health";
    case Operation::readers: return "readers";
    case Operation::events: return "events";
    case Operation::identify: return "identify";
    case Operation::quote: return "quote";
    case Operation::receipt: return "receipt";
    case Operation::open: return "open";
    case Operation::commit: return "commit";
    case Operation::cancel: return "cancel";
    case Operation::refund: return "refund";
    case Operation::enrol: return "enrol";
    case Operation::balance: return "balance";
    case Operation::history: return "history";
    case Operation::ledger_check: return "ledger_check";
  }
  return "?";
}

std::variant<Route, Problem> match_route(std::string_view method, std::string_view target) {
  const std::size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  std::vector<std::string_view> parts;
  std::string_view rest = path;
  if (rest.empty() || rest.front() != '/') return not_found(path);
  rest.remove_prefix(1);
  while (!rest.empty()) {
    if (parts.size() >= path_segments_max) return not_found(path);
    const std::size_t slash = rest.find('/');
    parts.push_back(rest.substr(0, slash));
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  if (parts.size() < 2 || parts[0] != "v1") return not_found(path);

  Route route;
  std::string_view want = "GET";
  const std::string_view resource = parts[1];
  const std::size_t n = parts.size();
  std::string_view id_name;
  if (n == 2 && resource == "health") {
    route.operation = Operation::health;
  } else if (n == 2 && resource == "readers") {
    route.operation = Operation::readers;
  } else if (n == 2 && resource == "events") {
    route.operation = Operation::events;
  } else if (n == 2 && resource == "identify") {
    route.operation = Operation::identify;
    want = "POST";
  } else if (n == 2 && resource == "quote") {
    route.operation = Operation::quote;
    want = "POST";
  } else if (n == 2 && resource == "customers") {
    route.operation = Operation::enrol;
    want = "POST";
  } else if (n == 3 && resource == "ledger" && parts[2] == "check") {
    route.operation = Operation::ledger_check;
    want = "POST";
  } else if (resource == "receipts" && (n == 3 || n == 4)) {
    id_name = "receipt_id";
    if (n == 3) {
      route.operation = Operation::receipt;
    } else if (parts[3] == "open" || parts[3] == "commit" || parts[3] == "cancel") {
      route.operation = parts[3] == "open"     ? Operation::open
                        : parts[3] == "commit" ? Operation::commit
                                               : Operation::cancel;
      want = "POST";
    } else {
      return not_found(path);
    }
  } else if (resource == "refunds" && n == 3) {
    id_name = "refund_id";
    route.operation = Operation::refund;
    want = "POST";
  } else if (resource == "customers" && n == 4 && (parts[3] == "balance" || parts[3] == "history")) {
    id_name = "customer_id";
    route.operation = parts[3] == "balance" ? Operation::balance : Operation::history;
  } else {
    return not_found(path);
  }
  if (method != want) {
    Problem problem = make_problem(ProblemType::method_not_allowed,
                                   std::string(path) + " takes " + std::string(want) + ", not " +
                                       std::string(method));
    problem.allow = std::string(want);
    return problem;
  }
  route.takes_body = want == "POST";
  if (!id_name.empty()) {
    auto id = id_segment(parts[2], id_name);
    if (std::holds_alternative<Problem>(id)) return std::get<Problem>(id);
    route.id = std::move(std::get<std::string>(id));
  }
  if (route.operation == Operation::history && !query.empty()) {
    if (!query.starts_with("limit=")) {
      return make_problem(ProblemType::invalid_field, "the only query parameter is limit=N",
                          "limit");
    }
    const std::string_view digits = query.substr(6);
    std::size_t limit = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), limit);
    if (ec != std::errc() || end != digits.data() + digits.size() || limit < 1 ||
        limit > history_limit_max) {
      return make_problem(ProblemType::invalid_field,
                          "limit must be a whole number from 1 to " +
                              std::to_string(history_limit_max),
                          "limit");
    }
    route.limit = limit;
  }
  return route;
}

}  // namespace loyalty::daemon
