// Result<T>: the error channel of every component. An expected-like value that holds either a
// T or an Error. GCC 12 has no std::expected in C++20, so the project defines it once, here.
//
// Thread-safety: a Result is a plain value; distinct objects may be used from distinct threads.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace loyalty {

// Assertions guard invariants and stay on in release builds: a broken invariant in code that
// counts points must stop the program rather than write a wrong ledger entry.
[[noreturn]] inline void assertion_failed(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "assertion failed: %s at %s:%d\n", expr, file, line);
  std::abort();
}

#define LOYALTY_ASSERT(expr) \
  ((expr) ? static_cast<void>(0) : ::loyalty::assertion_failed(#expr, __FILE__, __LINE__))

enum class ErrorCode {
  invalid_argument,  // a caller passed something malformed
  parse_error,       // text that is not well-formed (JSON, time, number)
  invalid_program,   // a rule bundle that parses but breaks the format's rules
  invalid_customer,  // a customer state document that breaks the format's rules
  invalid_receipt,   // a receipt that breaks the format's rules
  limit_exceeded,    // input larger than a limit in limits.h
  not_found,
  conflict,  // the same identity with a different content
  io_error,
  // Retryable: another connection held a lock the operation needed (SQLite's SQLITE_BUSY and
  // SQLITE_LOCKED) for longer than the busy timeout; its transaction does not commit. Run the
  // operation again.
  busy,
  internal,
};

// Names the code as it appears in messages and JSON ("invalid_program").
const char* error_code_name(ErrorCode code);

// An error that reaches a user: the message names what was wrong and, where it can, what to do.
struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;
};

inline Error make_error(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    LOYALTY_ASSERT(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    LOYALTY_ASSERT(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    LOYALTY_ASSERT(ok());
    return std::get<0>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& {
    LOYALTY_ASSERT(!ok());
    return std::get<1>(state_);
  }
  Error&& error() && {
    LOYALTY_ASSERT(!ok());
    return std::get<1>(std::move(state_));
  }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  void value() const { LOYALTY_ASSERT(ok_); }
  const Error& error() const& {
    LOYALTY_ASSERT(!ok_);
    return error_;
  }
  Error&& error() && {
    LOYALTY_ASSERT(!ok_);
    return std::move(error_);
  }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace loyalty

// TRY(expr): evaluates a Result; on error returns the error from the enclosing function,
// otherwise yields the value. Uses a statement expression (GCC and Clang).
#define TRY(expr)                            \
  ({                                         \
    auto&& try_result_ = (expr);             \
    if (!try_result_.ok()) {                 \
      return std::move(try_result_).error(); \
    }                                        \
    std::move(try_result_).value();          \
  })
