// PgServer (pg_server.h): initdb, pg_ctl and psql run with argument vectors (posix_spawn), never
// through a shell of ours; pg_ctl start runs under a supervisor process (supervise() below).
#include "postgres/pg_server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

#include "loyalty/core/result.h"

extern char** environ;

namespace loyalty::test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* superuser = "loyalty_test";
constexpr const char* server_user = "postgres";  // created by Debian's package postgresql
constexpr const char* fallback_bindir = "/usr/lib/postgresql/15/bin";
constexpr const char* not_installed =
    "PostgreSQL 15 is not installed (Debian package postgresql); run scripts/install-deps.sh";
constexpr int start_attempts_max = 5;    // ports taken by someone else between choice and bind
constexpr seconds ready_timeout{30};     // pg_ctl -w -t: per start, per stop
constexpr seconds command_timeout{120};  // initdb, psql, pg_config
constexpr seconds exit_timeout{30};      // the server's processes, after a stop or a kill
constexpr int quit_grace_s = 10;         // the supervisor's SIGQUIT before its SIGKILL
constexpr std::size_t log_tail_bytes_max = 256 * 1024;
constexpr std::size_t log_tail_lines = 40;  // in error messages

std::string errno_text(int error) { return std::system_category().message(error); }

// One file descriptor, closed by the destructor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// A NULL-terminated char* array over its own copies of `words`, for exec.
class CStrings {
 public:
  explicit CStrings(std::vector<std::string> words) : words_(std::move(words)) {
    for (std::string& word : words_) pointers_.push_back(word.data());
    pointers_.push_back(nullptr);
  }
  CStrings(const CStrings&) = delete;
  CStrings& operator=(const CStrings&) = delete;

  char* const* get() const { return pointers_.data(); }

 private:
  std::vector<std::string> words_;
  std::vector<char*> pointers_;
};

// An anonymous file for a child's stdout or stderr: unlike a pipe, it cannot fill up and block
// the child while nobody reads it.
Fd capture_file(const char* name) {
  const int fd = ::memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) throw std::runtime_error(std::string("memfd_create: ") + errno_text(errno));
  return Fd(fd);
}

std::string read_all(int fd) {
  std::string text;
  char buffer[8192];
  for (off_t offset = 0;;) {
    const ssize_t n = ::pread(fd, buffer, sizeof buffer, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    offset += n;
  }
  return text;
}

std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::uintmax_t file_size_or_zero(const std::string& path) {
  std::error_code error;
  const std::uintmax_t size = fs::file_size(path, error);
  return error ? 0 : size;
}

// The last `lines` lines of `text`, without a final newline.
std::string last_lines(std::string_view text, std::size_t lines) {
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (lines == 0) return "";
  std::size_t start = text.size();
  for (std::size_t count = 0; start > 0;) {
    const std::size_t newline = text.rfind('\n', start - 1);
    if (newline == std::string_view::npos) {
      start = 0;
    } else if (++count == lines) {
      start = newline + 1;
      break;
    } else {
      start = newline;
    }
  }
  return std::string(text.substr(start));
}

std::string indented(std::string_view text) {
  std::string result;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    result += "    ";
    result.append(text.substr(begin, end - begin));
    result += '\n';
    begin = end + 1;
  }
  return result.empty() ? "    (nothing)\n" : result;
}

std::string without_final_newlines(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

// The caller's environment without anything that steers libpq or the server (PGHOST, PGDATA,
// PGOPTIONS, ...), and with a fixed locale so that the programs' messages are in English.
std::vector<std::string> child_environment() {
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (text.starts_with("PG") || text.starts_with("LC_") || text.starts_with("LANG")) continue;
    environment.emplace_back(text);
  }
  environment.emplace_back("LC_ALL=C.UTF-8");
  environment.emplace_back("PGCONNECT_TIMEOUT=10");
  return environment;
}

// A finished child: its wait status, or why it did not run or finish, and its output.
struct Run {
  int status = 0;
  int spawn_error = 0;
  bool timed_out = false;
  std::string out;
  std::string err;

