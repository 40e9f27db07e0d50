// FrameConfirmer (frame_confirmer.h): a symbol is released only when two frames agree on it, once
// per appearance, within bounded windows of frames and time.
#include "loyalty/drivers/camera/frame_confirmer.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "loyalty/core/limits.h"

using namespace loyalty::drivers;
namespace limits = loyalty::limits;
using std::chrono::milliseconds;

namespace {

DecodedSymbol symbol(ScanDataType type, const std::string& label) {
  DecodedSymbol s;
  s.type = type;
  s.label = label;
  s.aim_id = "]E0";
  return s;
}

const DecodedSymbol card = symbol(ScanDataType::ean13, "0036000291452");     // the UPC-A read
const DecodedSymbol misread = symbol(ScanDataType::ean13, "0036000291469");  // its blurred twin

FrameScan frame_of(std::vector<DecodedSymbol> symbols) {
  FrameScan scan;
  scan.symbols = std::move(symbols);
  return scan;
}

// Feeds frames 33 ms apart (30 frames a second) from a fixed start.
class Stream {
 public:
  std::vector<DecodedSymbol> feed(std::vector<DecodedSymbol> symbols,
                                  milliseconds gap = milliseconds(33)) {
    now_ += gap;
    return confirmer_.feed(frame_of(std::move(symbols)), now_);
  }
  std::vector<std::string> labels(std::vector<DecodedSymbol> symbols,
                                  milliseconds gap = milliseconds(33)) {
    std::vector<std::string> out;
    for (const DecodedSymbol& s : feed(std::move(symbols), gap)) out.push_back(s.label);
    return out;
  }
  const FrameConfirmer& confirmer() const { return confirmer_; }

 private:
  FrameConfirmer confirmer_;
  FrameConfirmer::Clock::time_point now_{};
};

using Labels = std::vector<std::string>;

}  // namespace

TEST_CASE("frame confirmer: a misread in one frame is never released") {
  Stream stream;
  CHECK(stream.labels({misread}).empty());
  for (int i = 0; i < 40; ++i) CHECK(stream.labels({}).empty());
  CHECK(stream.confirmer().tracked() == 0);  // forgotten once too old to be confirmed
  // Misread in one frame, then the card in the next two: only the card is released.
  CHECK(stream.labels({misread}).empty());
  CHECK(stream.labels({card}).empty());
  CHECK(stream.labels({card}) == Labels{"0036000291452"});
}

TEST_CASE("frame confirmer: two agreeing frames release the symbol once while it stays in view") {
  Stream stream;
  CHECK(stream.labels({card}).empty());
  const auto released = stream.feed({card});
  REQUIRE(released.size() == 1);
  CHECK(released[0].type == ScanDataType::ean13);
  CHECK(released[0].label == "0036000291452");
  CHECK(released[0].aim_id == "]E0");
  // Held in view for ten seconds, with frames that miss it now and then: no second release.
  for (int i = 0; i < 300; ++i)
    CHECK(
        stream.labels(i % 3 == 0 ? std::vector<DecodedSymbol>{} : std::vector<DecodedSymbol>{card})
            .empty());
  // Gone for more than camera_gone_frames_min frames and camera_gone_ms, then back: a new
  // appearance, confirmed by two frames again.
  for (std::size_t i = 0; i <= limits::camera_gone_frames_min + 20; ++i)
    CHECK(stream.labels({}).empty());
  CHECK(stream.labels({card}).empty());
  CHECK(stream.labels({card}) == Labels{"0036000291452"});
}

TEST_CASE("frame confirmer: frames that disagree release nothing") {
  Stream stream;
  for (int i = 0; i < 20; ++i) {
    CHECK(stream.labels({symbol(ScanDataType::ean13, "590123412345" + std::to_string(i % 10))})
              .empty());
  }
  // The same label as another type is another symbol.
  CHECK(stream.labels({symbol(ScanDataType::code128, "LOYAL-1")}).empty());
  CHECK(stream.labels({symbol(ScanDataType::qrcode, "LOYAL-1")}).empty());
  // Two symbols in one frame are not two frames.
  CHECK(stream.labels({card, card}).empty());
  CHECK(stream.labels({card}) == Labels{"0036000291452"});
}

TEST_CASE("frame confirmer: the second sighting must come within the frame and time windows") {
  Stream frames;
  CHECK(frames.labels({card}).empty());
  for (std::size_t i = 0; i < limits::camera_confirm_frames_max; ++i)
    CHECK(frames.labels({}).empty());
  CHECK(frames.labels({card}).empty());  // frames_max + 1 frames after the first: too late
  CHECK(frames.labels({card}) == Labels{"0036000291452"});  // but it starts a new sighting

  Stream in_time;
  CHECK(in_time.labels({card}).empty());
  for (std::size_t i = 1; i < limits::camera_confirm_frames_max; ++i)
    CHECK(in_time.labels({}).empty());
  CHECK(in_time.labels({card}) == Labels{"0036000291452"});  // exactly frames_max later

  Stream slow;
  CHECK(slow.labels({card}).empty());
  CHECK(slow.labels({card}, milliseconds(limits::camera_confirm_window_ms + 1)).empty());
  CHECK(slow.labels({card}, milliseconds(100)) == Labels{"0036000291452"});
}

TEST_CASE("frame confirmer: a released symbol is gone only after both the frames and the time") {
  Stream fast;  // many frames in a short time: still in view
  CHECK(fast.labels({card}).empty());
  CHECK(fast.labels({card}).size() == 1);
  for (int i = 0; i < 40; ++i) CHECK(fast.labels({}, milliseconds(10)).empty());  // 400 ms
  CHECK(fast.labels({card}).empty());
  CHECK(fast.labels({card}).empty());

  Stream slow;  // a long time, few frames: still in view
  CHECK(slow.labels({card}).empty());
  CHECK(slow.labels({card}).size() == 1);
  for (int i = 0; i < 5; ++i) CHECK(slow.labels({}, milliseconds(2000)).empty());
  CHECK(slow.labels({card}).empty());
  CHECK(slow.labels({card}).empty());
}

TEST_CASE("frame confirmer: it remembers a bounded number of symbols") {
  Stream stream;
  std::vector<DecodedSymbol> many;
  for (int i = 0; i < 40; ++i)
    many.push_back(symbol(ScanDataType::code128, "C" + std::to_string(i)));
  CHECK(stream.feed(many).empty());
  CHECK(stream.confirmer().tracked() == limits::camera_tracked_symbols_max);
  // The most recent ones are kept: the last symbol confirms, the first was forgotten.
  CHECK(stream.labels({symbol(ScanDataType::code128, "C39")}) == Labels{"C39"});
  CHECK(stream.labels({symbol(ScanDataType::code128, "C0")}).empty());
  // Rejected symbols do not count.
  FrameScan rejected;
  rejected.rejected.push_back(loyalty::make_error(loyalty::ErrorCode::parse_error, "bad"));
  FrameConfirmer confirmer;
  CHECK(confirmer.feed(rejected, FrameConfirmer::Clock::time_point{}).empty());
  CHECK(confirmer.tracked() == 0);
}
