#include <catch2/catch.hpp>

#include "loyalty/sync/batch.h"

TEST_CASE("ack statuses have their wire names") {
  CHECK(std::string(loyalty::sync::ack_status_name(loyalty::sync::AckStatus::accepted)) ==
        "accepted");
  CHECK(std::string(loyalty::sync::ack_status_name(loyalty::sync::AckStatus::quarantined)) ==
        "quarantined");
}
