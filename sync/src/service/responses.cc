// The HQ API's response bodies.

#include "service/responses.h"

#include <string>

#include "loyalty/core/json.h"
#include "loyalty/sync/api.h"

namespace loyalty::sync::service {

HttpsResponse error_response(int status, std::string_view message) {
  json::Writer out;
  out.begin_object();
  out.key("error");
  out.value(message);
  out.end_object();
  return HttpsResponse{status, std::string(api::json_type), "", out.take()};
}

HttpsResponse ack_response(const Ack& ack) {
  return HttpsResponse{200, std::string(api::json_type), "", encode_ack_json(ack)};
}

HttpsResponse downlink_response(const Downlink& downlink) {
  return HttpsResponse{200, std::string(api::json_type), std::string(api::zstd_encoding),
                       encode_downlink(downlink)};
}

int store_error_status(const Error& error) {
  switch (error.code) {
    case ErrorCode::invalid_argument:
    case ErrorCode::parse_error:
    case ErrorCode::limit_exceeded:
      return 400;
    default:
      return 503;
  }
}

}  // namespace loyalty::sync::service
