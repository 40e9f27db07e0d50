// FaultVfs: see crash/fault_vfs.h for the fault and durability model.
#include "crash/fault_vfs.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <utility>

#include "loyalty/core/result.h"

namespace loyalty::storage::test {
namespace {

constexpr std::int64_t piece_bytes = 512;  // the unit a harsh power cut keeps or loses

// One open file of the shim. SQLite allocates szOsFile bytes for it: this struct, then the
// wrapped VFS's own file at `real_offset`.
struct ShimFile {
  sqlite3_file base;  // must be first: SQLite sees a sqlite3_file*
  FaultVfs* owner;
  sqlite3_file* real;
  bool tracked;       // main database, WAL or journal with a name: under the durability model
  std::string* path;  // owned: made in shim_open, deleted in shim_close
};

constexpr std::size_t real_offset = (sizeof(ShimFile) + 15) / 16 * 16;

ShimFile* shim_of(sqlite3_file* file) { return reinterpret_cast<ShimFile*>(file); }
FaultVfs* owner_of(sqlite3_vfs* vfs) { return static_cast<FaultVfs*>(vfs->pAppData); }

std::int64_t real_size(sqlite3_file* real) {
  sqlite3_int64 size = 0;
  if (real->pMethods->xFileSize(real, &size) != SQLITE_OK) return -1;
  return size;
}

// --- io methods -------------------------------------------------------------------------------

int shim_close(sqlite3_file* file) {
  ShimFile* f = shim_of(file);
  // Closing is not I/O that can lose data (nothing is synced by it); always let it release.
  const int rc = f->real->pMethods->xClose(f->real);
  delete f->path;
  f->path = nullptr;
  return rc;
}

int shim_read(sqlite3_file* file, void* buffer, int amount, sqlite3_int64 offset) {
  ShimFile* f = shim_of(file);
  if (f->owner->count_and_fail()) return SQLITE_IOERR_READ;
  return f->real->pMethods->xRead(f->real, buffer, amount, offset);
}

int shim_write(sqlite3_file* file, const void* buffer, int amount, sqlite3_int64 offset) {
  ShimFile* f = shim_of(file);
  if (f->owner->count_and_fail()) return SQLITE_IOERR_WRITE;
  if (f->tracked) {
    const std::int64_t size = real_size(f->real);
    if (size < 0) return SQLITE_IOERR_WRITE;
    FaultVfs::FileState* state = f->owner->track(*f->path, size);
    const std::int64_t end = std::min<std::int64_t>(offset + amount, size);
    if (end > offset) {
      FaultVfs::UndoEntry entry;
      entry.offset = offset;
      entry.old_bytes.resize(static_cast<std::size_t>(end - offset));
      const int rc = f->real->pMethods->xRead(f->real, entry.old_bytes.data(),
                                              static_cast<int>(end - offset), offset);
      if (rc != SQLITE_OK) return SQLITE_IOERR_WRITE;
      state->undo.push_back(std::move(entry));
    }
  }
  return f->real->pMethods->xWrite(f->real, buffer, amount, offset);
}

int shim_truncate(sqlite3_file* file, sqlite3_int64 size) {
  ShimFile* f = shim_of(file);
  if (f->owner->count_and_fail()) return SQLITE_IOERR_TRUNCATE;
  if (f->tracked) {
    const std::int64_t current = real_size(f->real);
    if (current < 0) return SQLITE_IOERR_TRUNCATE;
    FaultVfs::FileState* state = f->owner->track(*f->path, current);
    if (current > size) {
      FaultVfs::UndoEntry entry;
      entry.offset = size;
      entry.truncation = true;
      entry.old_bytes.resize(static_cast<std::size_t>(current - size));
      const int rc = f->real->pMethods->xRead(f->real, entry.old_bytes.data(),
                                              static_cast<int>(current - size), size);
      if (rc != SQLITE_OK) return SQLITE_IOERR_TRUNCATE;
      state->undo.push_back(std::move(entry));
    }
  }
  return f->real->pMethods->xTruncate(f->real, size);
}

int shim_sync(sqlite3_file* file, int flags) {
  ShimFile* f = shim_of(file);
  if (f->owner->count_and_fail()) return SQLITE_IOERR_FSYNC;
  const int rc = f->real->pMethods->xSync(f->real, flags);
  if (rc == SQLITE_OK && f->tracked) {
    const std::int64_t size = real_size(f->real);
    if (size < 0) return SQLITE_IOERR_FSYNC;
    FaultVfs::FileState* state = f->owner->track(*f->path, size);
    state->undo.clear();
    state->synced_size = size;
  }
  return rc;
}

int shim_file_size(sqlite3_file* file, sqlite3_int64* size) {
  ShimFile* f = shim_of(file);
  return f->real->pMethods->xFileSize(f->real, size);
}

int shim_lock(sqlite3_file* file, int level) {
  ShimFile* f = shim_of(file);
  return f->real->pMethods->xLock(f->real, level);
}

int shim_unlock(sqlite3_file* file, int level) {
  ShimFile* f = shim_of(file);
  return f->real->pMethods->xUnlock(f->real, level);
}

int shim_check_reserved_lock(sqlite3_file* file, int* out) {
  ShimFile* f = shim_of(file);
  return f->real->pMethods->xCheckReservedLock(f->real, out);
}

int shim_file_control(sqlite3_file* file, int op, void* arg) {
  ShimFile* f = shim_of(file);
  return f->real->pMethods->xFileControl(f->real, op, arg);
}

int shim_sector_size(sqlite3_file* file) {
  ShimFile* f = shim_of(file);
  return f->real->pMethods->xSectorSize(f->real);
}

int shim_device_characteristics(sqlite3_file* file) {
  ShimFile* f = shim_of(file);
  return f->real->pMethods->xDeviceCharacteristics(f->real);
}

// Shared memory (the WAL index) is delegated as is: it is memory, not durable storage.
int shim_shm_map(sqlite3_file* file, int page, int page_size, int extend, void volatile** out) {
  ShimFile* f = shim_of(file);
  return f->real->pMethods->xShmMap(f->real, page, page_size, extend, out);
}

int shim_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  ShimFile* f = shim_of(file);
  return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

void shim_shm_barrier(sqlite3_file* file) {
  ShimFile* f = shim_of(file);
  f->real->pMethods->xShmBarrier(f->real);
}

int shim_shm_unmap(sqlite3_file* file, int delete_flag) {
  ShimFile* f = shim_of(file);
  return f->real->pMethods->xShmUnmap(f->real, delete_flag);
}

// Version 2: no xFetch / xUnfetch, so SQLite never reads the database through a memory map that
// would bypass the shim.
const sqlite3_io_methods shim_io_methods = {
    2,
    shim_close,
    shim_read,
    shim_write,
    shim_truncate,
    shim_sync,
    shim_file_size,
    shim_lock,
    shim_unlock,
    shim_check_reserved_lock,
    shim_file_control,
    shim_sector_size,
    shim_device_characteristics,
    shim_shm_map,
    shim_shm_lock,
    shim_shm_barrier,
    shim_shm_unmap,
    nullptr,
    nullptr,
};

// --- vfs methods ------------------------------------------------------------------------------

int shim_open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  FaultVfs* owner = owner_of(vfs);
  ShimFile* f = shim_of(file);
  f->base.pMethods = nullptr;  // SQLite does not close a file whose open failed
  if (owner->failing()) return SQLITE_CANTOPEN;
  sqlite3_file* real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + real_offset);
  std::memset(real, 0, static_cast<std::size_t>(owner->real()->szOsFile));
  const int rc = owner->real()->xOpen(owner->real(), name, real, flags, out_flags);
  if (rc != SQLITE_OK) {
    // The wrapped VFS may have set its methods even on failure; then it must be closed.
    if (real->pMethods != nullptr) real->pMethods->xClose(real);
    return rc;
  }
  f->owner = owner;
  f->real = real;
  constexpr int durable_kinds = SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL;
  f->tracked = name != nullptr && (flags & durable_kinds) != 0;
  f->path = new std::string(name != nullptr ? name : "");
  f->base.pMethods = &shim_io_methods;
  if (f->tracked) {
    const std::int64_t size = real_size(real);
    if (size >= 0) owner->track(*f->path, size);
  }
  return SQLITE_OK;
}

