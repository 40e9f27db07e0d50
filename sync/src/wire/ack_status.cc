// Names of the ack statuses, as they appear on the wire.

#include "loyalty/core/result.h"
#include "loyalty/sync/batch.h"

namespace loyalty::sync {

const char* ack_status_name(AckStatus status) {
  switch (status) {
    case AckStatus::accepted:
      return "accepted";
    case AckStatus::quarantined:
      return "quarantined";
  }
  LOYALTY_ASSERT(false && "unknown AckStatus");
  return "";
}

}  // namespace loyalty::sync
