// The rule bundle's identification section (program/loader_identification.h): each field read
// and checked where it stands, then the rules as a whole (overlaps, prefixes against lengths)
// through core's find_rules_problem(), named by their path in the bundle.
#include "program/loader_identification.h"

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "identification/internal.h"
#include "json/fields.h"
#include "loyalty/core/limits.h"

namespace loyalty::loader {

namespace {

using fields::Field;
using fields::Need;

constexpr std::string_view card_kind_names[] = {"gift", "loyalty", "employee", "partner"};
constexpr std::string_view check_digit_names[] = {"gs1_mod10", "luhn", "none"};
constexpr std::int64_t code_chars_limit = 503;  // the validator's bound, so its message applies
constexpr std::int64_t lifetime_s_limit = 366 * 24 * 3600;
constexpr std::size_t phone_prefix_bytes_max = 4;

// A string field read with `read(value, path)`.
template <class Read>
Field custom_field(std::string_view name, Need need, Read read) {
  return Field{name, need,
               [read](const json::Value& v, const std::string& p) { return read(v, p); }};
}

Status read_prefixes(const Context& ctx, const json::Value& value, const std::string& path,
                     std::vector<CardPrefix>* out) {
  const std::vector<json::Value>* items =
      TRY(ctx.reader.array(value, path, 1, limits::identification_prefixes_max));
  for (std::size_t i = 0; i < items->size(); ++i) {  // bounded by identification_prefixes_max
    const std::string at = fields::item_path(path, i);
    const std::string text = TRY(ctx.reader.string((*items)[i], at));
    const std::optional<CardPrefix> prefix = parse_card_prefix(text);
    if (!prefix) {
      return ctx.reader.error(at, "must be 1 to " + std::to_string(card_number_digits_max - 1) +
                                      " digits, or LOW..HIGH of two such of the same length with "
                                      "LOW <= HIGH, got " +
                                      fields::quote_value(text));
    }
    out->push_back(*prefix);
  }
  return Status();
}

Status read_lengths(const Context& ctx, const json::Value& value, const std::string& path,
                    std::vector<std::size_t>* out) {
  const std::vector<json::Value>* items =
      TRY(ctx.reader.array(value, path, 1, limits::identification_card_lengths_max));
  for (std::size_t i = 0; i < items->size(); ++i) {  // bounded by card_lengths_max
    const std::int64_t length = TRY(ctx.reader.integer(
        (*items)[i], fields::item_path(path, i), card_number_digits_min, card_number_digits_max));
    out->push_back(static_cast<std::size_t>(length));
  }
  return Status();
}

Status read_range(const Context& ctx, const json::Value& value, const std::string& path,
                  CardRange* out) {
  const fields::Reader& r = ctx.reader;
  const Field range_fields[] = {
      fields::string_field(r, "name", Need::required, &out->name, fields::StringRule::id),
      fields::choice_field(r, "kind", Need::required, &out->kind, card_kind_names),
      custom_field(
          "prefixes", Need::required,
          [&ctx, out](auto& v, auto& p) { return read_prefixes(ctx, v, p, &out->prefixes); }),
      custom_field(
          "lengths", Need::required,
          [&ctx, out](auto& v, auto& p) { return read_lengths(ctx, v, p, &out->lengths); }),
      fields::choice_field(r, "check_digit", Need::required, &out->check_digit, check_digit_names),
  };
  return fields::read_object(r, value, path, range_fields);
}

Status read_ranges(const Context& ctx, const json::Value& value, const std::string& path,
                   std::vector<CardRange>* out) {
  const std::vector<json::Value>* items =
      TRY(ctx.reader.array(value, path, 0, limits::identification_card_ranges_max));
  for (std::size_t i = 0; i < items->size(); ++i) {  // bounded by card_ranges_max
    CardRange range;
    TRY(read_range(ctx, (*items)[i], fields::item_path(path, i), &range));
    out->push_back(std::move(range));
  }
  return Status();
}

// GS1 coupon prefixes: strings of digits (their form is checked with the rules as a whole).
Status read_digit_strings(const Context& ctx, const json::Value& value, const std::string& path,
                          std::vector<std::string>* out) {
  const std::vector<json::Value>* items =
      TRY(ctx.reader.array(value, path, 0, limits::identification_prefixes_max));
  for (std::size_t i = 0; i < items->size(); ++i) {  // bounded by identification_prefixes_max
    const std::string at = fields::item_path(path, i);
    std::string text = TRY(ctx.reader.string((*items)[i], at));
    if (!identification_detail::all_digits(text) || text.size() > 12) {
      return ctx.reader.error(at, "must be 1 to 12 digits, got " + fields::quote_value(text));
    }
    out->push_back(std::move(text));
  }
  return Status();
}

Status read_coupons(const Context& ctx, const json::Value& value, const std::string& path,
                    CouponRules* out) {
  const fields::Reader& r = ctx.reader;
  std::int64_t chars_min = static_cast<std::int64_t>(out->code_chars_min);
  std::int64_t chars_max = static_cast<std::int64_t>(out->code_chars_max);
  const Field coupon_fields[] = {
      custom_field("gs1_prefixes", Need::optional,
                   [&ctx, out](auto& v, auto& p) {
                     return read_digit_strings(ctx, v, p, &out->gs1_prefixes);
                   }),
      custom_field("code_prefix", Need::optional,
                   [&r, out](auto& v, auto& p) -> Status {
                     out->code_prefix = TRY(r.text(v, p, 0, 8));
                     return Status();
                   }),
      fields::int_field(r, "code_chars_min", Need::optional, &chars_min, 1, code_chars_limit),
      fields::int_field(r, "code_chars_max", Need::optional, &chars_max, 1, code_chars_limit),
  };
  TRY(fields::read_object(r, value, path, coupon_fields));
  out->code_chars_min = static_cast<std::size_t>(chars_min);
  out->code_chars_max = static_cast<std::size_t>(chars_max);
  return Status();
}

Status read_phone(const Context& ctx, const json::Value& value, const std::string& path,
                  PhoneRules* out) {
  const fields::Reader& r = ctx.reader;
  std::int64_t digits_min = static_cast<std::int64_t>(out->digits_min);
  std::int64_t digits_max = static_cast<std::int64_t>(out->digits_max);
  const auto digits_field = [&r](std::string_view name, std::size_t min_bytes, std::string* into) {
    return custom_field(name, Need::required, [&r, min_bytes, into](auto& v, auto& p) -> Status {
      *into = TRY(r.text(v, p, min_bytes, phone_prefix_bytes_max));
      return Status();
    });
  };
  const Field phone_fields[] = {
      digits_field("country_code", 1, &out->country_code),
      digits_field("trunk_prefix", 0, &out->trunk_prefix),
      digits_field("international_prefix", 0, &out->international_prefix),
      fields::int_field(r, "digits_min", Need::optional, &digits_min, 2, 15),
      fields::int_field(r, "digits_max", Need::optional, &digits_max, 2, 15),
  };
  TRY(fields::read_object(r, value, path, phone_fields));
  out->digits_min = static_cast<std::size_t>(digits_min);
  out->digits_max = static_cast<std::size_t>(digits_max);
  return Status();
}

// The key bytes: base64url of 16..limits::hmac_key_bytes_max bytes. The text is never quoted.
Status read_key_bytes(const Context& ctx, const json::Value& value, const std::string& path,
                      SecretBytes* out) {
  constexpr std::size_t key_bytes_min = 16;
  const std::string expected = "must be base64url (A-Z a-z 0-9 - _, no padding) of " +
                               std::to_string(key_bytes_min) + " to " +
                               std::to_string(limits::hmac_key_bytes_max) + " bytes";
  if (!value.is_string()) return ctx.reader.error(path, "must be a string");
  std::optional<std::vector<std::uint8_t>> bytes = decode_base64url(value.as_string());
  if (!bytes) return ctx.reader.error(path, expected + "; this one is not base64url");
  SecretBytes key(std::move(*bytes));
  if (key.size() < key_bytes_min || key.size() > limits::hmac_key_bytes_max) {
    return ctx.reader.error(path, expected + "; this one has " + std::to_string(key.size()));
  }
  *out = std::move(key);
  return Status();
}

Status read_key(const Context& ctx, const json::Value& value, const std::string& path,
                AppTokenKey* out) {
  const fields::Reader& r = ctx.reader;
  const Field key_fields[] = {
      custom_field("id", Need::required,
                   [&r, out](auto& v, auto& p) -> Status {
                     std::string id = TRY(r.string(v, p));
                     if (!is_token_key_id(id)) {
                       return r.error(p, "must be 1 to " +
                                             std::to_string(limits::token_key_id_bytes_max) +
                                             " bytes of A-Z, a-z, 0-9, '_' and '-', got " +
                                             fields::quote_value(id));
                     }
                     out->key_id = std::move(id);
                     return Status();
                   }),
      custom_field("key", Need::required,
                   [&ctx, out](auto& v, auto& p) { return read_key_bytes(ctx, v, p, &out->key); }),
  };
  return fields::read_object(r, value, path, key_fields);
}

Status read_keys(const Context& ctx, const json::Value& value, const std::string& path,
                 std::vector<AppTokenKey>* out) {
  const std::vector<json::Value>* items =
      TRY(ctx.reader.array(value, path, 1, limits::token_keys_max));
  std::set<std::string> ids;
  for (std::size_t i = 0; i < items->size(); ++i) {  // bounded by token_keys_max
    const std::string at = fields::item_path(path, i);
    AppTokenKey key;
    TRY(read_key(ctx, (*items)[i], at, &key));
    if (!ids.insert(key.key_id).second) {
      return ctx.reader.error(fields::member_path(at, "id"),
                              "duplicate key id " + json::quote(key.key_id));
    }
    out->push_back(std::move(key));
  }
  return Status();
}

Status read_app_tokens(const Context& ctx, const json::Value& value, const std::string& path,
                       AppTokenRules* rules, std::vector<AppTokenKey>* keys) {
  const fields::Reader& r = ctx.reader;
  const Field token_fields[] = {
      fields::int_field(r, "lifetime_s_max", Need::required, &rules->lifetime_s_max, 1,
                        lifetime_s_limit),
      custom_field("keys", Need::required,
                   [&ctx, keys](auto& v, auto& p) { return read_keys(ctx, v, p, keys); }),
  };
  return fields::read_object(r, value, path, token_fields);
}

std::vector<Field> section_fields(const Context& ctx, IdentificationConfig* config) {
  IdentificationRules* rules = &config->rules;
  std::vector<Field> out;
  out.push_back(custom_field("card_ranges", Need::required, [&ctx, rules](auto& v, auto& p) {
    return read_ranges(ctx, v, p, &rules->card_ranges);
  }));
  out.push_back(custom_field("coupons", Need::optional, [&ctx, rules](auto& v, auto& p) {
    return read_coupons(ctx, v, p, &rules->coupons);
  }));
  out.push_back(custom_field("phone", Need::optional, [&ctx, rules](auto& v, auto& p) {
    rules->phone.emplace();
    return read_phone(ctx, v, p, &*rules->phone);
  }));
  out.push_back(custom_field("app_tokens", Need::optional, [&ctx, config](auto& v, auto& p) {
    config->rules.app_tokens.emplace();
    return read_app_tokens(ctx, v, p, &*config->rules.app_tokens, &config->app_token_keys);
  }));
  return out;
}

}  // namespace

Status read_identification(const Context& ctx, const json::Value& value, const std::string& path,
                           std::optional<IdentificationConfig>* out) {
  IdentificationConfig config;
  const std::vector<Field> fields = section_fields(ctx, &config);
  TRY(fields::read_object(ctx.reader, value, path, fields));
  // What involves several fields: overlaps, prefixes against lengths, phone against cards.
  if (const auto problem = identification_detail::find_rules_problem(config.rules)) {
    const std::string at = problem->path.empty() ? path : path + "." + problem->path;
    return ctx.reader.error(at, problem->reason);
  }
  LOYALTY_ASSERT(validate_identification_rules(config.rules).ok());
  LOYALTY_ASSERT(config.rules.app_tokens.has_value() == !config.app_token_keys.empty());
  *out = std::move(config);
  return Status();
}

}  // namespace loyalty::loader
