// Mutual TLS for sync (OpenSSL through Boost.Asio's ssl::context), and a development CA.
//
// Every terminal holds its own client certificate. Its identity is a URI subjectAltName
// "urn:loyalty:terminal:<store_id>:<terminal_id>" (ids of [A-Za-z0-9._-], 1..sync_id_bytes_max
// bytes); HQ takes the identity from the verified certificate alone and accepts batches only for
// that terminal. docs/sync.md ("Keys and certificates") says how to use a chain's own PKI: any CA
// will do that puts this URI in the certificates it issues.
//
// Thread-safety: the functions are thread-safe; a context may be shared by the connections of
// one io_context.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/sync/hq_store.h"

namespace loyalty::sync {

// The files of one side of a TLS connection: its certificate (chain) and private key, and the
// CA certificates it trusts for the peer. All PEM, each at most limits::sync_pem_bytes_max.
struct TlsFiles {
  std::string certificate_path;
  std::string private_key_path;
  std::string ca_path;
};

// TLS 1.2+ (1.3 preferred) contexts that require and verify the peer's certificate. Errors name
// the file and what is wrong with it (missing, not PEM, key does not match the certificate).
Result<boost::asio::ssl::context> make_server_context(const TlsFiles& files);
// `server_name`: the name the HQ certificate must carry (DNS or IP subjectAltName), checked.
Result<boost::asio::ssl::context> make_client_context(const TlsFiles& files);

// "urn:loyalty:terminal:<store>:<terminal>", and back (nullopt when `uri` is not one).
std::string terminal_uri(const TerminalIdentity& terminal);
std::optional<TerminalIdentity> parse_terminal_uri(std::string_view uri);
// The identity in a verified peer certificate (X509*, from SSL_get0_peer_certificate). Fails with
// invalid_argument when it has no terminal URI, or more than one.
Result<TerminalIdentity> terminal_identity(const void* x509_certificate);

// A development CA for tests, the demo and small pilots: an ECDSA P-256 key and self-signed
// certificate in `directory` (ca.key 0600, ca.crt). Refuses to overwrite an existing CA.
struct CaInit {
  std::string directory;
  std::string name = "loyalty development CA";
  std::int64_t valid_days = 3650;
  Timestamp now;
};
Status ca_init(const CaInit& request);

// A certificate issued by the CA in `ca_directory`: a terminal's (terminal set) or HQ's server
// certificate (server_names set: DNS names or IP addresses). Writes <out_prefix>.crt, .key
// (0600) into out_directory, and a copy of the CA certificate as ca.crt.
struct CaIssue {
  std::string ca_directory;
  std::string out_directory;
  std::string out_prefix;  // file names; default "terminal" or "server"
  std::optional<TerminalIdentity> terminal;
  std::vector<std::string> server_names;
  Timestamp not_before;
  std::int64_t valid_days = 825;
};
Status ca_issue(const CaIssue& request);

}  // namespace loyalty::sync
