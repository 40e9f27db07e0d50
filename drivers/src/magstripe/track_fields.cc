// Fields of tracks 1 and 2, and the log-safe description of a swipe.
#include <algorithm>
#include <string>

#include "loyalty/drivers/magstripe/bank_card.h"
#include "loyalty/drivers/magstripe/magstripe.h"
#include "magstripe/track_detail.h"

namespace loyalty::drivers {

namespace {

Error not_a_track(int track, const TrackResult& checked) {
  return make_error(
      ErrorCode::invalid_argument,
      checked.message.empty() ? "track " + std::to_string(track) + " is empty" : checked.message);
}

}  // namespace

namespace detail {

Track2Fields split_track2(std::string_view raw) {
  Track2Fields fields;
  if (raw.size() < 2) return fields;
  const std::string_view data = raw.substr(1, raw.size() - 2);  // between the sentinels
  const std::size_t separator = data.find('=');
  fields.account = std::string(data.substr(0, separator));
  if (separator == std::string_view::npos) return fields;
  std::string_view rest = data.substr(separator + 1);
  fields.expiry_yymm = std::string(rest.substr(0, 4));
  rest.remove_prefix(std::min<std::size_t>(4, rest.size()));
  fields.service_code = std::string(rest.substr(0, 3));
  rest.remove_prefix(std::min<std::size_t>(3, rest.size()));
  fields.discretionary = std::string(rest);
  return fields;
}

}  // namespace detail

Result<Track2Fields> parse_track2(std::string_view raw,
                                  std::span<const CardRange> own_card_ranges) {
  const TrackResult checked = check_track_chars(2, raw);
  if (!checked.ok()) return not_a_track(2, checked);
  if (is_payment_card("", raw, own_card_ranges)) {
    return make_error(ErrorCode::invalid_argument,
                      std::string(payment_card_summary) + " (track 2 fields not returned)");
  }
  return detail::split_track2(raw);
}

Result<Track1Fields> parse_track1(std::string_view raw,
                                  std::span<const CardRange> own_card_ranges) {
  const TrackResult checked = check_track_chars(1, raw);
  if (!checked.ok()) return not_a_track(1, checked);
  if (is_payment_card(raw, "", own_card_ranges)) {
    return make_error(ErrorCode::invalid_argument,
                      std::string(payment_card_summary) + " (track 1 format B not returned)");
  }
  Track1Fields fields;
  if (raw.size() == 2) return fields;  // "%?"
  fields.format_code = raw[1];
  std::string_view data = raw.substr(2, raw.size() - 3);
  while (true) {
    const std::size_t separator = data.find('^');
    fields.fields.emplace_back(data.substr(0, separator));
    if (separator == std::string_view::npos) break;
    data.remove_prefix(separator + 1);
  }
  return fields;
}

std::string describe_swipe(const Swipe& swipe) {
  std::string out = swipe.payment_card ? std::string(payment_card_summary) + "; " : "";
  for (const TrackResult& t : swipe.tracks) {
    if (t.number != 1) out += "; ";
    out += "track " + std::to_string(t.number) + ": " + track_status_name(t.status);
    if (const int code = upos_extended_code(t.status); code != 0) {
      out += " (" + std::to_string(code) + ")";
    }
    if (t.ok() && !swipe.payment_card) out += ", " + std::to_string(t.raw.size()) + " characters";
  }
  return out;
}

}  // namespace loyalty::drivers
