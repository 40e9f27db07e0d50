// `loyaltyctl --daemon SOCKET [--token-file FILE] COMMAND ...`: the same till operations against a
// running loyaltyd, through its POS API (docs/pos-api.md), instead of a ledger file. Each command
// prints the daemon's JSON reply as one line; a refusal prints the problem's status, title, detail
// and field, with exit status 2 (75 when the ledger was busy: retry).
//
//   health | readers
//   identify --input TEXT [--source typed|scan]
//   quote    --receipt FILE [--card ID] [--at TIME]
//   checkout --receipt FILE [--card ID] [--at TIME]   (commit in one step)
//   open     --receipt FILE [--card ID] [--at TIME]
//   commit   --receipt-id ID [--at TIME]
//   cancel   --receipt-id ID
//   refund   --receipt-id ID --refund-id ID --lines LINE:QTY[,LINE:QTY...] [--at TIME]
//   balance  --customer-id ID
//   history  --customer-id ID [--limit N]
//   enrol    --card ID [--consent marketing,profile] [--birthday YYYY-MM-DD]
//
// The token: --token-file, else $LOYALTY_API_TOKEN_FILE, else /etc/loyalty/api-token.
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "args/cli_args.h"
#include "commands.h"
#include "daemon/daemon_client.h"
#include "loyalty/core/json.h"
#include "args/read_file.h"

namespace loyalty::cli {

namespace {

constexpr std::size_t receipt_file_bytes_max = 4 * 1024 * 1024;

std::string token_file(std::span<const std::string_view>& args) {
  if (args.size() >= 2 && args[0] == "--token-file") {
    std::string path(args[1]);
    args = args.subspan(2);
    return path;
  }
  return default_token_file();
}

// "/v1/…" path segment: ids are sent percent-encoded.
std::string segment(std::string_view id) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : id) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

// {"customer_id"?, "at"?, "receipt": <file>}; the receipt's id is returned too.
Result<std::string> receipt_body(const ParsedArgs& parsed, std::string& receipt_id) {
  const std::string& path = *parsed.flag("receipt");
  const std::string text = TRY(read_file(path, receipt_file_bytes_max));
  Result<json::Value> receipt = json::parse(text);
  if (!receipt.ok()) return make_error(receipt.error().code, path + ": " + receipt.error().message);
  const json::Value* id = receipt->is_object() ? receipt->find("receipt_id") : nullptr;
  if (id == nullptr || !id->is_string()) {
    return make_error(ErrorCode::invalid_argument, path + ": receipt_id: is required");
  }
  receipt_id = id->as_string();
  std::string body = "{";
  if (const std::string* card = parsed.flag("card")) body += "\"customer_id\":" + json::quote(*card) + ",";
  if (const std::string* at = parsed.flag("at")) body += "\"at\":" + json::quote(*at) + ",";
  return body + "\"receipt\":" + text + "}";
}

Result<std::string> refund_body(const ParsedArgs& parsed) {
  std::string lines = "[";
  std::string_view rest = *parsed.flag("lines");
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const std::size_t colon = item.find(':');
    std::int64_t line = 0;
    std::int64_t quantity = 0;
    if (colon == std::string_view::npos || !parse_number(item.substr(0, colon), line) ||
        !parse_number(item.substr(colon + 1), quantity)) {
      return usage_error("refund", "--lines must be LINE:QTY[,LINE:QTY...], got \"" +
                                       std::string(item) + "\"");
    }
    if (lines.size() > 1) lines += ",";
    lines += "{\"line\":" + std::to_string(line) + ",\"quantity\":" + std::to_string(quantity) + "}";
  }
  std::string body = "{\"receipt_id\":" + json::quote(*parsed.flag("receipt-id")) +
                     ",\"lines\":" + lines + "]";
  if (const std::string* at = parsed.flag("at")) body += ",\"at\":" + json::quote(*at);
  return body + "}";
}

Result<std::string> enrol_body(const ParsedArgs& parsed) {
  bool marketing = false;
  bool profile = false;
  if (const std::string* consent = parsed.flag("consent")) {
    std::string_view rest = *consent;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      const std::string_view item = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (item == "marketing") {
        marketing = true;
      } else if (item == "profile") {
        profile = true;
      } else {
        return usage_error("enrol", "--consent takes marketing and profile, got \"" +
                                        std::string(item) + "\"");
      }
    }
  }
  std::string body = "{\"customer_id\":" + json::quote(*parsed.flag("card")) +
                     ",\"consent\":{\"marketing\":" + (marketing ? "true" : "false") +
                     ",\"profile\":" + (profile ? "true" : "false") + "}";
  if (const std::string* birthday = parsed.flag("birthday")) {
    body += ",\"birthday\":" + json::quote(*birthday);
  }
  return body + "}";
}

