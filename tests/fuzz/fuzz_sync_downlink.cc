// libFuzzer target for the downlink answer and the ack (sync/downlink.h, sync/batch.h).
//
// For any input: decode_downlink_json and decode_ack_json must not crash, hang or read out of
// bounds, and every refusal names its document. When one is accepted, its encoding decodes to an
// equal value and encodes to the same text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "loyalty/core/result.h"
#include "loyalty/sync/batch.h"
#include "loyalty/sync/downlink.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace sync = loyalty::sync;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const loyalty::Result<sync::Downlink> downlink = sync::decode_downlink_json(input);
  if (downlink.ok()) {
    const std::string json = sync::encode_downlink_json(*downlink);
    const loyalty::Result<sync::Downlink> again = sync::decode_downlink_json(json);
    LOYALTY_ASSERT(again.ok());
    LOYALTY_ASSERT(*again == *downlink);
    LOYALTY_ASSERT(sync::encode_downlink_json(*again) == json);
  } else {
    LOYALTY_ASSERT(downlink.error().message.rfind("downlink: ", 0) == 0);
  }

  const loyalty::Result<sync::Ack> ack = sync::decode_ack_json(input);
  if (ack.ok()) {
    const std::string json = sync::encode_ack_json(*ack);
    const loyalty::Result<sync::Ack> again = sync::decode_ack_json(json);
    LOYALTY_ASSERT(again.ok());
    LOYALTY_ASSERT(*again == *ack);
    LOYALTY_ASSERT(sync::encode_ack_json(*again) == json);
  } else {
    LOYALTY_ASSERT(ack.error().message.rfind("ack: ", 0) == 0);
  }
  return 0;
}
