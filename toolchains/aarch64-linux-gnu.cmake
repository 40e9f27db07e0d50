# Cross build for 64-bit ARM terminals (arm64: Cortex-A53/A55/A72 boards).
#   cmake -S . -B build-aarch64 -G Ninja --toolchain toolchains/aarch64-linux-gnu.cmake
# or: make cross-aarch64 (installs the cross compiler, qemu-user and the arm64 -dev packages).
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(loyalty_triplet aarch64-linux-gnu)
set(loyalty_qemu aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/debian-multiarch.cmake)
