# Cross build for 32-bit ARM terminals (armhf: ARMv7-A with VFPv3-D16, hard float), where size_t
# and pointers are 32 bits and, before Debian 13's 64-bit time_t transition, so is time_t.
#   cmake -S . -B build-armhf -G Ninja --toolchain toolchains/arm-linux-gnueabihf.cmake
# or: make cross-armhf.
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(loyalty_triplet arm-linux-gnueabihf)
set(loyalty_qemu arm)
include(${CMAKE_CURRENT_LIST_DIR}/debian-multiarch.cmake)
