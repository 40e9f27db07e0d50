# Runs a replay program that must fail, and checks that it failed for the expected reason:
#   cmake -DREPLAY=<program> -DINPUT=<path> -DEXPECT=<regex> -P expect_failure.cmake
# (WILL_FAIL alone would also pass on a replay that fails for any reason, e.g. one that cannot
# start; PASS_REGULAR_EXPRESSION alone ignores the exit status.)
foreach(var REPLAY INPUT EXPECT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "expect_failure.cmake: -D${var}=... is missing")
  endif()
endforeach()
execute_process(COMMAND ${REPLAY} ${INPUT}
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(status EQUAL 0)
  message(FATAL_ERROR "the replay of ${INPUT} passed, but it must fail:\n${out}${err}")
endif()
if(NOT "${out}${err}" MATCHES "${EXPECT}")
  message(FATAL_ERROR
    "the replay of ${INPUT} failed (${status}), but its output does not match '${EXPECT}':\n"
    "${out}${err}")
endif()
message(STATUS "the replay of ${INPUT} failed as it must (${status})")
