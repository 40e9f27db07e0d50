// loyaltyd's configuration: defaults, every kind of bad value named by file and key, and
// command-line overrides.
#include "config/config.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace loyalty::daemon {
namespace {

constexpr const char* minimal = R"toml(
[terminal]
id = "till-3"
store_id = "store-42"

[program]
bundle = "/etc/loyalty/program.json"
)toml";

std::string error_of(const std::string& text, std::vector<std::string> overrides = {}) {
  Result<Config> config = parse_config(text, "loyaltyd.toml", overrides);
  REQUIRE_FALSE(config.ok());
  CHECK(config.error().code == ErrorCode::invalid_argument);
  return config.error().message;
}

TEST_CASE("a minimal configuration gets the documented defaults") {
  Result<Config> config = parse_config(minimal, "loyaltyd.toml");
  REQUIRE(config.ok());
  CHECK(config->terminal.id == "till-3");
  CHECK(config->ledger_path() == "/var/lib/loyalty/ledger.db");
  CHECK(config->api.socket == "/run/loyalty/api.sock");
  CHECK(config->api.socket_mode == 0660);
  CHECK_FALSE(config->api.tcp.has_value());
  CHECK(config->api.body_bytes_max == 256 * 1024);
  CHECK(config->api.connections_max == 32);
  CHECK(config->panel.listen.address == "127.0.0.1");
  CHECK(config->panel.listen.port == 8765);
  CHECK(config->readers.hotplug);
  CHECK(config->log.level == "info");
}

TEST_CASE("configuration errors name the file, the key and the reason") {
  CHECK(error_of("[terminal]\nid = \"t\"\n") ==
        "loyaltyd.toml: terminal.store_id: is required");
  CHECK(error_of(std::string(minimal) + "[api]\nbody_bytes_max = \"big\"\n") ==
        "loyaltyd.toml: api.body_bytes_max: must be a whole number");
  CHECK(error_of(std::string(minimal) + "[api]\nconnections_max = 0\n") ==
        "loyaltyd.toml: api.connections_max: must be between 1 and 1024, got 0");
  CHECK(error_of(std::string(minimal) + "[api]\nsocket_mod = \"0660\"\n") ==
        "loyaltyd.toml: api.socket_mod: is not a configuration key (docs/configuration.md)");
  CHECK(error_of(std::string(minimal) + "[api]\nsocket_mode = \"0666\"\n") ==
        "loyaltyd.toml: api.socket_mode: must be an octal mode such as \"0660\", with no access "
        "for others");
  CHECK(error_of(std::string(minimal) + "[api]\ntcp = \"0.0.0.0:8080\"\n") ==
        "loyaltyd.toml: api.tcp: must be a loopback address (127.0.0.1 or ::1), got \"0.0.0.0\": "
        "the API and the panel never listen beyond the terminal");
  CHECK(error_of(std::string(minimal) + "[[readers.listed]]\nvendor_id = \"zz\"\n"
                                        "product_id = \"1\"\n") ==
        "loyaltyd.toml: readers.listed[0].vendor_id: must be 1 to 4 hex digits, as lsusb shows "
        "it (\"0801\")");
  CHECK(error_of(std::string(minimal) + "[[readers.devices]]\nnode = \"/dev/ttyS0\"\n"
                                        "kind = \"camera\"\n") ==
        "loyaltyd.toml: readers.devices[0].kind: must be \"scanner\" or \"msr\", got \"camera\"");
  CHECK(error_of(std::string(minimal) + "[log]\nlevel = \"loud\"\n") ==
        "loyaltyd.toml: log.level: must be debug, info, warning or error, got \"loud\"");
  CHECK(error_of("[terminal\nid = 1\n").rfind("loyaltyd.toml: line 1, column ", 0) == 0);
}

TEST_CASE("command-line overrides are checked like the file") {
  Result<Config> config = parse_config(
      minimal, "loyaltyd.toml",
      std::vector<std::string>{"api.socket=/tmp/x.sock", "api.tcp=127.0.0.1:9000",
                               "api.connections_max=4", "readers.hotplug=false"});
  REQUIRE(config.ok());
  CHECK(config->api.socket == "/tmp/x.sock");
  REQUIRE(config->api.tcp.has_value());
  CHECK(config->api.tcp->port == 9000);
  CHECK(config->api.connections_max == 4);
  CHECK_FALSE(config->readers.hotplug);
  CHECK(error_of(minimal, {"api.connections_max=many"}) ==
        "loyaltyd.toml: api.connections_max: must be a whole number");
  CHECK(error_of(minimal, {"nonsense"}) == "--set nonsense: must be KEY=VALUE (api.socket=/x)");
  CHECK(error_of(minimal, {"apx.socket=/x"}) ==
        "loyaltyd.toml: apx: is not a configuration key (docs/configuration.md)");
}

}  // namespace
}  // namespace loyalty::daemon
