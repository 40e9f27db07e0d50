// The development CA: a P-256 key and self-signed CA certificate, and the terminal and server
// certificates it issues (docs/sync.md, "Keys and certificates").

#include <arpa/inet.h>

#include <filesystem>
#include <optional>

#include "loyalty/sync/tls.h"
#include "tls/certificate_builder.h"
#include "tls/pem_files.h"

namespace loyalty::sync {

namespace {

// The longest validity the development CA gives (100 years).
constexpr std::int64_t valid_days_max = 36'500;

std::string join(const std::string& directory, const std::string& name) {
  return (std::filesystem::path(directory) / name).string();
}

Status check_valid_days(std::int64_t valid_days) {
  if (valid_days < 1 || valid_days > valid_days_max) {
    return make_error(ErrorCode::invalid_argument, "valid_days " + std::to_string(valid_days) +
                                                       " is out of range (1.." +
                                                       std::to_string(valid_days_max) + ")");
  }
  return Status();
}

bool is_ip_address(const std::string& name) {
  unsigned char buffer[16];
  return ::inet_pton(AF_INET, name.c_str(), buffer) == 1 ||
         ::inet_pton(AF_INET6, name.c_str(), buffer) == 1;
}

bool is_dns_name(const std::string& name) {
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.') return false;
  if (name.find("..") != std::string::npos) return false;
  for (const char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// The subjectAltName value for HQ's names: "DNS:hq.example,IP:127.0.0.1".
Result<std::string> server_alt_names(const std::vector<std::string>& names) {
  std::string value;
  for (const std::string& name : names) {
    if (!value.empty()) value += ",";
    if (is_ip_address(name)) {
      value += "IP:" + name;
    } else if (is_dns_name(name)) {
      value += "DNS:" + name;
    } else {
      return make_error(ErrorCode::invalid_argument,
                        "server name \"" + name + "\" is neither a DNS name nor an IP address");
    }
  }
  return value;
}

struct LoadedCa {
  tls::X509Ptr certificate;
  tls::EvpPkeyPtr key;
  std::string certificate_pem;
};

Result<LoadedCa> load_ca(const std::string& directory) {
  const std::string crt_path = join(directory, "ca.crt");
  const std::string key_path = join(directory, "ca.key");
  LoadedCa ca;
  ca.certificate_pem = TRY(tls::read_pem_file(crt_path, "the CA certificate"));
  ca.certificate = TRY(tls::parse_certificate(ca.certificate_pem, crt_path));
  const std::string key_pem = TRY(tls::read_pem_file(key_path, "the CA key"));
  ca.key = TRY(tls::parse_private_key(key_pem, key_path));
  if (X509_check_private_key(ca.certificate.get(), ca.key.get()) != 1) {
    tls::openssl_errors();
    return make_error(ErrorCode::invalid_argument,
                      key_path + ": the CA key does not match " + crt_path);
  }
  return ca;
}

// The extensions of an issued certificate, or an error naming what is wrong in the request.
Result<tls::CertificateSpec> leaf_spec(const CaIssue& request) {
  tls::CertificateSpec spec;
  spec.not_before = request.not_before;
  spec.valid_days = request.valid_days;
  spec.extensions = {{NID_basic_constraints, "critical,CA:FALSE"},
                     {NID_key_usage, "critical,digitalSignature"}};
  if (request.terminal) {
    const std::string uri = terminal_uri(*request.terminal);
    if (!parse_terminal_uri(uri)) {
      return make_error(ErrorCode::invalid_argument,
                        "terminal \"" + request.terminal->store_id + ":" +
                            request.terminal->terminal_id +
                            "\": store and terminal ids are 1..64 bytes of [A-Za-z0-9._-]");
    }
    spec.common_name = request.terminal->terminal_id;
    spec.organization = request.terminal->store_id;
    spec.extensions.push_back({NID_ext_key_usage, "clientAuth"});
    spec.extensions.push_back({NID_subject_alt_name, "URI:" + uri});
  } else {
    spec.common_name = request.server_names.front();
    spec.extensions.push_back({NID_ext_key_usage, "serverAuth"});
    spec.extensions.push_back({NID_subject_alt_name, TRY(server_alt_names(request.server_names))});
  }
  spec.extensions.push_back({NID_subject_key_identifier, "hash"});
  spec.extensions.push_back({NID_authority_key_identifier, "keyid:always"});
  return spec;
}

Status check_issue_request(const CaIssue& request) {
  if (request.terminal.has_value() == !request.server_names.empty()) {
    return make_error(ErrorCode::invalid_argument,
                      "a certificate is either a terminal's (terminal set) or a server's "
                      "(server_names set); set exactly one of them");
  }
  if (request.out_prefix.find('/') != std::string::npos || request.out_prefix == "ca") {
    return make_error(
        ErrorCode::invalid_argument,
        "out_prefix \"" + request.out_prefix + "\" must be a plain file name other than \"ca\"");
  }
  return check_valid_days(request.valid_days);
}

}  // namespace

Status ca_init(const CaInit& request) {
  TRY(check_valid_days(request.valid_days));
  if (request.name.empty() || request.name.size() > 64) {
    return make_error(ErrorCode::invalid_argument, "the CA name must be 1..64 bytes");
  }
  TRY(tls::ensure_directory(request.directory));
  const std::string key_path = join(request.directory, "ca.key");
  const std::string crt_path = join(request.directory, "ca.crt");
  for (const std::string& path : {key_path, crt_path}) {
    std::error_code ignored;
    if (std::filesystem::exists(path, ignored)) {
      return make_error(ErrorCode::conflict, path + ": a CA already exists in " +
                                                 request.directory + "; refusing to overwrite it");
    }
  }
  tls::EvpPkeyPtr key = TRY(tls::generate_p256_key());
  tls::CertificateSpec spec;
  spec.common_name = request.name;
  spec.not_before = request.now;
  spec.valid_days = request.valid_days;
  spec.extensions = {{NID_basic_constraints, "critical,CA:TRUE"},
                     {NID_key_usage, "critical,keyCertSign,cRLSign"},
                     {NID_subject_key_identifier, "hash"}};
  tls::X509Ptr certificate = TRY(tls::build_certificate(spec, key.get(), nullptr, key.get()));
  TRY(tls::write_file(key_path, TRY(tls::private_key_pem(key.get())), 0600,
                      tls::Overwrite::refuse));
  return tls::write_file(crt_path, TRY(tls::certificate_pem(certificate.get())), 0644,
                         tls::Overwrite::refuse);
}

Status ca_issue(const CaIssue& request) {
  TRY(check_issue_request(request));
  const tls::CertificateSpec spec = TRY(leaf_spec(request));
  LoadedCa ca = TRY(load_ca(request.ca_directory));
  tls::EvpPkeyPtr key = TRY(tls::generate_p256_key());
  tls::X509Ptr certificate =
      TRY(tls::build_certificate(spec, key.get(), ca.certificate.get(), ca.key.get()));
  const std::string prefix =
      !request.out_prefix.empty() ? request.out_prefix : (request.terminal ? "terminal" : "server");
  TRY(tls::ensure_directory(request.out_directory));
  TRY(tls::write_file(join(request.out_directory, prefix + ".key"),
                      TRY(tls::private_key_pem(key.get())), 0600, tls::Overwrite::replace));
  TRY(tls::write_file(join(request.out_directory, prefix + ".crt"),
                      TRY(tls::certificate_pem(certificate.get())), 0644, tls::Overwrite::replace));
  return tls::write_file(join(request.out_directory, "ca.crt"), ca.certificate_pem, 0644,
                         tls::Overwrite::replace);
}

}  // namespace loyalty::sync
