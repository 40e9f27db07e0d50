# The .deb packages for store IT (docs/packages.md), one per install component:
#
#   loyalty-terminal  component "terminal" (firmware/CMakeLists.txt): loyaltyd, loyaltyctl, the
#                     decoder, the panel's pages, the unit, sysusers.d, tmpfiles.d, udev rules
#                     and the default /etc/loyalty/loyaltyd.toml (a conffile)
#   loyalty-hq        component "hq" (sync/CMakeLists.txt): loyalty-hq and its unit, sysusers.d
#                     and tmpfiles.d
#
# `cpack` in the build directory writes both (make packages). Included by the top CMakeLists.txt
# for a full build only: a foundations-only build (LOYALTY_COMPONENTS core;storage) has neither
# component. Depends come from dpkg-shlibdeps (Debian: dpkg-dev), so they name the Debian
# libraries the programs were linked with and the versions they need.

include(GNUInstallDirs)

set(LOYALTY_PACKAGE_MAINTAINER
    "Loyalty maintainers <maintainers@users.noreply.h-seed-10a65b0f.example>" CACHE STRING
    "The packages' Maintainer: field (the repository's commit identity unless the chain sets its own)")

set(loyalty_packaging_dir ${PROJECT_SOURCE_DIR}/packaging)

# Debian's documentation of every package (Debian Policy 12.5, 12.7; lintian refuses a package
# without them): the copyright file in the machine-readable format, and the changelog, which
# for a native version (no Debian revision) is changelog.gz. gzip -9n: the best compression and
# no name or time stamp in the header, so two builds of one source give the same package.
file(STRINGS ${loyalty_packaging_dir}/changelog changelog_head LIMIT_COUNT 1)
if(NOT changelog_head MATCHES "^loyalty \\(${PROJECT_VERSION}\\) ")
  message(FATAL_ERROR "packaging/changelog: its first entry is \"${changelog_head}\", not for "
                      "version ${PROJECT_VERSION} (project() in CMakeLists.txt): add an entry")
endif()
find_program(LOYALTY_GZIP gzip REQUIRED)
set(loyalty_changelog_gz ${PROJECT_BINARY_DIR}/packaging/changelog.gz)
file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/packaging)
execute_process(COMMAND ${LOYALTY_GZIP} -9nc ${loyalty_packaging_dir}/changelog
                OUTPUT_FILE ${loyalty_changelog_gz} RESULT_VARIABLE gzip_result)
if(NOT gzip_result EQUAL 0)
  message(FATAL_ERROR "gzip -9n packaging/changelog failed (${gzip_result})")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${loyalty_packaging_dir}/changelog)

foreach(component_package IN ITEMS terminal:loyalty-terminal hq:loyalty-hq)
  string(REPLACE ":" ";" pair ${component_package})
  list(GET pair 0 component)
  list(GET pair 1 package)
  install(FILES ${loyalty_packaging_dir}/copyright ${loyalty_changelog_gz}
          DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${package} COMPONENT ${component})
  # What lintian reports on purpose, each with its reason (docs/packages.md).
  install(FILES ${loyalty_packaging_dir}/${package}/lintian-overrides
          DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME ${package}
          COMPONENT ${component})
endforeach()

# --- CPack ---------------------------------------------------------------------------------------

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME loyalty)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${LOYALTY_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Only the two packaged components (an install() without COMPONENT would be "Unspecified").
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL terminal hq)
# <name>_<version>_<arch>.deb, as Debian names them.
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SOURCE loyalty)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Maintainer scripts 0755, conffiles 0644, whatever the checkout's modes (lintian checks them).
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
# Directories the install makes along the way get 0755 rather than the umask's choice.
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
# The default preset is RelWithDebInfo: the packages ship stripped programs (Debian Policy 10.1).
set(CPACK_STRIP_FILES TRUE)

set(CPACK_COMPONENT_TERMINAL_DISPLAY_NAME "loyalty-terminal")
set(CPACK_DEBIAN_TERMINAL_PACKAGE_NAME loyalty-terminal)
set(CPACK_COMPONENT_TERMINAL_DESCRIPTION
    "Loyalty module for Linux POS terminals (till daemon)
loyaltyd evaluates points, discounts and coupons at the till over a local
POS API, keeps them in a local SQLite ledger and synchronises it with HQ.
This package holds loyaltyd with its sandboxed barcode decoder and till
panel, loyaltyctl, the systemd unit, the service user, the readers' udev
rules and a default configuration in /etc/loyalty/loyaltyd.toml.")
# adduser: the postinst's fallback where there is no systemd-sysusers (a minimal chroot).
set(CPACK_DEBIAN_TERMINAL_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_TERMINAL_PACKAGE_RECOMMENDS "systemd, udev")
set(CPACK_DEBIAN_TERMINAL_PACKAGE_CONTROL_EXTRA
    ${loyalty_packaging_dir}/loyalty-terminal/postinst
    ${loyalty_packaging_dir}/loyalty-terminal/prerm
    ${loyalty_packaging_dir}/loyalty-terminal/postrm
    ${loyalty_packaging_dir}/loyalty-terminal/conffiles)

set(CPACK_COMPONENT_HQ_DISPLAY_NAME "loyalty-hq")
set(CPACK_DEBIAN_HQ_PACKAGE_NAME loyalty-hq)
set(CPACK_COMPONENT_HQ_DESCRIPTION
    "Loyalty module for Linux POS terminals (HQ receiver)
loyalty-hq receives the terminals' ledgers over mutual TLS, keeps the
chain's ledger, publishes signed rule bundles and customer updates to the
terminals, and runs as the systemd service loyalty-hq.")
# libjs-chart.js: the report's and the backtest's pages inline Debian's Chart.js.
set(CPACK_DEBIAN_HQ_PACKAGE_DEPENDS "adduser, libjs-chart.js")
set(CPACK_DEBIAN_HQ_PACKAGE_RECOMMENDS "systemd")
set(CPACK_DEBIAN_HQ_PACKAGE_CONTROL_EXTRA
    ${loyalty_packaging_dir}/loyalty-hq/postinst
    ${loyalty_packaging_dir}/loyalty-hq/prerm
    ${loyalty_packaging_dir}/loyalty-hq/postrm)

include(CPack)
