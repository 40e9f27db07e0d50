// JournalBuilder: a terminal's ledger events as HQ receives them, with correct hashes and links
// (storage::event_hash_input, sha256_hex) and the ledger annex the terminal writes, for the HQ
// store's tests. Plus helpers for movements and for reading the HQ store's file directly.
#pragma once

#include <cinttypes>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "loyalty/core/json.h"
#include "loyalty/core/time.h"
#include "loyalty/storage/events.h"
#include "loyalty/sync/batch.h"
#include "loyalty/sync/hq_store.h"

namespace loyalty::sync::test {

struct Move {
  std::string code;
  std::string debit;
  std::string credit;
  std::int64_t points = 0;
  std::string source = "test";
  std::optional<Timestamp> expires_at;  // a lot with this expiry (credits); nullopt: no lot info
  bool lot = false;
  std::int64_t minor = 0;  // a money movement when > 0
};

// The pseudonym of customer number `index` (0, 1, ...) in the HQ tests' journals.
inline std::string test_pseudonym(int index) {
  char text[40];
  std::snprintf(text, sizeof text, "ps1_%032x", index + 1);
  return text;
}

inline std::string points_account(const std::string& pseudonym) {
  return "customer_points:" + pseudonym;
}
inline Move move(std::string code, std::string debit, std::string credit, std::int64_t points) {
  Move made;
  made.code = std::move(code);
  made.debit = std::move(debit);
  made.credit = std::move(credit);
  made.points = points;
  return made;
}
inline Move earn(const std::string& p, std::int64_t points) {
  return move("earn", "issuance", points_account(p), points);
}
inline Move earn_lot(const std::string& p, std::int64_t points, Timestamp expires_at) {
  Move made = move("earn", "issuance", points_account(p), points);
  made.source = "earn.base";
  made.expires_at = expires_at;
  made.lot = true;
  return made;
}
inline Move burn(const std::string& p, std::int64_t points) {
  return move("burn", points_account(p), "redemption", points);
}
// A money movement (partner settlement), which HQ ignores.
inline Move settlement(std::int64_t minor) {
  Move made = move("settle_issued", "partner_settlement:fuel-co", "operator_settlement", 0);
  made.minor = minor;
  return made;
}

inline Timestamp at_seconds(std::int64_t seconds) { return Timestamp{seconds}; }

// The annex's "tier" report: what an event did to the customer's tier period at the terminal.
struct TierLine {
  TierLine(std::optional<std::string> after_, std::optional<Timestamp> review_at_, bool reset,
           std::int64_t spend, std::int64_t points,
           std::optional<std::int64_t> spend_after = std::nullopt,
           std::optional<std::int64_t> points_after = std::nullopt)
      : after(std::move(after_)),
        review_at(review_at_),
        period_reset(reset),
        spend_delta(spend),
        points_delta(points),
        spend_total(spend_after),
        points_total(points_after) {}
  std::optional<std::string> after;
  std::optional<Timestamp> review_at;
  bool period_reset = false;
  std::int64_t spend_delta = 0;
  std::int64_t points_delta = 0;
  std::optional<std::int64_t> spend_total;  // the row's totals after it, when reported
  std::optional<std::int64_t> points_total;
};

class JournalBuilder {
 public:
  JournalBuilder(std::string store_id, std::string terminal_id, std::uint64_t epoch)
      : identity_{std::move(store_id), std::move(terminal_id)} {
    char text[17];
    std::snprintf(text, sizeof text, "%016" PRIx64, epoch);
    epoch_ = text;
  }

  const TerminalIdentity& identity() const { return identity_; }
  const std::string& epoch() const { return epoch_; }
  const std::vector<WireEvent>& events() const { return events_; }

  // A checkout of `customer` (nullopt: anonymous) with these movements.
  const WireEvent& checkout(Timestamp at, std::optional<std::string> customer,
                            std::int64_t spend_minor, const std::vector<Move>& moves,
                            std::optional<std::string> tier_after = std::nullopt) {
    json::Writer out;
    out.begin_object();
    out.key("receipt_id");
    out.value("r" + std::to_string(events_.size() + 1));
    out.key("tier");
    out.begin_object();
    out.key("before");
    out.null();
    out.key("after");
    optional_text(out, tier_after);
    out.end_object();
    out.end_object();
    return add("checkout", "r" + std::to_string(events_.size() + 1), out.take(), at,
               annex(customer, spend_minor, moves));
  }

  // A checkout whose payload is `quote` (a quote's JSON, as the till ships it).
  const WireEvent& quoted_checkout(Timestamp at, std::optional<std::string> customer,
                                   std::string quote, std::int64_t spend_minor,
                                   const std::vector<Move>& moves) {
    return add("checkout", "r" + std::to_string(events_.size() + 1), std::move(quote), at,
               annex(customer, spend_minor, moves));
  }

