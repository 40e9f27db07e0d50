// loyaltyctl --daemon SOCKET: the till's commands against a running loyaltyd, through the POS API.
#include <sys/wait.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "daemon/daemon_fixture.h"

namespace loyalty::daemon::test {
namespace {

using Run = CommandRun;

Run loyaltyctl(const DaemonFixture& till, const std::string& arguments) {
  return run_command(std::string(LOYALTYCTL_BINARY) + " --daemon " + till.socket() +
                     " --token-file " + till.config().api.token_file + " " + arguments);
}

TEST_CASE("loyaltyctl --daemon checks out, refunds and shows the balance through the API") {
  DaemonFixture till({}, quiet_hours_clock());
  const std::string receipt = till.dir().file("receipt.json");
  std::ofstream(receipt) << example_receipt("basket-120", "R-cli");

  const Run checkout = loyaltyctl(till, "checkout --receipt " + receipt + " --card " + card);
  INFO(checkout.output);
  REQUIRE(checkout.status == 0);
  CHECK(checkout.output.find("\"state\":\"committed\"") != std::string::npos);
  CHECK(loyaltyctl(till, "checkout --receipt " + receipt + " --card " + card)
            .output.find("\"replayed\":true") != std::string::npos);

  const Run balance = loyaltyctl(till, std::string("balance --customer-id ") + card);
  REQUIRE(balance.status == 0);
  CHECK(balance.output.rfind(std::string("{\"customer_id\":\"") + card + "\",\"posted\":195,", 0) ==
        0);
  const Run refund =
      loyaltyctl(till, "refund --receipt-id R-cli --refund-id F-cli --lines 0:1");
  REQUIRE(refund.status == 0);
  CHECK(refund.output.find("\"refund_id\":\"F-cli\"") != std::string::npos);
  CHECK(loyaltyctl(till, "health").output.find("\"status\":\"ok\"") != std::string::npos);
}

TEST_CASE("loyaltyctl --daemon shows the daemon's refusal and exits 2") {
  DaemonFixture till;
  const Run bad = loyaltyctl(till, "identify --input 2900000000019");
  CHECK(bad.status == 2);
  CHECK(bad.output.rfind("loyaltyctl: 422 The input identifies no one under the program's rules: "
                         "bad_check_digit: ",
                         0) == 0);
  CHECK(bad.output.find("(field input)") != std::string::npos);
  const Run missing = loyaltyctl(till, "commit --receipt-id R-none");
  CHECK(missing.status == 2);
  CHECK(missing.output.rfind("loyaltyctl: 404 No such resource: ", 0) == 0);
  const Run usage = loyaltyctl(till, "refund --receipt-id R --refund-id F --lines x");
  CHECK(usage.status == 2);
  CHECK(usage.output.find("--lines must be LINE:QTY") != std::string::npos);
}

TEST_CASE("loyaltyctl --daemon says when the daemon cannot be reached or the token is wrong") {
  DaemonFixture till;
  std::ofstream(till.dir().file("wrong-token")) << "wrong-token-0123456789abcdef0123456789\n";
  const std::string base = std::string(LOYALTYCTL_BINARY) + " --daemon ";
  FILE* pipe = ::popen((base + till.dir().file("nothing.sock") + " --token-file " +
                        till.dir().file("wrong-token") + " health 2>&1")
                           .c_str(),
                       "r");
  std::array<char, 512> buffer{};
  std::string output;
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) output += buffer.data();
  CHECK(WEXITSTATUS(::pclose(pipe)) == 2);
  CHECK(output.rfind("loyaltyctl: cannot reach loyaltyd at " + till.dir().file("nothing.sock"), 0) ==
        0);
  pipe = ::popen((base + till.socket() + " --token-file " + till.dir().file("wrong-token") +
                  " health 2>&1")
                     .c_str(),
                 "r");
  output.clear();
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) output += buffer.data();
  CHECK(WEXITSTATUS(::pclose(pipe)) == 2);
  CHECK(output.rfind("loyaltyctl: 401 A valid bearer token is required", 0) == 0);
  CHECK(output.find("wrong-token-0123") == std::string::npos);
}

}  // namespace
}  // namespace loyalty::daemon::test
