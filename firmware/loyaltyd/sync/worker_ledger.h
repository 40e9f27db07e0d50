// The sync client's view of the ledger (sync::TerminalLedger) through the storage thread: each
// call runs there as a job and the client's thread waits for it.
//
// Thread-safety: called from the sync client's threads, never from the loop or the storage
// thread.
#pragma once

#include <functional>
#include <memory>

#include "loyalty/sync/client.h"
#include "service/storage_worker.h"
#include "service/till_service.h"

namespace loyalty::daemon {

std::shared_ptr<sync::TerminalLedger> worker_ledger(StorageWorker& worker, TillService& service,
                                                    std::function<Timestamp()> clock);

}  // namespace loyalty::daemon
