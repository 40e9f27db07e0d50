// Statistics shared by the benchmark programs that report percentiles of single latencies.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace loyalty_bench {

// The nearest-rank percentile p (0 < p <= 100) of `sorted` (ascending); 0 for no samples.
inline double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  std::size_t rank =
      static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size()) + 0.999999);
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

}  // namespace loyalty_bench
