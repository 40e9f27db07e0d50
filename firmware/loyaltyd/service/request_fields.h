// Reading the fields of a POS API request body: each miss or wrong kind is a Problem naming the
// field as a JSON path ("lines[1].quantity"), so the POS can show the cashier what to fix.
//
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "api/problem.h"
#include "loyalty/core/json.h"
#include "loyalty/core/time.h"

namespace loyalty::daemon {

template <class T>
using Field = std::variant<T, Problem>;

template <class T>
bool failed(const Field<T>& field) {
  return std::holds_alternative<Problem>(field);
}

// The body as a JSON object: 400 bad-request when it is not JSON or not an object.
Field<json::Value> parse_body(std::string_view body);

// A string member: `required` misses are 422 invalid-field; an empty string is a miss too.
Field<std::optional<std::string>> string_field(const json::Value& body, std::string_view key,
                                               bool required, std::size_t bytes_max = 256);
// An ISO 8601 time member ("at"); nullopt when absent.
Field<std::optional<Timestamp>> time_field(const json::Value& body, std::string_view key);
// A boolean member; `fallback` when absent.
Field<bool> bool_field(const json::Value& body, std::string_view key, bool fallback);
// An object member; nullptr when absent and not required.
Field<const json::Value*> object_field(const json::Value& body, std::string_view key,
                                       bool required);

// The problem an error of a document loader (receipt, customer) becomes, with the field taken
// from the loader's message ("lines[2].quantity: must be ...") under `prefix` ("receipt").
Problem document_problem(const Error& error, std::string_view prefix);

}  // namespace loyalty::daemon
