#include "config/config.h"

#include "config/read_file.h"

#include <charconv>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

namespace loyalty::daemon {

namespace {

constexpr std::size_t config_file_bytes_max = 1024 * 1024;
constexpr std::size_t listed_readers_max = 64;
constexpr std::size_t static_readers_max = 32;
constexpr std::size_t cameras_max = 4;

// Reads one table, remembering which keys were read so the rest can be refused as unknown.
class TableReader {
 public:
  TableReader(const toml::table* table, std::string prefix, const std::string& source)
      : table_(table), prefix_(std::move(prefix)), source_(source) {}

  std::string key_path(std::string_view key) const {
    return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
  }
  Error error(std::string_view key, std::string_view reason) const {
    return Error{ErrorCode::invalid_argument,
                 source_ + ": " + key_path(key) + ": " + std::string(reason)};
  }

  const toml::node* node(std::string_view key) {
    known_.emplace_back(key);
    return table_ == nullptr ? nullptr : table_->get(key);
  }

  Status string(std::string_view key, std::string& out, bool required = false) {
    const toml::node* value = node(key);
    if (value == nullptr) {
      if (required) return error(key, "is required");
      return Status();
    }
    const auto* text = value->as_string();
    if (text == nullptr) return error(key, "must be a string");
    if (text->get().empty()) return error(key, "must not be empty");
    out = text->get();
    return Status();
  }
  Status optional_string(std::string_view key, std::optional<std::string>& out) {
    std::string text;
    TRY(string(key, text));
    if (!text.empty()) out = std::move(text);
    return Status();
  }
  Status boolean(std::string_view key, bool& out) {
    const toml::node* value = node(key);
    if (value == nullptr) return Status();
    const auto* flag = value->as_boolean();
    if (flag == nullptr) return error(key, "must be true or false");
    out = flag->get();
    return Status();
  }
  template <class T>
  Status integer(std::string_view key, T& out, std::int64_t min, std::int64_t max) {
    const toml::node* value = node(key);
    if (value == nullptr) return Status();
    const auto* number = value->as_integer();
    if (number == nullptr) return error(key, "must be a whole number");
    const std::int64_t n = number->get();
    if (n < min || n > max) {
      return error(key, "must be between " + std::to_string(min) + " and " +
                            std::to_string(max) + ", got " + std::to_string(n));
    }
    out = static_cast<T>(n);
    return Status();
  }
  const toml::table* table(std::string_view key, Status& status) {
    const toml::node* value = node(key);
    if (value == nullptr) return nullptr;
    if (!value->is_table()) status = error(key, "must be a table");
    return value->as_table();
  }
  // Every key of the table must have been read.
  Status finish() const {
    if (table_ == nullptr) return Status();
    for (const auto& [key, value] : *table_) {
      bool known = false;
      for (const std::string& name : known_) known = known || name == key.str();
      if (!known) return error(key.str(), "is not a configuration key (docs/configuration.md)");
    }
    return Status();
  }

