# Fails when a unit's sandboxing gets weaker: `systemd-analyze security --offline=yes` rates it
# from 0 (confined) to 10 (exposed), and the unit must stay at or below EXPOSURE_MAX.
#
#   cmake -DSYSTEMD_ANALYZE=<systemd-analyze> -DUNIT=<file>.service -DEXPOSURE_MAX=<n.n>
#         -P unit_exposure.cmake
#
# On failure the settings it counts against the unit (its lines marked ✗) are printed.

if(NOT EXISTS "${SYSTEMD_ANALYZE}")
  message(FATAL_ERROR "systemd-analyze not found (${SYSTEMD_ANALYZE}): install the Debian "
                      "package systemd (scripts/install-deps.sh)")
endif()

execute_process(
  COMMAND ${SYSTEMD_ANALYZE} security --offline=yes --no-pager ${UNIT}
  RESULT_VARIABLE result
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)
string(REGEX MATCH "Overall exposure level for [^:]+: ([0-9.]+)" overall "${output}")
if(NOT overall)
  message(FATAL_ERROR "systemd-analyze security printed no exposure level for ${UNIT}:\n"
                      "${output}")
endif()
set(level ${CMAKE_MATCH_1})
if(NOT result EQUAL 0)
  message(FATAL_ERROR "systemd-analyze security failed on ${UNIT} (exit ${result}):\n${output}")
endif()
if(level GREATER EXPOSURE_MAX)
  string(REGEX MATCHALL "✗[^\n]*" weak "${output}")
  string(REPLACE ";" "\n" weak "${weak}")
  message(NOTICE "${UNIT}: exposure ${level} is above ${EXPOSURE_MAX}; what counts against "
                 "it:\n${weak}")
  message(FATAL_ERROR "${UNIT}: exposure ${level} is above ${EXPOSURE_MAX}")
endif()
message(STATUS "${UNIT}: exposure ${level} (at most ${EXPOSURE_MAX})")