int shim_delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  FaultVfs* owner = owner_of(vfs);
  if (owner->failing()) return SQLITE_IOERR_DELETE;
  const int rc = owner->real()->xDelete(owner->real(), name, sync_dir);
  // A deleted file stays deleted (the model does not bring back an unlinked file).
  if (rc == SQLITE_OK) owner->forget(name);
  return rc;
}

int shim_access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  sqlite3_vfs* real = owner_of(vfs)->real();
  return real->xAccess(real, name, flags, out);
}

int shim_full_pathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
  sqlite3_vfs* real = owner_of(vfs)->real();
  return real->xFullPathname(real, name, size, out);
}

void* shim_dl_open(sqlite3_vfs* vfs, const char* name) {
  sqlite3_vfs* real = owner_of(vfs)->real();
  return real->xDlOpen(real, name);
}

void shim_dl_error(sqlite3_vfs* vfs, int size, char* out) {
  sqlite3_vfs* real = owner_of(vfs)->real();
  real->xDlError(real, size, out);
}

void (*shim_dl_sym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  sqlite3_vfs* real = owner_of(vfs)->real();
  return real->xDlSym(real, handle, symbol);
}

void shim_dl_close(sqlite3_vfs* vfs, void* handle) {
  sqlite3_vfs* real = owner_of(vfs)->real();
  real->xDlClose(real, handle);
}

