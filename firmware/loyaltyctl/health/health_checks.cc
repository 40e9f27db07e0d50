#include "health/health_checks.h"

#include <cstddef>
#include <string_view>

#include "loyalty/core/json.h"

namespace loyalty::cli {

namespace {

// Readers named in one line at most; the rest are counted.
constexpr std::size_t readers_named_max = 4;

HealthCheck make_check(std::string name, Verdict verdict, std::string detail) {
  return HealthCheck{std::move(name), verdict, std::move(detail)};
}

// The reply parsed as an object, or the reason it is not one.
Result<json::Value> reply_object(const Result<std::string>& reply, std::string_view what) {
  if (!reply.ok()) return reply.error();
  Result<json::Value> value = json::parse(reply.value());
  if (!value.ok() || !value->is_object()) {
    return make_error(ErrorCode::invalid_argument,
                      std::string(what) + " answered something that is not a JSON object");
  }
  return value;
}

std::string text_member(const json::Value& object, std::string_view key) {
  const json::Value* member = object.find(key);
  return member != nullptr && member->is_string() ? member->as_string() : std::string();
}

std::optional<std::int64_t> int_member(const json::Value& object, std::string_view key) {
  const json::Value* member = object.find(key);
  if (member == nullptr || !member->is_int()) return std::nullopt;
  return member->as_int();
}

HealthCheck service_check(const Result<json::Value>& health, const std::string& socket) {
  if (!health.ok()) {
    return make_check("service", Verdict::fail,
                      "loyaltyd does not answer on " + socket + ": " + health.error().message +
                          " (systemctl status loyaltyd; journalctl -u loyaltyd)");
  }
  if (text_member(*health, "status") != "ok") {
    return make_check("service", Verdict::fail, "/v1/health answered without \"status\":\"ok\"");
  }
  std::string detail = "loyaltyd " + text_member(*health, "version") + " answers on " + socket +
                       " (terminal " + text_member(*health, "terminal_id");
  if (const json::Value* program = health->find("program"); program && program->is_object()) {
    detail += ", program " + text_member(*program, "program_id") + " version " +
              std::to_string(int_member(*program, "version").value_or(0));
  }
  return make_check("service", Verdict::ok, detail + ")");
}

HealthCheck ledger_check(const Result<json::Value>& check) {
  if (!check.ok()) {
    return make_check("ledger", Verdict::fail,
                      "the ledger check did not run: " + check.error().message);
  }
  const std::optional<std::int64_t> version = int_member(*check, "schema_version");
  const std::optional<std::int64_t> build = int_member(*check, "schema_build_version");
  const std::optional<std::int64_t> through = int_member(*check, "checked_through_seq");
  const json::Value* ok = check->find("ok");
  const json::Value* problems = check->find("problems");
  if (!version || !build || !through || ok == nullptr || !ok->is_bool() || problems == nullptr ||
      !problems->is_array()) {
    return make_check("ledger", Verdict::fail,
                      "/v1/ledger/check answered without ok, schema_version, "
                      "schema_build_version, checked_through_seq and problems");
  }
  const std::string schema = "schema " + std::to_string(*version) + " (this build's: " +
                             std::to_string(*build) + ")";
  if (!ok->as_bool() || !problems->as_array().empty()) {
    std::string first;
    for (const json::Value& problem : problems->as_array()) {
      if (problem.is_string()) {
        first = problem.as_string();
        break;
      }
    }
    return make_check("ledger", Verdict::fail,
                      std::to_string(problems->as_array().size()) +
                          " broken invariant(s), first: " + first +
                          " (loyaltyctl ledger check --db FILE shows all; docs/flashing.md)");
  }
  if (*version < *build) {
    return make_check("ledger", Verdict::fail, schema + ": not migrated");
  }
  const std::string verified = ", invariants hold through event " + std::to_string(*through);
  if (*version > *build) {
    return make_check("ledger", Verdict::warn,
                      schema + verified +
                          ": a newer release migrated this ledger (a rollback); this one reads it");
  }
  return make_check("ledger", Verdict::ok, schema + verified);
}

HealthCheck readers_check(const Result<json::Value>& readers) {
  if (!readers.ok()) {
    return make_check("readers", Verdict::fail, "/v1/readers: " + readers.error().message);
  }
  const json::Value* list = readers->find("readers");
  if (list == nullptr || !list->is_array()) {
    return make_check("readers", Verdict::fail, "/v1/readers answered without a readers array");
  }
  std::size_t configured = 0;
  std::size_t online = 0;
  std::size_t others_online = 0;
  std::vector<std::string> failing;
  std::vector<std::string> gone;
  for (const json::Value& reader : list->as_array()) {
    if (!reader.is_object()) continue;
    const json::Value* is_configured = reader.find("configured");
    const std::string status = text_member(reader, "status");
    if (is_configured == nullptr || !is_configured->is_bool() || !is_configured->as_bool()) {
      if (status == "online") ++others_online;
      continue;
    }
    ++configured;
    const std::string id = text_member(reader, "id");
    const std::string reason = text_member(reader, "reason");
    if (status == "online") {
      ++online;
    } else if (status == "gone") {
      gone.push_back(id);
    } else {
      failing.push_back(id + " " + (status.empty() ? "without a status" : status) +
                        (reason.empty() ? "" : ": " + reason));
    }
  }
  const auto joined = [](const std::vector<std::string>& items) {
    std::string out;
    for (std::size_t i = 0; i < items.size() && i < readers_named_max; ++i) {
      out += (i == 0 ? "" : "; ") + items[i];
    }
    if (items.size() > readers_named_max) {
      out += "; and " + std::to_string(items.size() - readers_named_max) + " more";
    }
    return out;
  };
  const std::string counts = std::to_string(online) + " of " + std::to_string(configured) +
                             " configured reader(s) online, " + std::to_string(others_online) +
                             " other(s) online";
  if (!failing.empty()) {
    return make_check("readers", Verdict::fail,
                      counts + "; not reading: " + joined(failing) +
                          " (loyaltyctl --daemon SOCKET readers; docs/drivers.md)");
  }
  if (!gone.empty()) {
    return make_check("readers", Verdict::warn, counts + "; unplugged: " + joined(gone));
  }
  return make_check("readers", Verdict::ok, counts);
}

HealthCheck sync_check(const Result<json::Value>& health, const HealthOptions& options) {
  if (!health.ok()) return make_check("sync", Verdict::fail, "no answer from loyaltyd");
  const json::Value* detail = health->find("sync_detail");
  if (detail == nullptr || detail->is_null()) {
    return make_check("sync", Verdict::ok, "no [sync] section: this terminal does not sync");
  }
  if (!detail->is_object()) {
    return make_check("sync", Verdict::fail, "/v1/health's sync_detail is not an object");
  }
  const std::string phase = text_member(*detail, "phase");
  const std::optional<std::int64_t> backlog = int_member(*detail, "backlog");
  if (phase.empty() || !backlog) {
    return make_check("sync", Verdict::fail, "/v1/health's sync_detail has no phase or backlog");
  }
  if (phase == "quarantined") {
    return make_check("sync", Verdict::fail,
                      "HQ quarantined this terminal: " + text_member(*detail, "quarantine_reason") +
                          " (docs/sync.md, \"Quarantine\")");
  }
  const std::string events = std::to_string(*backlog) + " event(s) HQ does not hold yet";
  if (phase == "in_sync") return make_check("sync", Verdict::ok, "in sync with HQ, " + events);
  const std::string error = text_member(*detail, "last_error");
  const std::string why = phase + (error.empty() ? "" : " (" + error + ")");
  if (*backlog > options.backlog_max) {
    return make_check("sync", Verdict::fail,
                      why + ": " + events + ", more than the bound of " +
                          std::to_string(options.backlog_max) + " (--backlog-max)");
  }
  return make_check("sync", phase == "catching_up" ? Verdict::ok : Verdict::warn,
                    why + ": " + events + ", within the bound of " +
                        std::to_string(options.backlog_max));
}

}  // namespace

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::ok: return "ok";
    case Verdict::warn: return "warn";
    case Verdict::fail: return "fail";
  }
  return "?";
}

std::vector<HealthCheck> evaluate_health(const DaemonAnswers& answers,
                                         const HealthOptions& options) {
  const Result<json::Value> health = reply_object(answers.health, "/v1/health");
  std::vector<HealthCheck> checks;
  checks.push_back(service_check(health, answers.socket));
  checks.push_back(ledger_check(reply_object(answers.ledger_check, "/v1/ledger/check")));
  checks.push_back(readers_check(reply_object(answers.readers, "/v1/readers")));
  checks.push_back(sync_check(health, options));
  return checks;
}

bool healthy(const std::vector<HealthCheck>& checks) {
  for (const HealthCheck& check : checks) {
    if (check.verdict == Verdict::fail) return false;
  }
  return true;
}

}  // namespace loyalty::cli