  bool ok() const {
    return spawn_error == 0 && !timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  std::string how() const {
    if (spawn_error != 0) return "could not be run: " + errno_text(spawn_error);
    if (timed_out) return "did not finish in time and was killed";
    if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
    return "failed with exit status " + std::to_string(WEXITSTATUS(status));
  }
};

// Waits for `pid`, at most `timeout`; then kills it and waits for that.
int wait_bounded(pid_t pid, Clock::duration timeout, bool& timed_out) {
  const auto deadline = Clock::now() + timeout;
  auto pause = milliseconds(1);
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0 && errno != EINTR) return status;
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, milliseconds(20));
  }
  timed_out = true;
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

enum class Lookup { exact, path };

// Runs `words` (argv[0] a path, or a name looked up in PATH) in `cwd` with `environment`, stdin
// from /dev/null, and returns its status and output.
Run run(const std::vector<std::string>& words, const std::vector<std::string>& environment,
        const std::string& cwd, Clock::duration timeout, Lookup lookup = Lookup::exact) {
  LOYALTY_ASSERT(!words.empty());
  const CStrings argv(words);
  const CStrings envp(environment);
  const Fd out = capture_file("pg-server-out");
  const Fd err = capture_file("pg-server-err");

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawnattr_init(&attributes);
  ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_adddup2(&actions, out.get(), 1);
  ::posix_spawn_file_actions_adddup2(&actions, err.get(), 2);
  if (!cwd.empty()) ::posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  // Signals the test program blocks or ignores (SIGPIPE, often) are not the child's business.
  sigset_t none;
  sigset_t defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (const int signal : {SIGPIPE, SIGCHLD, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2})
    sigaddset(&defaults, signal);
  ::posix_spawnattr_setsigmask(&attributes, &none);
  ::posix_spawnattr_setsigdefault(&attributes, &defaults);
  ::posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  pid_t pid = -1;
  const int error =
      lookup == Lookup::path
          ? ::posix_spawnp(&pid, argv.get()[0], &actions, &attributes, argv.get(), envp.get())
          : ::posix_spawn(&pid, argv.get()[0], &actions, &attributes, argv.get(), envp.get());
  ::posix_spawn_file_actions_destroy(&actions);
  ::posix_spawnattr_destroy(&attributes);

  Run result;
  if (error != 0) {
    result.spawn_error = error;
    return result;
  }
  result.status = wait_bounded(pid, timeout, result.timed_out);
  result.out = read_all(out.get());
  result.err = read_all(err.get());
  return result;
}

bool executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

// The directory of PostgreSQL 15's programs: pg_config's --bindir if pg_config is PostgreSQL
// 15's, else Debian's /usr/lib/postgresql/15/bin.
std::string find_bindir(const std::string& label, const std::vector<std::string>& environment) {
  std::vector<std::string> candidates;
  const Run version =
      run({"pg_config", "--version"}, environment, "", command_timeout, Lookup::path);
  if (version.ok() && version.out.starts_with("PostgreSQL 15")) {
    const Run bindir =
        run({"pg_config", "--bindir"}, environment, "", command_timeout, Lookup::path);
    if (bindir.ok()) candidates.push_back(without_final_newlines(bindir.out));
  }
  candidates.emplace_back(fallback_bindir);
  for (const std::string& candidate : candidates) {
    static constexpr const char* programs[] = {"initdb", "pg_ctl", "postgres", "psql"};
    const bool complete = std::all_of(std::begin(programs), std::end(programs), [&](auto program) {
      return executable(candidate + "/" + program);
    });
    if (complete) return candidate;
  }
  throw std::runtime_error(label + ": " + not_installed +
                           " (no initdb, pg_ctl, postgres and psql in " + candidates.back() + ")");
}

