// Track formats, status names and the Swipe accessors.
#include <array>

#include "loyalty/drivers/magstripe/magstripe.h"

namespace loyalty::drivers {

namespace {

constexpr std::array<TrackFormat, 3> kTrackFormats{{
    {1, 6, 0x20, '%', '^', '?', 79},
    {2, 4, 0x30, ';', '=', '?', 40},
    {3, 4, 0x30, ';', '=', '?', 107},
}};

}  // namespace

const TrackFormat& track_format(int track) {
  LOYALTY_ASSERT(track >= 1 && track <= 3);
  return kTrackFormats[static_cast<std::size_t>(track - 1)];
}

const char* track_status_name(TrackStatus status) {
  switch (status) {
    case TrackStatus::ok:
      return "ok";
    case TrackStatus::absent:
      return "absent";
    case TrackStatus::reader_error:
      return "reader_error";
    case TrackStatus::invalid_data:
      return "invalid_data";
    case TrackStatus::too_long:
      return "too_long";
    case TrackStatus::other_format:
      return "other_format";
    case TrackStatus::start_sentinel:
      return "start_sentinel";
    case TrackStatus::end_sentinel:
      return "end_sentinel";
    case TrackStatus::parity:
      return "parity";
    case TrackStatus::lrc:
      return "lrc";
  }
  return "unknown";
}

const char* lrc_check_name(LrcCheck check) {
  switch (check) {
    case LrcCheck::not_sent:
      return "not_sent";
    case LrcCheck::verified:
      return "verified";
    case LrcCheck::mismatch:
      return "mismatch";
  }
  return "unknown";
}

int upos_extended_code(TrackStatus status) {
  switch (status) {
    case TrackStatus::start_sentinel:
    case TrackStatus::end_sentinel:
    case TrackStatus::parity:
    case TrackStatus::lrc:
      return static_cast<int>(status);
    default:
      return 0;
  }
}

const TrackResult& Swipe::track(int number) const {
  LOYALTY_ASSERT(number >= 1 && number <= 3);
  return tracks[static_cast<std::size_t>(number - 1)];
}

TrackResult& Swipe::track(int number) {
  LOYALTY_ASSERT(number >= 1 && number <= 3);
  return tracks[static_cast<std::size_t>(number - 1)];
}

const TrackResult* Swipe::identifying_track() const {
  if (payment_card) return nullptr;
  for (int number : {2, 1}) {
    if (track(number).ok()) return &track(number);
  }
  return nullptr;
}

bool Swipe::any_ok() const {
  for (const TrackResult& t : tracks) {
    if (t.ok()) return true;
  }
  return false;
}

}  // namespace loyalty::drivers
