// Rule-bundle sections that configure the program as a whole: <items>, earn, burn, tiers and
// company (program/loader_internal.h).

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

constexpr std::string_view earn_base_names[] = {"net_after_points", "net_before_points"};
constexpr std::string_view activation_names[] = {"immediate", "next_purchase", "after_days"};
constexpr std::string_view tier_basis_names[] = {"spend", "points_earned"};
constexpr std::string_view upgrade_names[] = {"immediate", "period_end"};
constexpr std::string_view downgrade_names[] = {"yearly", "never"};

constexpr std::int64_t activation_days_max = 365;
constexpr std::int64_t expiry_days_max = 3650;
constexpr std::int64_t period_days_max = 3650;
constexpr std::int64_t burn_rate_max = 1'000'000;

Field string_list_field(const Context& ctx, std::string_view name, std::vector<std::string>* out) {
  return Field{
      name, Need::optional, [&ctx, out](const json::Value& v, const std::string& p) -> Status {
        *out = TRY(
            ctx.reader.string_list(v, p, limits::rule_filter_items_max, fields::StringRule::text));
        fields::sort_unique(*out);
        return Status();
      }};
}

Field items_field(const Context& ctx, std::string_view name, ItemFilter* out) {
  return Field{name, Need::optional,
               [&ctx, out](const json::Value& v, const std::string& p) -> Status {
                 return read_items(ctx, v, p, out);
               }};
}

// A display name: 1..json_string_bytes_max bytes without control characters.
Field name_field(const Context& ctx, std::string* out) {
  return Field{"name", Need::optional,
               [&ctx, out](const json::Value& v, const std::string& p) -> Status {
                 *out = TRY(ctx.reader.text(v, p, 1, limits::json_string_bytes_max));
                 return Status();
               }};
}

Status check_activation(const Context& ctx, const json::Value& value, const std::string& path,
                        const EarnPolicy& earn) {
  const std::string days_path = fields::member_path(path, "activation_days");
  if (earn.activation == ActivationMode::after_days) {
    if (value.find("activation_days") == nullptr) {
      return ctx.reader.error(days_path, "is required when activation is \"after_days\"");
    }
    if (earn.activation_days < 1) {
      return ctx.reader.error(days_path,
                              "must be between 1 and 365 when activation is \"after_days\", got " +
                                  std::to_string(earn.activation_days));
    }
  } else if (earn.activation_days != 0) {
    return ctx.reader.error(days_path, "must be 0 unless activation is \"after_days\", got " +
                                           std::to_string(earn.activation_days));
  }
  return Status();
}

Status read_tier_level(const Context& ctx, const json::Value& value, const std::string& path,
                       Tier* out) {
  const fields::Reader& r = ctx.reader;
  const Field level_fields[] = {
      fields::string_field(r, "id", Need::required, &out->id, fields::StringRule::id),
      name_field(ctx, &out->name),
      fields::int_field(r, "threshold", Need::required, &out->threshold, 0,
                        limits::amount_minor_max),
      fields::int_field(r, "earn_multiplier_percent", Need::optional, &out->earn_multiplier_percent,
                        100, limits::multiplier_percent_max),
      fields::bool_field(r, "invitation_only", Need::optional, &out->invitation_only),
  };
  TRY(fields::read_object(r, value, path, level_fields));
  if (value.find("name") == nullptr) out->name = out->id;
  LOYALTY_ASSERT(!out->id.empty());
  return Status();
}

// Ids unique; the first level is the entry tier (threshold 0, not by invitation); thresholds of
// the levels reached by threshold strictly ascend.
Status check_tier_level(const Context& ctx, const std::vector<Tier>& levels,
                        const std::string& path) {
  LOYALTY_ASSERT(!levels.empty());
  const Tier& level = levels.back();
  for (std::size_t i = 0; i + 1 < levels.size(); ++i) {  // bounded by program_tiers_max
    if (levels[i].id == level.id) {
      return ctx.reader.error(fields::member_path(path, "id"),
                              "duplicate tier id " + json::quote(level.id));
    }
  }
  const std::string threshold_path = fields::member_path(path, "threshold");
  if (levels.size() == 1) {
    if (level.threshold != 0) {
      return ctx.reader.error(
          threshold_path, "must be 0 for the first level, got " + std::to_string(level.threshold));
    }
    if (level.invitation_only) {
      return ctx.reader.error(fields::member_path(path, "invitation_only"),
                              "must be false for the first level");
    }
    return Status();
  }
  if (level.invitation_only) return Status();
  for (std::size_t i = levels.size() - 1; i-- > 0;) {  // bounded by program_tiers_max
    if (levels[i].invitation_only) continue;
    if (level.threshold <= levels[i].threshold) {
      return ctx.reader.error(threshold_path,
                              "must be greater than the previous level's threshold (" +
                                  std::to_string(levels[i].threshold) + "), got " +
                                  std::to_string(level.threshold));
    }
    break;
  }
  return Status();
}

