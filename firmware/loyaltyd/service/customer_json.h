// The JSON the till shows of a customer: the identified token, the customer's summary (tier,
// balance, points to the next reward) for the POS and the till panel, their balance with its lots,
// and their history.
//
// Card numbers appear in full only here, in replies to the authenticated POS and on the cashier's
// panel; the customer-facing view masks them (api/panel). Thread-safety: the Ledger's (storage
// thread).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "loyalty/core/identification.h"
#include "loyalty/core/result.h"
#include "loyalty/storage/customers.h"
#include "loyalty/storage/ledger.h"
#include "service/program_state.h"

namespace loyalty::daemon {

// {"kind","form","value","card_range"?,"card_kind"?,"expires_at"?,"key_id"?}
std::string token_json(const CustomerToken& token);

// {"customer_id","member","known","blocked","tier":{"id","name"},"balance":{"posted","pending",
// "available"},"next_reward":{"reward_id","points","points_needed"}|null}. member: the cache
// holds the card (enrolled here or issued by HQ); known: HQ issued its state.
Result<std::string> customer_summary_json(storage::Ledger& ledger, storage::CustomerCache& cache,
                                          const ProgramState& program,
                                          std::string_view customer_id, Timestamp now);

// {"customer_id","posted","pending","available","lots":[{"lot_id","remaining","active_from",
// "expires_at"}]}
Result<std::string> balance_json(storage::Ledger& ledger, std::string_view customer_id,
                                 Timestamp now);

// {"customer_id","entries":[{"kind","id","receipt_id","state"?,"at","event_seq","earned"?,
// "burned"?}]}
Result<std::string> history_json(storage::Ledger& ledger, std::string_view customer_id,
                                 std::size_t entries_max);

}  // namespace loyalty::daemon