// Whether the user `uid` (group `gid`) may traverse `dir` and every directory above it.
bool reachable_by(const fs::path& dir, uid_t uid, gid_t gid) {
  for (fs::path path = fs::absolute(dir);; path = path.parent_path()) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) return false;
    const bool searchable = (info.st_mode & S_IXOTH) != 0 ||
                            (info.st_uid == uid && (info.st_mode & S_IXUSR) != 0) ||
                            (info.st_gid == gid && (info.st_mode & S_IXGRP) != 0);
    if (!searchable) return false;
    if (path == path.root_path()) return true;
  }
}

// A port of 127.0.0.1 that was free a moment ago: bound with port 0, read, closed.
int free_port() {
  const Fd socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (socket.get() < 0) throw std::runtime_error("socket: " + errno_text(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(socket.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error("a free port of 127.0.0.1: " + errno_text(errno));
  return ntohs(address.sin_port);
}

// A value for postgresql.conf: quoted, with quotes doubled.
std::string conf_string(std::string_view text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return quoted + "'";
}

std::string percent_encoded(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string encoded;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
        (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
      encoded += c;
    } else {
      encoded += '%';
      encoded += hex[byte >> 4];
      encoded += hex[byte & 0xF];
    }
  }
  return encoded;
}

// --- The supervisor ------------------------------------------------------------------------------
//
// pg_ctl start forks the postmaster and exits, so the postmaster's parent would become init, which
// in some containers never reaps: a stopped server would stay a zombie, and after a SIGKILL the
// next postmaster would take the zombie's pid in postmaster.pid for a live server and refuse to
// start. So pg_ctl runs under a supervisor, a forked child of the test program that is a child
// subreaper (PR_SET_CHILD_SUBREAPER): the postmaster, and after a crash its own children, are
// reparented to it, it reaps them all, and it exits when none is left. Over a socket pair it sends
// pg_ctl's wait status; when its end sees EOF (the test program has died, or gave up on it), it
// stops the server (SIGQUIT, an immediate shutdown; SIGKILL after quit_grace_s), waits for all of
// its processes, and runs rm -rf on the temporary directory.
//
// It is forked from a program that may have other threads, so it makes only async-signal-safe
// calls: everything it needs is prepared before the fork.
struct SupervisorPlan {
  char* const* argv;  // pg_ctl start ..., under setpriv when root
  char* const* envp;
  char* const* remove_argv;  // rm -rf -- DIR
  const char* cwd;
  const char* pid_file;  // DATA/postmaster.pid
  int control_fd;
  int out_fd;
  int err_fd;
};

// The supervisor's descriptors after it rearranged them.
constexpr int control_fd_child = 3;
constexpr int out_fd_child = 4;
constexpr int err_fd_child = 5;

void wake_up(int) {}

std::int64_t monotonic_s() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec;
}

// The pid in the first line of postmaster.pid, or 0.
pid_t read_pid_file(const char* path) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char text[32];
  const ssize_t n = ::read(fd, text, sizeof text);
  ::close(fd);
  pid_t pid = 0;
  for (ssize_t i = 0; i < n && text[i] >= '0' && text[i] <= '9' && pid < 100'000'000; ++i)
    pid = pid * 10 + (text[i] - '0');
  return pid;
}

// Signals the postmaster only while it is the supervisor's child (waitpid says so), never a
// stranger that got its pid after it exited.
void signal_postmaster(const char* pid_file, int signal) {
  const pid_t pid = read_pid_file(pid_file);
  int status = 0;
  if (pid > 0 && ::waitpid(pid, &status, WNOHANG) == 0) ::kill(pid, signal);
}

[[noreturn]] void run_launcher(const SupervisorPlan& plan) {
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (const int signal : {SIGCHLD, SIGPIPE, SIGHUP, SIGINT, SIGQUIT, SIGTERM})
    ::sigaction(signal, &default_action, nullptr);
  if (::dup2(out_fd_child, 1) < 0 || ::dup2(err_fd_child, 2) < 0) ::_exit(127);
  ::close(control_fd_child);
  ::close(out_fd_child);
  ::close(err_fd_child);
  if (::chdir(plan.cwd) != 0) ::_exit(127);
  ::execve(plan.argv[0], plan.argv, plan.envp);
  ::_exit(127);
}

