#include "api/auth.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

namespace loyalty::daemon {

namespace {

constexpr std::size_t token_bytes_min = 32;
constexpr std::size_t token_bytes_max = 256;
constexpr std::size_t tokens_max = 64;
constexpr std::size_t token_file_bytes_max = 64 * 1024;

bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char difference = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    difference |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return difference == 0;
}

}  // namespace

ApiTokens::~ApiTokens() {
  for (std::string& token : tokens_) {
    volatile char* bytes = token.data();
    for (std::size_t i = 0; i < token.size(); ++i) bytes[i] = 0;
  }
}

Result<ApiTokens> ApiTokens::load(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return make_error(ErrorCode::invalid_argument,
                      "api.token_file: " + path + ": cannot open: " + std::strerror(errno));
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return make_error(ErrorCode::invalid_argument,
                      "api.token_file: " + path + ": not a regular file");
  }
  if ((info.st_mode & 077) != 0) {
    ::close(fd);
    return make_error(ErrorCode::invalid_argument,
                      "api.token_file: " + path +
                          ": must be readable by its owner only (chmod 600)");
  }
  std::string text;
  char chunk[4096];
  for (;;) {  // bounded: stops past token_file_bytes_max
    const ssize_t got = ::read(fd, chunk, sizeof(chunk));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    text.append(chunk, static_cast<std::size_t>(got));
    if (text.size() > token_file_bytes_max) break;
  }
  std::memset(chunk, 0, sizeof(chunk));
  ::close(fd);
  if (text.size() > token_file_bytes_max) {
    std::memset(text.data(), 0, text.size());
    return make_error(ErrorCode::invalid_argument, "api.token_file: " + path + ": too large");
  }
  Result<ApiTokens> tokens = from_text(text, "api.token_file: " + path);
  std::memset(text.data(), 0, text.size());
  return tokens;
}

Result<ApiTokens> ApiTokens::from_text(std::string_view text, const std::string& source) {
  ApiTokens tokens;
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    bool printable = true;
    for (const char c : line) printable = printable && c > 0x20 && c < 0x7f;
    if (!printable || line.size() < token_bytes_min || line.size() > token_bytes_max) {
      return make_error(ErrorCode::invalid_argument,
                        source + ": line " + std::to_string(line_number) + ": a token must be " +
                            std::to_string(token_bytes_min) + " to " +
                            std::to_string(token_bytes_max) +
                            " printable characters without spaces");
    }
    if (tokens.tokens_.size() >= tokens_max) {
      return make_error(ErrorCode::invalid_argument,
                        source + ": more than " + std::to_string(tokens_max) + " tokens");
    }
    tokens.tokens_.emplace_back(line);
  }
  if (tokens.tokens_.empty()) {
    return make_error(ErrorCode::invalid_argument, source + ": holds no token");
  }
  return tokens;
}

AuthCheck ApiTokens::check(std::string_view authorization) const {
  constexpr std::string_view scheme = "Bearer ";
  if (authorization.size() <= scheme.size()) return AuthCheck::missing;
  // The scheme is case-insensitive (RFC 9110 section 11.1).
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    const char a = static_cast<char>(std::tolower(static_cast<unsigned char>(authorization[i])));
    const char b = static_cast<char>(std::tolower(static_cast<unsigned char>(scheme[i])));
    if (a != b) return AuthCheck::missing;
  }
  const std::string_view presented = authorization.substr(scheme.size());
  bool accepted = false;
  for (const std::string& token : tokens_) {  // every token compared: no early exit
    accepted = equal_constant_time(presented, token) || accepted;
  }
  return accepted ? AuthCheck::accepted : AuthCheck::unknown_token;
}

}  // namespace loyalty::daemon