int shim_randomness(sqlite3_vfs* vfs, int size, char* out) {
  sqlite3_vfs* real = owner_of(vfs)->real();
  return real->xRandomness(real, size, out);
}

int shim_sleep(sqlite3_vfs* vfs, int microseconds) {
  sqlite3_vfs* real = owner_of(vfs)->real();
  return real->xSleep(real, microseconds);
}

int shim_current_time(sqlite3_vfs* vfs, double* out) {
  sqlite3_vfs* real = owner_of(vfs)->real();
  return real->xCurrentTime(real, out);
}

int shim_get_last_error(sqlite3_vfs* vfs, int size, char* out) {
  sqlite3_vfs* real = owner_of(vfs)->real();
  return real->xGetLastError(real, size, out);
}

int shim_current_time_int64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  sqlite3_vfs* real = owner_of(vfs)->real();
  return real->xCurrentTimeInt64(real, out);
}

int shim_set_system_call(sqlite3_vfs* vfs, const char* name, sqlite3_syscall_ptr call) {
  sqlite3_vfs* real = owner_of(vfs)->real();
  return real->xSetSystemCall(real, name, call);
}

sqlite3_syscall_ptr shim_get_system_call(sqlite3_vfs* vfs, const char* name) {
  sqlite3_vfs* real = owner_of(vfs)->real();
  return real->xGetSystemCall(real, name);
}

const char* shim_next_system_call(sqlite3_vfs* vfs, const char* name) {
  sqlite3_vfs* real = owner_of(vfs)->real();
  return real->xNextSystemCall(real, name);
}

