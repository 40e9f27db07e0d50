// The fuzz entry point of the replay self-test (tests/CMakeLists.txt): it proves that a replay of
// a corpus can fail. An input that starts with "ABORT" trips a LOYALTY_ASSERT, as a fuzz target's
// broken property does; one that starts with "RETURN" returns -1, which libFuzzer reserves; every
// other input is accepted.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "loyalty/core/result.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  LOYALTY_ASSERT(!input.starts_with("ABORT"));
  return input.starts_with("RETURN") ? -1 : 0;
}
