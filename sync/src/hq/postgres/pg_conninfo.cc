// redact_conninfo(): a libpq connection string fit for messages. Both of libpq's forms keep their
// shape; only the password's value becomes "***":
//   postgresql://u:secret@h:5432/db?password=x&sslmode=require
//     -> postgresql://u:***@h:5432/db?password=***&sslmode=require
//   host=h password='se cret' dbname=db  ->  host=h password=*** dbname=db
// A dbname holding a connection string of its own (libpq expands it) is redacted too. What cannot
// be read (an unterminated quote) is hidden from the password on, never shown.

#include <cctype>

#include "loyalty/sync/hq_postgres.h"

namespace loyalty::sync {

namespace {

constexpr std::string_view hidden = "***";

bool is_uri(std::string_view text) {
  return text.starts_with("postgresql://") || text.starts_with("postgres://");
}

std::string redact_uri(std::string_view uri) {
  const std::size_t scheme_end = uri.find("://") + 3;
  std::string out(uri.substr(0, scheme_end));
  std::string_view rest = uri.substr(scheme_end);
  // The authority runs to the first '/' or '?'; user:password@ ends at its last '@', so that a
  // password with a stray '@' is still hidden whole.
  const std::size_t authority_end = std::min(rest.find('/'), rest.find('?'));
  const std::string_view authority = rest.substr(0, authority_end);
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    const std::size_t colon = userinfo.find(':');
    if (colon != std::string_view::npos) {
      out += userinfo.substr(0, colon + 1);
      out += hidden;
    } else {
      out += userinfo;
    }
    out += authority.substr(at);
  } else {
    out += authority;
  }
  rest = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  const std::size_t question = rest.find('?');
  out += rest.substr(0, question);
  if (question == std::string_view::npos) return out;
  // Query parameters: key=value&key=value.
  std::string_view query = rest.substr(question + 1);
  out += '?';
  while (true) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == "password") {
      out += "password=";
      out += hidden;
    } else {
      out += pair;
    }
    if (amp == std::string_view::npos) break;
    out += '&';
    query = query.substr(amp + 1);
  }
  return out;
}

// key = value pairs separated by whitespace; a value is 'quoted' (backslash escapes) or runs to
// the next whitespace (backslash escapes the next byte).
std::string redact_pairs(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  auto space = [&text](std::size_t at) {
    return at < text.size() && std::isspace(static_cast<unsigned char>(text[at])) != 0;
  };
  while (i < text.size()) {
    const std::size_t word_start = i;
    while (space(i)) ++i;
    const std::size_t key_start = i;
    while (i < text.size() && text[i] != '=' && !space(i)) ++i;
    const std::string_view key = text.substr(key_start, i - key_start);
    while (space(i)) ++i;
    if (i >= text.size() || text[i] != '=') {
      // Not a key=value pair (libpq would refuse it): show what was read, then stop showing.
      out += text.substr(word_start, i - word_start);
      if (i < text.size()) out += hidden;
      return out;
    }
    ++i;  // '='
    while (space(i)) ++i;
    const std::size_t value_start = i;
    bool terminated = true;
    std::string value;
    if (i < text.size() && text[i] == '\'') {
      ++i;
      terminated = false;
      while (i < text.size()) {
        if (text[i] == '\\' && i + 1 < text.size()) {
          value += text[i + 1];
          i += 2;
        } else if (text[i] == '\'') {
          ++i;
          terminated = true;
          break;
        } else {
          value += text[i++];
        }
      }
    } else {
      while (i < text.size() && !space(i)) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        value += text[i++];
      }
    }
    out += text.substr(word_start, value_start - word_start);
    if (key == "password" || !terminated) {
      out += hidden;
    } else if (key == "dbname" && (is_uri(value) || value.find('=') != std::string::npos)) {
      out += "'" + redact_conninfo(value) + "'";
    } else {
      out += text.substr(value_start, i - value_start);
    }
    if (!terminated) return out;
  }
  return out;
}

}  // namespace

std::string redact_conninfo(std::string_view conninfo) {
  if (is_uri(conninfo)) return redact_uri(conninfo);
  return redact_pairs(conninfo);
}

}  // namespace loyalty::sync
