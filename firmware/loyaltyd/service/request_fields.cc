#include "service/request_fields.h"

#include <cctype>

namespace loyalty::daemon {

namespace {

Problem missing(std::string_view key, std::string_view what) {
  return make_problem(ProblemType::invalid_field,
                      std::string(key) + " " + std::string(what), std::string(key));
}

}  // namespace

Field<json::Value> parse_body(std::string_view body) {
  Result<json::Value> parsed = json::parse(body);
  if (!parsed.ok()) {
    return make_problem(ProblemType::bad_request,
                        "the body is not JSON: " + parsed.error().message);
  }
  if (!parsed->is_object()) {
    return make_problem(ProblemType::bad_request, "the body must be a JSON object");
  }
  return std::move(parsed).value();
}

Field<std::optional<std::string>> string_field(const json::Value& body, std::string_view key,
                                               bool required, std::size_t bytes_max) {
  const json::Value* value = body.find(key);
  if (value == nullptr || value->is_null()) {
    if (required) return missing(key, "is required");
    return std::optional<std::string>();
  }
  if (!value->is_string()) return missing(key, "must be a string");
  if (value->as_string().empty()) return missing(key, "must not be empty");
  if (value->as_string().size() > bytes_max) {
    return missing(key, "must be at most " + std::to_string(bytes_max) + " bytes");
  }
  return std::optional<std::string>(value->as_string());
}

Field<std::optional<Timestamp>> time_field(const json::Value& body, std::string_view key) {
  const json::Value* value = body.find(key);
  if (value == nullptr || value->is_null()) return std::optional<Timestamp>();
  if (!value->is_string()) return missing(key, "must be an ISO 8601 time string");
  Result<Timestamp> at = parse_timestamp(value->as_string());
  if (!at.ok()) return missing(key, "is not an ISO 8601 time: " + at.error().message);
  return std::optional<Timestamp>(at.value());
}

Field<bool> bool_field(const json::Value& body, std::string_view key, bool fallback) {
  const json::Value* value = body.find(key);
  if (value == nullptr || value->is_null()) return fallback;
  if (!value->is_bool()) return missing(key, "must be true or false");
  return value->as_bool();
}

Field<const json::Value*> object_field(const json::Value& body, std::string_view key,
                                       bool required) {
  const json::Value* value = body.find(key);
  if (value == nullptr || value->is_null()) {
    if (required) return missing(key, "is required");
    return static_cast<const json::Value*>(nullptr);
  }
  if (!value->is_object()) return missing(key, "must be an object");
  return value;
}

Problem document_problem(const Error& error, std::string_view prefix) {
  Problem problem = problem_from_error(error);
  // The loaders start their messages with the path of the field at fault: "lines[2].price: ...".
  const std::size_t colon = error.message.find(": ");
  if (colon != std::string::npos && colon > 0) {
    const std::string_view path(error.message.data(), colon);
    bool is_path = true;
    for (const char c : path) {
      const unsigned char u = static_cast<unsigned char>(c);
      is_path = is_path && (std::isalnum(u) || c == '_' || c == '.' || c == '[' || c == ']');
    }
    if (is_path) problem.field = std::string(prefix) + "." + std::string(path);
  }
  if (!problem.field) problem.field = std::string(prefix);
  return problem;
}

}  // namespace loyalty::daemon
