// Batches for the wire tests: real event chains hashed as storage hashes them.
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "loyalty/storage/events.h"
#include "loyalty/sync/batch.h"

namespace loyalty::sync::test {

inline constexpr const char* test_epoch = "0123456789abcdef";

// Events from_seq .. from_seq + payloads.size() - 1 of terminal "t-1", chained from prev_hash.
inline Batch chain(std::int64_t from_seq, const std::vector<std::string>& payloads,
                   const std::string& prev_hash = "") {
  Batch batch;
  batch.store_id = "s-1";
  batch.terminal_id = "t-1";
  batch.epoch = test_epoch;
  batch.from_seq = from_seq;
  batch.to_seq = from_seq + static_cast<std::int64_t>(payloads.size()) - 1;
  batch.prev_hash = prev_hash;
  std::string link = prev_hash;
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    WireEvent e;
    e.seq = from_seq + static_cast<std::int64_t>(i);
    e.kind = i % 2 == 0 ? "earn" : "redeem";
    e.receipt_id = i % 2 == 0 ? "r-" + std::to_string(e.seq) : "";
    e.payload = payloads[i];
    // Every third event carries an annex, so hashes with and without one are both exercised.
    if (i % 3 == 2) e.annex = "{\"customer\":\"ps1_00\",\"seq\":" + std::to_string(e.seq) + "}";
    e.payload_hash = storage::sha256_hex(storage::event_hash_input(
        batch.terminal_id, batch.epoch, e.seq, e.kind, e.receipt_id, e.payload, e.annex));
    e.prev_hash = link;
    e.created_at = Timestamp{1767225600 + e.seq};
    link = e.payload_hash;
    batch.events.push_back(e);
  }
  return batch;
}

// `text` with its only occurrence of `from` replaced by `to`.
inline std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  REQUIRE(text.find(from, at + 1) == std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace loyalty::sync::test
