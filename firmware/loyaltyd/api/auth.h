// Bearer tokens of the POS API: every client presents "Authorization: Bearer <token>". The tokens
// are read from a file that only its owner may read (mode 0600 or stricter; anything looser is
// refused at start), one token per line, blank lines and lines starting with '#' ignored; each
// token is 32 to 256 printable ASCII characters without spaces.
//
// A token is compared in constant time. Tokens never appear in logs or errors: a refusal says only
// whether the header was missing or the token unknown.
//
// Ownership: owns copies of the tokens, wiped when destroyed. Thread-safety: immutable after
// load(); accepts() may be called from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"

namespace loyalty::daemon {

enum class AuthCheck { accepted, missing, unknown_token };

class ApiTokens {
 public:
  static Result<ApiTokens> load(const std::string& path);
  static Result<ApiTokens> from_text(std::string_view text, const std::string& source);

  ApiTokens(ApiTokens&&) noexcept = default;
  ApiTokens& operator=(ApiTokens&&) noexcept = default;
  ApiTokens(const ApiTokens&) = delete;
  ApiTokens& operator=(const ApiTokens&) = delete;
  ~ApiTokens();

  // The value of the Authorization header (empty when there was none).
  AuthCheck check(std::string_view authorization) const;
  std::size_t size() const { return tokens_.size(); }

 private:
  ApiTokens() = default;
  std::vector<std::string> tokens_;
};

}  // namespace loyalty::daemon
