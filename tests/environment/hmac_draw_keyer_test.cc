// HmacDrawKeyer: HMAC-SHA-256 under the program's draw key (RFC 4231's vectors), its key file
// format, and keyed draws through the real engine: replayable with the key, different winners
// under another key, and a win rate that matches the odds over sequential receipt ids.
#include "loyalty/environment/hmac_draw_keyer.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "loyalty/core/documents.h"
#include "loyalty/core/draw.h"
#include "loyalty/core/engine.h"
#include "loyalty/core/program_loader.h"

using namespace loyalty;
using loyalty::environment::HmacDrawKeyer;

namespace {

HmacDrawKeyer keyer_from(const std::string& hex) {
  Result<HmacDrawKeyer> keyer = HmacDrawKeyer::from_hex(hex);
  INFO((keyer.ok() ? std::string() : keyer.error().message));
  REQUIRE(keyer.ok());
  return std::move(*keyer);
}

const char* scratch_program = R"({"format": "loyalty-program/1", "program_id": "fresh-market",
  "version": 7, "currency": "EUR", "rules": [{"id": "scratch", "kind": "instant_win",
  "odds": {"numerator": 1, "denominator": 4}, "prize_points": 100}]})";

// Which of `count` sequential receipts FM-000000 ... win under `keyer`.
std::vector<bool> winners(const DrawKeyer& keyer, int count) {
  Result<Program> program = load_program(std::string_view(scratch_program));
  REQUIRE(program.ok());
  Result<CustomerState> customer = load_customer(std::string_view(R"({"customer_id": "C-1"})"));
  REQUIRE(customer.ok());
  Result<Receipt> receipt = load_receipt(std::string_view(
      R"({"receipt_id": "X", "currency": "EUR", "lines": [{"sku": "A", "unit_price_minor": 500}]})"));
  REQUIRE(receipt.ok());
  QuoteEnvironment env;
  env.draw_keyer = &keyer;
  Quoter quoter;
  Quote quote;
  std::vector<bool> won;
  for (int i = 0; i < count; ++i) {
    std::string id = std::to_string(i);
    receipt->receipt_id = "FM-" + std::string(6 - id.size(), '0') + id;
    REQUIRE(quoter.quote(*program, &*customer, *receipt, Timestamp{1795348800}, env, quote).ok());
    REQUIRE(quote.draws.size() == 1);
    won.push_back(quote.draws[0].won);
  }
  return won;
}

int count_wins(const std::vector<bool>& won) {
  int wins = 0;
  for (bool w : won) wins += w ? 1 : 0;
  return wins;
}

}  // namespace

TEST_CASE("HmacDrawKeyer is HMAC-SHA-256: the first 8 bytes, big-endian", "[draw_keyer]") {
  // RFC 4231, test case 1: a 20-byte key of 0x0b and "Hi There" give b0344c61d8db3853...
  std::string key_hex;
  for (int i = 0; i < 20; ++i) key_hex += "0b";
  CHECK(keyer_from(key_hex).draw_value("Hi There") == 0xb0344c61d8db3853ull);
  // RFC 4231 test case 6: 131 bytes of 0xaa (hashed down, as HMAC does for long keys).
  std::string long_hex;
  for (int i = 0; i < 131; ++i) long_hex += "aa";
  CHECK(keyer_from(long_hex).draw_value("Test Using Larger Than Block-Size Key - Hash Key First") ==
        0x60e431591ee0b67full);
}

TEST_CASE("a draw key file: hex digits, whitespace around them ignored", "[draw_keyer]") {
  const std::string hex32 = "000102030405060708090a0b0c0d0e0f";
  CHECK(keyer_from("  " + hex32 + "\n").draw_value("m") == keyer_from(hex32).draw_value("m"));
  CHECK(keyer_from("000102030405060708090A0B0C0D0E0F").draw_value("m") ==
        keyer_from(hex32).draw_value("m"));
  const auto error = [](const std::string& text) {
    Result<HmacDrawKeyer> keyer = HmacDrawKeyer::from_hex(text);
    REQUIRE_FALSE(keyer.ok());
    CHECK(keyer.error().code == ErrorCode::invalid_argument);
    return keyer.error().message;
  };
  CHECK(error("00112233") ==
        "the draw key has 4 bytes, it needs 16 to 1024: generate 32 random bytes (openssl rand "
        "-hex 32)");
  CHECK(error("") == error("  \n"));
  CHECK(error(hex32 + "0") ==
        "the draw key must be hex digits (an even number of them, 32 or more)");
  CHECK(error(hex32.substr(0, 30) + "zz") ==
        "the draw key must be hex digits (an even number of them, 32 or more)");
  CHECK(error("0011 2233 4455 6677 8899 aabb ccdd eeff") ==
        "the draw key must be hex digits (an even number of them, 32 or more)");
  CHECK_FALSE(HmacDrawKeyer::create(std::vector<std::uint8_t>(1025, 1)).ok());
  CHECK(HmacDrawKeyer::create(std::vector<std::uint8_t>(1024, 1)).ok());
}

TEST_CASE("keyed draws replay with the key, differ under another, and match the odds",
          "[draw_keyer]") {
  const HmacDrawKeyer key_a = keyer_from("00112233445566778899aabbccddeeff");
  const HmacDrawKeyer key_b = keyer_from("ffeeddccbbaa99887766554433221100");
  const std::vector<bool> a = winners(key_a, 4000);
  CHECK(a == winners(key_a, 4000));  // replayable by whoever holds the key
  const std::vector<bool> b = winners(key_b, 4000);
  int differ = 0;
  for (std::size_t i = 0; i < a.size(); ++i) differ += a[i] != b[i] ? 1 : 0;
  // Independent draws at 1/4 disagree on 2 * 1/4 * 3/4 = 37.5 % of receipts.
  // Pinned (the draw is deterministic), and within 3 sigma (30.6) of the 1,500 expected.
  CHECK(differ == 1431);
  CHECK(differ > 1500 - 92);
  CHECK(differ < 1500 + 92);
  // Odds of 1 in 4 over 4,000 sequential receipt ids: 1,000 expected, sigma 27.4. Pinned, and
  // within 3 sigma: sequential ids give no pattern a keyed draw would show.
  CHECK(count_wins(a) == 960);
  CHECK(count_wins(b) == 1041);
  for (int wins : {count_wins(a), count_wins(b)}) {
    CHECK(wins > 1000 - 82);
    CHECK(wins < 1000 + 82);
  }
}

TEST_CASE("the draw message is length-prefixed, so fields cannot run into each other",
          "[draw_keyer]") {
  std::string one;
  std::string two;
  draw_message("p", 1, "R-1", "ab", one);
  draw_message("p", 1, "R-1a", "b", two);
  CHECK(one != two);
  draw_message("p", 1, "R-1", "ab", two);
  CHECK(one == two);
  draw_message("p", 2, "R-1", "ab", two);
  CHECK(one != two);
  CHECK(one == std::string("\0\0\0\x0eloyalty-draw/1\0\0\0\x01p\0\0\0\x08\0\0\0\0\0\0\0\x01"
                           "\0\0\0\x03R-1\0\0\0\x02"
                           "ab",
                           4 + 14 + 4 + 1 + 4 + 8 + 4 + 3 + 4 + 2));
}
