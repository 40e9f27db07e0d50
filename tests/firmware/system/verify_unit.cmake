# Checks a systemd unit file with `systemd-analyze verify` and fails on anything it says.
#
#   cmake -DSYSTEMD_ANALYZE=<systemd-analyze> -DUNIT=<file>.service -P verify_unit.cmake
#
# systemd-analyze verify (systemd 252) exits 0 on a misspelt directive or a value it cannot
# parse: it only logs "<file>:<line>: Unknown key 'X' in section [Service], ignoring." So any
# output is a failure, printed whole. Nothing else is expected: the unit's ExecStart= names an
# executable that exists, and verify does not look User=, Group= or SupplementaryGroups= up on
# the build machine (those are created on the terminal by sysusers.d, firmware/systemd/loyalty.conf).
# --recursive-errors=no keeps the check to the unit itself, not to the system's own units.

if(NOT EXISTS "${SYSTEMD_ANALYZE}")
  message(FATAL_ERROR "systemd-analyze not found (${SYSTEMD_ANALYZE}): install the Debian "
                      "package systemd (scripts/install-deps.sh)")
endif()
if(NOT EXISTS "${UNIT}")
  message(FATAL_ERROR "no unit file ${UNIT}")
endif()

execute_process(
  COMMAND ${SYSTEMD_ANALYZE} verify --recursive-errors=no ${UNIT}
  RESULT_VARIABLE result
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)
string(STRIP "${output}" output)
if(NOT result EQUAL 0 OR NOT output STREQUAL "")
  # NOTICE prints the lines as they are (FATAL_ERROR would re-wrap them), then the script fails.
  message(NOTICE "systemd-analyze verify found problems in ${UNIT} (exit ${result}):\n${output}")
  message(FATAL_ERROR "${UNIT} does not verify")
endif()
message(STATUS "systemd-analyze verify: ${UNIT}: no problems")
