#include "loyalty/core/identification_json.h"

#include "loyalty/core/time.h"

namespace loyalty {

void write_token_members(json::Writer& out, const CustomerToken& token) {
  out.key("kind");
  out.value(token_kind_name(token.kind));
  out.key("form");
  out.value(token_form_name(token.form));
  out.key("value");
  out.value(token.value);
  if (!token.card_range.empty()) {
    out.key("card_range");
    out.value(token.card_range);
  }
  if (token.card_kind) {
    out.key("card_kind");
    out.value(card_kind_name(*token.card_kind));
  }
  if (token.expires_at) {
    out.key("expires_at");
    out.value(format_timestamp(*token.expires_at));
  }
  if (!token.key_id.empty()) {
    out.key("key_id");
    out.value(token.key_id);
  }
}

}  // namespace loyalty