std::string os_error(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

bool write_all(int fd, const char* data, std::int64_t size, std::int64_t offset) {
  while (size > 0) {
    const ssize_t done = pwrite(fd, data, static_cast<std::size_t>(size), offset);
    if (done < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += done;
    size -= done;
    offset += done;
  }
  return true;
}

}  // namespace

FaultVfs::FaultVfs(std::string name) : name_(std::move(name)) {
  real_ = sqlite3_vfs_find(nullptr);
  LOYALTY_ASSERT(real_ != nullptr);
  LOYALTY_ASSERT(real_->iVersion >= 3);
  shim_ = std::make_unique<sqlite3_vfs>();
  sqlite3_vfs& v = *shim_;
  v.iVersion = 3;
  v.szOsFile = static_cast<int>(real_offset) + real_->szOsFile;
  v.mxPathname = real_->mxPathname;
  v.pNext = nullptr;
  v.zName = name_.c_str();
  v.pAppData = this;
  v.xOpen = shim_open;
  v.xDelete = shim_delete;
  v.xAccess = shim_access;
  v.xFullPathname = shim_full_pathname;
  v.xDlOpen = shim_dl_open;
  v.xDlError = shim_dl_error;
  v.xDlSym = shim_dl_sym;
  v.xDlClose = shim_dl_close;
  v.xRandomness = shim_randomness;
  v.xSleep = shim_sleep;
  v.xCurrentTime = shim_current_time;
  v.xGetLastError = shim_get_last_error;
  v.xCurrentTimeInt64 = shim_current_time_int64;
  v.xSetSystemCall = shim_set_system_call;
  v.xGetSystemCall = shim_get_system_call;
  v.xNextSystemCall = shim_next_system_call;
  LOYALTY_ASSERT(sqlite3_vfs_register(shim_.get(), 0) == SQLITE_OK);
}

FaultVfs::~FaultVfs() { sqlite3_vfs_unregister(shim_.get()); }

void FaultVfs::reset() {
  mode_ = FaultMode::off;
  budget_ = 0;
  operations_ = 0;
  tripped_ = false;
  files_.clear();
}

void FaultVfs::arm(FaultMode mode, std::int64_t operations) {
  mode_ = mode;
  budget_ = operations_ + operations;
  tripped_ = false;
}

void FaultVfs::disarm() {
  mode_ = FaultMode::off;
  tripped_ = false;
}

std::size_t FaultVfs::undo_entries() const {
  std::size_t count = 0;
  for (const auto& [path, state] : files_) count += state.undo.size();
  return count;
}

bool FaultVfs::count_and_fail() {
  ++operations_;
  if (mode_ == FaultMode::off) return false;
  if (operations_ > budget_) tripped_ = true;
  return tripped_;
}

FaultVfs::FileState* FaultVfs::track(const std::string& path, std::int64_t current_size) {
  auto [it, inserted] = files_.try_emplace(path);
  // A file first seen now is durable as it is (it existed at reset(), or was just created).
  if (inserted) it->second.synced_size = current_size;
  return &it->second;
}

std::string FaultVfs::power_restore(std::mt19937_64* random) {
  auto coin = [random] { return random != nullptr && (*random)() % 2 == 0; };
  restored_bytes_ = 0;
  for (auto& [path, state] : files_) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) continue;
      return os_error("open", path);
    }
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (fstat(fd, &st) != 0) return os_error("fstat", path);
    const std::int64_t current = st.st_size;

    // Undo the unsynced writes, newest first, so each byte gets back the value it had at the
    // last sync (or, harshly, a value some unsynced write gave it).
    for (auto entry = state.undo.rbegin(); entry != state.undo.rend(); ++entry) {
      const std::int64_t end = entry->offset + static_cast<std::int64_t>(entry->old_bytes.size());
      for (std::int64_t at = entry->offset; at < end;) {
        const std::int64_t piece_end = std::min(end, (at / piece_bytes + 1) * piece_bytes);
        if (entry->truncation || !coin()) {
          const char* old = entry->old_bytes.data() + (at - entry->offset);
          if (!write_all(fd, old, piece_end - at, at)) return os_error("pwrite", path);
          restored_bytes_ += piece_end - at;
        }
        at = piece_end;
      }
    }

    // The size: the last synced one, or harshly anything up to the current size, with each
    // piece of the unsynced tail kept or zeroed.
    std::int64_t size = state.synced_size;
    if (random != nullptr && current > size && coin()) {
      size +=
          static_cast<std::int64_t>((*random)() % static_cast<std::uint64_t>(current - size + 1));
      const std::string zeros(static_cast<std::size_t>(piece_bytes), '\0');
      for (std::int64_t at = state.synced_size; at < size;) {
        const std::int64_t piece_end = std::min(size, (at / piece_bytes + 1) * piece_bytes);
        if (coin()) {
          if (!write_all(fd, zeros.data(), piece_end - at, at)) return os_error("pwrite", path);
          restored_bytes_ += piece_end - at;
        }
        at = piece_end;
      }
    }
    if (current > size) restored_bytes_ += current - size;
    if (ftruncate(fd, size) != 0) return os_error("ftruncate", path);
  }
  reset();
  return {};
}

}  // namespace loyalty::storage::test
