// What an operation of the daemon gives back: a reply for the POS (status and JSON body) or a
// problem (api/problem.h), and the events it causes on the event stream.
//
// Thread-safety: plain values, moved from the storage thread to the loop.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/problem.h"

namespace loyalty::daemon {

// One message of the event stream: {"type": <type>, "at": ..., "data": <data_json>}.
struct StreamEvent {
  std::string type;       // "customer.identified", "receipt.committed", "reader.lost", ...
  std::string data_json;  // a JSON object
};

struct Outcome {
  int status = 200;
  std::string body_json;          // the reply, when problem is empty
  std::optional<Problem> problem;  // set: the operation failed and wrote nothing
  std::vector<StreamEvent> events;

  static Outcome ok(std::string body_json, int status = 200) {
    Outcome outcome;
    outcome.status = status;
    outcome.body_json = std::move(body_json);
    return outcome;
  }
  static Outcome failed(Problem problem) {
    Outcome outcome;
    outcome.status = problem_status(problem.type);
    outcome.problem = std::move(problem);
    return outcome;
  }
};

}  // namespace loyalty::daemon
