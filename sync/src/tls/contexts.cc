// The TLS contexts of sync: TLS 1.2 or later, the peer's certificate required and verified
// against the configured CA, our certificate chain and key loaded from bounded PEM files.

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/system/system_error.hpp>
#include <exception>

#include "loyalty/sync/tls.h"
#include "tls/openssl_handles.h"
#include "tls/pem_files.h"

namespace loyalty::sync {

namespace ssl = boost::asio::ssl;
using boost::system::error_code;

namespace {

Error load_error(const std::string& path, const std::string& what, const error_code& error) {
  return make_error(
      ErrorCode::invalid_argument,
      path + ": cannot load " + what + ": " + error.message() + " (" + tls::openssl_errors() + ")");
}

Status load_files(ssl::context& context, const TlsFiles& files) {
  const std::string ca = TRY(tls::read_pem_file(files.ca_path, "the CA certificate"));
  const std::string chain = TRY(tls::read_pem_file(files.certificate_path, "the certificate"));
  const std::string key = TRY(tls::read_pem_file(files.private_key_path, "the private key"));
  error_code error;
  ERR_clear_error();
  context.add_certificate_authority(boost::asio::buffer(ca), error);
  if (error) return load_error(files.ca_path, "the CA certificate", error);
  context.use_certificate_chain(boost::asio::buffer(chain), error);
  if (error) return load_error(files.certificate_path, "the certificate", error);
  context.use_private_key(boost::asio::buffer(key), ssl::context::pem, error);
  // OpenSSL 3 refuses a key that does not match the certificate as it loads it.
  const bool mismatch =
      error && error.category() == boost::asio::error::get_ssl_category() &&
      ERR_GET_REASON(static_cast<unsigned long>(error.value())) == X509_R_KEY_VALUES_MISMATCH;
  if (error && !mismatch) return load_error(files.private_key_path, "the private key", error);
  if (mismatch || SSL_CTX_check_private_key(context.native_handle()) != 1) {
    tls::openssl_errors();
    return make_error(ErrorCode::invalid_argument,
                      files.private_key_path + ": the private key does not match the certificate " +
                          files.certificate_path + "; use the key issued with that certificate");
  }
  return Status();
}

Result<ssl::context> make_context(const TlsFiles& files, ssl::context::method method,
                                  ssl::verify_mode verify) {
  try {
    ssl::context context(method);
    context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                        ssl::context::no_compression);
    if (SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION) != 1) {
      return make_error(ErrorCode::internal,
                        "cannot require TLS 1.2 or later: " + tls::openssl_errors());
    }
    TRY(load_files(context, files));
    error_code error;
    context.set_verify_mode(verify, error);
    if (error)
      return make_error(ErrorCode::internal, "cannot set TLS verification: " + error.message());
    return Result<ssl::context>(std::move(context));
  } catch (const std::exception& e) {  // ssl::context's constructor throws when OpenSSL fails
    return make_error(ErrorCode::internal, std::string("cannot create a TLS context: ") + e.what());
  }
}

}  // namespace

Result<ssl::context> make_server_context(const TlsFiles& files) {
  return make_context(files, ssl::context::tls_server,
                      ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
}

Result<ssl::context> make_client_context(const TlsFiles& files) {
  return make_context(files, ssl::context::tls_client, ssl::verify_peer);
}

}  // namespace loyalty::sync
