# The part of a cross build that is the same for every Debian target: included by the toolchain
# files of this folder after they set loyalty_triplet (the GNU triplet, e.g. aarch64-linux-gnu)
# and loyalty_qemu (qemu-user's name for the CPU, e.g. aarch64).
#
# Compilers: Debian's cross compilers (crossbuild-essential-<arch>). Libraries: Debian's
# multiarch -dev packages of the target architecture (dpkg --add-architecture <arch>; apt-get
# install libsqlite3-dev:<arch> ...), whose headers are in /usr/include and whose libraries are in
# /usr/lib/<triplet>: CMAKE_LIBRARY_ARCHITECTURE makes find_library and find_package look there,
# and pkg-config reads only the target's .pc files. Tests run under qemu-user
# (CMAKE_CROSSCOMPILING_EMULATOR), so ctest and Catch2's test discovery work as on the build
# machine.

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER ${loyalty_triplet}-gcc)
set(CMAKE_CXX_COMPILER ${loyalty_triplet}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${loyalty_triplet})

# The build machine's programs (cmake, python3, zint) stay the build machine's; libraries,
# headers and packages are the target's (under / for multiarch, or the cross toolchain's
# /usr/<triplet>).
set(CMAKE_FIND_ROOT_PATH /usr/${loyalty_triplet} /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)  # header-only packages (Catch2) are architecture-free

set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${loyalty_triplet}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# qemu-user runs the target's programs: the cross toolchain's C++ runtime first, then the
# multiarch libraries. The order matters once the target's libc6 is installed too (every -dev
# package of the target pulls it in): the loader comes from -L, the cross toolchain's, and the
# multiarch libc6:<arch> may be a newer Debian revision; a program whose loader and libc differ
# can hang at its first thread (sync_tests did), so the cross toolchain's libc must be found
# first.
find_program(loyalty_qemu_program qemu-${loyalty_qemu}-static qemu-${loyalty_qemu}
             PATHS /usr/bin NO_CMAKE_FIND_ROOT_PATH)
if(NOT loyalty_qemu_program)
  message(FATAL_ERROR "qemu-${loyalty_qemu}-static not found: install qemu-user-static "
                      "(make cross-${loyalty_qemu} installs what is missing)")
endif()
set(CMAKE_CROSSCOMPILING_EMULATOR
    ${loyalty_qemu_program} -L /usr/${loyalty_triplet}
    -E LD_LIBRARY_PATH=/usr/${loyalty_triplet}/lib:/usr/lib/${loyalty_triplet}:/lib/${loyalty_triplet})
