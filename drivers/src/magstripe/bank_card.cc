// The bank-card rule: recognise the financial layout, let the chain's own card ranges through,
// withhold every other card's track data.
#include "loyalty/drivers/magstripe/bank_card.h"

#include <algorithm>
#include <string>

#include "magstripe/track_detail.h"

namespace loyalty::drivers {

namespace {

constexpr std::size_t pan_digits_min = 8;  // ISO/IEC 7812-1: 8 to 19 digits
constexpr std::size_t pan_digits_max = 19;
constexpr std::size_t expiry_digits = 4;
constexpr std::size_t service_code_digits = 3;

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The PAN between "%B" and the first '^' (or the end sentinel) of a format B track 1.
std::string_view track1_pan(std::string_view track1) {
  if (track1.size() < 3) return {};
  std::string_view data = track1.substr(2);
  if (data.ends_with('?')) data.remove_suffix(1);
  return data.substr(0, data.find('^'));
}

// Whether `number` is a valid number of an own card range: the allow-list.
bool own_number(std::string_view number, std::span<const CardRange> own_card_ranges) {
  return !own_card_ranges.empty() && matching_card_range(own_card_ranges, number) != nullptr;
}

// The account of a track 2 (between the start sentinel and '=' or the end sentinel), as a view.
std::string_view track2_account(std::string_view track2) {
  if (track2.size() < 2) return {};
  std::string_view data = track2.substr(1);
  if (data.ends_with('?')) data.remove_suffix(1);
  return data.substr(0, data.find('='));
}

// What the rule makes of a swipe's tracks 1 and 2.
enum class Verdict { no_financial_track, own_card, payment_card };

Verdict judge(std::string_view track1, std::string_view track2,
              std::span<const CardRange> own_card_ranges) {
  const bool financial1 = is_financial_track1(track1);
  const bool financial2 = is_financial_track2(track2);
  if (!financial1 && !financial2) return Verdict::no_financial_track;
  // Views into the tracks: no copy of a PAN is made to judge it.
  if (financial1 && !own_number(track1_pan(track1), own_card_ranges)) {
    return Verdict::payment_card;
  }
  if (financial2 && !own_number(track2_account(track2), own_card_ranges)) {
    return Verdict::payment_card;
  }
  return Verdict::own_card;
}

}  // namespace

bool is_financial_track1(std::string_view track1) {
  return track1.size() >= 2 && track1[0] == '%' && track1[1] == 'B';
}

bool is_financial_track2(std::string_view track2) {
  if (track2.size() < 2 || track2.front() != ';') return false;
  std::string_view data = track2.substr(1);
  if (data.ends_with('?')) data.remove_suffix(1);
  const std::size_t separator = data.find('=');
  if (separator == std::string_view::npos) return false;
  const std::string_view account = data.substr(0, separator);
  const std::string_view rest = data.substr(separator + 1);
  return account.size() >= pan_digits_min && account.size() <= pan_digits_max &&
         all_digits(account) && rest.size() >= expiry_digits + service_code_digits &&
         all_digits(rest.substr(0, expiry_digits + service_code_digits));
}

std::string financial_track_number(int track, std::string_view raw) {
  if (track == 1 && is_financial_track1(raw)) return std::string(track1_pan(raw));
  if (track == 2 && is_financial_track2(raw)) return std::string(track2_account(raw));
  return {};
}

bool is_payment_card(std::string_view track1, std::string_view track2,
                     std::span<const CardRange> own_card_ranges) {
  return judge(track1, track2, own_card_ranges) == Verdict::payment_card;
}

bool is_payment_card(const Swipe& swipe, std::span<const CardRange> own_card_ranges) {
  if (swipe.payment_card) return true;
  if (swipe.own_card) return false;
  return is_payment_card(swipe.track(1).raw, swipe.track(2).raw, own_card_ranges);
}

bool withhold_payment_card(Swipe& swipe, const BankCardRule& rule) {
  if (!swipe.payment_card) {
    const Verdict verdict = judge(swipe.track(1).raw, swipe.track(2).raw, rule.own_card_ranges);
    if (verdict == Verdict::no_financial_track) return false;
    if (verdict == Verdict::own_card) {
      swipe.own_card = true;
      return false;
    }
    if (rule.tokenizer != nullptr) {
      std::string pan = financial_track_number(2, swipe.track(2).raw);
      if (pan.empty()) pan = financial_track_number(1, swipe.track(1).raw);
      if (!pan.empty()) swipe.card_token = rule.tokenizer->token(pan);
      detail::wipe(pan);
    }
  }
  for (TrackResult& t : swipe.tracks) detail::wipe(t.raw);
  swipe.payment_card = true;
  swipe.own_card = false;
  return true;
}

}  // namespace loyalty::drivers