Status read_tier_levels(const Context& ctx, const json::Value& value, const std::string& path,
                        std::vector<Tier>* out) {
  const std::vector<json::Value>* items =
      TRY(ctx.reader.array(value, path, 1, limits::program_tiers_max));
  out->clear();
  for (std::size_t i = 0; i < items->size(); ++i) {  // bounded by program_tiers_max
    const std::string level_path = fields::item_path(path, i);
    Tier level;
    TRY(read_tier_level(ctx, (*items)[i], level_path, &level));
    out->push_back(std::move(level));
    TRY(check_tier_level(ctx, *out, level_path));
  }
  LOYALTY_ASSERT(!out->empty() && out->front().threshold == 0);
  return Status();
}

Status read_company_band(const Context& ctx, const json::Value& value, const std::string& path,
                         bool last, std::optional<Minor> previous, CompanyBand* out) {
  const fields::Reader& r = ctx.reader;
  Minor up_to;
  const Field band_fields[] = {
      fields::int_field(r, "up_to_minor", Need::optional, &up_to, 1, limits::amount_minor_max),
      fields::int_field(r, "rate_bp", Need::required, &out->rate, 0, limits::basis_points_max),
  };
  TRY(fields::read_object(r, value, path, band_fields));
  const std::string up_to_path = fields::member_path(path, "up_to_minor");
  const bool has_up_to = value.find("up_to_minor") != nullptr;
  if (last && has_up_to) return r.error(up_to_path, "must not be set on the last band");
  if (!last && !has_up_to) return r.error(up_to_path, "is required on every band but the last");
  if (has_up_to && previous.has_value() && up_to <= *previous) {
    return r.error(up_to_path, "must be greater than the previous band's up_to_minor (" +
                                   std::to_string(previous->value()) + "), got " +
                                   std::to_string(up_to.value()));
  }
  if (has_up_to) out->up_to_spend = up_to;
  return Status();
}

Status read_company_bands(const Context& ctx, const json::Value& value, const std::string& path,
                          std::vector<CompanyBand>* out) {
  const std::vector<json::Value>* items =
      TRY(ctx.reader.array(value, path, 1, limits::company_bands_max));
  out->clear();
  for (std::size_t i = 0; i < items->size(); ++i) {  // bounded by company_bands_max
    std::optional<Minor> previous;
    if (!out->empty()) previous = out->back().up_to_spend;
    CompanyBand band;
    TRY(read_company_band(ctx, (*items)[i], fields::item_path(path, i), i + 1 == items->size(),
                          previous, &band));
    out->push_back(band);
  }
  LOYALTY_ASSERT(!out->empty() && !out->back().up_to_spend.has_value());
  return Status();
}

// {"<points_name>": n, "<per_name>": m}, both required.
Status read_rate(const Context& ctx, const json::Value& value, const std::string& path,
                 std::int64_t* points, std::int64_t points_min, std::int64_t points_max,
                 std::string_view per_name, std::int64_t* per, std::int64_t per_max) {
  const fields::Reader& r = ctx.reader;
  const Field rate_fields[] = {
      fields::int_field(r, "points", Need::required, points, points_min, points_max),
      fields::int_field(r, per_name, Need::required, per, 1, per_max),
  };
  TRY(fields::read_object(r, value, path, rate_fields));
  LOYALTY_ASSERT(*per >= 1);
  return Status();
}

}  // namespace

Status read_items(const Context& ctx, const json::Value& value, const std::string& path,
                  ItemFilter* out) {
  const Field item_fields[] = {
      string_list_field(ctx, "skus", &out->skus),
      string_list_field(ctx, "categories", &out->categories),
      string_list_field(ctx, "exclude_skus", &out->exclude_skus),
      string_list_field(ctx, "exclude_categories", &out->exclude_categories),
  };
  TRY(fields::read_object(ctx.reader, value, path, item_fields));
  LOYALTY_ASSERT(out->skus.size() <= limits::rule_filter_items_max);
  return Status();
}

