// The request hashes of checkouts (over the customer and receipt documents core writes) and the
// receipt names in messages.

#include "loyalty/core/documents.h"

#include <string>

#include "checkout/internal.h"
#include "loyalty/storage/events.h"

namespace loyalty::storage::checkout_internal {

void netstring(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ',';
}

std::string checkout_request_hash(const Program& program, const CustomerState* customer,
                                  std::string_view receipt_json, Timestamp at) {
  std::string input;
  netstring(input, program.program_id);
  netstring(input, std::to_string(program.version));
  netstring(input, customer == nullptr ? std::string() : customer_to_json(*customer));
  netstring(input, receipt_json);
  netstring(input, std::to_string(at.unix_seconds));
  return sha256_hex(input);
}

std::string offline_request_hash(const Program& program, std::string_view customer_id,
                                 std::string_view receipt_json, Timestamp at) {
  std::string input;
  netstring(input, program.program_id);
  netstring(input, std::to_string(program.version));
  netstring(input, "offline:" + std::string(customer_id));
  netstring(input, receipt_json);
  netstring(input, std::to_string(at.unix_seconds));
  return sha256_hex(input);
}

std::string receipt_name(std::string_view receipt_id) {
  return "receipt " + std::string(receipt_id);
}

}  // namespace loyalty::storage::checkout_internal
