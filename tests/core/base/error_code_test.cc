// error_code_name(): every ErrorCode has the name that messages and JSON use.

#include <catch2/catch.hpp>
#include <string>

#include "loyalty/core/result.h"

namespace loyalty {
namespace {

TEST_CASE("error_code_name names every code", "[core][result]") {
  CHECK(std::string(error_code_name(ErrorCode::invalid_argument)) == "invalid_argument");
  CHECK(std::string(error_code_name(ErrorCode::parse_error)) == "parse_error");
  CHECK(std::string(error_code_name(ErrorCode::invalid_program)) == "invalid_program");
  CHECK(std::string(error_code_name(ErrorCode::invalid_customer)) == "invalid_customer");
  CHECK(std::string(error_code_name(ErrorCode::invalid_receipt)) == "invalid_receipt");
  CHECK(std::string(error_code_name(ErrorCode::limit_exceeded)) == "limit_exceeded");
  CHECK(std::string(error_code_name(ErrorCode::not_found)) == "not_found");
  CHECK(std::string(error_code_name(ErrorCode::conflict)) == "conflict");
  CHECK(std::string(error_code_name(ErrorCode::io_error)) == "io_error");
  CHECK(std::string(error_code_name(ErrorCode::busy)) == "busy");
  CHECK(std::string(error_code_name(ErrorCode::internal)) == "internal");
}

}  // namespace
}  // namespace loyalty
