// Rule-bundle rules: the parameters of volume_discount (program/loader_internal.h).
//
//   "steps": [{"from_quantity": 10, "percent_bp": 300}, {"from_quantity": 50, "percent_bp": 700}]
//   "steps": [{"from_amount_minor": 50000, "percent_bp": 200}, ...]
// Every step names its threshold in one unit, the same for all steps; thresholds strictly ascend.

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

constexpr std::string_view from_quantity = "from_quantity";
constexpr std::string_view from_amount = "from_amount_minor";
// A receipt holds at most 1,000 lines of 100,000 units: 10^8 units in all.
constexpr std::int64_t volume_quantity_max =
    static_cast<std::int64_t>(limits::receipt_lines_max) * limits::quantity_max;

struct StepRead {
  VolumeStep step;
  bool by_quantity = false;
};

Status read_step(const Context& ctx, const json::Value& value, const std::string& path,
                 StepRead* out) {
  const fields::Reader& r = ctx.reader;
  const Field step_fields[] = {
      fields::int_field(r, from_quantity, Need::optional, &out->step.from, 1, volume_quantity_max),
      fields::int_field(r, from_amount, Need::optional, &out->step.from, 1,
                        limits::amount_minor_max),
      fields::int_field(r, "percent_bp", Need::required, &out->step.percent, 1,
                        limits::basis_points_max),
  };
  TRY(fields::read_object(r, value, path, step_fields));
  const bool has_quantity = value.find(from_quantity) != nullptr;
  const bool has_amount = value.find(from_amount) != nullptr;
  if (has_quantity == has_amount) {
    return r.error(path, "must have exactly one of from_quantity and from_amount_minor");
  }
  out->by_quantity = has_quantity;
  return Status();
}

Status read_steps(const Context& ctx, const json::Value& value, const std::string& path,
                  VolumeDiscountRule* out) {
  const std::vector<json::Value>* items =
      TRY(ctx.reader.array(value, path, 1, limits::rule_thresholds_max));
  out->steps.clear();
  for (std::size_t i = 0; i < items->size(); ++i) {  // bounded by rule_thresholds_max
    const std::string item_at = fields::item_path(path, i);
    StepRead read;
    TRY(read_step(ctx, (*items)[i], item_at, &read));
    const VolumeMeasure measure =
        read.by_quantity ? VolumeMeasure::quantity : VolumeMeasure::amount;
    const std::string_view name = read.by_quantity ? from_quantity : from_amount;
    if (i == 0) {
      out->measure = measure;
    } else if (measure != out->measure) {
      return ctx.reader.error(
          fields::member_path(item_at, name),
          std::string("must be ") +
              (out->measure == VolumeMeasure::quantity ? "from_quantity" : "from_amount_minor") +
              " like the first step (all steps count in one unit)");
    }
    if (!out->steps.empty() && read.step.from <= out->steps.back().from) {
      return ctx.reader.error(fields::member_path(item_at, name),
                              "must be greater than the previous step's (" +
                                  std::to_string(out->steps.back().from) + "), got " +
                                  std::to_string(read.step.from));
    }
    out->steps.push_back(read.step);
  }
  LOYALTY_ASSERT(!out->steps.empty());
  return Status();
}

}  // namespace

void volume_fields(Context& ctx, VolumeDiscountRule* params, std::vector<Field>* out) {
  out->push_back(Field{"steps", Need::required,
                       [&ctx, params](const json::Value& v, const std::string& path) -> Status {
                         return read_steps(ctx, v, path, params);
                       }});
}

}  // namespace loyalty::loader
