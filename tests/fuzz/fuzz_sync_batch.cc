// libFuzzer target for the uplink batch (sync/batch.h).
//
// For any input: decode_batch_json (the input as JSON text) and decode_batch (the input as a zstd
// frame) must not crash, hang, read out of bounds or inflate past the limits. Every refusal names
// the batch. When a batch is accepted, its encoding decodes to an equal batch and encodes to the
// same text, and verify_batch_hashes runs on it without failing an assertion.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "loyalty/core/result.h"
#include "loyalty/sync/batch.h"

namespace {

void check(const loyalty::Result<loyalty::sync::Batch>& decoded) {
  namespace sync = loyalty::sync;
  if (!decoded.ok()) {
    LOYALTY_ASSERT(decoded.error().message.rfind("batch: ", 0) == 0);
    return;
  }
  const std::string json = sync::encode_batch_json(*decoded);
  const loyalty::Result<sync::Batch> again = sync::decode_batch_json(json);
  LOYALTY_ASSERT(again.ok());
  LOYALTY_ASSERT(*again == *decoded);
  LOYALTY_ASSERT(sync::encode_batch_json(*again) == json);
  const loyalty::Result<sync::Batch> wire = sync::decode_batch(sync::encode_batch(*decoded));
  LOYALTY_ASSERT(wire.ok());
  LOYALTY_ASSERT(*wire == *decoded);
  const loyalty::Status verified = sync::verify_batch_hashes(*decoded);
  LOYALTY_ASSERT(verified.ok() || verified.error().code == loyalty::ErrorCode::conflict);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check(loyalty::sync::decode_batch_json(input));
  check(loyalty::sync::decode_batch(input));
  return 0;
}