Status read_earn(const Context& ctx, const json::Value& value, const std::string& path,
                 EarnPolicy* out) {
  const fields::Reader& r = ctx.reader;
  const Field earn_fields[] = {
      Field{"base", Need::optional,
            [&ctx, out](const json::Value& v, const std::string& p) -> Status {
              return read_rate(ctx, v, p, &out->base.points, 0, limits::earn_points_per_unit_max,
                               "per_minor", &out->base.per_minor, limits::amount_minor_max);
            }},
      fields::choice_field(r, "rounding", Need::optional, &out->rounding, fields::rounding_names),
      fields::choice_field(r, "base_on", Need::optional, &out->base_on, earn_base_names),
      items_field(ctx, "excluded", &out->excluded),
      fields::int_field(r, "min_basket_minor", Need::optional, &out->min_basket, 0,
                        limits::amount_minor_max),
      fields::choice_field(r, "activation", Need::optional, &out->activation, activation_names),
      fields::int_field(r, "activation_days", Need::optional, &out->activation_days, 0,
                        activation_days_max),
      fields::int_field(r, "expiry_days", Need::optional, &out->expiry_days, 0, expiry_days_max),
  };
  TRY(fields::read_object(r, value, path, earn_fields));
  return check_activation(ctx, value, path, *out);
}

Status read_burn(const Context& ctx, const json::Value& value, const std::string& path,
                 BurnPolicy* out) {
  const fields::Reader& r = ctx.reader;
  std::int64_t rate_value = out->rate_value.value();
  const Field burn_fields[] = {
      fields::bool_field(r, "enabled", Need::optional, &out->enabled),
      Field{"rate", Need::optional,
            [&ctx, out, &rate_value](const json::Value& v, const std::string& p) -> Status {
              return read_rate(ctx, v, p, &out->rate_points, 1, burn_rate_max, "value_minor",
                               &rate_value, burn_rate_max);
            }},
      fields::int_field(r, "cap_bp", Need::optional, &out->cap, 1, limits::basis_points_max),
      fields::int_field(r, "min_balance", Need::optional, &out->min_balance, 0, limits::points_max),
      items_field(ctx, "excluded", &out->excluded),
      fields::int_field(r, "offline_floor_limit", Need::optional, &out->offline_floor_limit, 0,
                        limits::points_max),
  };
  TRY(fields::read_object(r, value, path, burn_fields));
  out->rate_value = Minor(rate_value);
  LOYALTY_ASSERT(out->rate_points >= 1 && out->rate_value.value() >= 1);
  return Status();
}

Status read_tiers(const Context& ctx, const json::Value& value, const std::string& path,
                  TierPolicy* out) {
  const fields::Reader& r = ctx.reader;
  const Field tier_fields[] = {
      fields::choice_field(r, "basis", Need::optional, &out->basis, tier_basis_names),
      fields::int_field(r, "period_days", Need::optional, &out->period_days, 1, period_days_max),
      fields::choice_field(r, "upgrade", Need::optional, &out->upgrade, upgrade_names),
      fields::choice_field(r, "downgrade", Need::optional, &out->downgrade, downgrade_names),
      Field{"levels", Need::required,
            [&ctx, out](const json::Value& v, const std::string& p) -> Status {
              return read_tier_levels(ctx, v, p, &out->tiers);
            }},
  };
  TRY(fields::read_object(r, value, path, tier_fields));
  LOYALTY_ASSERT(!out->tiers.empty());
  return Status();
}

Status read_company(const Context& ctx, const json::Value& value, const std::string& path,
                    CompanyPolicy* out) {
  const fields::Reader& r = ctx.reader;
  const Field company_fields[] = {
      fields::choice_field(r, "rounding", Need::optional, &out->rounding, fields::rounding_names),
      Field{"bands", Need::required,
            [&ctx, out](const json::Value& v, const std::string& p) -> Status {
              return read_company_bands(ctx, v, p, &out->bands);
            }},
  };
  TRY(fields::read_object(r, value, path, company_fields));
  LOYALTY_ASSERT(!out->bands.empty());
  return Status();
}

}  // namespace loyalty::loader