// Moves the plan's descriptors to 3, 4 and 5, stdin, stdout and stderr to /dev/null (the test
// program's stdout may be a pipe that ctest reads to its end), and closes all others.
void arrange_descriptors(const SupervisorPlan& plan) {
  const int high[3] = {::fcntl(plan.control_fd, F_DUPFD, 64), ::fcntl(plan.out_fd, F_DUPFD, 64),
                       ::fcntl(plan.err_fd, F_DUPFD, 64)};
  for (int i = 0; i < 3; ++i)
    if (high[i] < 0 || ::dup2(high[i], control_fd_child + i) < 0) ::_exit(127);
  if (::close_range(err_fd_child + 1, ~0U, 0) != 0)
    for (int fd = err_fd_child + 1; fd < 65536; ++fd) ::close(fd);
  const int null = ::open("/dev/null", O_RDWR);
  if (null < 0) ::_exit(127);
  for (int fd = 0; fd < 3; ++fd) ::dup2(null, fd);
  if (null > err_fd_child) ::close(null);
}

[[noreturn]] void supervise(const SupervisorPlan& plan) {
  ::setsid();  // a Ctrl-C for the test program's process group does not reach the supervisor
  arrange_descriptors(plan);
  ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  sigset_t child_signal;
  sigset_t waiting;  // the mask while waiting: SIGCHLD let through
  sigemptyset(&child_signal);
  sigaddset(&child_signal, SIGCHLD);
  ::sigprocmask(SIG_BLOCK, &child_signal, &waiting);
  sigdelset(&waiting, SIGCHLD);
  struct sigaction action {};
  action.sa_handler = wake_up;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_NOCLDSTOP;
  ::sigaction(SIGCHLD, &action, nullptr);

  const pid_t launcher = ::fork();
  if (launcher == 0) run_launcher(plan);
  ::close(out_fd_child);
  ::close(err_fd_child);
  bool reported = false;
  if (launcher < 0) {
    const int status = 127 << 8;  // as if pg_ctl exited with 127
    ::send(control_fd_child, &status, sizeof status, MSG_NOSIGNAL);
    reported = true;
  }
  bool quitting = false;
  std::int64_t quit_at_s = 0;
  for (;;) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      if (pid == launcher && !reported) {
        ::send(control_fd_child, &status, sizeof status, MSG_NOSIGNAL);
        reported = true;
      }
      continue;
    }
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0) break;  // ECHILD: pg_ctl, the server and all of its processes have exited
    pollfd control{quitting ? -1 : control_fd_child, POLLIN, 0};
    const timespec tick{0, 200'000'000};
    if (::ppoll(&control, 1, &tick, &waiting) > 0) {
      char byte = 0;
      if (::read(control_fd_child, &byte, 1) <= 0 && !quitting) {
        quitting = true;  // the test program has gone, or gave up on the server
        quit_at_s = monotonic_s();
      }
    }
    if (quitting)
      signal_postmaster(plan.pid_file,
                        monotonic_s() - quit_at_s < quit_grace_s ? SIGQUIT : SIGKILL);
  }
  if (quitting) ::execve(plan.remove_argv[0], plan.remove_argv, plan.envp);
  ::_exit(0);
}

// Reads the supervisor's report of pg_ctl's wait status, waiting at most `timeout`.
std::optional<int> receive_status(int fd, Clock::duration timeout) {
  const auto deadline = Clock::now() + timeout;
  int status = 0;
  std::size_t received = 0;
  while (received < sizeof status) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd readable{fd, POLLIN, 0};
    const int ready = ::poll(&readable, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;
    const ssize_t n =
        ::recv(fd, reinterpret_cast<char*>(&status) + received, sizeof status - received, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    received += static_cast<std::size_t>(n);
  }
  return status;
}

}  // namespace

// --- PgServer::State -----------------------------------------------------------------------------

