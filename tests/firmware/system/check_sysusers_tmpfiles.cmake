# Applies loyaltyd's sysusers.d and tmpfiles.d files to a scratch root and checks the result.
#
#   cmake -DSYSUSERS=<systemd-sysusers> -DTMPFILES=<systemd-tmpfiles> -DSYSUSERS_CONF=<file>
#         -DTMPFILES_CONF=<file> -DROOT=<scratch directory> -DPART=sysusers|tmpfiles
#         -P check_sysusers_tmpfiles.cmake
#
# sysusers: systemd-sysusers --root=ROOT creates ROOT/etc/passwd and ROOT/etc/group; they must
#   hold exactly the user loyalty (primary group loyalty, no login) and the group
#   loyalty-readers with loyalty as its member.
# tmpfiles: then ROOT/etc/loyalty/loyaltyd.toml is made 0644 and systemd-tmpfiles --root=ROOT
#   --create must leave it 0640 root:loyalty (the gid of ROOT's group). Giving a file to another
#   group needs root: run by another user, this part says "skipped:" (SKIP_REGULAR_EXPRESSION).

foreach(program IN ITEMS SYSUSERS TMPFILES)
  if(NOT EXISTS "${${program}}")
    message(FATAL_ERROR "${program} not found (${${program}}): install the Debian package "
                        "systemd (scripts/install-deps.sh)")
  endif()
endforeach()

file(REMOVE_RECURSE ${ROOT})
file(MAKE_DIRECTORY ${ROOT}/etc/loyalty)

execute_process(COMMAND ${SYSUSERS} --root=${ROOT} ${SYSUSERS_CONF}
                RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "systemd-sysusers ${SYSUSERS_CONF} failed (exit ${result}):\n${output}")
endif()

file(STRINGS ${ROOT}/etc/group group_lines)
file(STRINGS ${ROOT}/etc/passwd passwd_lines)
list(LENGTH group_lines group_count)
list(LENGTH passwd_lines passwd_count)
set(loyalty_gid "")
set(readers_ok FALSE)
foreach(line IN LISTS group_lines)
  if(line MATCHES "^loyalty:x:([0-9]+):$")
    set(loyalty_gid ${CMAKE_MATCH_1})
  elseif(line MATCHES "^loyalty-readers:x:[0-9]+:loyalty$")
    set(readers_ok TRUE)
  endif()
endforeach()
if(NOT group_count EQUAL 2 OR loyalty_gid STREQUAL "" OR NOT readers_ok)
  message(FATAL_ERROR "${ROOT}/etc/group should hold 'loyalty:x:<gid>:' and "
                      "'loyalty-readers:x:<gid>:loyalty', and nothing else; it holds:\n"
                      "${group_lines}")
endif()
set(user_regex "^loyalty:x:[0-9]+:${loyalty_gid}:Loyalty terminal daemon:/:/usr/sbin/nologin$")
if(NOT passwd_count EQUAL 1 OR NOT passwd_lines MATCHES "${user_regex}")
  message(FATAL_ERROR "${ROOT}/etc/passwd should hold the one line ${user_regex}; it holds:\n"
                      "${passwd_lines}")
endif()
if(PART STREQUAL "sysusers")
  message(STATUS "sysusers: user loyalty (gid ${loyalty_gid}), group loyalty-readers with it")
  return()
endif()

execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT uid STREQUAL "0")
  message(STATUS "skipped: systemd-tmpfiles must run as root to give a file to group loyalty")
  return()
endif()
set(config ${ROOT}/etc/loyalty/loyaltyd.toml)
file(WRITE ${config} "# test\n")
file(CHMOD ${config} PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
execute_process(COMMAND ${TMPFILES} --root=${ROOT} --create ${TMPFILES_CONF}
                RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "systemd-tmpfiles ${TMPFILES_CONF} failed (exit ${result}):\n${output}")
endif()
execute_process(COMMAND stat -c "%a %u %g" ${config} OUTPUT_VARIABLE mode
                OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT mode STREQUAL "640 0 ${loyalty_gid}")
  message(FATAL_ERROR "${config} is '${mode}' (mode uid gid) after systemd-tmpfiles; expected "
                      "'640 0 ${loyalty_gid}'")
endif()
message(STATUS "tmpfiles: loyaltyd.toml 0640 root:loyalty")
