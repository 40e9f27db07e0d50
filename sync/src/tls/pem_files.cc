// Bounded PEM reads, parsing into OpenSSL handles, and file writes with a mode.

#include "tls/pem_files.h"

#include <fcntl.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "loyalty/core/limits.h"

namespace loyalty::sync::tls {

namespace {

// A file descriptor, closed by the destructor.
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting the error close() gives (a write that did not reach the disk).
  bool close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

Error errno_error(const std::string& path, const std::string& what, int errno_value) {
  return make_error(ErrorCode::io_error,
                    path + ": cannot " + what + ": " + std::strerror(errno_value));
}

BioPtr memory_bio(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

Result<std::string> bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  if (size < 0 || data == nullptr) {
    return make_error(ErrorCode::internal, "cannot write PEM: " + openssl_errors());
  }
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

Result<std::string> read_pem_file(const std::string& path, const std::string& what) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int error = errno;
    if (error == ENOENT) {
      return make_error(ErrorCode::not_found,
                        path + ": " + what + " is missing; check the path in the configuration");
    }
    return errno_error(path, "read " + what, error);
  }
  std::string text;
  char buffer[16 * 1024];
  // Bounded: at most sync_pem_bytes_max / sizeof(buffer) + 1 reads of data.
  while (text.size() <= limits::sync_pem_bytes_max) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return errno_error(path, "read " + what, errno);
    if (got == 0) break;
    text.append(buffer, static_cast<std::size_t>(got));
  }
  if (text.size() > limits::sync_pem_bytes_max) {
    return make_error(ErrorCode::limit_exceeded,
                      path + ": " + what + " is larger than " +
                          std::to_string(limits::sync_pem_bytes_max) +
                          " bytes (limits::sync_pem_bytes_max); is it the right file?");
  }
  if (text.find("-----BEGIN ") == std::string::npos) {
    return make_error(ErrorCode::parse_error,
                      path + ": " + what + " is not PEM (no \"-----BEGIN \" line)");
  }
  return text;
}

Result<X509Ptr> parse_certificate(const std::string& text, const std::string& path) {
  ERR_clear_error();
  BioPtr bio = memory_bio(text);
  X509Ptr certificate(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!certificate) {
    return make_error(ErrorCode::parse_error,
                      path + ": not a PEM certificate: " + openssl_errors());
  }
  return certificate;
}

Result<EvpPkeyPtr> parse_private_key(const std::string& text, const std::string& path) {
  ERR_clear_error();
  BioPtr bio = memory_bio(text);
  EvpPkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) {
    return make_error(ErrorCode::parse_error,
                      path + ": not an unencrypted PEM private key: " + openssl_errors());
  }
  return key;
}

Result<std::string> certificate_pem(X509* certificate) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), certificate) != 1) {
    return make_error(ErrorCode::internal, "cannot write a certificate: " + openssl_errors());
  }
  return bio_text(bio.get());
}

Result<std::string> private_key_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return make_error(ErrorCode::internal, "cannot write a private key: " + openssl_errors());
  }
  return bio_text(bio.get());
}

Status write_file(const std::string& path, const std::string& content, mode_t mode,
                  Overwrite overwrite) {
  const int flags =
      O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite == Overwrite::refuse ? O_EXCL : O_TRUNC);
  UniqueFd fd(::open(path.c_str(), flags, mode));
  if (fd.get() < 0) {
    if (errno == EEXIST) {
      return make_error(ErrorCode::conflict,
                        path + ": already exists; refusing to overwrite it (move it away first)");
    }
    return errno_error(path, "create", errno);
  }
  // The mode of an existing file, and one the umask narrowed, become `mode` exactly.
  if (::fchmod(fd.get(), mode) != 0) return errno_error(path, "chmod", errno);
  std::size_t written = 0;
  while (written < content.size()) {  // bounded: each pass writes at least one byte
    const ssize_t put = ::write(fd.get(), content.data() + written, content.size() - written);
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) return errno_error(path, "write", errno);
    written += static_cast<std::size_t>(put);
  }
  if (::fsync(fd.get()) != 0) return errno_error(path, "fsync", errno);
  if (!fd.close()) return errno_error(path, "close", errno);
  return Status();
}

Status ensure_directory(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) return Status();
  const std::filesystem::path directory(path);
  if (directory.has_parent_path() && !directory.parent_path().empty()) {
    std::filesystem::create_directories(directory.parent_path(), error);
    if (error) {
      return make_error(ErrorCode::io_error,
                        path + ": cannot create its parent directory: " + error.message());
    }
  }
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return errno_error(path, "create the directory", errno);
  }
  return Status();
}

}  // namespace loyalty::sync::tls
