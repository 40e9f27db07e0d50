// Rule-bundle rules: the fields every rule has, its audience and its schedule
// (program/loader_internal.h). The parameters of each kind are in program/loader_params.cc.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "json/fields.h"
#include "loyalty/core/limits.h"
#include "program/loader_internal.h"

namespace loyalty::loader {

namespace {

using fields::Field;
using fields::Need;
using fields::StringRule;

constexpr std::string_view weekday_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr std::int64_t priority_max = 1'000'000;
constexpr int minutes_per_day = 24 * 60;

// "HH:MM" as a minute of the day, 0..max_minute (1440 is "24:00"); -1 if malformed.
int parse_minute(std::string_view text, int max_minute) {
  if (text.size() != 5 || text[2] != ':') return -1;
  for (std::size_t i : {0u, 1u, 3u, 4u}) {  // four digits
    if (text[i] < '0' || text[i] > '9') return -1;
  }
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (minutes > 59) return -1;
  const int minute = hours * 60 + minutes;
  return minute <= max_minute ? minute : -1;
}

Field minute_field(const Context& ctx, std::string_view name, int* out, int max_minute) {
  return Field{
      name, Need::optional,
      [&ctx, out, max_minute](const json::Value& v, const std::string& p) -> Status {
        if (!v.is_string()) return ctx.reader.error(p, "must be a string");
        const int minute = parse_minute(v.as_string(), max_minute);
        if (minute < 0) {
          const char* range = max_minute == minutes_per_day ? "00:00 to 24:00" : "00:00 to 23:59";
          return ctx.reader.error(p, std::string("must be a time of day HH:MM from ") + range +
                                         ", got " + fields::quote_value(v.as_string()));
        }
        *out = minute;
        return Status();
      }};
}

Status read_weekdays(const Context& ctx, const json::Value& value, const std::string& path,
                     std::uint8_t* mask) {
  const std::vector<json::Value>* items = TRY(ctx.reader.array(value, path, 1, 7));
  std::uint8_t seen = 0;
  for (std::size_t i = 0; i < items->size(); ++i) {  // at most 7
    const std::string item_at = fields::item_path(path, i);
    const std::size_t day = TRY(ctx.reader.choice((*items)[i], item_at, weekday_names));
    const auto bit = static_cast<std::uint8_t>(1u << day);
    if ((seen & bit) != 0) {
      return ctx.reader.error(item_at, "duplicate weekday " + json::quote(weekday_names[day]));
    }
    seen = static_cast<std::uint8_t>(seen | bit);
  }
  LOYALTY_ASSERT(seen != 0 && seen <= 0x7f);
  *mask = seen;
  return Status();
}

Status read_schedule(const Context& ctx, const json::Value& value, const std::string& path,
                     Schedule* out) {
  const fields::Reader& r = ctx.reader;
  const Field schedule_fields[] = {
      fields::timestamp_field(r, "valid_from", Need::optional, &out->valid_from),
      fields::timestamp_field(r, "valid_to", Need::optional, &out->valid_to),
      Field{"weekdays", Need::optional,
            [&ctx, out](const json::Value& v, const std::string& p) -> Status {
              return read_weekdays(ctx, v, p, &out->iso_weekdays_mask);
            }},
      minute_field(ctx, "from", &out->minute_from, minutes_per_day - 1),
      minute_field(ctx, "to", &out->minute_to, minutes_per_day),
  };
  TRY(fields::read_object(r, value, path, schedule_fields));
  if (out->valid_from.has_value() && out->valid_to.has_value() &&
      !(*out->valid_from < *out->valid_to)) {
    return r.error(fields::member_path(path, "valid_to"), "must be later than valid_from");
  }
  if (out->minute_from >= out->minute_to) {
    return r.error(fields::member_path(path, "to"), "must be later than from");
  }
  return Status();
}

// A list of names another section defines: each item is remembered as a Reference.
Field reference_list_field(Context& ctx, std::string_view name, std::vector<std::string>* out,
                           StringRule rule, Reference::Kind kind) {
  return Field{name, Need::optional,
               [&ctx, out, rule, kind](const json::Value& v, const std::string& p) -> Status {
                 *out = TRY(ctx.reader.string_list(v, p, limits::rule_filter_items_max, rule));
                 for (std::size_t i = 0; i < out->size(); ++i) {  // bounded by the list's limit
                   ctx.references.push_back(Reference{kind, fields::item_path(p, i), (*out)[i]});
                 }
                 fields::sort_unique(*out);
                 return Status();
               }};
}

Field id_list_field(Context& ctx, std::string_view name, std::vector<std::string>* out) {
  return Field{
      name, Need::optional, [&ctx, out](const json::Value& v, const std::string& p) -> Status {
        *out = TRY(ctx.reader.string_list(v, p, limits::rule_filter_items_max, StringRule::id));
        fields::sort_unique(*out);
        return Status();
      }};
}

Status read_audience(Context& ctx, const json::Value& value, const std::string& path,
                     Audience* out) {
  const fields::Reader& r = ctx.reader;
  const Field audience_fields[] = {
      reference_list_field(ctx, "tiers", &out->tiers, StringRule::id, Reference::Kind::tier),
      id_list_field(ctx, "segments", &out->segments),
      id_list_field(ctx, "customers", &out->customers),
      fields::bool_field(r, "identified_only", Need::optional, &out->identified_only),
      fields::bool_field(r, "paid_membership_only", Need::optional, &out->paid_membership_only),
      reference_list_field(ctx, "partners", &out->partners, StringRule::id_or_empty,
                           Reference::Kind::partner),
  };
  return fields::read_object(r, value, path, audience_fields);
}

// The fields every rule has, in the order the format lists them.
std::vector<Field> common_fields(Context& ctx, Rule* rule) {
  const fields::Reader& r = ctx.reader;
  std::vector<Field> out;
  out.push_back(Field{
      "id", Need::required, [&ctx, rule](const json::Value& v, const std::string& p) -> Status {
        rule->id = TRY(ctx.reader.id(v, p));
        if (!ctx.rule_ids.insert(rule->id).second) {
          return ctx.reader.error(p, "duplicate rule id " + json::quote(rule->id));
        }
        ctx.references.push_back(Reference{Reference::Kind::not_group, p, rule->id});
        return Status();
      }});
  out.push_back(Field{"kind", Need::required, [](const json::Value&, const std::string&) {
                        return Status();  // read before the other members
                      }});
  out.push_back(Field{"description", Need::optional,
                      [&ctx, rule](const json::Value& v, const std::string& p) -> Status {
                        rule->description = TRY(ctx.reader.string(v, p));
                        return Status();
                      }});
  out.push_back(fields::int_field(r, "priority", Need::optional, &rule->priority, 0, priority_max));
  out.push_back(Field{"group", Need::optional,
                      [&ctx, rule](const json::Value& v, const std::string& p) -> Status {
                        rule->group = TRY(ctx.reader.id(v, p));
                        ctx.references.push_back(Reference{Reference::Kind::group, p, rule->group});
                        return Status();
                      }});
  out.push_back(fields::bool_field(r, "exclusive", Need::optional, &rule->exclusive));
  out.push_back(
      fields::choice_field(r, "rounding", Need::optional, &rule->rounding, fields::rounding_names));
  out.push_back(Field{"items", Need::optional,
                      [&ctx, rule](const json::Value& v, const std::string& p) -> Status {
                        return read_items(ctx, v, p, &rule->filter);
                      }});
  out.push_back(Field{"audience", Need::optional,
                      [&ctx, rule](const json::Value& v, const std::string& p) -> Status {
                        return read_audience(ctx, v, p, &rule->audience);
                      }});
  out.push_back(Field{"schedule", Need::optional,
                      [&ctx, rule](const json::Value& v, const std::string& p) -> Status {
                        return read_schedule(ctx, v, p, &rule->schedule);
                      }});
  // Resolved against the root `budgets` once the bundle is read (program/loader_budgets.cc).
  out.push_back(fields::string_field(r, "budget", Need::optional, &rule->budget, StringRule::id));
  return out;
}

Status read_rule(Context& ctx, const json::Value& value, const std::string& path, Rule* rule) {
  const fields::Reader& r = ctx.reader;
  if (!value.is_object()) return r.error(path, "must be an object");
  // The kind decides which other fields exist, so it is read first.
  const json::Value* kind = value.find("kind");
  const std::string kind_path = fields::member_path(path, "kind");
  if (kind == nullptr) return r.error(kind_path, "is required");
  rule->kind = static_cast<RuleKind>(TRY(r.choice(*kind, kind_path, rule_kind_names)));
  rule->params = default_params(rule->kind);
  std::vector<Field> rule_fields = common_fields(ctx, rule);
  kind_fields(ctx, rule->kind, &rule->params, &rule_fields);
  TRY(fields::read_object(r, value, path, rule_fields));
  if (value.find("group") == nullptr) rule->group = rule->id;
  TRY(finish_params(ctx, value, path, rule));
  LOYALTY_ASSERT(!rule->id.empty() && !rule->group.empty());
  LOYALTY_ASSERT(static_cast<std::size_t>(rule->kind) == rule->params.index());
  return Status();
}

}  // namespace

Status read_rules(Context& ctx, const json::Value& value, const std::string& path,
                  std::vector<Rule>* out) {
  const std::vector<json::Value>* items =
      TRY(ctx.reader.array(value, path, 0, limits::program_rules_max));
  out->clear();
  out->reserve(items->size());
  for (std::size_t i = 0; i < items->size(); ++i) {  // bounded by program_rules_max
    Rule rule;
    TRY(read_rule(ctx, (*items)[i], fields::item_path(path, i), &rule));
    out->push_back(std::move(rule));
  }
  LOYALTY_ASSERT(out->size() == items->size());
  return Status();
}

}  // namespace loyalty::loader
