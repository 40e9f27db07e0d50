# Test hygiene: every Catch2 TEST_CASE name must survive catch_discover_tests, which writes the
# names into a CMake script. A ';' splits a name into two tests that match nothing, and '[' or ']'
# breaks the list the script parses, silently dropping the test and every test listed after it
# (29 drivers tests were lost that way once).
#
#   cmake -DTESTS_DIR=<path to tests/> -P tests/arch/check_test_names.cmake
#
# Fails with message(FATAL_ERROR), listing file:line and the name, for each offending name.
cmake_minimum_required(VERSION 3.25)

if(NOT DEFINED TESTS_DIR OR NOT IS_DIRECTORY "${TESTS_DIR}")
  message(FATAL_ERROR "check_test_names: set -DTESTS_DIR=<existing directory> (got '${TESTS_DIR}')")
endif()

get_filename_component(tests_dir "${TESTS_DIR}" ABSOLUTE)
file(GLOB_RECURSE sources "${tests_dir}/*.cc")
# The arch tests' own fixtures (directories named *_fixture below the one checked) hold offending
# names on purpose.
list(FILTER sources EXCLUDE REGEX "^${tests_dir}/.*_fixture/")
set(offences "")
set(checked 0)
foreach(source IN LISTS sources)
  file(STRINGS "${source}" lines REGEX "TEST_CASE\\(\"")
  # file(STRINGS) gives no line numbers: count them by reading the file once more.
  file(READ "${source}" text)
  # ';', '[' and ']' would bend CMake's list splitting: stand-ins first.
  string(REPLACE ";" "<semicolon>" text "${text}")
  string(REPLACE "[" "<lb>" text "${text}")
  string(REPLACE "]" "<rb>" text "${text}")
  string(REPLACE "\n" ";" all_lines "${text}")
  set(number 0)
  foreach(line IN LISTS all_lines)
    math(EXPR number "${number} + 1")
    if(line MATCHES "TEST_CASE\\(\"([^\"]*)\"")
      math(EXPR checked "${checked} + 1")
      set(name "${CMAKE_MATCH_1}")
      if(name MATCHES "<semicolon>|<lb>|<rb>")
        string(REPLACE "<semicolon>" ";" shown "${name}")
        string(REPLACE "<lb>" "[" shown "${shown}")
        string(REPLACE "<rb>" "]" shown "${shown}")
        file(RELATIVE_PATH where "${tests_dir}" "${source}")
        string(APPEND offences "\n  ${where}:${number}: \"${shown}\"")
      endif()
    endif()
  endforeach()
endforeach()

if(offences)
  message(FATAL_ERROR "test names with ';', '[' or ']' (catch_discover_tests drops or splits "
                      "them; write them out in words):${offences}")
endif()
message(STATUS "check_test_names: ${checked} test names, all safe")
