// Replays fuzz inputs without libFuzzer: the main() of the replay_<x> programs, which the default
// (g++) and asan builds link with each fuzz_<x>.cc so that every ctest run replays the seed
// corpora (ctest tests fuzz_corpus_<x>; the fuzz preset keeps libFuzzer's own main).
//
//   replay_<x> PATH...   every PATH is a file, or a directory whose regular files (recursively)
//                        are replayed in name order.
//
// Each input is read whole and passed once to LLVMFuzzerTestOneInput. The name of the input goes
// to stderr before the call, so when a target's assertion aborts (or a sanitizer stops the
// program) the last name printed is the input that did it. Exit 0 when every input returned 0;
// 1 when a target returned non-zero (libFuzzer reserves that), a path is missing or unreadable, or
// no input was found at all: a corpus that vanished must not pass as an empty success.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

// The largest input replayed: seeds are small, and libFuzzer's own -max_len defaults to 4 KiB;
// a bigger file is most likely a mistake in the corpus.
constexpr std::uintmax_t replay_input_bytes_max = 16u << 20;
// Inputs found below one path; a bound against a runaway directory (e.g. a path given wrongly).
constexpr std::size_t replay_inputs_max = 100'000;

// Appends the inputs below `path` to `inputs`; false (after saying why) when there are none to
// take from it or it cannot be listed.
bool collect(const fs::path& path, std::vector<fs::path>& inputs) {
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (error || !fs::exists(status)) {
    std::fprintf(stderr, "replay: %s: no such file or directory\n", path.c_str());
    return false;
  }
  if (fs::is_regular_file(status)) {
    inputs.push_back(path);
    return true;
  }
  if (!fs::is_directory(status)) {
    std::fprintf(stderr, "replay: %s: neither a file nor a directory\n", path.c_str());
    return false;
  }
  std::vector<fs::path> found;
  for (fs::recursive_directory_iterator it(path, error), end; !error && it != end;
       it.increment(error)) {
    if (it->is_regular_file(error)) found.push_back(it->path());
    if (found.size() > replay_inputs_max) {
      std::fprintf(stderr, "replay: %s: more than %zu files\n", path.c_str(), replay_inputs_max);
      return false;
    }
  }
  if (error) {
    std::fprintf(stderr, "replay: %s: %s\n", path.c_str(), error.message().c_str());
    return false;
  }
  if (found.empty()) {
    std::fprintf(stderr, "replay: %s: the directory holds no input\n", path.c_str());
    return false;
  }
  std::sort(found.begin(), found.end());
  inputs.insert(inputs.end(), found.begin(), found.end());
  return true;
}

bool read_input(const fs::path& path, std::vector<std::uint8_t>& bytes) {
  std::error_code error;
  const std::uintmax_t size = fs::file_size(path, error);
  if (error || size > replay_input_bytes_max) {
    std::fprintf(stderr, "replay: %s: %s\n", path.c_str(),
                 error ? error.message().c_str() : "larger than 16 MiB");
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    std::fprintf(stderr, "replay: %s: cannot read it\n", path.c_str());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE_OR_DIRECTORY...\n", argv[0]);
    return 1;
  }
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    if (!collect(argv[i], inputs)) return 1;
  }
  std::vector<std::uint8_t> bytes;
  for (const fs::path& input : inputs) {
    if (!read_input(input, bytes)) return 1;
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", input.c_str(), bytes.size());
    std::fflush(stderr);
    // data() of an empty vector may be null; libFuzzer passes a valid pointer even for size 0.
    const std::uint8_t empty = 0;
    const int status = LLVMFuzzerTestOneInput(bytes.empty() ? &empty : bytes.data(), bytes.size());
    if (status != 0) {
      std::fprintf(stderr, "replay: %s: the target returned %d (only 0 is allowed)\n",
                   input.c_str(), status);
      return 1;
    }
  }
  std::printf("replay: %zu input(s) replayed, none failed\n", inputs.size());
  return 0;
}
