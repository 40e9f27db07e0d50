#include "sync/sync_link.h"

namespace loyalty::daemon {

const char* sync_state_name(SyncState state) {
  switch (state) {
    case SyncState::offline:
      return "offline";
    case SyncState::syncing:
      return "syncing";
    case SyncState::in_sync:
      return "in_sync";
    case SyncState::quarantined:
      return "quarantined";
  }
  return "?";
}

}  // namespace loyalty::daemon