struct PgServer::State {
  std::string name;
  std::string bindir;
  // As root: the setpriv that runs initdb, pg_ctl and the server as the postgres user.
  std::string setpriv;
  uid_t server_uid = 0;
  gid_t server_gid = 0;
  std::vector<std::string> environment;
  std::vector<std::string> settings;
  std::string dir;  // the temporary directory, removed by the destructor
  std::string data_dir;
  std::string log_path;
  int port = 0;
  pid_t supervisor = -1;
  Fd control;  // our end of the supervisor's socket pair
  bool running = false;

  State() = default;
  ~State();
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  std::string label() const { return "PgServer \"" + name + "\""; }
  std::string program(const char* file) const { return bindir + "/" + file; }
  std::string where() const {
    return "port " + std::to_string(port) + ", data directory " + data_dir;
  }
  std::vector<std::string> as_server(std::vector<std::string> words) const;
  void choose_user();
  void make_directory();
  void init_cluster();
  void write_config() const;
  struct Failure {
    std::string text;
    bool port_taken = false;
  };
  std::optional<Failure> launch();
  void start_on_free_port();
  void wait_ready() const;
  bool reap_supervisor(Clock::duration timeout) noexcept;
  void shut_down() noexcept;
  void stop(std::string_view mode);
  void kill_postmaster();
  std::string psql(std::string_view sql, std::string_view database) const;
  std::string conninfo(std::string_view database) const;
  std::string log_tail(std::size_t lines) const;
};

