// --pseudonym or --card (pseudonym_flag.h). A card number is never printed or logged here.

#include "args/pseudonym_flag.h"

#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "loyalty/storage/pseudonyms.h"

namespace loyalty::hq {

Result<std::string> pseudonym_flag(std::string_view command, const ParsedArgs& parsed,
                                   const HqDir& dir) {
  const std::string* pseudonym = parsed.flag("pseudonym");
  const std::string* card = parsed.flag("card");
  if ((pseudonym == nullptr) == (card == nullptr)) {
    return usage_error(command, "give the customer as exactly one of --pseudonym P or --card C");
  }
  if (pseudonym != nullptr) {
    if (!storage::is_pseudonym(*pseudonym)) {
      return usage_error(command, "--pseudonym " + json::quote(*pseudonym) +
                                      " is not a pseudonym (ps1_ and 32 hex digits)");
    }
    return *pseudonym;
  }
  if (card->size() > limits::ledger_text_bytes_max) {
    return usage_error(command, "--card is longer than " +
                                    std::to_string(limits::ledger_text_bytes_max) + " bytes");
  }
  const storage::PseudonymKey key = TRY(load_pseudonym_key(dir));
  return storage::pseudonym_of(key, *card);
}

}  // namespace loyalty::hq
