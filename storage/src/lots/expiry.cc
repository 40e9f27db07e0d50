// expire_lots(): lots past their expiry become breakage (docs/storage.md, "Expiry").

#include <string>

#include "lots/internal.h"
#include "loyalty/core/limits.h"
#include "loyalty/storage/lots.h"
#include "loyalty/storage/statement.h"

namespace loyalty::storage {

using namespace lots_internal;

Result<ExpiryRun> expire_lots(Ledger& ledger, const Transaction& transaction, Timestamp at) {
  Statement due = TRY(Statement::prepare(
      ledger.database(),
      "SELECT lot_id, account, remaining FROM lots WHERE expires_at IS NOT NULL "
      "AND expires_at <= ?1 AND remaining > 0 ORDER BY expires_at, lot_id LIMIT ?2"));
  TRY(due.bind_int64(1, at.unix_seconds));
  TRY(due.bind_int64(2, static_cast<std::int64_t>(limits::lot_expiry_batch_max)));
  struct Due {
    LotId lot;
    AccountId account;
    Points remaining;
  };
  std::vector<Due> lots;
  while (TRY(due.step()) == Step::row) {
    lots.push_back(Due{LotId{due.column_int64(0)}, AccountId{due.column_int64(1)},
                       Points(due.column_int64(2))});
  }
  ExpiryRun run;
  run.more_due = lots.size() == limits::lot_expiry_batch_max;
  if (lots.empty()) return run;
  const AccountId breakage = TRY(chain_account(ledger, transaction, AccountKind::breakage, at));
  for (const Due& lot : lots) {
    // What open receipts hold in the lot stays (they commit it as quoted); a hold that names no
    // lot keeps its account's available balance at 0 or above.
    const Points held = TRY(lot_holds(ledger, lot.account)).in(lot.lot);
    const Points available = TRY(ledger.balance(lot.account)).available();
    const Points expire = min_of(lot.remaining - held, max_of(available, Points(0)));
    run.points_held_back += lot.remaining - expire;
    if (expire == Points(0)) continue;
    const std::string source = "lot:" + std::to_string(lot.lot.value);
    const TransferId id = TRY(move(ledger, transaction,
                                   LotTransfer{lot.account, breakage, expire, TransferCode::expire,
                                               "", std::nullopt, source, lot.lot, at},
                                   -expire.value()));
    run.expired.push_back(LotMove{lot.lot, expire, id});
    run.points_expired += expire;
  }
  return run;
}

}  // namespace loyalty::storage
