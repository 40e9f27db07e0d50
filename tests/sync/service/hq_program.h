// Running the real loyalty-hq (LOYALTY_HQ_BINARY) from a test: once to completion with its
// output captured, or in the background (serve) until the test stops it with a signal.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "temp_dir.h"

namespace loyalty::sync::test {

struct HqRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string read_whole(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// Starts loyalty-hq with `args`, its stdout and stderr going to these files; returns its pid.
inline pid_t spawn_hq(const std::vector<std::string>& args, const std::string& out_path,
                      const std::string& err_path) {
  std::vector<std::string> words{LOYALTY_HQ_BINARY};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {  // the child: only async-signal-safe calls until exec
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0 || err < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(127);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

inline int wait_exit(pid_t pid) {
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

// Runs loyalty-hq with `args` to completion.
inline HqRun run_hq(const std::vector<std::string>& args) {
  TempDir output;
  const pid_t pid = spawn_hq(args, output.file("out"), output.file("err"));
  HqRun run;
  run.exit_code = wait_exit(pid);
  run.out = read_whole(output.file("out"));
  run.err = read_whole(output.file("err"));
  return run;
}

// The port `loyalty-hq serve` wrote to D/serve.port, once it wrote it (REQUIREd within 10 s).
inline std::uint16_t wait_for_port(const std::string& path) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = read_whole(path);
    if (!text.empty() && text.back() == '\n') return static_cast<std::uint16_t>(std::stoi(text));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("serve did not write " << path);
  return 0;
}

}  // namespace loyalty::sync::test
