// load_program (program_loader.h): the root of a rule bundle, its id-keyed lists (partners,
// rewards, charities, groups), the references between sections, and the finished Program:
// rules in evaluation order, stacking groups and the rule index. The error conventions are in
// json/fields.h and program/loader_internal.h.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "json/fields.h"
#include "loyalty/core/limits.h"
#include "loyalty/core/program_loader.h"
#include "program/loader_identification.h"
#include "program/loader_internal.h"

namespace loyalty {

namespace {

using fields::Field;
using fields::Need;
using fields::StringRule;
using loader::Context;
using loader::Reference;

constexpr std::string_view group_mode_names[] = {"stack", "first", "best_for_customer"};
constexpr std::int64_t version_max = std::int64_t{1} << 53;
constexpr std::int64_t currency_exponent_max = 4;
constexpr std::int64_t utc_offset_minutes_min = -720;
constexpr std::int64_t utc_offset_minutes_max = 840;

Field name_field(const Context& ctx, std::string* out) {
  return Field{"name", Need::optional,
               [&ctx, out](const json::Value& v, const std::string& p) -> Status {
                 *out = TRY(ctx.reader.text(v, p, 1, limits::json_string_bytes_max));
                 return Status();
               }};
}

// An array of objects with unique ids: `read_one(value, path, T*)` reads one object, `id_of`
// names its id, `what` names the id in the duplicate error ("partner id").
template <class T, class ReadOne>
Status read_id_list(const Context& ctx, const json::Value& value, const std::string& path,
                    std::size_t max_items, std::string_view what, std::string T::*id_of,
                    ReadOne read_one, std::vector<T>* out) {
  const std::vector<json::Value>* items = TRY(ctx.reader.array(value, path, 0, max_items));
  std::set<std::string> seen;
  out->clear();
  for (std::size_t i = 0; i < items->size(); ++i) {  // bounded by max_items
    const std::string item_at = fields::item_path(path, i);
    T item;
    TRY(read_one((*items)[i], item_at, &item));
    if (!seen.insert(item.*id_of).second) {
      return ctx.reader.error(fields::member_path(item_at, "id"),
                              "duplicate " + std::string(what) + " " + json::quote(item.*id_of));
    }
    out->push_back(std::move(item));
  }
  LOYALTY_ASSERT(out->size() == items->size());
  return Status();
}

Status read_partner(const Context& ctx, const json::Value& value, const std::string& path,
                    Partner* out) {
  const fields::Reader& r = ctx.reader;
  const Field partner_fields[] = {
      fields::string_field(r, "id", Need::required, &out->id, StringRule::id),
      name_field(ctx, &out->name),
      fields::int_field(r, "settlement_per_point_earned_minor", Need::optional,
                        &out->settlement_per_point_earned, 0,
                        limits::settlement_per_point_minor_max),
      fields::int_field(r, "settlement_per_point_burned_minor", Need::optional,
                        &out->settlement_per_point_burned, 0,
                        limits::settlement_per_point_minor_max),
  };
  TRY(fields::read_object(r, value, path, partner_fields));
  if (value.find("name") == nullptr) out->name = out->id;
  return Status();
}

Status read_reward(const Context& ctx, const json::Value& value, const std::string& path,
                   RewardItem* out) {
  const fields::Reader& r = ctx.reader;
  const Field reward_fields[] = {
      fields::string_field(r, "id", Need::required, &out->reward_id, StringRule::id),
      fields::string_field(r, "sku", Need::required, &out->sku, StringRule::text),
      fields::int_field(r, "points", Need::required, &out->price, 1, limits::points_max),
  };
  return fields::read_object(r, value, path, reward_fields);
}

Status read_charity(const Context& ctx, const json::Value& value, const std::string& path,
                    Charity* out) {
  const Field charity_fields[] = {
      fields::string_field(ctx.reader, "id", Need::required, &out->id, StringRule::id),
      name_field(ctx, &out->name),
  };
  TRY(fields::read_object(ctx.reader, value, path, charity_fields));
  if (value.find("name") == nullptr) out->name = out->id;
  return Status();
}

Status read_group(const Context& ctx, const json::Value& value, const std::string& path,
                  StackingGroup* out) {
  const Field group_fields[] = {
      fields::string_field(ctx.reader, "id", Need::required, &out->id, StringRule::id),
      fields::choice_field(ctx.reader, "mode", Need::required, &out->mode, group_mode_names),
  };
  return fields::read_object(ctx.reader, value, path, group_fields);
}

// A root member read into `program` by `read(ctx, value, path, program)`.
template <class Read>
Field section_field(Context& ctx, std::string_view name, Program* program, Read read) {
  return Field{name, Need::optional,
               [&ctx, program, read](const json::Value& v, const std::string& p) -> Status {
                 return read(ctx, v, p, program);
               }};
}

std::vector<Field> list_fields(Context& ctx, Program* program) {
  std::vector<Field> out;
  out.push_back(section_field(ctx, "partners", program, [](Context& c, auto& v, auto& p, auto* g) {
    return read_id_list(
        c, v, p, limits::program_partners_max, "partner id", &Partner::id,
        [&c](auto& iv, auto& ip, Partner* o) { return read_partner(c, iv, ip, o); }, &g->partners);
  }));
  out.push_back(section_field(ctx, "rewards", program, [](Context& c, auto& v, auto& p, auto* g) {
    return read_id_list(
        c, v, p, limits::program_rewards_max, "reward id", &RewardItem::reward_id,
        [&c](auto& iv, auto& ip, RewardItem* o) { return read_reward(c, iv, ip, o); }, &g->rewards);
  }));
  out.push_back(section_field(ctx, "charities", program, [](Context& c, auto& v, auto& p, auto* g) {
    return read_id_list(
        c, v, p, limits::program_charities_max, "charity id", &Charity::id,
        [&c](auto& iv, auto& ip, Charity* o) { return read_charity(c, iv, ip, o); }, &g->charities);
  }));
  out.push_back(section_field(ctx, "budgets", program, [](Context& c, auto& v, auto& p, auto* g) {
    return loader::read_budgets(c, v, p, &g->budgets);
  }));
  out.push_back(section_field(ctx, "groups", program, [](Context& c, auto& v, auto& p, auto* g) {
    return read_id_list(
        c, v, p, limits::program_rules_max, "group id", &StackingGroup::id,
        [&c](auto& iv, auto& ip, StackingGroup* o) { return read_group(c, iv, ip, o); },
        &g->groups);
  }));
  out.push_back(section_field(ctx, "rules", program, [](Context& c, auto& v, auto& p, auto* g) {
    return loader::read_rules(c, v, p, &g->rules);
  }));
  return out;
}

std::vector<Field> root_fields(Context& ctx, Program* program) {
  const fields::Reader& r = ctx.reader;
  std::vector<Field> out;
  out.push_back(Field{"format", Need::required, [](const json::Value&, const std::string&) {
                        return Status();  // checked first, by check_format
                      }});
  out.push_back(
      fields::string_field(r, "program_id", Need::required, &program->program_id, StringRule::id));
  out.push_back(fields::int_field(r, "version", Need::required, &program->version, 1, version_max));
  out.push_back(Field{"currency", Need::required,
                      [&r, program](const json::Value& v, const std::string& p) -> Status {
                        program->currency = TRY(r.currency(v, p));
                        return Status();
                      }});
  out.push_back(fields::int_field(r, "currency_exponent", Need::optional,
                                  &program->currency_exponent, 0, currency_exponent_max));
  out.push_back(Field{"utc_offset_minutes", Need::optional,
                      [&r, program](const json::Value& v, const std::string& p) -> Status {
                        program->utc_offset_minutes = static_cast<int>(
                            TRY(r.integer(v, p, utc_offset_minutes_min, utc_offset_minutes_max)));
                        return Status();
                      }});
  out.push_back(
      fields::timestamp_field(r, "effective_from", Need::optional, &program->effective_from));
  out.push_back(section_field(ctx, "earn", program, [](Context& c, auto& v, auto& p, auto* g) {
    return loader::read_earn(c, v, p, &g->earn);
  }));
  out.push_back(section_field(ctx, "burn", program, [](Context& c, auto& v, auto& p, auto* g) {
    return loader::read_burn(c, v, p, &g->burn);
  }));
  out.push_back(section_field(ctx, "tiers", program, [](Context& c, auto& v, auto& p, auto* g) {
    return loader::read_tiers(c, v, p, &g->tiers);
  }));
  out.push_back(section_field(ctx, "company", program, [](Context& c, auto& v, auto& p, auto* g) {
    return loader::read_company(c, v, p, &g->company);
  }));
  std::vector<Field> lists = list_fields(ctx, program);
  for (Field& field : lists) out.push_back(std::move(field));  // six fields
  out.push_back(
      section_field(ctx, "identification", program, [](Context& c, auto& v, auto& p, auto* g) {
        return loader::read_identification(c, v, p, &g->identification);
      }));
  return out;
}

Status check_format(const Context& ctx, const json::Value& bundle) {
  if (!bundle.is_object()) return ctx.reader.error("", "must be an object");
  const json::Value* format = bundle.find("format");
  if (format == nullptr) return ctx.reader.error("format", "is required");
  if (!format->is_string()) return ctx.reader.error("format", "must be a string");
  if (format->as_string() != program_format) {
    return ctx.reader.error("format", "must be " + json::quote(program_format) + ", got " +
                                          fields::quote_value(format->as_string()));
  }
  return Status();
}

// Group, tier and partner names used by rules exist; rule ids are not group ids.
Status check_references(const Context& ctx, const Program& program) {
  std::set<std::string_view> groups, tiers, partners;
  for (const StackingGroup& group : program.groups) groups.insert(group.id);
  for (const Tier& tier : program.tiers.tiers) tiers.insert(tier.id);
  for (const Partner& partner : program.partners) partners.insert(partner.id);
  for (const Reference& ref : ctx.references) {  // bounded by the bundle's size
    const std::string quoted = json::quote(ref.value);
    switch (ref.kind) {
      case Reference::Kind::group:
        if (groups.count(ref.value) == 0)
          return ctx.reader.error(ref.path, "unknown group " + quoted);
        break;
      case Reference::Kind::tier:
        if (tiers.count(ref.value) == 0)
          return ctx.reader.error(ref.path, "unknown tier " + quoted);
        break;
      case Reference::Kind::partner:
        if (!ref.value.empty() && partners.count(ref.value) == 0) {
          return ctx.reader.error(ref.path, "unknown partner " + quoted);
        }
        break;
      case Reference::Kind::not_group:
        if (groups.count(ref.value) != 0) {
          return ctx.reader.error(ref.path, "collides with group " + quoted);
        }
        break;
    }
  }
  return Status();
}

// Rules in evaluation order; each rule's stacking group, implicit groups appended in that order.
void order_rules(Program& program) {
  std::stable_sort(program.rules.begin(), program.rules.end(),
                   [](const Rule& a, const Rule& b) { return a.priority < b.priority; });
  // Reserved first: group_index views the ids, so `groups` must not reallocate once it is built.
  program.groups.reserve(program.groups.size() + program.rules.size());
  std::map<std::string_view, std::uint32_t> group_index;
  for (std::size_t i = 0; i < program.groups.size(); ++i) {  // bounded by program_rules_max
    group_index.emplace(program.groups[i].id, static_cast<std::uint32_t>(i));
  }
  program.rule_group.clear();
  for (const Rule& rule : program.rules) {  // bounded by program_rules_max
    auto it = group_index.find(rule.group);
    if (it == group_index.end()) {
      LOYALTY_ASSERT(rule.group == rule.id);
      const auto index = static_cast<std::uint32_t>(program.groups.size());
      program.groups.push_back(StackingGroup{rule.id, GroupMode::stack});
      it = group_index.emplace(program.groups.back().id, index).first;
    }
    program.rule_group.push_back(it->second);
  }
  LOYALTY_ASSERT(program.rule_group.size() == program.rules.size());
}

std::vector<RuleIndexEntry> to_entries(std::map<std::string, std::vector<std::uint32_t>>& map) {
  std::vector<RuleIndexEntry> out;
  out.reserve(map.size());
  for (auto& [key, rules] : map) out.push_back(RuleIndexEntry{key, std::move(rules)});
  return out;
}

void build_index(Program& program) {
  std::map<std::string, std::vector<std::uint32_t>> by_sku, by_category;
  program.rules_for_all_lines.clear();
  for (std::size_t i = 0; i < program.rules.size(); ++i) {  // bounded by program_rules_max
    const ItemFilter& filter = program.rules[i].filter;
    const auto index = static_cast<std::uint32_t>(i);
    if (filter.matches_everything()) {
      program.rules_for_all_lines.push_back(index);
      continue;
    }
    for (const std::string& sku : filter.skus) by_sku[sku].push_back(index);
    for (const std::string& category : filter.categories) by_category[category].push_back(index);
  }
  program.rules_by_sku = to_entries(by_sku);
  program.rules_by_category = to_entries(by_category);
}

}  // namespace

Result<Program> load_program(std::string_view bundle_json) {
  json::Value bundle = TRY(json::parse(bundle_json));
  return load_program(bundle);
}

Result<Program> load_program(const json::Value& bundle) {
  Context ctx;
  Program program;
  TRY(check_format(ctx, bundle));
  const std::vector<Field> root = root_fields(ctx, &program);
  TRY(fields::read_object(ctx.reader, bundle, "", root));
  TRY(check_references(ctx, program));
  TRY(loader::resolve_budgets(ctx, program));
  order_rules(program);
  build_index(program);
  LOYALTY_ASSERT(program.rule_group.size() == program.rules.size());
  LOYALTY_ASSERT(program.groups.size() <= 2 * limits::program_rules_max);
  return program;
}

}  // namespace loyalty