PgServer::State::~State() {
  shut_down();
  if (!dir.empty()) {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
}

std::vector<std::string> PgServer::State::as_server(std::vector<std::string> words) const {
  if (setpriv.empty()) return words;
  std::vector<std::string> wrapped{setpriv, std::string("--reuid=") + server_user,
                                   std::string("--regid=") + server_user, "--init-groups", "--"};
  wrapped.insert(wrapped.end(), words.begin(), words.end());
  return wrapped;
}

// PostgreSQL refuses to run as root: then the server's programs run as the postgres user.
void PgServer::State::choose_user() {
  server_uid = ::geteuid();
  server_gid = ::getegid();
  if (server_uid != 0) return;
  const passwd* user = ::getpwnam(server_user);  // start() is for one thread at a time
  if (user == nullptr)
    throw std::runtime_error(label() + ": running as root, but there is no user " + server_user +
                             " to run PostgreSQL as (Debian's package postgresql creates it); " +
                             "run scripts/install-deps.sh");
  server_uid = user->pw_uid;
  server_gid = user->pw_gid;
  for (const char* candidate : {"/usr/bin/setpriv", "/bin/setpriv"}) {
    if (executable(candidate)) {
      setpriv = candidate;
      return;
    }
  }
  throw std::runtime_error(label() + ": running as root, but setpriv (Debian package " +
                           "util-linux), which runs PostgreSQL as " + server_user + ", is missing");
}

// The temporary directory, which the server's user must reach: below the system's temp
// directory, or /tmp when the postgres user cannot traverse that (e.g. TMPDIR under /root).
void PgServer::State::make_directory() {
  fs::path base = fs::temp_directory_path();
  if (!reachable_by(base, server_uid, server_gid)) {
    if (!reachable_by("/tmp", server_uid, server_gid))
      throw std::runtime_error(label() + ": neither " + base.string() + " nor /tmp can be " +
                               "reached by the user " + server_user);
    base = "/tmp";
  }
  std::string pattern = (base / "loyalty-pg-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error(label() + ": mkdtemp " + pattern + ": " + errno_text(errno));
  dir = pattern;  // from here on the destructor removes it
  data_dir = dir + "/data";
  log_path = dir + "/server.log";
  if (!setpriv.empty() && ::chown(dir.c_str(), server_uid, server_gid) != 0)
    throw std::runtime_error(label() + ": chown " + dir + " to " + server_user + ": " +
                             errno_text(errno));
}

void PgServer::State::init_cluster() {
  const Run initdb = run(as_server({program("initdb"), "-D", data_dir, "--auth=trust",
                                    "--encoding=UTF8", "--locale=C.UTF-8", "-U", superuser}),
                         environment, dir, command_timeout);
  if (!initdb.ok())
    throw std::runtime_error(label() + ": initdb " + initdb.how() + " (data directory " + data_dir +
                             "):\n" + indented(initdb.err + initdb.out));
  // The settings live in a file of their own, rewritten when the port changes.
  std::ofstream conf(data_dir + "/postgresql.conf", std::ios::app);
  conf << "\n# The tests' PgServer (tests/sync/postgres/pg_server.cc)\n"
       << "include 'loyalty_test.conf'\n";
  if (!conf.flush())
    throw std::runtime_error(label() + ": cannot append to " + data_dir + "/postgresql.conf");
}

void PgServer::State::write_config() const {
  const std::string path = data_dir + "/loyalty_test.conf";
  {
    std::ofstream conf(path, std::ios::trunc);
    conf << "# Written by the tests' PgServer (tests/sync/postgres/pg_server.cc).\n"
         << "listen_addresses = '127.0.0.1'\n"
         << "port = " << port << "\n"
         << "unix_socket_directories = " << conf_string(dir) << "\n"
         << "max_connections = 200\n"
         << "shared_buffers = 128MB\n"
         << "fsync = on\n"  // durability tests need it; Options::settings may turn it off
         << "logging_collector = off\n"  // pg_ctl -l: the server's stderr is server.log
         << "log_destination = 'stderr'\n"
         << "# Options::settings\n";
    for (const std::string& setting : settings) conf << setting << "\n";
    if (!conf.flush()) throw std::runtime_error(label() + ": cannot write " + path);
  }
  if (!setpriv.empty() && ::chown(path.c_str(), server_uid, server_gid) != 0)
    throw std::runtime_error(label() + ": chown " + path + ": " + errno_text(errno));
}

// Starts pg_ctl start -w under a new supervisor; nullopt once the server is ready.
std::optional<PgServer::State::Failure> PgServer::State::launch() {
  LOYALTY_ASSERT(supervisor < 0 && !running);
  const std::uintmax_t log_offset = file_size_or_zero(log_path);
  const CStrings argv(as_server({program("pg_ctl"), "start", "-D", data_dir, "-l", log_path, "-w",
                                 "-t", std::to_string(ready_timeout.count())}));
  const CStrings envp(environment);
  const CStrings remove_argv({"/bin/rm", "-rf", "--", dir});
  const std::string pid_file = data_dir + "/postmaster.pid";
  const Fd out = capture_file("pg_ctl-out");
  const Fd err = capture_file("pg_ctl-err");
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
    throw std::runtime_error(label() + ": socketpair: " + errno_text(errno));
  Fd ours(pair[0]);
  Fd theirs(pair[1]);
  const SupervisorPlan plan{argv.get(),       envp.get(),   remove_argv.get(), dir.c_str(),
                            pid_file.c_str(), theirs.get(), out.get(),         err.get()};
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(label() + ": fork: " + errno_text(errno));
  if (pid == 0) supervise(plan);
  supervisor = pid;
  control = std::move(ours);
  theirs.reset();
  running = true;  // perhaps: shut_down() stops whatever pg_ctl left running

  const std::optional<int> status = receive_status(control.get(), ready_timeout + seconds(30));
  if (status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) return std::nullopt;
  Run pg_ctl;
  pg_ctl.timed_out = !status;
  pg_ctl.status = status.value_or(0);
  const std::string output = read_all(out.get()) + read_all(err.get());
  shut_down();
  std::string log = read_file(log_path);
  log.erase(0, std::min<std::uintmax_t>(log_offset, log.size()));  // this attempt's lines
  return Failure{"pg_ctl start " + pg_ctl.how() + ":\n" + indented(output) +
                     "the server's log (its last lines):\n" +
                     indented(last_lines(log, log_tail_lines)),
                 log.find("Address already in use") != std::string::npos};
}

void PgServer::State::start_on_free_port() {
  for (int attempt = 1;; ++attempt) {
    port = free_port();
    write_config();
    const std::optional<Failure> failure = launch();
    if (!failure) break;
    if (!failure->port_taken || attempt == start_attempts_max)
      throw std::runtime_error(label() + ": the server did not start (" + where() + ", attempt " +
                               std::to_string(attempt) + "): " + failure->text);
  }
  wait_ready();
}

// pg_ctl -w saw "ready" in postmaster.pid; a query over TCP proves the port, the superuser and
// the trust authentication too.
void PgServer::State::wait_ready() const {
  std::string answer;
  try {
    answer = psql("SELECT 1", "postgres");
  } catch (const std::runtime_error& error) {
    throw std::runtime_error(std::string(error.what()) + "\nthe server's log:\n" +
                             indented(log_tail(log_tail_lines)));
  }
  if (answer != "1")
    throw std::runtime_error(label() + ": SELECT 1 answered \"" + answer + "\" (" + where() + ")");
}

// Waits at most `timeout` for the supervisor, which exits once all of the server's processes
// have; true when it has (or there was none).
bool PgServer::State::reap_supervisor(Clock::duration timeout) noexcept {
  if (supervisor < 0) return true;
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(supervisor, &status, WNOHANG);
    if (done == supervisor || (done < 0 && errno != EINTR)) {
      supervisor = -1;
      control.reset();
      return true;
    }
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
}

// Stops the server, if it runs, with an immediate shutdown, and reaps it; never throws.
void PgServer::State::shut_down() noexcept {
  if (supervisor < 0) return;
  std::error_code no_file;
  if (running && fs::exists(data_dir + "/postmaster.pid", no_file)) {
    try {
      run(as_server({program("pg_ctl"), "stop", "-D", data_dir, "-m", "immediate", "-w", "-t",
                     std::to_string(ready_timeout.count())}),
          environment, dir, ready_timeout + seconds(30));
    } catch (...) {  // the supervisor below quits the server itself
    }
  }
  running = false;
  if (reap_supervisor(exit_timeout)) return;
  control.reset();  // EOF: the supervisor quits the server, SIGKILL after quit_grace_s
  if (reap_supervisor(seconds(quit_grace_s + 10))) return;
  ::kill(supervisor, SIGKILL);
  ::waitpid(supervisor, nullptr, 0);
  supervisor = -1;
}

void PgServer::State::stop(std::string_view mode) {
  if (!running) throw std::runtime_error(label() + ": stop: the server is not running");
  const Run pg_ctl =
      run(as_server({program("pg_ctl"), "stop", "-D", data_dir, "-m", std::string(mode), "-w", "-t",
                     std::to_string(ready_timeout.count())}),
          environment, dir, ready_timeout + seconds(30));
  if (!pg_ctl.ok())
    throw std::runtime_error(label() + ": pg_ctl stop -m " + std::string(mode) + " " +
                             pg_ctl.how() + " (" + where() + "):\n" +
                             indented(pg_ctl.out + pg_ctl.err) + "the server's log:\n" +
                             indented(log_tail(log_tail_lines)));
  running = false;
  if (!reap_supervisor(exit_timeout))
    throw std::runtime_error(label() + ": the server's processes did not exit within " +
                             std::to_string(exit_timeout.count()) + " s of pg_ctl stop");
}

void PgServer::State::kill_postmaster() {
  if (!running) throw std::runtime_error(label() + ": kill_postmaster: the server is not running");
  const pid_t pid = read_pid_file((data_dir + "/postmaster.pid").c_str());
  if (pid <= 0)
    throw std::runtime_error(label() + ": kill_postmaster: no pid in " + data_dir +
                             "/postmaster.pid");
  if (::kill(pid, SIGKILL) != 0)
    throw std::runtime_error(label() + ": kill_postmaster: kill " + std::to_string(pid) + ": " +
                             errno_text(errno));
  running = false;
  if (!reap_supervisor(exit_timeout))
    throw std::runtime_error(label() + ": the server's processes did not exit within " +
                             std::to_string(exit_timeout.count()) + " s of killing the postmaster");
}

std::string PgServer::State::psql(std::string_view sql, std::string_view database) const {
  const Run psql = run({program("psql"), "-X", "-v", "ON_ERROR_STOP=1", "-At", "-d",
                        conninfo(database), "-c", std::string(sql)},
                       environment, dir, command_timeout);
  if (!psql.ok())
    throw std::runtime_error(label() + ": psql " + psql.how() + " on \"" + std::string(sql) +
                             "\" in " + std::string(database) + ":\n" + indented(psql.err));
  return without_final_newlines(psql.out);
}

std::string PgServer::State::conninfo(std::string_view database) const {
  return std::string("postgresql://") + superuser + "@127.0.0.1:" + std::to_string(port) + "/" +
         percent_encoded(database);
}

std::string PgServer::State::log_tail(std::size_t lines) const {
  std::ifstream file(log_path, std::ios::binary);
  const std::uintmax_t size = file_size_or_zero(log_path);
  if (size > log_tail_bytes_max) file.seekg(static_cast<std::streamoff>(size - log_tail_bytes_max));
  std::ostringstream text;
  text << file.rdbuf();
  return last_lines(text.str(), lines);
}

// --- PgServer ------------------------------------------------------------------------------------

PgServer::PgServer(std::unique_ptr<State> state) : state_(std::move(state)) {}
PgServer::~PgServer() = default;
PgServer::PgServer(PgServer&& other) noexcept = default;
PgServer& PgServer::operator=(PgServer&& other) noexcept = default;

PgServer PgServer::start(const Options& options) {
  auto state = std::make_unique<State>();
  state->name = options.name;
  for (const std::string& setting : options.settings) {
    if (setting.find('=') == std::string::npos || setting.find('\n') != std::string::npos)
      throw std::runtime_error(state->label() + ": setting \"" + setting +
                               "\" is not one \"key=value\" line");
  }
  state->settings = options.settings;
  state->environment = child_environment();
  state->bindir = find_bindir(state->label(), state->environment);
  state->choose_user();
  state->make_directory();  // owned by *state from here: an exception below removes it
  state->init_cluster();
  state->start_on_free_port();
  return PgServer(std::move(state));
}

PgServer PgServer::start() { return start(Options{}); }

int PgServer::port() const {
  LOYALTY_ASSERT(state_ != nullptr);
  return state_->port;
}

std::string PgServer::host() const { return "127.0.0.1"; }

std::string PgServer::conninfo(std::string_view database) const {
  LOYALTY_ASSERT(state_ != nullptr);
  return state_->conninfo(database);
}

void PgServer::stop(std::string_view mode) {
  LOYALTY_ASSERT(state_ != nullptr);
  state_->stop(mode);
}

void PgServer::start_again() {
  LOYALTY_ASSERT(state_ != nullptr);
  if (state_->running)
    throw std::runtime_error(state_->label() + ": start_again: the server is already running");
  const std::optional<State::Failure> failure = state_->launch();
  if (failure)
    throw std::runtime_error(state_->label() + ": the server did not start again (" +
                             state_->where() + "): " + failure->text);
  state_->wait_ready();
}

void PgServer::restart(std::string_view mode) {
  stop(mode);
  start_again();
}

void PgServer::kill_postmaster() {
  LOYALTY_ASSERT(state_ != nullptr);
  state_->kill_postmaster();
}

std::string PgServer::psql(std::string_view sql, std::string_view database) const {
  LOYALTY_ASSERT(state_ != nullptr);
  return state_->psql(sql, database);
}

void PgServer::create_database(std::string_view name) const {
  LOYALTY_ASSERT(state_ != nullptr);
  std::string identifier = "\"";
  for (const char c : name) identifier += c == '"' ? std::string("\"\"") : std::string(1, c);
  state_->psql("CREATE DATABASE " + identifier + "\"", "postgres");
}

std::string PgServer::log_tail(std::size_t lines) const {
  LOYALTY_ASSERT(state_ != nullptr);
  return state_->log_tail(lines);
}

const std::string& PgServer::data_dir() const {
  LOYALTY_ASSERT(state_ != nullptr);
  return state_->data_dir;
}

}  // namespace loyalty::test
