#include "loyalty/core/result.h"

namespace loyalty {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument:
      return "invalid_argument";
    case ErrorCode::parse_error:
      return "parse_error";
    case ErrorCode::invalid_program:
      return "invalid_program";
    case ErrorCode::invalid_customer:
      return "invalid_customer";
    case ErrorCode::invalid_receipt:
      return "invalid_receipt";
    case ErrorCode::limit_exceeded:
      return "limit_exceeded";
    case ErrorCode::not_found:
      return "not_found";
    case ErrorCode::conflict:
      return "conflict";
    case ErrorCode::io_error:
      return "io_error";
    case ErrorCode::busy:
      return "busy";
    case ErrorCode::internal:
      return "internal";
  }
  return "unknown";
}

}  // namespace loyalty
