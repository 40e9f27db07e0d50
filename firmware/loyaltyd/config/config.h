// loyaltyd's configuration: one TOML file (toml++), every key documented in
// docs/configuration.md, validated whole at start and on SIGHUP.
//
// load_config() reads and checks everything before anything is used: an unknown key, a value of
// the wrong type or out of range, a missing required key is an ErrorCode::invalid_argument error
// reading "<file>: <key>: <reason>" (the key as a dotted path, "api.body_bytes_max"), and the
// daemon exits 2 with it. Command-line options override single keys (apply_override()).
//
// Thread-safety: a Config is a plain value; load it on any thread, share it read-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/drivers/device.h"
#include "loyalty/drivers/device_monitor.h"

namespace loyalty::daemon {

// A loopback TCP endpoint: "127.0.0.1:8765" or "[::1]:8765". Nothing else is accepted: the API
// and the panel never listen beyond the terminal itself.
struct LoopbackEndpoint {
  std::string address;  // "127.0.0.1" or "::1"
  std::uint16_t port = 0;
};
Result<LoopbackEndpoint> parse_loopback_endpoint(std::string_view text);

struct TerminalConfig {
  std::string id;                                    // required: names the ledger's terminal
  std::string store_id;                              // required: receipts without one get it
  std::string state_directory = "/var/lib/loyalty";  // the ledger lives here
  std::optional<std::string> time_zone;              // IANA zone; nullopt: the program's offset
};

struct ProgramConfig {
  std::string bundle;                        // required: the rule bundle (JSON) path
  std::optional<std::string> draw_key_file;  // hex HMAC key for instant-win draws
};

struct LedgerConfig {
  std::optional<std::string> path;  // default <state_directory>/ledger.db
  std::int64_t hold_timeout_s = 15 * 60;
  std::int64_t busy_timeout_ms = 5000;
};

struct ApiConfig {
  std::string socket = "/run/loyalty/api.sock";
  std::optional<std::string> socket_group;  // chgrp the socket to this group
  unsigned socket_mode = 0660;
  std::optional<LoopbackEndpoint> tcp;       // also listen here (off by default)
  std::string token_file = "/etc/loyalty/api-token";  // 0600, one token per line
  std::size_t body_bytes_max = 256 * 1024;
  std::size_t header_bytes_max = 8 * 1024;
  std::int64_t read_timeout_ms = 5'000;  // a whole request, from its first byte
  std::int64_t idle_timeout_ms = 30'000;  // a kept-alive connection between requests
  std::size_t connections_max = 32;
  std::size_t event_streams_max = 8;
};

struct PanelConfig {
  bool enabled = true;
  LoopbackEndpoint listen{"127.0.0.1", 8765};
  std::optional<std::string> directory;  // the panel's files; default: installed or source copy
};

struct ReadersConfig {
  bool hotplug = true;
  // Readers known by USB ids (keyboard-wedge readers can only be told apart this way).
  std::vector<drivers::ListedReader> listed;
  // Nodes opened at start whatever enumeration says (a serial scanner on /dev/ttyS0, a pty in
  // tests and the demo).
  struct Static {
    std::string node;
    drivers::DeviceKind kind = drivers::DeviceKind::scanner;
    drivers::Transport transport = drivers::Transport::serial;
    unsigned baud = 9600;
  };
  std::vector<Static> devices;
  // Cameras used as barcode scanners: a V4L2 device, or a directory of recorded frames (the demo,
  // tests). Their frames are decoded in the sandboxed loyalty-decoder child.
  struct Camera {
    std::string id;                      // names it in events and the API ("counter")
    std::optional<std::string> device;   // "/dev/video0"
    std::optional<std::string> recorded; // a directory of PGM/PNG frames
    bool loop = true;                    // recorded: play them again at the end
    int width = 640;
    int height = 480;
    int frames_per_second = 15;
  };
  std::vector<Camera> cameras;
  // The decoder child; default: loyalty-decoder beside loyaltyd (or in the build tree).
  std::optional<std::string> decoder;
  std::optional<std::string> card_key_file;  // card-linked tokens (hex HMAC key)
};

// Sync with HQ (docs/sync.md). Absent: the terminal stays offline (its ledger keeps everything
// and HQ gets it once sync is configured).
struct SyncConfig {
  std::string hq_host;  // required: as named in HQ's certificate
  std::uint16_t hq_port = 8443;
  std::string certificate;  // required: the terminal's client certificate (PEM)
  std::string private_key;  // required: its key (PEM, 0600)
  std::string ca;           // required: the CA certificates that issued HQ's certificate
  struct TrustedKey {
    std::string id;    // the key id bundles name
    std::string file;  // its public key (PEM)
  };
  std::vector<TrustedKey> trusted_keys;  // bundle-signing keys; rotation adds more through HQ
  std::size_t batch_events = 500;
  std::int64_t trickle_ms = 1000;
  std::int64_t long_poll_ms = 25'000;
  std::int64_t request_timeout_ms = 20'000;
  std::int64_t backoff_initial_ms = 500;
  std::int64_t backoff_max_ms = 60'000;
};

struct LogConfig {
  std::string level = "info";  // debug, info, warning, error
  std::string sink = "auto";   // auto, stderr, journald
};

struct Config {
  std::string source;  // the file it was read from
  TerminalConfig terminal;
  ProgramConfig program;
  LedgerConfig ledger;
  ApiConfig api;
  PanelConfig panel;
  ReadersConfig readers;
  std::optional<SyncConfig> sync;
  LogConfig log;

  std::string ledger_path() const;
};

// Reads and validates the file, with `overrides` ("key=value" from the command line, as
// `--set api.socket=/tmp/x.sock`) applied over it first: each value is read as a TOML value, or as
// a string when it is not one, and checked as if it were in the file (errors name "--set").
Result<Config> load_config(const std::string& path, std::span<const std::string> overrides = {});
// The same from text (`source` names it in errors).
Result<Config> parse_config(std::string_view toml_text, const std::string& source,
                            std::span<const std::string> overrides = {});

}  // namespace loyalty::daemon
