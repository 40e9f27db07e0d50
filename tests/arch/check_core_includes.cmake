# Architecture test: core includes the standard library only and does no I/O.
#
#   cmake -DCORE_DIR=<path to core/> -P tests/arch/check_core_includes.cmake
#
# Scans every file under CORE_DIR for #include / #include_next directives and fails with
# message(FATAL_ERROR), listing file:line for each offence, when a file includes
#   - a third-party or operating-system header (the deny-list below, with the reason), or
#   - a standard header that does file or console I/O (<fstream>, <iostream>, <cstdio>, ...), or
#   - any other <header> that is not a standard C++ (or C) header or loyalty/core/..., or
#   - a "header" that is neither loyalty/core/... nor a file of core (next to the including one,
#     or by its path below core/src/).
# The only exceptions are the explicit allow-list below.
#
# Paths in messages and in the allow-list are relative to the parent of CORE_DIR, so for the
# real tree they read core/src/x.cc.

cmake_minimum_required(VERSION 3.25)

if(NOT DEFINED CORE_DIR OR NOT IS_DIRECTORY "${CORE_DIR}")
  message(FATAL_ERROR "check_core_includes: set -DCORE_DIR=<existing directory> (got '${CORE_DIR}')")
endif()
get_filename_component(core_dir "${CORE_DIR}" ABSOLUTE)
get_filename_component(root_dir "${core_dir}" DIRECTORY)
get_filename_component(core_name "${core_dir}" NAME)

# --- Allow-list: "<path relative to the parent of CORE_DIR>|<header as written>" ----------------
# Keep this short; every entry needs a reason.
set(allowed_includes
  # The assertion handler prints its message to stderr just before abort().
  "core/include/loyalty/core/result.h|<cstdio>"
)

# --- Deny-list: "<regex on the header name>|<reason>" -------------------------------------------
# Header names are matched without the <> or "".
set(denied_patterns
  "^boost/|Boost (Asio, Beast, ...) belongs in drivers/ or sync/"
  "^asio(/|\\.hpp$)|Asio belongs in drivers/ or sync/"
  "^sqlite3(ext)?\\.h$|SQLite belongs in storage/"
  "^(libusb-1\\.0/|libusb\\.h$)|libusb belongs in drivers/"
  "^(ZXing/|zxing/)|ZXing belongs in drivers/"
  "^openssl/|OpenSSL belongs in sync/"
  "^nlohmann/|core has its own strict JSON reader; nlohmann belongs outside core"
  "^(libpq-fe\\.h$|libpq/|pqxx/?|postgresql/)|PostgreSQL client libraries belong in sync/"
  "^linux/|Linux kernel interfaces belong in drivers/"
  "^sys/|POSIX system calls belong outside core"
  "^(unistd|fcntl|termios|poll|dirent|dlfcn|netdb|libudev|syslog)\\.h$|POSIX/OS interfaces belong outside core"
  "^(netinet|arpa|systemd|curl|umockdev)/|OS and network interfaces belong outside core"
  "^(fstream|iostream|cstdio|stdio\\.h|filesystem|print|syncstream)$|file and console I/O belong outside core: core takes text and returns values"
  "^(catch2|gtest|gmock|benchmark)/|test frameworks belong in tests/"
)

# --- Standard library headers (C++20, plus C++23 names and the C headers) -----------------------
set(std_headers
  algorithm any array atomic barrier bit bitset charconv chrono codecvt compare complex concepts
  condition_variable coroutine deque exception execution expected filesystem flat_map flat_set
  format forward_list fstream functional future generator initializer_list iomanip ios iosfwd
  iostream istream iterator latch limits list locale map mdspan memory memory_resource mutex new
  numbers numeric optional ostream print queue random ranges ratio regex scoped_allocator
  semaphore set shared_mutex source_location span spanstream sstream stack stacktrace stdexcept
  stdfloat stop_token streambuf string string_view strstream syncstream system_error thread tuple
  type_traits typeindex typeinfo unordered_map unordered_set utility valarray variant vector
  version
  cassert cctype cerrno cfenv cfloat cinttypes climits clocale cmath csetjmp csignal cstdarg
  cstddef cstdint cstdio cstdlib cstring ctime cuchar cwchar cwctype
  assert.h ctype.h errno.h fenv.h float.h inttypes.h limits.h locale.h math.h setjmp.h signal.h
  stdarg.h stddef.h stdint.h stdio.h stdlib.h string.h time.h uchar.h wchar.h wctype.h
)