 private:
  const toml::table* table_;
  std::string prefix_;
  const std::string& source_;
  std::vector<std::string> known_;
};

Status read_endpoint(TableReader& reader, std::string_view key, std::optional<LoopbackEndpoint>& out) {
  std::optional<std::string> text;
  TRY(reader.optional_string(key, text));
  if (!text) return Status();
  Result<LoopbackEndpoint> endpoint = parse_loopback_endpoint(*text);
  if (!endpoint.ok()) return reader.error(key, endpoint.error().message);
  out = std::move(endpoint).value();
  return Status();
}

Status read_terminal(const toml::table* table, const std::string& source, TerminalConfig& out) {
  TableReader r(table, "terminal", source);
  TRY(r.string("id", out.id, true));
  TRY(r.string("store_id", out.store_id, true));
  TRY(r.string("state_directory", out.state_directory));
  TRY(r.optional_string("time_zone", out.time_zone));
  return r.finish();
}

Status read_program(const toml::table* table, const std::string& source, ProgramConfig& out) {
  TableReader r(table, "program", source);
  TRY(r.string("bundle", out.bundle, true));
  TRY(r.optional_string("draw_key_file", out.draw_key_file));
  return r.finish();
}

Status read_ledger(const toml::table* table, const std::string& source, LedgerConfig& out) {
  TableReader r(table, "ledger", source);
  TRY(r.optional_string("path", out.path));
  TRY(r.integer("hold_timeout_s", out.hold_timeout_s, 60, 7 * 24 * 3600));
  TRY(r.integer("busy_timeout_ms", out.busy_timeout_ms, 0, 60'000));
  return r.finish();
}

Status read_mode(TableReader& r, std::string_view key, unsigned& out) {
  std::string text;
  TRY(r.string(key, text));
  if (text.empty()) return Status();
  unsigned mode = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), mode, 8);
  if (ec != std::errc() || end != text.data() + text.size() || mode > 0777 || (mode & 0007) != 0) {
    return r.error(key, "must be an octal mode such as \"0660\", with no access for others");
  }
  out = mode;
  return Status();
}

Status read_api(const toml::table* table, const std::string& source, ApiConfig& out) {
  TableReader r(table, "api", source);
  TRY(r.string("socket", out.socket));
  TRY(r.optional_string("socket_group", out.socket_group));
  TRY(read_mode(r, "socket_mode", out.socket_mode));
  TRY(read_endpoint(r, "tcp", out.tcp));
  TRY(r.string("token_file", out.token_file));
  TRY(r.integer("body_bytes_max", out.body_bytes_max, 1024, 16 * 1024 * 1024));
  TRY(r.integer("header_bytes_max", out.header_bytes_max, 1024, 64 * 1024));
  TRY(r.integer("read_timeout_ms", out.read_timeout_ms, 100, 600'000));
  TRY(r.integer("idle_timeout_ms", out.idle_timeout_ms, 100, 3'600'000));
  TRY(r.integer("connections_max", out.connections_max, 1, 1024));
  TRY(r.integer("event_streams_max", out.event_streams_max, 1, 256));
  return r.finish();
}

Status read_panel(const toml::table* table, const std::string& source, PanelConfig& out) {
  TableReader r(table, "panel", source);
  TRY(r.boolean("enabled", out.enabled));
  std::optional<LoopbackEndpoint> listen;
  TRY(read_endpoint(r, "listen", listen));
  if (listen) out.listen = *listen;
  TRY(r.optional_string("directory", out.directory));
  return r.finish();
}

Result<drivers::DeviceKind> parse_kind(TableReader& r, std::string_view key) {
  std::string text = "scanner";
  TRY(r.string(key, text));
  if (text == "scanner") return drivers::DeviceKind::scanner;
  if (text == "msr") return drivers::DeviceKind::msr;
  return r.error(key, "must be \"scanner\" or \"msr\", got \"" + text + "\"");
}

Result<drivers::Transport> parse_transport(TableReader& r, std::string_view key,
                                           drivers::Transport fallback) {
  std::string text;
  TRY(r.string(key, text));
  if (text.empty()) return fallback;
  if (text == "hidraw") return drivers::Transport::hidraw;
  if (text == "evdev") return drivers::Transport::evdev;
  if (text == "serial") return drivers::Transport::serial;
  return r.error(key, "must be \"hidraw\", \"evdev\" or \"serial\", got \"" + text + "\"");
}

Status read_usb_id(TableReader& r, std::string_view key, std::uint16_t& out) {
  std::string text;
  TRY(r.string(key, text, true));
  const std::optional<std::uint16_t> id = drivers::parse_usb_id_hex(text);
  if (!id) return r.error(key, "must be 1 to 4 hex digits, as lsusb shows it (\"0801\")");
  out = *id;
  return Status();
}

template <class Item, class ReadItem>
Status read_array(TableReader& r, std::string_view key, std::size_t items_max,
                  std::vector<Item>& out, ReadItem read_item) {
  const toml::node* node = r.node(key);
  if (node == nullptr) return Status();
  const toml::array* array = node->as_array();
  if (array == nullptr) return r.error(key, "must be an array of tables ([[" + r.key_path(key) + "]])");
  if (array->size() > items_max) {
    return r.error(key, "has " + std::to_string(array->size()) + " entries, at most " +
                            std::to_string(items_max));
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    const std::string path = r.key_path(key) + "[" + std::to_string(i) + "]";
    const toml::table* item = array->get(i)->as_table();
    if (item == nullptr) return r.error(key, "entry " + std::to_string(i) + " must be a table");
    out.push_back(TRY(read_item(item, path)));
  }
  return Status();
}

Status read_sync(const toml::table* table, const std::string& source, SyncConfig& out) {
  TableReader r(table, "sync", source);
  std::string hq;
  TRY(r.string("hq", hq, true));
  const std::size_t colon = hq.rfind(':');
  std::uint16_t port = 0;
  const char* port_end = hq.data() + hq.size();
  const bool port_ok = colon != std::string::npos && colon > 0 &&
                       std::from_chars(hq.data() + colon + 1, port_end, port).ptr == port_end &&
                       port > 0;
  if (!port_ok) return r.error("hq", "must be \"<host>:<port>\" as named in HQ's certificate, got \"" + hq + "\"");
  out.hq_host = hq.substr(0, colon);
  if (out.hq_host.size() > 2 && out.hq_host.front() == '[' && out.hq_host.back() == ']') {
    out.hq_host = out.hq_host.substr(1, out.hq_host.size() - 2);
  }
  out.hq_port = port;
  TRY(r.string("certificate", out.certificate, true));
  TRY(r.string("private_key", out.private_key, true));
  TRY(r.string("ca", out.ca, true));
  TRY(read_array(r, "trusted_keys", 16, out.trusted_keys,
                 [&](const toml::table* item, const std::string& path) -> Result<SyncConfig::TrustedKey> {
                   TableReader e(item, path, source);
                   SyncConfig::TrustedKey key;
                   TRY(e.string("id", key.id, true));
                   TRY(e.string("file", key.file, true));
                   TRY(e.finish());
                   return key;
                 }));
  TRY(r.integer("batch_events", out.batch_events, 1, 1000));
  TRY(r.integer("trickle_ms", out.trickle_ms, 10, 600'000));
  TRY(r.integer("long_poll_ms", out.long_poll_ms, 0, 30'000));
  TRY(r.integer("request_timeout_ms", out.request_timeout_ms, 100, 600'000));
  TRY(r.integer("backoff_initial_ms", out.backoff_initial_ms, 1, 600'000));
  TRY(r.integer("backoff_max_ms", out.backoff_max_ms, 1, 3'600'000));
  if (out.backoff_max_ms < out.backoff_initial_ms) {
    return r.error("backoff_max_ms", "must be at least backoff_initial_ms");
  }
  return r.finish();
}

Status read_readers(const toml::table* table, const std::string& source, ReadersConfig& out) {
  TableReader r(table, "readers", source);
  TRY(r.boolean("hotplug", out.hotplug));
  TRY(r.optional_string("card_key_file", out.card_key_file));
  TRY(r.optional_string("decoder", out.decoder));
  TRY(read_array(r, "cameras", cameras_max, out.cameras,
                 [&](const toml::table* item, const std::string& path) -> Result<ReadersConfig::Camera> {
                   TableReader e(item, path, source);
                   ReadersConfig::Camera camera;
                   TRY(e.string("id", camera.id, true));
                   TRY(e.optional_string("device", camera.device));
                   TRY(e.optional_string("recorded", camera.recorded));
                   if (camera.device.has_value() == camera.recorded.has_value()) {
                     return e.error("device", "give exactly one of device (a V4L2 node) and "
                                              "recorded (a directory of frames)");
                   }
                   TRY(e.integer("width", camera.width, 16, 4096));
                   TRY(e.integer("height", camera.height, 16, 4096));
                   TRY(e.integer("frames_per_second", camera.frames_per_second, 1, 60));
                   TRY(e.boolean("loop", camera.loop));
                   TRY(e.finish());
                   return camera;
                 }));
  TRY(read_array(r, "listed", listed_readers_max, out.listed,
                 [&](const toml::table* item, const std::string& path) -> Result<drivers::ListedReader> {
                   TableReader e(item, path, source);
                   drivers::ListedReader listed;
                   TRY(read_usb_id(e, "vendor_id", listed.vendor_id));
                   TRY(read_usb_id(e, "product_id", listed.product_id));
                   listed.transport = TRY(parse_transport(e, "transport", drivers::Transport::evdev));
                   listed.kind = TRY(parse_kind(e, "kind"));
                   TRY(e.finish());
                   return listed;
                 }));
  TRY(read_array(r, "devices", static_readers_max, out.devices,
                 [&](const toml::table* item, const std::string& path) -> Result<ReadersConfig::Static> {
                   TableReader e(item, path, source);
                   ReadersConfig::Static device;
                   TRY(e.string("node", device.node, true));
                   device.kind = TRY(parse_kind(e, "kind"));
                   device.transport = TRY(parse_transport(e, "transport", drivers::Transport::serial));
                   TRY(e.integer("baud", device.baud, 50, 4'000'000));
                   TRY(e.finish());
                   return device;
                 }));
  return r.finish();
}

Status read_log(const toml::table* table, const std::string& source, LogConfig& out) {
  TableReader r(table, "log", source);
  TRY(r.string("level", out.level));
  if (out.level != "debug" && out.level != "info" && out.level != "warning" &&
      out.level != "error") {
    return r.error("level", "must be debug, info, warning or error, got \"" + out.level + "\"");
  }
  TRY(r.string("sink", out.sink));
  if (out.sink != "auto" && out.sink != "stderr" && out.sink != "journald") {
    return r.error("sink", "must be auto, stderr or journald, got \"" + out.sink + "\"");
  }
  return r.finish();
}

// Sets `dotted.key = value` in `root`, creating tables on the way.
Status apply_override(toml::table& root, std::string_view assignment) {
  const std::size_t equals = assignment.find('=');
  const std::string_view key = assignment.substr(0, equals);
  if (equals == std::string_view::npos || key.empty()) {
    return make_error(ErrorCode::invalid_argument,
                      "--set " + std::string(assignment) + ": must be KEY=VALUE (api.socket=/x)");
  }
  const std::string value_text(assignment.substr(equals + 1));
  toml::table* table = &root;
  std::string_view rest = key;
  for (std::size_t dot = rest.find('.'); dot != std::string_view::npos; dot = rest.find('.')) {
    const std::string part(rest.substr(0, dot));
    rest.remove_prefix(dot + 1);
    toml::node* child = table->get(part);
    if (child == nullptr) child = &table->insert(part, toml::table{}).first->second;
    table = child->as_table();
    if (table == nullptr) {
      return make_error(ErrorCode::invalid_argument,
                        "--set " + std::string(key) + ": " + part + " is not a table");
    }
  }
  // toml++ reports parse errors by exception (TOML_EXCEPTIONS): caught here, never passed on.
  try {
    toml::table parsed = toml::parse("value = " + value_text);
    table->insert_or_assign(std::string(rest), *parsed.get("value"));
  } catch (const toml::parse_error&) {
    table->insert_or_assign(std::string(rest), value_text);  // not a TOML value: a string
  }
  return Status();
}

}  // namespace

Result<LoopbackEndpoint> parse_loopback_endpoint(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return make_error(ErrorCode::invalid_argument, "must be [::1]:PORT or 127.0.0.1:PORT");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return make_error(ErrorCode::invalid_argument, "must be 127.0.0.1:PORT or [::1]:PORT");
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host != "127.0.0.1" && host != "::1" && host != "localhost") {
    return make_error(ErrorCode::invalid_argument,
                      "must be a loopback address (127.0.0.1 or ::1), got \"" + std::string(host) +
                          "\": the API and the panel never listen beyond the terminal");
  }
  unsigned number = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (ec != std::errc() || end != port.data() + port.size() || number > 65535) {
    return make_error(ErrorCode::invalid_argument,
                      "the port must be a number from 0 to 65535, got \"" + std::string(port) + "\"");
  }
  return LoopbackEndpoint{host == "localhost" ? "127.0.0.1" : std::string(host),
                          static_cast<std::uint16_t>(number)};
}

std::string Config::ledger_path() const {
  if (ledger.path) return *ledger.path;
  return terminal.state_directory + "/ledger.db";
}

Result<Config> parse_config(std::string_view toml_text, const std::string& source,
                            std::span<const std::string> overrides) {
  toml::table root;
  try {  // toml++ reports parse errors by exception: caught here, never passed on
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& error) {
    return make_error(ErrorCode::invalid_argument,
                      source + ": line " + std::to_string(error.source().begin.line) + ", column " +
                          std::to_string(error.source().begin.column) + ": " +
                          std::string(error.description()));
  }
  for (const std::string& assignment : overrides) TRY(apply_override(root, assignment));

  Config config;
  config.source = source;
  TableReader top(&root, "", source);
  Status status;
  const toml::table* terminal = top.table("terminal", status);
  TRY(status);
  if (terminal == nullptr) return top.error("terminal", "is required (terminal.id, terminal.store_id)");
  TRY(read_terminal(terminal, source, config.terminal));
  const toml::table* program = top.table("program", status);
  TRY(status);
  if (program == nullptr) return top.error("program", "is required (program.bundle)");
  TRY(read_program(program, source, config.program));
  const toml::table* ledger = top.table("ledger", status);
  TRY(status);
  TRY(read_ledger(ledger, source, config.ledger));
  const toml::table* api = top.table("api", status);
  TRY(status);
  TRY(read_api(api, source, config.api));
  const toml::table* panel = top.table("panel", status);
  TRY(status);
  TRY(read_panel(panel, source, config.panel));
  const toml::table* readers = top.table("readers", status);
  TRY(status);
  TRY(read_readers(readers, source, config.readers));
  const toml::table* sync = top.table("sync", status);
  TRY(status);
  if (sync != nullptr) {
    config.sync.emplace();
    TRY(read_sync(sync, source, *config.sync));
  }
  const toml::table* log = top.table("log", status);
  TRY(status);
  TRY(read_log(log, source, config.log));
  TRY(top.finish());
  return config;
}

Result<Config> load_config(const std::string& path, std::span<const std::string> overrides) {
  Result<std::string> text = read_bounded_file(path, config_file_bytes_max);
  if (!text.ok()) return make_error(ErrorCode::invalid_argument, text.error().message);
  return parse_config(text.value(), path, overrides);
}

}  // namespace loyalty::daemon
