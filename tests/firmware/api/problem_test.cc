#include "api/problem.h"

#include <catch2/catch.hpp>

#include "loyalty/core/json.h"

namespace loyalty::daemon {
namespace {

TEST_CASE("problem documents carry the RFC 9457 members and the field at fault") {
  const Problem problem =
      make_problem(ProblemType::invalid_field, "must be a whole number", "lines[2].quantity");
  const std::string text = problem_json(problem, "/v1/quotes");
  CHECK(text ==
        R"({"type":"urn:loyalty:problem:invalid-field",)"
        R"("title":"A field of the request is missing or invalid","status":422,)"
        R"("detail":"must be a whole number","instance":"/v1/quotes",)"
        R"("field":"lines[2].quantity"})");
  REQUIRE(json::parse(text).ok());
}

TEST_CASE("errors of the ledger map to the problem a POS can act on") {
  CHECK(problem_from_error({ErrorCode::conflict, "r1 differs"}).type == ProblemType::conflict);
  CHECK(problem_status(problem_from_error({ErrorCode::conflict, "x"}).type) == 409);
  CHECK(problem_status(problem_from_error({ErrorCode::busy, "x"}).type) == 503);
  CHECK(problem_status(problem_from_error({ErrorCode::not_found, "x"}).type) == 404);
  CHECK(problem_status(problem_from_error({ErrorCode::invalid_receipt, "x"}).type) == 422);
  CHECK(problem_status(problem_from_error({ErrorCode::io_error, "x"}).type) == 500);
  const Problem busy = problem_from_error({ErrorCode::busy, "locked"});
  CHECK(problem_json(busy, "") ==
        R"({"type":"urn:loyalty:problem:busy","title":"The ledger is busy; retry the request",)"
        R"("status":503,"detail":"locked","code":"busy"})");
}

}  // namespace
}  // namespace loyalty::daemon