set(offences "")
set(files_scanned 0)
set(includes_seen 0)

file(GLOB_RECURSE files LIST_DIRECTORIES false "${core_dir}/*")
list(SORT files)
foreach(file IN LISTS files)
  file(RELATIVE_PATH rel "${root_dir}" "${file}")
  get_filename_component(file_dir "${file}" DIRECTORY)
  math(EXPR files_scanned "${files_scanned} + 1")

  # Split into lines without letting CMake's list syntax interfere: ';', '\', '[' and ']' are
  # masked first, so each list element is exactly one line and line numbers stay right.
  file(READ "${file}" text)
  string(REPLACE "\\" "<BSL>" text "${text}")
  string(REPLACE ";" "<SEMI>" text "${text}")
  string(REPLACE "[" "<LBR>" text "${text}")
  string(REPLACE "]" "<RBR>" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")

  set(line_no 0)
  foreach(line IN LISTS lines)
    math(EXPR line_no "${line_no} + 1")
    if(NOT line MATCHES "^[ \t]*#[ \t]*include(_next)?[ \t]*([<\"])([^>\"]*)[>\"]")
      continue()
    endif()
    math(EXPR includes_seen "${includes_seen} + 1")
    set(delim "${CMAKE_MATCH_2}")
    set(header "${CMAKE_MATCH_3}")
    if(delim STREQUAL "<")
      set(written "<${header}>")
    else()
      set(written "\"${header}\"")
    endif()

    if("${rel}|${written}" IN_LIST allowed_includes)
      continue()
    endif()

    set(reason "")
    foreach(entry IN LISTS denied_patterns)
      string(FIND "${entry}" "|" bar REVERSE)
      string(SUBSTRING "${entry}" 0 ${bar} pattern)
      math(EXPR after "${bar} + 1")
      string(SUBSTRING "${entry}" ${after} -1 why)
      if(header MATCHES "${pattern}")
        set(reason "${why}")
        break()
      endif()
    endforeach()

    if(reason STREQUAL "" AND delim STREQUAL "<")
      if(NOT header IN_LIST std_headers AND NOT header MATCHES "^loyalty/core/")
        set(reason "not a standard library header: core includes the standard library only")
      endif()
    elseif(reason STREQUAL "")
      # Quoted: a core public header, or one of core's internal headers, named next to the
      # including file or by its path below core/src/ ("engine/internal.h").
      if(NOT header MATCHES "^loyalty/core/" AND
         (header MATCHES "(^|/)\\.\\.(/|$)" OR
          (NOT EXISTS "${file_dir}/${header}" AND NOT EXISTS "${core_dir}/src/${header}")))
        set(reason "core may include only loyalty/core/... headers and its own files under src/")
      endif()
    endif()

    if(NOT reason STREQUAL "")
      string(APPEND offences "  ${rel}:${line_no}: ${written}: ${reason}\n")
    endif()
  endforeach()
endforeach()

if(files_scanned EQUAL 0)
  message(FATAL_ERROR "check_core_includes: no files under ${core_dir}; wrong CORE_DIR?")
endif()

if(NOT offences STREQUAL "")
  message(FATAL_ERROR
    "${core_name}/ must include the standard library only and do no I/O "
    "(see docs/architecture.md). Offending includes:\n${offences}"
    "Move the code that needs them to drivers/, storage/, sync/ or firmware/, or, if the include "
    "really is needed, add it with a reason to the allow-list in tests/arch/check_core_includes.cmake.")
endif()

message(STATUS "check_core_includes: ${files_scanned} files, ${includes_seen} includes under "
               "${core_name}/: standard library only, no I/O headers")