struct Call {
  std::string method = "GET";
  std::string target;
  std::string body;
};

Result<Call> call_for(std::string_view command, std::span<const std::string_view> args) {
  Call call;
  if (command == "health" || command == "readers") {
    TRY(parse_args(command, args, {}, {}));
    call.target = "/v1/" + std::string(command);
  } else if (command == "identify") {
    static constexpr FlagSpec flags[] = {{"input", true}, {"source"}};
    const ParsedArgs parsed = TRY(parse_args(command, args, flags, {}));
    call.method = "POST";
    call.target = "/v1/identify";
    call.body = "{\"input\":" + json::quote(*parsed.flag("input")) +
                (parsed.flag("source") ? ",\"source\":" + json::quote(*parsed.flag("source")) : "") +
                "}";
  } else if (command == "quote" || command == "checkout" || command == "open") {
    static constexpr FlagSpec flags[] = {{"receipt", true}, {"card"}, {"at"}};
    const ParsedArgs parsed = TRY(parse_args(command, args, flags, {}));
    std::string receipt_id;
    call.method = "POST";
    call.body = TRY(receipt_body(parsed, receipt_id));
    call.target = command == "quote" ? "/v1/quote"
                                     : "/v1/receipts/" + segment(receipt_id) +
                                           (command == "open" ? "/open" : "/commit");
  } else if (command == "commit" || command == "cancel") {
    static constexpr FlagSpec flags[] = {{"receipt-id", true}, {"at"}};
    const ParsedArgs parsed = TRY(parse_args(command, args, flags, {}));
    call.method = "POST";
    call.target = "/v1/receipts/" + segment(*parsed.flag("receipt-id")) + "/" + std::string(command);
    if (const std::string* at = parsed.flag("at")) call.body = "{\"at\":" + json::quote(*at) + "}";
  } else if (command == "refund") {
    static constexpr FlagSpec flags[] = {
        {"receipt-id", true}, {"refund-id", true}, {"lines", true}, {"at"}};
    const ParsedArgs parsed = TRY(parse_args(command, args, flags, {}));
    call.method = "POST";
    call.target = "/v1/refunds/" + segment(*parsed.flag("refund-id"));
    call.body = TRY(refund_body(parsed));
  } else if (command == "balance" || command == "history") {
    static constexpr FlagSpec flags[] = {{"customer-id", true}, {"limit"}};
    const ParsedArgs parsed = TRY(parse_args(command, args, flags, {}));
    call.target = "/v1/customers/" + segment(*parsed.flag("customer-id")) + "/" +
                  std::string(command);
    if (const std::string* limit = parsed.flag("limit")) {
      if (command == "balance") return usage_error(command, "takes no --limit");
      call.target += "?limit=" + *limit;
    }
  } else if (command == "enrol") {
    static constexpr FlagSpec flags[] = {{"card", true}, {"consent"}, {"birthday"}};
    const ParsedArgs parsed = TRY(parse_args(command, args, flags, {}));
    call.method = "POST";
    call.target = "/v1/customers";
    call.body = TRY(enrol_body(parsed));
  } else {
    return usage_error("--daemon", "unknown command \"" + std::string(command) +
                                       "\" (health, readers, identify, quote, checkout, open, "
                                       "commit, cancel, refund, balance, history, enrol)");
  }
  return call;
}

}  // namespace

Status run_daemon(std::span<const std::string_view> args, std::ostream& out) {
  if (args.empty() || args[0].starts_with("-")) {
    return usage_error("--daemon", "needs the socket: --daemon /run/loyalty/api.sock COMMAND");
  }
  std::string socket(args[0]);
  args = args.subspan(1);
  const std::string tokens = token_file(args);
  if (args.empty()) return usage_error("--daemon", "needs a command after the socket");
  const Call call = TRY(call_for(args[0], args.subspan(1)));
  const DaemonClient client = TRY(DaemonClient::open(std::move(socket), tokens));
  const DaemonReply reply = TRY(client.request(call.method, call.target, call.body));
  const std::string body = TRY(reply_body(reply));
  return write_output(out, body + "\n");
}

}  // namespace loyalty::cli
