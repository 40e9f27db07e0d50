// A receipt as the cash register sends it: lines, the customer's requests (points to redeem,
// coupons, rewards, donations) and HQ-delivered events to credit.
//
// Thread-safety: a plain value. Ownership: owns its strings.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "loyalty/core/units.h"

namespace loyalty {

struct ReceiptLine {
  std::string sku;
  std::string category;
  Minor unit_price;
  std::int64_t quantity = 1;
  bool voided = false;    // a voided line is shown but earns, burns and discounts nothing
  std::string reward_id;  // non-empty: the customer takes this line as a catalogue reward
};

struct Donation {
  std::string charity_id;
  Points points;
};

// A non-purchase event (a review, a survey) that HQ delivered for the customer.
struct ReceiptEvent {
  std::string event_id;
  std::string event_type;
};

enum class RedeemRequest { none, points, max };

struct Receipt {
  std::string receipt_id;  // unique per terminal; seeds instant-win draws
  std::string store_id;
  std::string partner_id;  // empty: one of the program's own stores
  std::string currency;
  std::vector<ReceiptLine> lines;
  std::vector<std::string> coupons;  // codes as presented (matched case-insensitively)
  RedeemRequest redeem = RedeemRequest::none;
  Points redeem_points;  // with RedeemRequest::points
  std::vector<Donation> donations;
  std::vector<ReceiptEvent> events;
};

}  // namespace loyalty