  // A checkout or refund whose annex reports the customer's tier period (as storage writes it).
  const WireEvent& with_tier(std::string kind, Timestamp at, const std::string& customer,
                             std::int64_t spend_minor, const std::vector<Move>& moves,
                             const TierLine& tier) {
    return add(kind, "r" + std::to_string(events_.size() + 1), "{}", at,
               annex(customer, spend_minor, moves, &tier));
  }

  const WireEvent& refund(Timestamp at, std::optional<std::string> customer,
                          std::int64_t spend_minor, const std::vector<Move>& moves) {
    json::Writer out;
    out.begin_object();
    out.key("reversal");
    out.value(true);
    out.end_object();
    return add("refund", "r" + std::to_string(events_.size() + 1), out.take(), at,
               annex(customer, spend_minor, moves));
  }

  // Any event, hashed and linked.
  const WireEvent& add(std::string kind, std::string receipt_id, std::string payload, Timestamp at,
                       std::string annex_json = "") {
    WireEvent event;
    event.seq = static_cast<std::int64_t>(events_.size()) + 1;
    event.kind = std::move(kind);
    event.receipt_id = std::move(receipt_id);
    event.payload = std::move(payload);
    event.annex = std::move(annex_json);
    event.payload_hash = storage::sha256_hex(
        storage::event_hash_input(identity_.terminal_id, epoch_, event.seq, event.kind,
                                  event.receipt_id, event.payload, event.annex));
    event.prev_hash = events_.empty() ? "" : events_.back().payload_hash;
    event.created_at = at;
    events_.push_back(std::move(event));
    return events_.back();
  }

  // Events [from_seq, to_seq] as one batch.
  Batch batch(std::int64_t from_seq, std::int64_t to_seq) const {
    Batch batch;
    batch.store_id = identity_.store_id;
    batch.terminal_id = identity_.terminal_id;
    batch.epoch = epoch_;
    batch.from_seq = from_seq;
    batch.to_seq = to_seq;
    batch.prev_hash =
        from_seq == 1 ? "" : events_[static_cast<std::size_t>(from_seq - 2)].payload_hash;
    for (std::int64_t seq = from_seq; seq <= to_seq; ++seq) {
      batch.events.push_back(events_[static_cast<std::size_t>(seq - 1)]);
    }
    return batch;
  }
  Batch all() const { return batch(1, static_cast<std::int64_t>(events_.size())); }

 private:
  static void optional_text(json::Writer& out, const std::optional<std::string>& text) {
    if (text) {
      out.value(*text);
    } else {
      out.null();
    }
  }

  static std::string annex(const std::optional<std::string>& customer, std::int64_t spend_minor,
                           const std::vector<Move>& moves, const TierLine* tier = nullptr) {
    json::Writer out;
    out.begin_object();
    out.key("key_id");
    out.value("k1");
    out.key("customer");
    optional_text(out, customer);
    out.key("spend_minor");
    out.value(spend_minor);
    out.key("movements");
    out.begin_array();
    for (const Move& move : moves) {
      out.begin_object();
      out.key("code");
      out.value(move.code);
      out.key("debit");
      out.value(move.debit);
      out.key("credit");
      out.value(move.credit);
      out.key("points");
      out.value(move.points);
      if (move.minor > 0) {
        out.key("minor");
        out.value(move.minor);
      }
      out.key("source");
      out.value(move.source);
      out.key("line");
      out.null();
      out.key("lot");
      if (move.lot) {
        out.begin_object();
        out.key("active_from");
        out.value("2026-01-01T00:00:00Z");
        out.key("expires_at");
        if (move.expires_at) {
          out.value(format_timestamp(*move.expires_at));
        } else {
          out.null();
        }
        out.end_object();
      } else {
        out.null();
      }
      out.end_object();
    }
    out.end_array();
    if (tier != nullptr) {
      out.key("tier");
      out.begin_object();
      out.key("after");
      optional_text(out, tier->after);
      out.key("review_at");
      if (tier->review_at) {
        out.value(format_timestamp(*tier->review_at));
      } else {
        out.null();
      }
      out.key("period_reset");
      out.value(tier->period_reset);
      out.key("period_spend_delta");
      out.value(tier->spend_delta);
      out.key("period_points_delta");
      out.value(tier->points_delta);
      if (tier->spend_total && tier->points_total) {
        out.key("period_spend");
        out.value(*tier->spend_total);
        out.key("period_points");
        out.value(*tier->points_total);
      }
      out.end_object();
    }
    out.end_object();
    return out.take();
  }

  TerminalIdentity identity_;
  std::string epoch_;
  std::vector<WireEvent> events_;
};

}  // namespace loyalty::sync::test
