// SlowSyncVfs: a SQLite VFS shim for bench_daemon whose xSync takes `delay` longer than the
// disk's: a worn SD card or a busy eMMC, where one fsync takes several milliseconds. Everything
// else is SQLite's default VFS, untouched (the shared-memory methods of WAL mode included).
//
// Ownership: registers itself under its name in the constructor and unregisters in the
// destructor; every connection opened through it must be closed before. Thread-safety: xSync may
// run on any thread (the delay is a sleep); set_delay() must not race with open connections.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>

namespace bench {

class SlowSyncVfs {
 public:
  SlowSyncVfs(std::string name, std::chrono::microseconds delay)
      : name_(std::move(name)), real_(sqlite3_vfs_find(nullptr)) {
    delay_us_ = delay.count();
    vfs_ = *real_;
    vfs_.szOsFile = static_cast<int>(sizeof(File)) + real_->szOsFile;
    vfs_.zName = name_.c_str();
    vfs_.pAppData = this;
    vfs_.xOpen = &SlowSyncVfs::open;
    sqlite3_vfs_register(&vfs_, 0);
  }
  ~SlowSyncVfs() { sqlite3_vfs_unregister(&vfs_); }
  SlowSyncVfs(const SlowSyncVfs&) = delete;
  SlowSyncVfs& operator=(const SlowSyncVfs&) = delete;

  const std::string& name() const { return name_; }
  long long syncs() const { return syncs_; }

 private:
  struct File {
    sqlite3_file base;
    sqlite3_file* real;
    SlowSyncVfs* owner;
  };

  static sqlite3_file* real(sqlite3_file* file) { return reinterpret_cast<File*>(file)->real; }

  static int open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags,
                  int* out_flags) {
    auto* self = static_cast<SlowSyncVfs*>(vfs->pAppData);
    auto* wrapper = reinterpret_cast<File*>(file);
    wrapper->real = reinterpret_cast<sqlite3_file*>(wrapper + 1);
    wrapper->owner = self;
    std::memset(wrapper->real, 0, static_cast<std::size_t>(self->real_->szOsFile));
    const int rc = self->real_->xOpen(self->real_, name, wrapper->real, flags, out_flags);
    if (rc != SQLITE_OK || wrapper->real->pMethods == nullptr) {
      wrapper->base.pMethods = nullptr;
      return rc;
    }
    self->methods_ = *wrapper->real->pMethods;
    self->methods_.xClose = [](sqlite3_file* f) { return real(f)->pMethods->xClose(real(f)); };
    self->methods_.xRead = [](sqlite3_file* f, void* b, int n, sqlite3_int64 o) {
      return real(f)->pMethods->xRead(real(f), b, n, o);
    };
    self->methods_.xWrite = [](sqlite3_file* f, const void* b, int n, sqlite3_int64 o) {
      return real(f)->pMethods->xWrite(real(f), b, n, o);
    };
    self->methods_.xTruncate = [](sqlite3_file* f, sqlite3_int64 size) {
      return real(f)->pMethods->xTruncate(real(f), size);
    };
    self->methods_.xSync = [](sqlite3_file* f, int flags) {
      SlowSyncVfs* owner = reinterpret_cast<File*>(f)->owner;
      const int rc = real(f)->pMethods->xSync(real(f), flags);
      std::this_thread::sleep_for(std::chrono::microseconds(owner->delay_us_));
      ++owner->syncs_;
      return rc;
    };
    self->methods_.xFileSize = [](sqlite3_file* f, sqlite3_int64* size) {
      return real(f)->pMethods->xFileSize(real(f), size);
    };
    self->methods_.xLock = [](sqlite3_file* f, int lock) {
      return real(f)->pMethods->xLock(real(f), lock);
    };
    self->methods_.xUnlock = [](sqlite3_file* f, int lock) {
      return real(f)->pMethods->xUnlock(real(f), lock);
    };
    self->methods_.xCheckReservedLock = [](sqlite3_file* f, int* out) {
      return real(f)->pMethods->xCheckReservedLock(real(f), out);
    };
    self->methods_.xFileControl = [](sqlite3_file* f, int op, void* arg) {
      return real(f)->pMethods->xFileControl(real(f), op, arg);
    };
    self->methods_.xSectorSize = [](sqlite3_file* f) {
      return real(f)->pMethods->xSectorSize(real(f));
    };
    self->methods_.xDeviceCharacteristics = [](sqlite3_file* f) {
      return real(f)->pMethods->xDeviceCharacteristics(real(f));
    };
    self->methods_.xShmMap = [](sqlite3_file* f, int page, int size, int extend,
                                void volatile** out) {
      return real(f)->pMethods->xShmMap(real(f), page, size, extend, out);
    };
    self->methods_.xShmLock = [](sqlite3_file* f, int offset, int n, int flags) {
      return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
    };
    self->methods_.xShmBarrier = [](sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); };
    self->methods_.xShmUnmap = [](sqlite3_file* f, int remove) {
      return real(f)->pMethods->xShmUnmap(real(f), remove);
    };
    self->methods_.xFetch = [](sqlite3_file* f, sqlite3_int64 offset, int n, void** out) {
      return real(f)->pMethods->xFetch(real(f), offset, n, out);
    };
    self->methods_.xUnfetch = [](sqlite3_file* f, sqlite3_int64 offset, void* p) {
      return real(f)->pMethods->xUnfetch(real(f), offset, p);
    };
    wrapper->base.pMethods = &self->methods_;
    return rc;
  }

  std::string name_;
  sqlite3_vfs* real_;
  sqlite3_vfs vfs_{};
  sqlite3_io_methods methods_{};
  long long delay_us_ = 0;
  long long syncs_ = 0;
};

}  // namespace bench
