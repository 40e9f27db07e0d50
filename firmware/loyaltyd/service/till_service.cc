#include "service/till_service.h"

#include <signal.h>
#include <unistd.h>

#include <utility>
#include <vector>

#include "loyalty/core/documents.h"
#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "loyalty/storage/migrations.h"
#include "loyalty/storage/views.h"
#include "service/customer_json.h"
#include "service/request_fields.h"

namespace loyalty::daemon {

namespace {

// Unwraps a Field or returns its problem from the enclosing function.
#define FIELD(var, expr)                                                         \
  auto var##_field = (expr);                                                     \
  if (failed(var##_field)) return Outcome::failed(std::get<Problem>(var##_field)); \
  auto var = std::move(std::get<0>(var##_field))

Outcome from_error(const Error& error, std::optional<std::string> field = std::nullopt) {
  return Outcome::failed(problem_from_error(error, std::move(field)));
}

// {"receipt_id","state","event_seq","replayed","quote"}
std::string receipt_result_json(const storage::CheckoutResult& done) {
  json::Writer out;
  out.begin_object();
  out.key("receipt_id");
  out.value(done.receipt_id);
  out.key("state");
  out.value(storage::receipt_state_name(done.state));
  out.key("event_seq");
  out.value(done.event_seq);
  out.key("replayed");
  out.value(done.replayed);
  out.end_object();
  std::string text = out.take();
  text.pop_back();
  return text + ",\"quote\":" + done.quote_json + "}";
}

std::string receipt_event_json(std::string_view receipt_id, std::string_view state,
                               const std::optional<std::string>& customer_id,
                               std::string_view quote_json) {
  json::Writer out;
  out.begin_object();
  out.key("receipt_id");
  out.value(receipt_id);
  out.key("state");
  out.value(state);
  out.key("customer_id");
  if (customer_id) {
    out.value(*customer_id);
  } else {
    out.null();
  }
  out.end_object();
  std::string text = out.take();
  if (quote_json.empty()) return text;
  text.pop_back();
  return text + ",\"quote\":" + std::string(quote_json) + "}";
}

}  // namespace

TillService::TillService(storage::Ledger ledger, std::optional<environment::TzdbZone> zone,
                         std::shared_ptr<const ProgramState> program, std::int64_t hold_timeout_s)
    : ledger_(std::move(ledger)),
      zone_(std::move(zone)),
      program_(std::move(program)),
      hold_timeout_s_(hold_timeout_s),
      till_(ledger_, environment()),
      cache_(ledger_) {}

storage::TillEnvironment TillService::environment() const {
  storage::TillEnvironment environment;
  environment.zone = zone_ ? &*zone_ : nullptr;
  // The key of the bundle in force; an older program's receipts re-quote without a draw key.
  environment.draw_keyer = [this](std::string_view program_id) -> const DrawKeyer* {
    const ProgramState& state = *program_;
    if (!state.draw_keyer || state.program.program_id != program_id) return nullptr;
    return &*state.draw_keyer;
  };
  return environment;
}

Result<std::unique_ptr<TillService>> TillService::open(const TillServiceOptions& options,
                                                       std::shared_ptr<const ProgramState> program,
                                                       Timestamp now) {
  std::optional<environment::TzdbZone> zone;
  if (options.time_zone) {
    Result<environment::TzdbZone> found = environment::TzdbZone::find(*options.time_zone);
    if (!found.ok()) {
      return make_error(found.error().code, "terminal.time_zone: " + found.error().message);
    }
    zone.emplace(std::move(found).value());
  }
  storage::LedgerOptions ledger_options;
  ledger_options.terminal_id = options.terminal_id;
  ledger_options.now = now;
  ledger_options.database.busy_timeout_ms = options.busy_timeout_ms;
  ledger_options.database.vfs = options.sqlite_vfs;
  ledger_options.release = options.release;
  Result<storage::Ledger> ledger = storage::Ledger::open(options.ledger_path, ledger_options);
  if (!ledger.ok()) {
    return make_error(ledger.error().code, options.ledger_path + ": " + ledger.error().message);
  }
  std::unique_ptr<TillService> service(new TillService(
      std::move(ledger).value(), std::move(zone), program, options.hold_timeout_s));
  service->kill_after_commit_ = options.kill_after_commit;
  const Status stored = service->till_.store_program(program->bundle_json, now);
  if (!stored.ok()) return make_error(stored.error().code, "program: " + stored.error().message);
  return service;
}

Status TillService::replace_program(std::shared_ptr<const ProgramState> program, Timestamp now) {
  TRY(till_.store_program(program->bundle_json, now));
  program_ = std::move(program);
  return Status();
}

std::string TillService::customer_summary_json(std::string_view customer_id, Timestamp now) {
  Result<std::string> summary = daemon::customer_summary_json(ledger_, cache_, *program_,
                                                              customer_id, now);
  return summary.ok() ? std::move(summary).value() : std::string("null");
}

Outcome TillService::identified(const CustomerToken& token, std::string_view source,
                                Timestamp now) {
  std::string token_json = daemon::token_json(token);
  const bool names_customer =
      token.kind == TokenKind::loyalty_card || token.kind == TokenKind::app_token;
  const std::string customer = names_customer ? customer_summary_json(token.value, now) : "null";
  std::string body = "{\"source\":" + json::quote(source) + ",\"token\":" + token_json +
                     ",\"customer\":" + customer + "}";
  Outcome outcome = Outcome::ok(body);
  if (names_customer) outcome.events.push_back({"customer.identified", body});
  return outcome;
}

Outcome TillService::identify(std::string_view body, Timestamp now) {
  FIELD(request, parse_body(body));
  FIELD(input, string_field(request, "input", true, limits::scan_label_bytes_max));
  FIELD(source, string_field(request, "source", false));
  InputSource from = InputSource::typed;
  if (source && *source == "scan") {
    from = InputSource::scan;
  } else if (source && *source != "typed") {
    return Outcome::failed(
        make_problem(ProblemType::invalid_field, "source must be \"typed\" or \"scan\"", "source"));
  }
  Result<CustomerToken> token = program_->identify(*input, from, now);
  if (!token.ok()) {
    Problem problem = make_problem(ProblemType::unidentified, token.error().message, "input");
    const auto reason = identification_error(token.error());
    if (reason) problem.code = identification_error_name(*reason);
    return Outcome::failed(std::move(problem));
  }
  return identified(token.value(), from == InputSource::scan ? "scan" : "typed", now);
}

Outcome TillService::identify_scanned(std::string_view device_id, std::string_view text,
                                      Timestamp now) {
  Result<CustomerToken> token = program_->identify(text, InputSource::scan, now);
  if (!token.ok()) {
    const auto reason = identification_error(token.error());
    json::Writer out;
    out.begin_object();
    out.key("device");
    out.value(device_id);
    out.key("reason");
    out.value(reason ? identification_error_name(*reason) : "error");
    out.end_object();
    Outcome outcome = Outcome::ok("{}");
    outcome.events.push_back({"scan.unidentified", out.take()});
    return outcome;
  }
  return identified(token.value(), device_id, now);
}

Outcome TillService::quote(std::string_view body, Timestamp now) {
  FIELD(request, parse_body(body));
  FIELD(customer_id, string_field(request, "customer_id", false, limits::id_bytes_max));
  FIELD(at, time_field(request, "at"));
  FIELD(receipt_value, object_field(request, "receipt", true));
  Result<Receipt> receipt = load_receipt(*receipt_value);
  if (!receipt.ok()) return Outcome::failed(document_problem(receipt.error(), "receipt"));
  Result<std::string> quoted = till_.quote_only(program_->program, customer_id.value_or(""),
                                                receipt.value(), at.value_or(now));
  if (!quoted.ok()) return from_error(quoted.error());
  Outcome outcome = Outcome::ok("{\"receipt_id\":" + json::quote(receipt->receipt_id) +
                                ",\"quote\":" + quoted.value() + "}");
  outcome.events.push_back(
      {"receipt.quoted", receipt_event_json(receipt->receipt_id, "quoted", customer_id,
                                            quoted.value())});
  return outcome;
}

Outcome TillService::write_receipt(std::string_view receipt_id, std::string_view body,
                                   Timestamp now, bool hold) {
  FIELD(request, parse_body(body.empty() ? std::string_view("{}") : body));
  FIELD(customer_id, string_field(request, "customer_id", false, limits::id_bytes_max));
  FIELD(at, time_field(request, "at"));
  FIELD(receipt_value, object_field(request, "receipt", hold));
  Result<std::optional<storage::StoredReceipt>> stored =
      storage::find_stored_receipt(ledger_, receipt_id);
  if (!stored.ok()) return from_error(stored.error());

  Result<storage::CheckoutResult> done = make_error(ErrorCode::internal, "not written");
  if (receipt_value == nullptr) {
    // Commit of an open receipt, as it was quoted when opened.
    if (!stored.value()) {
      return Outcome::failed(make_problem(
          ProblemType::not_found,
          "receipt " + std::string(receipt_id) +
              " is not in the ledger: send the receipt with the commit to check it out"));
    }
    done = till_.commit_receipt(receipt_id, at.value_or(now));
  } else {
    Result<Receipt> receipt = load_receipt(*receipt_value);
    if (!receipt.ok()) return Outcome::failed(document_problem(receipt.error(), "receipt"));
    if (receipt->receipt_id != receipt_id) {
      return Outcome::failed(make_problem(
          ProblemType::invalid_field,
          "receipt.receipt_id is \"" + receipt->receipt_id + "\" but the path names \"" +
              std::string(receipt_id) + "\"",
          "receipt.receipt_id"));
    }
    const bool open_now = stored.value() && stored.value()->state == storage::ReceiptState::open;
    if (open_now && !hold) {
      // Committing an open receipt with its content again: the content must be what was opened
      // (an anonymous receipt was opened online, a customer's offline).
      const Timestamp opened_at = at.value_or(stored.value()->quoted_at);
      done = customer_id
                 ? till_.open_receipt_offline(program_->program, *customer_id, *receipt, opened_at)
                 : till_.open_receipt(program_->program, nullptr, *receipt, opened_at);
      if (done.ok()) done = till_.commit_receipt(receipt_id, at.value_or(now));
    } else {
      // A retry without "at" is compared at the time the receipt was first written.
      const Timestamp when = at ? *at : (stored.value() ? stored.value()->quoted_at : now);
      if (customer_id) {
        done = hold ? till_.open_receipt_offline(program_->program, *customer_id, *receipt, when)
                    : till_.checkout_offline(program_->program, *customer_id, *receipt, when);
      } else {
        done = hold ? till_.open_receipt(program_->program, nullptr, *receipt, when)
                    : till_.checkout(program_->program, nullptr, *receipt, when);
      }
    }
  }
  if (!done.ok()) return from_error(done.error());
  const storage::CheckoutResult& result = done.value();
  if (!result.replayed && result.state == storage::ReceiptState::committed &&
      !kill_after_commit_.empty() && kill_after_commit_ == receipt_id) {
    ::kill(::getpid(), SIGKILL);  // the crash test's kill -9 between commit and reply
  }
  Outcome outcome = Outcome::ok(receipt_result_json(result), result.replayed ? 200 : 201);
  if (!result.replayed) {
    // Who the receipt is for: the request's card, or the one the open receipt was for.
    const std::optional<std::string> who =
        customer_id ? customer_id : (stored.value() ? stored.value()->customer_id : std::nullopt);
    std::string event = receipt_event_json(result.receipt_id,
                                           storage::receipt_state_name(result.state), who,
                                           result.quote_json);
    event.pop_back();
    event += ",\"event_seq\":" + std::to_string(result.event_seq);
    if (who) event += ",\"customer\":" + customer_summary_json(*who, now);
    event += "}";
    outcome.events.push_back(
        {std::string("receipt.") + storage::receipt_state_name(result.state), std::move(event)});
  }
  return outcome;
}

Outcome TillService::open_receipt(std::string_view receipt_id, std::string_view body,
                                  Timestamp now) {
  return write_receipt(receipt_id, body, now, true);
}

Outcome TillService::commit_receipt(std::string_view receipt_id, std::string_view body,
                                    Timestamp now) {
  return write_receipt(receipt_id, body, now, false);
}

Outcome TillService::cancel_receipt(std::string_view receipt_id, Timestamp now) {
  Result<std::optional<storage::StoredReceipt>> stored =
      storage::find_stored_receipt(ledger_, receipt_id);
  if (!stored.ok()) return from_error(stored.error());
  if (!stored.value()) {
    return Outcome::failed(make_problem(
        ProblemType::not_found, "receipt " + std::string(receipt_id) + " is not in the ledger"));
  }
  const bool was_open = stored.value()->state == storage::ReceiptState::open;
  const Status cancelled = till_.cancel_receipt(receipt_id, now);
  if (!cancelled.ok()) return from_error(cancelled.error());
  Outcome outcome = Outcome::ok("{\"receipt_id\":" + json::quote(receipt_id) +
                                ",\"state\":\"cancelled\",\"replayed\":" +
                                (was_open ? "false" : "true") + "}");
  if (was_open) {
    std::string event =
        receipt_event_json(receipt_id, "cancelled", stored.value()->customer_id, "");
    if (stored.value()->customer_id) {
      event.pop_back();
      event += ",\"customer\":" + customer_summary_json(*stored.value()->customer_id, now) + "}";
    }
    outcome.events.push_back({"receipt.cancelled", std::move(event)});
  }
  return outcome;
}

Outcome TillService::get_receipt(std::string_view receipt_id) {
  Result<std::optional<storage::StoredReceipt>> stored =
      storage::find_stored_receipt(ledger_, receipt_id);
  if (!stored.ok()) return from_error(stored.error());
  if (!stored.value()) {
    return Outcome::failed(make_problem(
        ProblemType::not_found, "receipt " + std::string(receipt_id) + " is not in the ledger"));
  }
  const storage::StoredReceipt& row = *stored.value();
  std::string body = receipt_event_json(row.receipt_id, storage::receipt_state_name(row.state),
                                        row.customer_id, row.quote_json);
  body.pop_back();
  body += ",\"event_seq\":" + std::to_string(row.event_seq) +
          ",\"quoted_at\":" + json::quote(format_timestamp(row.quoted_at)) +
          ",\"updated_at\":" + json::quote(format_timestamp(row.updated_at)) + "}";
  return Outcome::ok(std::move(body));
}

Outcome TillService::refund(std::string_view refund_id, std::string_view body, Timestamp now) {
  FIELD(request, parse_body(body));
  FIELD(receipt_id, string_field(request, "receipt_id", true, limits::id_bytes_max));
  FIELD(at, time_field(request, "at"));
  const json::Value* lines = request.find("lines");
  if (lines == nullptr || !lines->is_array() || lines->as_array().empty()) {
    return Outcome::failed(make_problem(ProblemType::invalid_field,
                                        "lines must be a non-empty array of {\"line\",\"quantity\"}",
                                        "lines"));
  }
  if (lines->as_array().size() > limits::receipt_lines_max) {
    return Outcome::failed(make_problem(ProblemType::invalid_field, "lines has too many entries",
                                        "lines"));
  }
  std::vector<ReturnRequest> returns;
  for (std::size_t i = 0; i < lines->as_array().size(); ++i) {
    const json::Value& item = lines->as_array()[i];
    const std::string path = "lines[" + std::to_string(i) + "]";
    const json::Value* line = item.is_object() ? item.find("line") : nullptr;
    const json::Value* quantity = item.is_object() ? item.find("quantity") : nullptr;
    if (line == nullptr || !line->is_int() || line->as_int() < 0 ||
        line->as_int() >= static_cast<std::int64_t>(limits::receipt_lines_max)) {
      return Outcome::failed(make_problem(ProblemType::invalid_field,
                                          path + ".line must be a line index of the receipt",
                                          path + ".line"));
    }
    if (quantity == nullptr || !quantity->is_int() || quantity->as_int() < 1) {
      return Outcome::failed(make_problem(ProblemType::invalid_field,
                                          path + ".quantity must be a whole number from 1",
                                          path + ".quantity"));
    }
    returns.push_back(
        ReturnRequest{static_cast<std::uint32_t>(line->as_int()), quantity->as_int()});
  }
  Result<storage::RefundResult> done = till_.refund(refund_id, *receipt_id, returns,
                                                    at.value_or(now));
  if (!done.ok()) return from_error(done.error());
  const storage::RefundResult& result = done.value();
  std::string reply = "{\"refund_id\":" + json::quote(result.refund_id) +
                      ",\"receipt_id\":" + json::quote(*receipt_id) +
                      ",\"event_seq\":" + std::to_string(result.event_seq) +
                      ",\"replayed\":" + (result.replayed ? "true" : "false") +
                      ",\"reversal\":" + result.reversal_json + "}";
  Outcome outcome = Outcome::ok(reply, result.replayed ? 200 : 201);
  if (!result.replayed) outcome.events.push_back({"refund.committed", reply});
  return outcome;
}

Outcome TillService::balance(std::string_view customer_id, Timestamp now) {
  Result<std::string> body = daemon::balance_json(ledger_, customer_id, now);
  if (!body.ok()) return from_error(body.error());
  return Outcome::ok(std::move(body).value());
}

Outcome TillService::history(std::string_view customer_id, std::size_t entries_max) {
  Result<std::string> body = daemon::history_json(ledger_, customer_id, entries_max);
  if (!body.ok()) return from_error(body.error());
  return Outcome::ok(std::move(body).value());
}

Outcome TillService::enrol(std::string_view body, Timestamp now) {
  FIELD(request, parse_body(body));
  FIELD(customer_id, string_field(request, "customer_id", true, limits::id_bytes_max));
  FIELD(consent_value, object_field(request, "consent", true));
  FIELD(marketing, bool_field(*consent_value, "marketing", false));
  FIELD(profile, bool_field(*consent_value, "profile", false));
  FIELD(birthday_text, string_field(request, "birthday", false, 10));
  CustomerState state;
  state.customer_id = *customer_id;
  if (birthday_text) {
    Result<CivilDate> birthday = parse_date(*birthday_text);
    if (!birthday.ok()) {
      return Outcome::failed(make_problem(ProblemType::invalid_field,
                                          "birthday: " + birthday.error().message, "birthday"));
    }
    state.birthday = birthday.value();
  }
  // Only the chain's own cards are enrolled: the number must be one the bundle identifies.
  Result<CustomerToken> token = program_->identify(*customer_id, InputSource::typed, now);
  if (!token.ok() || token->kind != TokenKind::loyalty_card) {
    return Outcome::failed(make_problem(
        ProblemType::invalid_field,
        "customer_id is not a loyalty card number of this program" +
            (token.ok() ? std::string() : ": " + token.error().message),
        "customer_id"));
  }
  state.customer_id = token->value;
  Result<bool> enrolled =
      cache_.enrol(state, storage::Consent{marketing, profile}, now);
  if (!enrolled.ok()) return from_error(enrolled.error());
  std::string reply = "{\"customer_id\":" + json::quote(state.customer_id) +
                      ",\"enrolled\":true,\"replayed\":" + (enrolled.value() ? "false" : "true") +
                      ",\"consent\":{\"marketing\":" + (marketing ? "true" : "false") +
                      ",\"profile\":" + (profile ? "true" : "false") + "},\"customer\":" +
                      customer_summary_json(state.customer_id, now) + "}";
  Outcome outcome = Outcome::ok(reply, enrolled.value() ? 201 : 200);
  if (enrolled.value()) outcome.events.push_back({"customer.enrolled", reply});
  return outcome;
}

Outcome TillService::ledger_health() {
  Result<std::optional<storage::LedgerCheckpoint>> checkpoint = ledger_.checkpoint();
  if (!checkpoint.ok()) return from_error(checkpoint.error());
  const std::int64_t checked = checkpoint.value() ? checkpoint.value()->event_seq : 0;
  return Outcome::ok("{\"terminal_id\":" + json::quote(ledger_.terminal_id()) +
                     ",\"checked_through_seq\":" + std::to_string(checked) + "}");
}

Outcome TillService::check_ledger(Timestamp now) {
  Result<storage::LedgerReport> report = ledger_.check_since_checkpoint(now);
  if (!report.ok()) return from_error(report.error());
  Result<std::optional<storage::LedgerCheckpoint>> checkpoint = ledger_.checkpoint();
  if (!checkpoint.ok()) return from_error(checkpoint.error());
  Result<std::vector<storage::SoftwareRelease>> releases = ledger_.releases();
  if (!releases.ok()) return from_error(releases.error());
  json::Writer out;
  out.begin_object();
  out.key("ok");
  out.value(report->ok());
  out.key("schema_version");
  out.value(report->schema_version);  // read by the check, in its snapshot
  out.key("schema_build_version");
  out.value(static_cast<std::int64_t>(storage::ledger_migrations().size()));
  out.key("checked_through_seq");
  out.value(checkpoint.value() ? checkpoint.value()->event_seq : std::int64_t{0});
  out.key("problems");
  out.begin_array();
  for (const std::string& problem : report->problems) out.value(problem);
  out.end_array();
  out.key("releases");
  out.begin_array();
  for (const storage::SoftwareRelease& release : releases.value()) {
    out.begin_object();
    out.key("release");
    out.value(release.release);
    out.key("schema_build");
    out.value(release.schema_build);
    out.key("first_opened_at");
    out.value(format_timestamp(release.first_opened_at));
    out.key("last_opened_at");
    out.value(format_timestamp(release.last_opened_at));
    out.end_object();
  }
  out.end_array();
  out.end_object();
  return Outcome::ok(out.take());
}

Result<std::int64_t> TillService::void_expired_holds(Timestamp now) {
  return till_.void_expired_holds(now, hold_timeout_s_);
}

Status TillService::idle() {
  TRY(till_.idle());
  return Status();
}

}  // namespace loyalty::daemon
