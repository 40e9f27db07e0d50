// RFC 4648 base64: the test vectors of section 10, and strict refusals.
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "loyalty/sync/signing.h"

using loyalty::sync::base64_decode;
using loyalty::sync::base64_encode;

TEST_CASE("base64 encodes and decodes the RFC 4648 test vectors", "[sync][crypto]") {
  const std::vector<std::pair<std::string, std::string>> vectors = {{"", ""},
                                                                    {"f", "Zg=="},
                                                                    {"fo", "Zm8="},
                                                                    {"foo", "Zm9v"},
                                                                    {"foob", "Zm9vYg=="},
                                                                    {"fooba", "Zm9vYmE="},
                                                                    {"foobar", "Zm9vYmFy"}};
  for (const auto& [bytes, text] : vectors) {
    CHECK(base64_encode(bytes) == text);
    const loyalty::Result<std::string> decoded = base64_decode(text);
    REQUIRE(decoded.ok());
    CHECK(*decoded == bytes);
  }
}

TEST_CASE("base64 carries every byte value", "[sync][crypto]") {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  const std::string text = base64_encode(bytes);
  CHECK(text.size() == 344);
  CHECK(text.substr(0, 8) == "AAECAwQF");
  CHECK(text.substr(text.size() - 8) == "/P3+/w==");
  const loyalty::Result<std::string> decoded = base64_decode(text);
  REQUIRE(decoded.ok());
  CHECK(*decoded == bytes);
}

TEST_CASE("base64 that is not strict RFC 4648 is refused", "[sync][crypto]") {
  const std::string suffix = " (expected RFC 4648 base64 with padding)";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"Zg", "base64: length 2 is not a multiple of 4"},
      {"Zm9vY", "base64: length 5 is not a multiple of 4"},
      {"Zg=a", "base64: character 3 is not allowed there"},
      {"Z===", "base64: character 2 is not allowed there"},
      {"====", "base64: character 1 is not allowed there"},
      {"Zm9v\nYmFy", "base64: length 9 is not a multiple of 4"},
      {"Zm 9", "base64: character 3 is not allowed there"},
      {"Zm9-", "base64: character 4 is not allowed there"},
      {"Zm9_", "base64: character 4 is not allowed there"},
      {"Zg==Zg==", "base64: character 3 is not allowed there"},
      {"Zh==", "base64: the bits before the padding are not zero"},
      {"Zm9=", "base64: the bits before the padding are not zero"},
  };
  for (const auto& [text, message] : bad) {
    const loyalty::Result<std::string> decoded = base64_decode(text);
    INFO(text);
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.error().code == loyalty::ErrorCode::invalid_argument);
    CHECK(decoded.error().message == message + suffix);
  }
}
