// A camera as the till's scanner: recorded frames (zint and ImageMagick make a loyalty card's
// EAN-13 look like a camera frame) decoded in the sandboxed loyalty-decoder child, confirmed by
// two frames, identified, and published on the event stream; and a camera that cannot be set up
// listed offline with its reason.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "camera/barcode_images.h"
#include "daemon/daemon_fixture.h"

namespace loyalty::daemon::test {
namespace {

void write_blank_pgm(const std::string& path) {
  std::ofstream file(path, std::ios::binary);
  file << "P5\n640 480\n255\n" << std::string(640 * 480, '\xF0');
}

TEST_CASE("camera: a card held to the camera is confirmed by two frames and identified",
          "[seccomp]") {
  drivers_test::TempDir images;
  const std::string frames = images.file("frames");
  std::filesystem::create_directory(frames);
  drivers_test::Symbol symbol;
  symbol.zint_type = drivers_test::zint_ean13;
  symbol.data = "290000000001";  // zint adds the check digit: 2900000000018
  const std::string card_frame = drivers_test::barcode_image(images, "card", symbol, {});
  write_blank_pgm(frames + "/0-empty.pgm");
  std::filesystem::copy_file(card_frame, frames + "/1-card.png");
  std::filesystem::copy_file(card_frame, frames + "/2-card.png");
  write_blank_pgm(frames + "/3-empty.pgm");

  DaemonFixture till([&](Config& config) {
    ReadersConfig::Camera camera;
    camera.id = "counter";
    camera.recorded = frames;
    camera.frames_per_second = 10;
    config.readers.cameras.push_back(camera);
  });
  EventStream events(till.socket(), api_token, 15'000);
  const json::Value identified = events.next_of_type("customer.identified");
  const json::Value* data = identified.find("data");
  CHECK(data->find("source")->as_string() == "camera:counter");
  CHECK(data->find("token")->find("value")->as_string() == card);
  CHECK(data->find("token")->find("kind")->as_string() == "loyalty_card");

  const json::Value readers = till.get("/v1/readers").json();
  REQUIRE(readers.find("readers")->as_array().size() == 1);
  const json::Value& camera = readers.find("readers")->as_array()[0];
  CHECK(camera.find("id")->as_string() == "camera:counter");
  CHECK(camera.find("transport")->as_string() == "camera");
  CHECK(camera.find("status")->as_string() == "online");
}

TEST_CASE("camera: one that cannot be set up is listed offline, and the daemon runs on") {
  DaemonFixture till([](Config& config) {
    ReadersConfig::Camera camera;
    camera.id = "broken";
    camera.recorded = "/nonexistent/frames";
    config.readers.cameras.push_back(camera);
  });
  const json::Value readers = till.get("/v1/readers").json();
  REQUIRE(readers.find("readers")->as_array().size() == 1);
  const json::Value& camera = readers.find("readers")->as_array()[0];
  CHECK(camera.find("status")->as_string() == "offline");
  CHECK(camera.find("reason")->as_string().rfind("readers.cameras (broken): ", 0) == 0);
  CHECK(till.get("/v1/health").status == 200);
}

}  // namespace
}  // namespace loyalty::daemon::test
