// Fixture for tests/arch/check_core_includes.cmake: a "core" file that breaks the rule that core
// includes the standard library only. The checker must reject it. Never compiled.
#include <boost/asio.hpp>
#include <vector>

int fixture_value() { return static_cast<int>(std::vector<int>{1, 2, 3}.size()); }
