// FaultVfs: a SQLite VFS shim for the crash tests that fails I/O on demand and simulates power
// cuts. It wraps SQLite's default VFS (sqlite3_vfs_find(nullptr)) and delegates everything to it,
// the shared-memory (xShm*) methods of WAL mode included; a test opens a ledger through it by
// naming it in DatabaseOptions::vfs.
//
// Counted operations: xRead, xWrite, xSync and xTruncate on every file opened through the shim.
// Once armed with arm(mode, n), the first n counted operations succeed and the shim then trips:
//
//   FaultMode::io_error   every further counted operation (and xOpen, xDelete) fails with an
//                         SQLITE_IOERR_* code; what was written before stays written, as when
//                         a disk fails but the machine keeps running.
//   FaultMode::power_cut  the same failures (the device is gone), and power_restore() later puts
//                         every file back to what was durable when the power went.
//
// Durability model (power cuts). The shim tracks the main database, WAL and rollback journal
// files by path. Before each xWrite it reads the bytes about to be overwritten (within the file's
// current size) into the file's undo log; before an xTruncate that shrinks the file it saves the
// bytes cut off; and it remembers the file's size at its last successful xSync. A successful
// xSync clears the file's undo log: everything written to it so far is durable. power_restore()
// applies each undo log in reverse and truncates the file to its last synced size, so the file
// holds exactly its last synced contents. With a random generator it is harsher, like a disk
// with a volatile cache: each 512-byte piece of each unsynced write is independently kept or
// rolled back, and the file keeps any size between its synced size and its current size (the
// unsynced tail's pieces kept or zeroed). SQLite must survive both, since the default VFS's
// device characteristics (reported unchanged) promise no atomic or ordered writes; the only
// thing a write guarantees is that bytes outside it are not disturbed (powersafe overwrite).
// The -shm file is not tracked: it is not durable storage, and the default VFS maps it directly;
// SQLite rebuilds it from the WAL when the first connection opens the database again. A deleted
// file stays deleted, and a file that exists when reset() is called counts as durable.
//
// Thread-safety: none. One thread uses the connections opened through a FaultVfs, and calls its
// methods between SQLite calls. Ownership: the FaultVfs registers itself in its constructor and
// unregisters in its destructor; every connection opened through it must be closed before.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

struct sqlite3_vfs;

namespace loyalty::storage::test {

enum class FaultMode { off, io_error, power_cut };

class FaultVfs {
 public:
  // Registers the shim under `name` (not as the default VFS); the name must be unique among the
  // registered VFSes of the process.
  explicit FaultVfs(std::string name);
  ~FaultVfs();
  FaultVfs(const FaultVfs&) = delete;
  FaultVfs& operator=(const FaultVfs&) = delete;

  const std::string& name() const { return name_; }

  // Faults off, the operation count back to 0, and every tracked file's current contents taken
  // as durable (the undo logs are dropped).
  void reset();
  // From now on the first `operations` counted operations succeed, then the shim trips in `mode`.
  void arm(FaultMode mode, std::int64_t operations);
  // Faults off; nothing is restored. Files keep their undo logs until reset() or power_restore().
  void disarm();

  bool tripped() const { return tripped_; }
  // Counted operations since the last reset() (including the failed ones).
  std::int64_t operations() const { return operations_; }
  // Undo log entries over all files: unsynced writes that overwrote bytes, and truncates.
  std::size_t undo_entries() const;

  // Puts every tracked file back to its last synced state (see the durability model above), then
  // resets. `random` null: exactly the synced contents; otherwise a random mix of unsynced writes
  // is kept (torn writes, reordering, a longer file). Every connection opened through the shim
  // must be closed. Returns "" or a description of the OS call that failed.
  std::string power_restore(std::mt19937_64* random = nullptr);
  // What the last power_restore() changed: bytes put back or zeroed, plus bytes cut off the end.
  std::int64_t restored_bytes() const { return restored_bytes_; }

  // --- Used by the shim's SQLite callbacks (crash/fault_vfs.cc); not for tests. ---
  struct UndoEntry {
    std::int64_t offset = 0;
    std::string old_bytes;
    bool truncation = false;  // bytes a truncate cut off: always put back
  };
  struct FileState {
    std::int64_t synced_size = 0;
    std::vector<UndoEntry> undo;
  };
  // Counts one operation; true when it must fail.
  bool count_and_fail();
  bool failing() const { return mode_ != FaultMode::off && tripped_; }
  FileState* track(const std::string& path, std::int64_t current_size);
  void forget(const std::string& path) { files_.erase(path); }
  sqlite3_vfs* real() const { return real_; }

 private:
  std::string name_;
  sqlite3_vfs* real_ = nullptr;  // the wrapped default VFS; owned by SQLite
  std::unique_ptr<sqlite3_vfs> shim_;
  FaultMode mode_ = FaultMode::off;
  std::int64_t budget_ = 0;
  std::int64_t operations_ = 0;
  bool tripped_ = false;
  std::int64_t restored_bytes_ = 0;
  std::map<std::string, FileState> files_;
};

}  // namespace loyalty::storage::test
