// A terminal's identity: the URI "urn:loyalty:terminal:<store>:<terminal>", and its place in a
// certificate (the one such URI among the subjectAltName entries).

#include <openssl/x509v3.h>

#include <string_view>

#include "loyalty/core/limits.h"
#include "loyalty/sync/tls.h"
#include "tls/openssl_handles.h"

namespace loyalty::sync {

namespace {

constexpr std::string_view terminal_uri_prefix = "urn:loyalty:terminal:";

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > limits::sync_id_bytes_max) return false;
  for (const char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Error identity_error(std::string what) {
  return make_error(ErrorCode::invalid_argument, "the client certificate " + std::move(what) +
                                                     "; it needs exactly one subjectAltName URI " +
                                                     std::string(terminal_uri_prefix) +
                                                     "<store>:<terminal>");
}

}  // namespace

std::string terminal_uri(const TerminalIdentity& terminal) {
  return std::string(terminal_uri_prefix) + terminal.store_id + ":" + terminal.terminal_id;
}

std::optional<TerminalIdentity> parse_terminal_uri(std::string_view uri) {
  if (!uri.starts_with(terminal_uri_prefix)) return std::nullopt;
  const std::string_view rest = uri.substr(terminal_uri_prefix.size());
  const std::size_t colon = rest.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view store = rest.substr(0, colon);
  const std::string_view terminal = rest.substr(colon + 1);
  if (!valid_id(store) || !valid_id(terminal)) return std::nullopt;  // ':' is not an id char
  return TerminalIdentity{std::string(store), std::string(terminal)};
}

Result<TerminalIdentity> terminal_identity(const void* x509_certificate) {
  if (x509_certificate == nullptr) return identity_error("is missing");
  const X509* certificate = static_cast<const X509*>(x509_certificate);
  int critical = 0;
  tls::GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, &critical, nullptr)));
  if (!names) {
    if (critical == -2) return identity_error("has more than one subjectAltName extension");
    return identity_error("has no subjectAltName");
  }
  std::optional<TerminalIdentity> found;
  const int count = sk_GENERAL_NAME_num(names.get());
  for (int i = 0; i < count; ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* text = name->d.uniformResourceIdentifier;
    const std::string_view uri(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                               static_cast<std::size_t>(ASN1_STRING_length(text)));
    if (!uri.starts_with(terminal_uri_prefix)) continue;
    std::optional<TerminalIdentity> identity = parse_terminal_uri(uri);
    if (!identity)
      return identity_error("has a malformed terminal URI \"" + std::string(uri) + "\"");
    if (found) return identity_error("has more than one terminal URI");
    found = std::move(identity);
  }
  if (!found) return identity_error("has no terminal URI");
  return *found;
}

}  // namespace loyalty::sync
