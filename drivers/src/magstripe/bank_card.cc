// The bank-card rule: recognise a payment card and withhold its track data.
#include "loyalty/drivers/magstripe/bank_card.h"

#include <algorithm>
#include <string>

#include "magstripe/track_detail.h"

namespace loyalty::drivers {

namespace {

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The PAN between "%B" and the first '^' of a format B track 1.
std::string track1_pan(std::string_view track1) {
  if (track1.size() < 3) return {};
  const std::string_view data = track1.substr(2);
  return std::string(data.substr(0, data.find('^')));
}

}  // namespace

bool luhn_valid(std::string_view digits) {
  if (!all_digits(digits)) return false;
  unsigned sum = 0;
  bool doubled = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    unsigned d = static_cast<unsigned>(*it - '0');
    if (doubled) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    doubled = !doubled;
  }
  return sum % 10 == 0;
}

bool is_payment_track1(std::string_view track1) {
  return track1.size() >= 2 && track1[0] == '%' && track1[1] == 'B';
}

bool is_payment_track2(std::string_view track2) {
  if (track2.size() < 2 || track2.front() != ';') return false;
  const Track2Fields fields = detail::split_track2(track2);
  return fields.account.size() >= 12 && fields.account.size() <= 19 && luhn_valid(fields.account) &&
         fields.expiry_yymm.size() == 4 && all_digits(fields.expiry_yymm) &&
         fields.service_code.size() == 3 && all_digits(fields.service_code);
}

bool is_payment_card(std::string_view track1, std::string_view track2) {
  return is_payment_track1(track1) || is_payment_track2(track2);
}

bool is_payment_card(const Swipe& swipe) {
  return swipe.payment_card || is_payment_card(swipe.track(1).raw, swipe.track(2).raw);
}

bool withhold_payment_card(Swipe& swipe, const CardTokenizer* tokenizer) {
  if (!is_payment_card(swipe)) return false;
  if (tokenizer != nullptr && !swipe.payment_card) {
    std::string pan = is_payment_track2(swipe.track(2).raw)
                          ? detail::split_track2(swipe.track(2).raw).account
                          : track1_pan(swipe.track(1).raw);
    if (!pan.empty()) swipe.card_token = tokenizer->token(pan);
    detail::wipe(pan);
  }
  for (TrackResult& t : swipe.tracks) detail::wipe(t.raw);
  swipe.payment_card = true;
  return true;
}

}  // namespace loyalty::drivers
