// ScanEvent / ErrorEvent construction (the bank-card rule at the last door) and the names of the
// UPOS codes.
#include "loyalty/drivers/scan_event.h"

#include <utility>

#include "loyalty/drivers/magstripe/bank_card.h"
#include "magstripe/track_detail.h"

namespace loyalty::drivers {

namespace {

void clear_track_data(Swipe& swipe) {
  for (TrackResult& track : swipe.tracks) detail::wipe(track.raw);
}

}  // namespace

ScanEvent::ScanEvent(ScanEventFields fields) : fields_(std::move(fields)) {
  if (fields_.swipe) {
    // withhold_payment_card is idempotent: a swipe the decoder already withheld stays withheld,
    // and one that slipped through is withheld here. A swipe the decoder's rule found to be an
    // own card (its allow-list is not known here) passes.
    if (fields_.swipe->payment_card ||
        (!fields_.swipe->own_card && withhold_payment_card(*fields_.swipe))) {
      fields_.swipe->payment_card = true;
      clear_track_data(*fields_.swipe);
      detail::wipe(fields_.raw);
      detail::wipe(fields_.label);
    }
  }
}

ErrorEvent::ErrorEvent(ErrorEventFields fields) : fields_(std::move(fields)) {
  if (fields_.swipe) {
    clear_track_data(*fields_.swipe);
  }
}

const char* scan_data_type_name(ScanDataType type) {
  switch (type) {
    case ScanDataType::unknown:
      return "unknown";
    case ScanDataType::upca:
      return "upca";
    case ScanDataType::upce:
      return "upce";
    case ScanDataType::ean8:
      return "ean8";
    case ScanDataType::ean13:
      return "ean13";
    case ScanDataType::tf:
      return "tf";
    case ScanDataType::itf:
      return "itf";
    case ScanDataType::codabar:
      return "codabar";
    case ScanDataType::code39:
      return "code39";
    case ScanDataType::code93:
      return "code93";
    case ScanDataType::code128:
      return "code128";
    case ScanDataType::upca_s:
      return "upca_s";
    case ScanDataType::upce_s:
      return "upce_s";
    case ScanDataType::ean8_s:
      return "ean8_s";
    case ScanDataType::ean13_s:
      return "ean13_s";
    case ScanDataType::ean128:
      return "ean128";
    case ScanDataType::gs1databar:
      return "gs1databar";
    case ScanDataType::gs1databar_e:
      return "gs1databar_e";
    case ScanDataType::pdf417:
      return "pdf417";
    case ScanDataType::maxicode:
      return "maxicode";
    case ScanDataType::datamatrix:
      return "datamatrix";
    case ScanDataType::qrcode:
      return "qrcode";
    case ScanDataType::aztec:
      return "aztec";
    case ScanDataType::other:
      return "other";
  }
  return "unknown";
}

const char* device_kind_name(DeviceKind kind) {
  switch (kind) {
    case DeviceKind::scanner:
      return "scanner";
    case DeviceKind::msr:
      return "msr";
  }
  return "unknown";
}

const char* transport_name(Transport transport) {
  switch (transport) {
    case Transport::hidraw:
      return "hidraw";
    case Transport::evdev:
      return "evdev";
    case Transport::serial:
      return "serial";
    case Transport::usb:
      return "usb";
    case Transport::camera:
      return "camera";
    case Transport::image:
      return "image";
  }
  return "unknown";
}

const char* upos_result_name(UposResult result) {
  switch (result) {
    case UposResult::success:
      return "success";
    case UposResult::closed:
      return "closed";
    case UposResult::claimed:
      return "claimed";
    case UposResult::not_claimed:
      return "not_claimed";
    case UposResult::no_service:
      return "no_service";
    case UposResult::disabled:
      return "disabled";
    case UposResult::illegal:
      return "illegal";
    case UposResult::no_hardware:
      return "no_hardware";
    case UposResult::offline:
      return "offline";
    case UposResult::failure:
      return "failure";
    case UposResult::timeout:
      return "timeout";
    case UposResult::busy:
      return "busy";
    case UposResult::extended:
      return "extended";
  }
  return "unknown";
}

}  // namespace loyalty::drivers
