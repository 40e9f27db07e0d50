#include "api/problem.h"

#include "loyalty/core/json.h"

namespace loyalty::daemon {

namespace {

struct TypeInfo {
  int status;
  const char* slug;
  const char* title;
};

TypeInfo info(ProblemType type) {
  switch (type) {
    case ProblemType::bad_request:
      return {400, "bad-request", "The request body is not what the operation takes"};
    case ProblemType::invalid_field:
      return {422, "invalid-field", "A field of the request is missing or invalid"};
    case ProblemType::invalid_receipt:
      return {422, "invalid-receipt", "The receipt breaks the receipt format's rules"};
    case ProblemType::invalid_customer:
      return {422, "invalid-customer", "The customer breaks the customer format's rules"};
    case ProblemType::unidentified:
      return {422, "unidentified", "The input identifies no one under the program's rules"};
    case ProblemType::unauthorized:
      return {401, "unauthorized", "A valid bearer token is required"};
    case ProblemType::forbidden_origin:
      return {403, "forbidden-origin", "Requests from this origin are not accepted"};
    case ProblemType::not_found:
      return {404, "not-found", "No such resource"};
    case ProblemType::method_not_allowed:
      return {405, "method-not-allowed", "The resource does not take this method"};
    case ProblemType::upgrade_required:
      return {426, "upgrade-required", "This resource is a WebSocket"};
    case ProblemType::conflict:
      return {409, "conflict", "The request conflicts with what the ledger holds"};
    case ProblemType::request_timeout:
      return {408, "request-timeout", "The request did not arrive in time"};
    case ProblemType::payload_too_large:
      return {413, "payload-too-large", "The request body is larger than the limit"};
    case ProblemType::headers_too_large:
      return {431, "headers-too-large", "The request headers are larger than the limit"};
    case ProblemType::unsupported_media:
      return {415, "unsupported-media-type", "The request body must be application/json"};
    case ProblemType::busy:
      return {503, "busy", "The ledger is busy; retry the request"};
    case ProblemType::unavailable:
      return {503, "unavailable", "The daemon cannot serve this request now"};
    case ProblemType::internal:
      break;
  }
  return {500, "internal", "The daemon failed to process the request"};
}

}  // namespace

int problem_status(ProblemType type) { return info(type).status; }

std::string problem_type_uri(ProblemType type) {
  return std::string("urn:loyalty:problem:") + info(type).slug;
}

const char* problem_title(ProblemType type) { return info(type).title; }

Problem make_problem(ProblemType type, std::string detail, std::optional<std::string> field) {
  return Problem{type, std::move(detail), std::move(field), std::nullopt, std::nullopt};
}

Problem problem_from_error(const Error& error, std::optional<std::string> field) {
  ProblemType type = ProblemType::internal;
  switch (error.code) {
    case ErrorCode::invalid_argument:
    case ErrorCode::parse_error:
    case ErrorCode::limit_exceeded:
      type = ProblemType::invalid_field;
      break;
    case ErrorCode::invalid_program:
      type = ProblemType::unavailable;
      break;
    case ErrorCode::invalid_customer:
      type = ProblemType::invalid_customer;
      break;
    case ErrorCode::invalid_receipt:
      type = ProblemType::invalid_receipt;
      break;
    case ErrorCode::not_found:
      type = ProblemType::not_found;
      break;
    case ErrorCode::conflict:
      type = ProblemType::conflict;
      break;
    case ErrorCode::busy:
      type = ProblemType::busy;
      break;
    case ErrorCode::io_error:
    case ErrorCode::internal:
      type = ProblemType::internal;
      break;
  }
  Problem problem{type, error.message, std::move(field), std::string(error_code_name(error.code)),
                  std::nullopt};
  return problem;
}

std::string problem_json(const Problem& problem, std::string_view instance) {
  json::Writer out;
  out.begin_object();
  out.key("type");
  out.value(problem_type_uri(problem.type));
  out.key("title");
  out.value(problem_title(problem.type));
  out.key("status");
  out.value(problem_status(problem.type));
  out.key("detail");
  out.value(problem.detail);
  if (!instance.empty()) {
    out.key("instance");
    out.value(instance);
  }
  if (problem.field) {
    out.key("field");
    out.value(*problem.field);
  }
  if (problem.code) {
    out.key("code");
    out.value(*problem.code);
  }
  out.end_object();
  return out.take();
}

}  // namespace loyalty::daemon
