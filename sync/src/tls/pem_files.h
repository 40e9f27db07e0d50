// Reading and writing the PEM files of sync's TLS: bounded reads (limits::sync_pem_bytes_max),
// parsing into OpenSSL handles, and writes with a chosen mode (0600 for private keys).
//
// Thread-safety: functions of their arguments and the file system only.
#pragma once

#include <sys/types.h>

#include <string>

#include "loyalty/core/result.h"
#include "tls/openssl_handles.h"

namespace loyalty::sync::tls {

// The whole file, at most limits::sync_pem_bytes_max bytes, that must look like PEM (a
// "-----BEGIN " line). `what` names the file's role in messages ("the CA certificate").
Result<std::string> read_pem_file(const std::string& path, const std::string& what);

// The first certificate / private key in PEM `text`; errors name `path`.
Result<X509Ptr> parse_certificate(const std::string& text, const std::string& path);
Result<EvpPkeyPtr> parse_private_key(const std::string& text, const std::string& path);

// PEM text of a certificate / an unencrypted private key (PKCS#8).
Result<std::string> certificate_pem(X509* certificate);
Result<std::string> private_key_pem(EVP_PKEY* key);

enum class Overwrite { refuse, replace };
// Writes `content` to `path` with `mode` (set even when the file existed). With
// Overwrite::refuse an existing file is a conflict error.
Status write_file(const std::string& path, const std::string& content, mode_t mode,
                  Overwrite overwrite);
// Creates `path` with mode 0700 when it is missing (its parents too); an existing directory is
// left as it is.
Status ensure_directory(const std::string& path);

}  // namespace loyalty::sync::tls
