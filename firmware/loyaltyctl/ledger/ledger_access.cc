#include "ledger/ledger_access.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "loyalty/core/json.h"

namespace loyalty::cli {

Status require_ledger_file(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) {
      return make_error(ErrorCode::invalid_argument, path + ": no such ledger file");
    }
    return make_error(ErrorCode::io_error,
                      path + ": cannot open: " + std::string(std::strerror(errno)));
  }
  if (!S_ISREG(info.st_mode)) {
    return make_error(ErrorCode::invalid_argument, path + ": not a regular file");
  }
  return Status();
}

Result<storage::Ledger> open_or_create_ledger(const std::string& path,
                                              const std::string& terminal_id, Timestamp now) {
  storage::LedgerOptions options;
  options.terminal_id = terminal_id;
  options.now = now;
  options.release = LOYALTY_VERSION;  // software_releases: which release wrote to the ledger
  return storage::Ledger::open(path, options);
}

Result<storage::Ledger> open_existing_ledger(const std::string& path, Timestamp now) {
  TRY(require_ledger_file(path));
  return open_or_create_ledger(path, "", now);
}

Result<storage::Ledger> open_existing_ledger_unchecked(const std::string& path, Timestamp now) {
  TRY(require_ledger_file(path));
  storage::LedgerOptions options;
  options.now = now;
  options.refuse_broken = false;
  return storage::Ledger::open(path, options);
}

std::string json_field(std::string_view key, std::string_view value) {
  return json::quote(key) + ":" + json::quote(value);
}

}  // namespace loyalty::cli
