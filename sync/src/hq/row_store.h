// RowStore: the HqStore's logic over an HqRows backend (rows.h). Ingest checks, quarantine,
// release, the projection of the HQ ledger, the downlink and the views are written here once for
// every backend; each public method is one transaction of the backend's.
//
// Ownership: owns its backend. Thread-safety: none (one object per thread).
#pragma once

#include <memory>

#include "hq/rows.h"
#include "loyalty/sync/hq_store.h"

namespace loyalty::sync::hq {

// "YYYY-MM-DD": the local date of `at` in `zone` (UTC when null).
std::string business_date(Timestamp at, const TimeZone* zone);

std::unique_ptr<HqStore> make_row_store(std::unique_ptr<HqRows> rows, BusinessZone zone);

}  // namespace loyalty::sync::hq
