// The fixed bounds of the PostgreSQL backend of the HQ store. They belong with the others in
// core/include/loyalty/core/limits.h (the house rule: every _max in one header); they live here
// until that header takes them, so that the backend stays a separate library's change.
#pragma once

#include <cstddef>
#include <cstdint>

namespace loyalty::sync::hq::pg {

// Rows per FETCH of scan_journal's cursor: bounds the memory of one chunk (events up to a few
// kilobytes each) while keeping the round trips few.
inline constexpr std::size_t scan_fetch_rows_max = 1000;

// How long a statement waits for a lock before it fails with ErrorCode::busy (lock_timeout,
// SQLSTATE 55P03): the SQLite store's default busy timeout, so that both backends give a waiting
// worker the same patience. Never more than the statement timeout.
inline constexpr std::int64_t lock_timeout_ms = 5000;

// The lock wait of partition maintenance (ensure/detach): its ALTER TABLEs queue ahead of the
// ingest's statements while they wait, so they give up soon (busy) rather than stall ingest.
inline constexpr std::int64_t ddl_lock_timeout_ms = 2000;

// Days of partitions one ensure_journal_partitions call may create (ten years).
inline constexpr std::int64_t journal_partition_days_max = 3660;

// Limits on the options of open_postgres_hq_store (PostgresHqOptions): one hour to connect, one
// day per statement; 0 means no limit, as in libpq and PostgreSQL.
inline constexpr int connect_timeout_s_max = 3600;
inline constexpr int statement_timeout_ms_max = 86'400'000;

}  // namespace loyalty::sync::hq::pg
