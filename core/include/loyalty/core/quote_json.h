// Renders a Quote for people and programs: deterministic JSON (the same quote always gives the
// same bytes) and a fixed-width text table for the till and the demo.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "loyalty/core/quote.h"
#include "loyalty/core/receipt.h"
#include "loyalty/core/reversal.h"

namespace loyalty {

std::string quote_to_json(const Receipt& receipt, const Quote& quote, bool pretty);
std::string quote_to_table(const Receipt& receipt, const Quote& quote);
std::string reversal_to_json(const Quote& quote, const Reversal& reversal, bool pretty);

// Money as text with the program's exponent: 129 with exponent 2 → "1.29".
std::string format_minor(Minor amount, int currency_exponent);

}  // namespace loyalty
