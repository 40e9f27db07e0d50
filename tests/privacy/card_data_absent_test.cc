// The bank-card rule, proven end to end through the real programs: track data and PANs of payment
// cards are never stored, logged, or put in a message, while the chain's own cards get through.
//
// In a fresh temporary directory, `loyaltyctl listen --program grocery.json` reads keyboard-wedge
// swipes from a pseudo-terminal (the serial transport: a real tty, raw mode, CR-terminated
// frames): three payment cards, a bad swipe, a fleet card whose number fails Luhn (withheld: it is
// in the financial layout and in none of the bundle's card ranges), the chain's gift card with a
// Luhn-valid number and a service code (let through: its number is in the bundle's gift range)
// and a loyalty card. The Visa card's token and the loyalty card then check receipts out into a
// new ledger, which `balance`, `ledger export` and `ledger check` read, and `swipe` decodes the
// Visa and fleet lines offline. Every output, log and database file the session left (stdout and
// stderr of every run, the ledger and its -wal/-shm) is then searched byte by byte for the PANs,
// tracks, cardholder name and expiry: none may be there, while the card token, the loyalty card
// number and the gift card number must be (so the search really read what was printed and
// stored). A negative control proves the search finds a PAN it is shown.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "loyalty/drivers/tokens/hmac_keys.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using loyalty::drivers::HmacKeyBytes;

// Generous: the machine running the tests may be loaded. These bound waits, they assert nothing
// about speed.
constexpr std::chrono::milliseconds process_exit_timeout{20'000};
constexpr std::chrono::milliseconds event_timeout{20'000};
constexpr std::chrono::milliseconds port_open_timeout{20'000};
constexpr std::chrono::milliseconds probe_interval{250};
constexpr std::chrono::milliseconds poll_step{10};
// listen's own deadline, far beyond ours: our timeouts fail the test first, with a message.
constexpr std::string_view listen_timeout_ms = "300000";

// The payment cards (Luhn-valid test PANs) and what of them must never be written anywhere.
constexpr std::string_view visa_pan = "4111111111111111";
constexpr std::string_view visa_pan_spaced = "4111 1111 1111 1111";
constexpr std::string_view visa_track1 = "%B4111111111111111^DOE/JANE^2512101000000000?";
constexpr std::string_view visa_track2 = ";4111111111111111=25121010000000000000?";
constexpr std::string_view golden_pan = "6012345678901234";
constexpr std::string_view golden_pan_spaced = "6012 3456 7890 1234";
constexpr std::string_view golden_track1 = "%B6012345678901234^DOE/JANE^2512101?";
constexpr std::string_view mastercard_pan = "5555555555554444";
constexpr std::string_view mastercard_pan_spaced = "5555 5555 5555 4444";
constexpr std::string_view mastercard_track2 = ";5555555555554444=29032010000000000000?";
constexpr std::string_view cardholder_name = "DOE/JANE";
// A fleet card from a public SDK's test cards: the financial layout, a number that fails Luhn.
constexpr std::string_view fleet_pan = "6900460430001234566";
constexpr std::string_view fleet_pan_spaced = "6900 4604 3000 1234 566";
constexpr std::string_view fleet_track2 = ";6900460430001234566=25121012202100000?";
constexpr std::string_view fleet_discretionary = "2202100000";
constexpr std::string_view visa_expiry_service = "2512101";        // YYMM + service code
constexpr std::string_view mastercard_expiry_service = "2903201";  // YYMM + service code

// The loyalty card: EAN-13 in grocery.json's loyalty range 29 with its GS1 check digit (8).
constexpr std::string_view loyalty_card = "2900000000018";
constexpr std::string_view loyalty_track2 = ";2900000000018?";
// The chain's gift card (grocery.json's range 6036960..6036969, 19 digits, Luhn), in the
// financial layout with a service code, as gift cards often are; sent with its LRC ('5').
constexpr std::string_view gift_card = "6036960000000001236";
constexpr std::string_view gift_track2 = ";6036960000000001236=27121010000000000?";
constexpr std::string_view gift_lrc = "5";
// Every track failed (the reader's E markers): an error event, not a scan.
constexpr std::string_view bad_swipe = "%E?;E?";
// Sent until listen answers, to know the port is open and enabled (its input flushed): an error
// event too, so it never counts towards --count.
constexpr std::string_view probe_swipe = "%E?";

constexpr std::string_view checkout_at = "2026-11-25T10:00:00Z";

struct Needle {
  std::string label;  // what the test prints: never the secret itself
  std::string bytes;
};

std::vector<Needle> card_data_needles() {
  std::vector<Needle> needles = {
      {"Visa PAN", std::string(visa_pan)},
      {"Visa PAN with spaces", std::string(visa_pan_spaced)},
      {"Visa track 1", std::string(visa_track1)},
      {"Visa track 2", std::string(visa_track2)},
      {"golden PAN", std::string(golden_pan)},
      {"golden PAN with spaces", std::string(golden_pan_spaced)},
      {"golden track 1", std::string(golden_track1)},
      {"Mastercard PAN", std::string(mastercard_pan)},
      {"Mastercard PAN with spaces", std::string(mastercard_pan_spaced)},
      {"Mastercard track 2", std::string(mastercard_track2)},
      {"cardholder name", std::string(cardholder_name)},
      {"Visa/golden expiry and service code", std::string(visa_expiry_service)},
      {"Mastercard expiry and service code", std::string(mastercard_expiry_service)},
      {"fleet PAN", std::string(fleet_pan)},
      {"fleet PAN with spaces", std::string(fleet_pan_spaced)},
      {"fleet track 2", std::string(fleet_track2)},
      {"fleet discretionary data", std::string(fleet_discretionary)},
  };
  // Each track's text without its sentinels, as a decoder that strips them would keep it.
  const std::pair<const char*, std::string_view> tracks[] = {
      {"Visa track 1", visa_track1},
      {"Visa track 2", visa_track2},
      {"golden track 1", golden_track1},
      {"Mastercard track 2", mastercard_track2},
      {"fleet track 2", fleet_track2}};
  for (const auto& [name, track] : tracks) {
    needles.push_back(
        {std::string(name) + " without sentinels", std::string(track.substr(1, track.size() - 2))});
  }
  return needles;
}

std::string hex(std::span<const std::uint8_t> bytes) {
  constexpr std::string_view digits = "0123456789abcdef";
  std::string text;
  for (std::uint8_t byte : bytes) {
    text += digits[byte >> 4];
    text += digits[byte & 0x0F];
  }
  return text;
}

// The program's card key: 32 bytes, 0x5A ^ i * 7 (any fixed key of 16+ bytes would do).
HmacKeyBytes card_key() {
  HmacKeyBytes key(32);
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(0x5A ^ (i * 7));
  return key;
}

// The token the terminal must derive, computed here independently of the reader's code path.
std::string expected_card_token(std::string_view pan) {
  const HmacKeyBytes key = card_key();
  return std::string(loyalty::drivers::card_token_prefix) +
         loyalty::encode_base64url(loyalty::drivers::hmac_sha256(key, pan));
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) FAIL("cannot read " << path.string());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A fresh directory under the system's temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "loyalty-privacy-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// One file descriptor, closed on destruction.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// A child process; killed and reaped on destruction if it is still running (a failed REQUIRE
// leaves no loyaltyctl behind).
class Child {
 public:
  // Runs argv[0] with stdin from /dev/null, stdout and stderr to the given files, in `cwd`,
  // with HOME and TMPDIR pointing at `cwd` too: whatever the program writes lands where the test
  // searches.
  Child(const std::vector<std::string>& argv, const fs::path& cwd, const fs::path& out_path,
        const fs::path& err_path) {
    posix_spawn_file_actions_t actions;
    REQUIRE(::posix_spawn_file_actions_init(&actions) == 0);
    const int output_flags = O_WRONLY | O_CREAT | O_TRUNC;
    const bool actions_ok =
        ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) == 0 &&
        ::posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), output_flags, 0600) ==
            0 &&
        ::posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), output_flags, 0600) ==
            0 &&
        ::posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str()) == 0;
    if (!actions_ok) {
      ::posix_spawn_file_actions_destroy(&actions);
      FAIL("cannot set up the file actions to spawn " << argv[0]);
    }
    std::vector<std::string> env;
    for (char** entry = environ; *entry != nullptr; ++entry) {
      const std::string_view text(*entry);
      if (text.starts_with("HOME=") || text.starts_with("TMPDIR=")) continue;
      env.emplace_back(text);
    }
    env.push_back("HOME=" + cwd.string());
    env.push_back("TMPDIR=" + cwd.string());
    std::vector<char*> argv_c;
    for (const std::string& arg : argv) argv_c.push_back(const_cast<char*>(arg.c_str()));
    argv_c.push_back(nullptr);
    std::vector<char*> env_c;
    for (std::string& entry : env) env_c.push_back(entry.data());
    env_c.push_back(nullptr);
    const int spawned =
        ::posix_spawn(&pid_, argv_c[0], &actions, nullptr, argv_c.data(), env_c.data());
    ::posix_spawn_file_actions_destroy(&actions);
    INFO("posix_spawn " << argv[0] << ": " << std::strerror(spawned));
    REQUIRE(spawned == 0);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid_ <= 0 || status_) return;
    ::kill(pid_, SIGKILL);
    int ignored = 0;
    ::waitpid(pid_, &ignored, 0);
  }

  // Asks it to stop (SIGTERM), as systemd does.
  void terminate() {
    if (pid_ > 0 && !status_) ::kill(pid_, SIGTERM);
  }

  // Whether it has exited (reaping it if so).
  bool exited() {
    if (status_) return true;
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) status_ = status;
    return status_.has_value();
  }

  // Its exit code once it has exited within `timeout`; -1 for a signal, nullopt for no exit.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exited() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(poll_step);
    }
    if (!status_) return std::nullopt;
    return WIFEXITED(*status_) ? WEXITSTATUS(*status_) : -1;
  }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

struct Run {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs loyaltyctl with `args` to completion; stdout and stderr stay in <dir>/<name>.stdout and
// <dir>/<name>.stderr for the search.
Run run_loyaltyctl(const fs::path& dir, const std::string& name, std::vector<std::string> args) {
  args.insert(args.begin(), LOYALTYCTL_PATH);
  const fs::path out_path = dir / (name + ".stdout");
  const fs::path err_path = dir / (name + ".stderr");
  Child child(args, dir, out_path, err_path);
  const std::optional<int> code = child.wait_exit(process_exit_timeout);
  INFO("loyaltyctl " << name << " did not exit within " << process_exit_timeout.count() << " ms");
  REQUIRE(code.has_value());
  return Run{*code, read_bytes(out_path), read_bytes(err_path)};
}

// --- The search ----------------------------------------------------------------------------------

struct SearchedFile {
  std::string name;  // relative to the searched directory
  std::uintmax_t size_bytes = 0;
};

struct Finding {
  std::string file;
  std::string needle;  // the needle's label
};

struct SearchReport {
  std::vector<SearchedFile> files;
  std::vector<Finding> findings;
};

// Reads every regular file under `dir` (recursively) whole and reports every needle found in
// its bytes, wherever it lies (text or binary, page boundaries of a database included).
SearchReport search_tree(const fs::path& dir, const std::vector<Needle>& needles) {
  SearchReport report;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string bytes = read_bytes(entry.path());
    const std::string name = fs::relative(entry.path(), dir).string();
    report.files.push_back({name, bytes.size()});
    for (const Needle& needle : needles) {
      if (std::search(bytes.begin(), bytes.end(), needle.bytes.begin(), needle.bytes.end()) !=
          bytes.end()) {
        report.findings.push_back({name, needle.label});
      }
    }
  }
  std::sort(report.files.begin(), report.files.end(),
            [](const SearchedFile& a, const SearchedFile& b) { return a.name < b.name; });
  return report;
}

std::string describe(const SearchReport& report) {
  std::ostringstream text;
  text << report.files.size() << " files searched:";
  for (const SearchedFile& file : report.files) {
    text << "\n  " << file.name << " (" << file.size_bytes << " bytes)";
  }
  for (const Finding& finding : report.findings) {
    text << "\n  FOUND " << finding.needle << " in " << finding.file;
  }
  return text.str();
}

bool has_finding(const SearchReport& report, std::string_view file, std::string_view needle) {
  return std::any_of(report.findings.begin(), report.findings.end(),
                     [&](const Finding& f) { return f.file == file && f.needle == needle; });
}

// The app-token keys of a bundle: the value of every "key" member, found as text (the test does not
// trust the loader it checks).
std::vector<Needle> bundle_key_needles(const fs::path& bundle) {
  const std::string text = read_bytes(bundle);
  std::vector<Needle> needles;
  constexpr std::string_view member = "\"key\": \"";
  for (std::size_t at = text.find(member); at != std::string::npos; at = text.find(member, at)) {
    at += member.size();
    const std::size_t end = text.find('"', at);
    REQUIRE(end != std::string::npos);
    needles.push_back(
        {"app-token key " + std::to_string(needles.size() + 1), text.substr(at, end - at)});
  }
  return needles;
}

// --- The reader on a pseudo-terminal -------------------------------------------------------------

void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0 && (errno == EINTR || errno == EAGAIN)) {
      std::this_thread::sleep_for(poll_step);
      continue;
    }
    if (written <= 0) FAIL("cannot write to the terminal: " << std::strerror(errno));
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
}

// Reads and drops what the terminal echoed before listen put it in raw mode.
void drain(int master) {
  char buffer[256];
  while (::read(master, buffer, sizeof buffer) > 0) {
  }
}

std::size_t line_count(const fs::path& path) {
  const std::string text = read_bytes(path);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// Waits until `path` holds more than `lines` lines; false when `timeout` passed first, or the
// child exited without writing them.
bool wait_for_lines(const fs::path& path, std::size_t lines, Child& child, int master,
                    std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    drain(master);
    if (line_count(path) > lines) return true;
    if (child.exited()) return line_count(path) > lines;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(poll_step);
  }
}

// Sends the probe until listen reports it: from then on the port is open, enabled and read (the
// enable flushes what came before). Returns how many probes were sent.
std::size_t wait_until_listening(const fs::path& out_path, const fs::path& err_path, Child& child,
                                 int master) {
  const auto deadline = std::chrono::steady_clock::now() + port_open_timeout;
  std::size_t probes = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    write_all(master, std::string(probe_swipe) + "\r");
    ++probes;
    if (wait_for_lines(out_path, 0, child, master, probe_interval)) return probes;
    if (child.exited()) FAIL("listen exited before answering; stderr: " << read_bytes(err_path));
  }
  FAIL("listen did not answer a probe swipe within " << port_open_timeout.count()
                                                     << " ms; stderr: " << read_bytes(err_path));
  return probes;
}

// --- One till session ----------------------------------------------------------------------------

struct ListenSession {
  std::string device;  // as listen names it: "serial:" + the terminal's path
  std::size_t probes_sent = 0;
  std::vector<std::string> lines;  // listen's stdout
};

// listen on a pseudo-terminal under grocery.json: probes until it answers, then the three payment
// cards, the bad swipe, the fleet card, the gift card and the loyalty card, each written once
// listen has answered the one before. --count 6: the loyalty card is the sixth scan and ends the
// run.
ListenSession run_listen(const fs::path& dir, const fs::path& key_path) {
  int master_fd = -1;
  int slave_fd = -1;
  char slave_name[256] = {};
  REQUIRE(::openpty(&master_fd, &slave_fd, slave_name, nullptr, nullptr) == 0);
  const Fd master(master_fd);
  const Fd slave(slave_fd);  // held open so the terminal outlives listen's close
  REQUIRE(::fcntl(master.get(), F_SETFD, FD_CLOEXEC) == 0);
  REQUIRE(::fcntl(slave.get(), F_SETFD, FD_CLOEXEC) == 0);
  REQUIRE(::fcntl(master.get(), F_SETFL, ::fcntl(master.get(), F_GETFL) | O_NONBLOCK) == 0);

  ListenSession session;
  session.device = std::string("serial:") + slave_name;
  const fs::path out_path = dir / "listen.stdout";
  const fs::path err_path = dir / "listen.stderr";
  const fs::path program = fs::path(LOYALTY_EXAMPLES_DIR) / "programs/grocery.json";
  Child listen({LOYALTYCTL_PATH, "listen", "--device", slave_name, "--kind", "msr", "--count", "6",
                "--timeout-ms", std::string(listen_timeout_ms), "--card-key-file",
                key_path.string(), "--program", program.string()},
               dir, out_path, err_path);
  session.probes_sent = wait_until_listening(out_path, err_path, listen, master.get());
  const std::string swipes[] = {std::string(visa_track1) + std::string(visa_track2),
                                std::string(golden_track1),
                                std::string(mastercard_track2),
                                std::string(bad_swipe),
                                std::string(fleet_track2),
                                std::string(gift_track2) + std::string(gift_lrc),
                                std::string(loyalty_track2)};
  for (std::size_t i = 0; i < std::size(swipes); ++i) {
    const std::size_t before = line_count(out_path);
    write_all(master.get(), swipes[i] + "\r");
    INFO("listen did not answer swipe " << i + 1 << "; stderr: " << read_bytes(err_path));
    REQUIRE(wait_for_lines(out_path, before, listen, master.get(), event_timeout));
  }
  const std::optional<int> exit_code = listen.wait_exit(process_exit_timeout);
  session.lines = lines_of(read_bytes(out_path));
  INFO("listen stdout:\n" << read_bytes(out_path) << "listen stderr:\n" << read_bytes(err_path));
  REQUIRE(exit_code == 0);
  return session;
}

std::string track_json(int number, std::string_view status, std::string_view raw,
                       std::string_view lrc = "not_sent") {
  return "{\"track\":" + std::to_string(number) + ",\"status\":\"" + std::string(status) +
         "\",\"upos_extended_code\":0,\"message\":\"\",\"raw\":\"" + std::string(raw) +
         "\",\"reversed\":false,\"lrc\":\"" + std::string(lrc) + "\"}";
}

std::string own_card_json(const std::string& device, std::string_view track2, std::string_view lrc,
                          std::string_view number, std::string_view range, std::string_view kind) {
  return "{\"event\":\"data\",\"device\":\"" + device +
         "\",\"kind\":\"msr\",\"payment_card\":false,\"tracks\":[" + track_json(1, "absent", "") +
         "," + track_json(2, "ok", track2, lrc) + "," + track_json(3, "absent", "") +
         "],\"identification\":{\"kind\":\"loyalty_card\",\"form\":\"card_track2\",\"value\":\"" +
         std::string(number) + "\",\"card_range\":\"" + std::string(range) + "\",\"card_kind\":\"" +
         std::string(kind) + "\"}}";
}

std::string payment_card_json(const std::string& device, const std::string& token,
                              std::string_view track1, std::string_view track2) {
  return "{\"event\":\"data\",\"device\":\"" + device +
         "\",\"kind\":\"msr\",\"payment_card\":true,\"card_token\":\"" + token + "\",\"tracks\":[" +
         track_json(1, track1, "") + "," + track_json(2, track2, "") + "," +
         track_json(3, "absent", "") + "]}";
}

std::string error_json(const std::string& device, std::string_view message) {
  return "{\"event\":\"error\",\"device\":\"" + device +
         "\",\"result\":\"failure\",\"extended\":0,\"message\":\"" + std::string(message) + "\"}";
}

// Every line listen printed, exactly: the answered probes, then one line per swipe.
void check_listen_output(const ListenSession& session) {
  const std::string& device = session.device;
  REQUIRE(session.lines.size() > 7);
  const std::size_t probes_answered = session.lines.size() - 7;
  CHECK(probes_answered >= 1);
  CHECK(probes_answered <= session.probes_sent);
  for (std::size_t i = 0; i < probes_answered; ++i) {
    CHECK(session.lines[i] ==
          error_json(device,
                     "bad swipe (track 1: reader_error; track 2: absent; track 3: "
                     "absent); swipe the card again"));
  }
  const auto events = std::span(session.lines).subspan(probes_answered);
  CHECK(events[0] == payment_card_json(device, expected_card_token(visa_pan), "ok", "ok"));
  CHECK(events[1] == payment_card_json(device, expected_card_token(golden_pan), "ok", "absent"));
  CHECK(events[2] ==
        payment_card_json(device, expected_card_token(mastercard_pan), "absent", "ok"));
  CHECK(events[3] == error_json(device,
                                "bad swipe (track 1: reader_error; track 2: reader_error; track 3: "
                                "absent); swipe the card again"));
  // The fleet card is withheld (and tokenised): its number is in no card range of the bundle.
  CHECK(events[4] == payment_card_json(device, expected_card_token(fleet_pan), "absent", "ok"));
  // The gift card gets through with its track and LRC, identified by its range.
  CHECK(events[5] == own_card_json(device, gift_track2, "verified", gift_card, "gift", "gift"));
  CHECK(events[6] ==
        own_card_json(device, loyalty_track2, "not_sent", loyalty_card, "loyalty", "loyalty"));
}

// Runs one loyaltyctl command that must succeed with nothing on stderr; returns its stdout.
std::string run_ok(const fs::path& dir, const std::string& name, std::vector<std::string> args) {
  const Run run = run_loyaltyctl(dir, name, std::move(args));
  INFO("loyaltyctl " << name << ": exit " << run.exit_code << "\nstdout: " << run.out
                     << "\nstderr: " << run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.err.empty());
  return run.out;
}

// The ledger: the Visa's card token and the loyalty card each check a receipt out offline; then
// balance, export and check read it back.
void run_ledger_commands(const fs::path& dir, const std::string& visa_token) {
  const fs::path examples = LOYALTY_EXAMPLES_DIR;
  const std::string db = (dir / "ledger.db").string();
  const std::string program = (examples / "programs/grocery.json").string();
  const std::string at(checkout_at);
  const auto checkout = [&](const std::string& name, const char* receipt, const std::string& card) {
    return run_ok(dir, name,
                  {"checkout", "--db", db, "--terminal", "T2", "--program", program, "--receipt",
                   (examples / "receipts/grocery" / receipt).string(), "--card", card, "--at", at});
  };
  CHECK(checkout("checkout-visa", "basic.json", visa_token)
            .starts_with("{\"receipt_id\":\"FM014-T2-004101\",\"state\":\"committed\","
                         "\"event_seq\":1,\"replayed\":false,"));
  CHECK(checkout("checkout-card", "weekly-shop.json", std::string(loyalty_card))
            .starts_with("{\"receipt_id\":\"FM014-T2-004103\",\"state\":\"committed\","
                         "\"event_seq\":2,\"replayed\":false,"));

  CHECK(
      run_ok(dir, "balance-visa", {"balance", "--db", db, "--customer-id", visa_token, "--at", at})
          .starts_with("{\"customer_id\":\"" + visa_token + "\",\"posted\":"));
  CHECK(run_ok(dir, "balance-card",
               {"balance", "--db", db, "--customer-id", std::string(loyalty_card), "--at", at})
            .starts_with("{\"customer_id\":\"" + std::string(loyalty_card) + "\",\"posted\":"));
  const std::string exported = run_ok(dir, "ledger-export", {"ledger", "export", "--db", db});
  CHECK(exported.find(visa_token) != std::string::npos);
  CHECK(exported.find(loyalty_card) != std::string::npos);
  const std::string checked = run_ok(dir, "ledger-check", {"ledger", "check", "--db", db});
  CHECK(checked.starts_with("{\"ok\":true,"));
  CHECK(checked.ends_with("\"events\":2,\"problems\":[]}\n"));
}

// The offline decoder on the Visa's line and, under the bundle, on the fleet card's: withheld as
// well.
void run_swipe_command(const fs::path& dir) {
  const std::string out =
      run_ok(dir, "swipe-visa",
             {"swipe", "--tracks", std::string(visa_track1) + std::string(visa_track2)});
  CHECK(out == "{\"payment_card\":true,\"tracks\":[" + track_json(1, "ok", "") + "," +
                   track_json(2, "ok", "") + "," + track_json(3, "absent", "") +
                   "],\"summary\":\"payment card: track data withheld; track 1: ok; track 2: ok; "
                   "track 3: absent\"}\n");
  const fs::path program = fs::path(LOYALTY_EXAMPLES_DIR) / "programs/grocery.json";
  const std::string fleet =
      run_ok(dir, "swipe-fleet",
             {"swipe", "--tracks", std::string(fleet_track2), "--program", program.string()});
  CHECK(fleet == "{\"payment_card\":true,\"tracks\":[" + track_json(1, "absent", "") + "," +
                     track_json(2, "ok", "") + "," + track_json(3, "absent", "") +
                     "],\"summary\":\"payment card: track data withheld; track 1: absent; track 2: "
                     "ok; track 3: absent\"}\n");
}

// The search must be able to fail: card data put in a binary file among the others is found and
// the file named; the file is then removed, leaving the tree as the session left it.
void check_search_finds_planted_data(const fs::path& dir, const std::vector<Needle>& needles) {
  const fs::path control = dir / "negative-control.bin";
  write_bytes(control, std::string("\x00\x01page", 6) + std::string(visa_pan) +
                           std::string("\xff\x00", 2) + std::string(cardholder_name));
  const SearchReport report = search_tree(dir, needles);
  INFO("negative control: " << describe(report));
  CHECK(has_finding(report, "negative-control.bin", "Visa PAN"));
  CHECK(has_finding(report, "negative-control.bin", "cardholder name"));
  CHECK(std::count_if(report.findings.begin(), report.findings.end(),
                      [](const Finding& f) { return f.file == "negative-control.bin"; }) == 2);
  REQUIRE(fs::remove(control));
}

}  // namespace

TEST_CASE("Bank-card data is absent from every output, log and ledger file of a till session") {
  TempDir temp;
  const fs::path& dir = temp.path();
  INFO("work directory: " << dir.string());
  const fs::path key_path = dir / "card.key";
  write_bytes(key_path, hex(card_key()) + "\n");
  const std::string visa_token = expected_card_token(visa_pan);
  REQUIRE(visa_token.size() == loyalty::drivers::card_token_prefix.size() + 43);

  check_listen_output(run_listen(dir, key_path));
  run_ledger_commands(dir, visa_token);
  run_swipe_command(dir);

  const std::vector<Needle> needles = card_data_needles();
  check_search_finds_planted_data(dir, needles);

  // No card data in any file the session left. WARN, so the list shows in every run's output.
  const SearchReport report = search_tree(dir, needles);
  WARN(describe(report));
  CHECK(report.findings.empty());
  const auto searched = [&](std::string_view name) {
    return std::any_of(report.files.begin(), report.files.end(),
                       [&](const SearchedFile& file) { return file.name == name; });
  };
  for (const std::string_view run :
       {"listen", "checkout-visa", "checkout-card", "balance-visa", "balance-card", "ledger-export",
        "ledger-check", "swipe-visa", "swipe-fleet"}) {
    CHECK(searched(std::string(run) + ".stdout"));
    CHECK(searched(std::string(run) + ".stderr"));
  }
  CHECK(searched("ledger.db"));

  // Must-find: the ledger (file and journal together) holds the token and the loyalty card, so
  // the search really read the ledger's records.
  std::string ledger_bytes;
  for (const SearchedFile& file : report.files) {
    if (file.name.starts_with("ledger.db")) ledger_bytes += read_bytes(dir / file.name);
  }
  CHECK(ledger_bytes.find(visa_token) != std::string::npos);
  CHECK(ledger_bytes.find(loyalty_card) != std::string::npos);
  // The bundle's app-token keys are in no output or log of any run (the ledger keeps the bundle it
  // quoted with, keys included, so it is not searched for them).
  const std::vector<Needle> keys =
      bundle_key_needles(fs::path(LOYALTY_EXAMPLES_DIR) / "programs/grocery.json");
  REQUIRE(keys.size() == 2);
  const SearchReport key_report = search_tree(dir, keys);
  for (const Finding& finding : key_report.findings) {
    INFO(finding.needle << " found in " << finding.file);
    CHECK(finding.file.starts_with("ledger.db"));
  }
  // Must-find: the gift card, an own card in the financial layout, was printed whole.
  CHECK(read_bytes(dir / "listen.stdout").find(gift_track2) != std::string::npos);
}

namespace {

// --- loyaltyd: its log, its replies, its ledger ---------------------------------------------------

constexpr std::string_view daemon_token = "privacy-token-0123456789abcdef0123456789";

// Everything the peer sends until it closes the connection.
std::string read_until_closed(int fd) {
  std::string reply;
  char buffer[4096];
  for (int i = 0; i < 10'000; ++i) {  // bounded: 40 MB at most
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got <= 0) break;
    reply.append(buffer, static_cast<std::size_t>(got));
  }
  return reply;
}

// One HTTP request to loyaltyd's Unix socket (Connection: close); the whole reply, or "" when the
// daemon could not be reached.
std::string http(const fs::path& socket_path, const std::string& method, const std::string& target,
                 const std::string& body = "") {
  const Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof(address.sun_path) - 1);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) return "";
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n" +
                        "Connection: close\r\nAuthorization: Bearer " + std::string(daemon_token) +
                        "\r\n";
  if (!body.empty()) {
    request += "Content-Type: application/json\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n" + body;
  write_all(fd.get(), request);
  return read_until_closed(fd.get());
}

// The panel's state, by its address in the daemon's log ("panel=http://127.0.0.1:PORT/panel/").
std::string panel_state(const fs::path& log) {
  const std::string text = read_bytes(log);
  const std::size_t at = text.find("panel=http://127.0.0.1:");
  if (at == std::string::npos) return "";
  const int port = std::atoi(text.c_str() + at + std::strlen("panel=http://127.0.0.1:"));
  const Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) return "";
  write_all(fd.get(), "GET /panel/state HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  return read_until_closed(fd.get());
}

// Swipes `tracks` until the panel's state contains `expect` (the reader may still be opening;
// a swipe is re-sent, as a cashier would swipe again).
void swipe_until(int master, std::string_view tracks, const fs::path& log, const std::string& expect,
                 std::string& state) {
  const auto deadline = std::chrono::steady_clock::now() + event_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    write_all(master, std::string(tracks) + "\r");
    for (int i = 0; i < 20; ++i) {
      drain(master);
      state = panel_state(log);
      if (state.find(expect) != std::string::npos) return;
      std::this_thread::sleep_for(poll_step);
    }
  }
  FAIL("the daemon never showed " << expect << " after a swipe; its log: " << read_bytes(log));
}

}  // namespace

TEST_CASE("Bank-card data is absent from loyaltyd's log, replies and ledger") {
  TempDir temp;
  const fs::path& dir = temp.path();
  INFO("work directory: " << dir.string());
  const fs::path key_path = dir / "card.key";
  write_bytes(key_path, hex(card_key()) + "\n");
  write_bytes(dir / "token", std::string(daemon_token) + "\n");
  REQUIRE(::chmod((dir / "token").c_str(), 0600) == 0);
  int master_fd = -1;
  int slave_fd = -1;
  char slave_name[256] = {};
  REQUIRE(::openpty(&master_fd, &slave_fd, slave_name, nullptr, nullptr) == 0);
  const Fd master(master_fd);
  const Fd slave(slave_fd);
  REQUIRE(::fcntl(master.get(), F_SETFD, FD_CLOEXEC) == 0);
  REQUIRE(::fcntl(slave.get(), F_SETFD, FD_CLOEXEC) == 0);
  REQUIRE(::fcntl(master.get(), F_SETFL, ::fcntl(master.get(), F_GETFL) | O_NONBLOCK) == 0);
  const fs::path program = fs::path(LOYALTY_EXAMPLES_DIR) / "programs/grocery.json";
  write_bytes(dir / "loyaltyd.toml",
              "[terminal]\nid = \"T-privacy\"\nstore_id = \"S-privacy\"\nstate_directory = \"" +
                  dir.string() + "\"\n[program]\nbundle = \"" + program.string() +
                  "\"\n[api]\nsocket = \"" + (dir / "api.sock").string() + "\"\ntoken_file = \"" +
                  (dir / "token").string() + "\"\n[panel]\nlisten = \"127.0.0.1:0\"\n" +
                  "[readers]\nhotplug = false\ncard_key_file = \"" + key_path.string() +
                  "\"\n[[readers.devices]]\nnode = \"" + slave_name +
                  "\"\nkind = \"msr\"\n[log]\nlevel = \"debug\"\nsink = \"stderr\"\n");
  const fs::path log = dir / "loyaltyd.stderr";
  Child daemon({LOYALTYD_PATH, "--config", (dir / "loyaltyd.toml").string()}, dir,
               dir / "loyaltyd.stdout", log);

  // The payment cards swiped by mistake: the cashier is told, nothing else happens.
  std::string state;
  swipe_until(master.get(), std::string(visa_track1) + std::string(visa_track2), log,
              "\"last_scan\":{\"type\":\"scan.payment_card\"}", state);
  // The loyalty card in between, so that each payment card's notice is a new one.
  swipe_until(master.get(), loyalty_track2, log, std::string(loyalty_card), state);
  swipe_until(master.get(), mastercard_track2, log, "scan.payment_card", state);
  swipe_until(master.get(), loyalty_track2, log, "\"last_scan\":null", state);
  swipe_until(master.get(), fleet_track2, log, "scan.payment_card", state);
  write_bytes(dir / "panel-state.json", state);
  // The cashier types a bank card's number by mistake, and a checkout names one as the customer.
  write_bytes(dir / "identify-visa.http",
              http(dir / "api.sock", "POST", "/v1/identify",
                   "{\"input\":\"" + std::string(visa_pan) + "\",\"source\":\"typed\"}"));
  write_bytes(dir / "identify-visa-spaced.http",
              http(dir / "api.sock", "POST", "/v1/identify",
                   "{\"input\":\"" + std::string(visa_pan_spaced) + "\"}"));
  write_bytes(dir / "enrol-mastercard.http",
              http(dir / "api.sock", "POST", "/v1/customers",
                   "{\"customer_id\":\"" + std::string(mastercard_pan) + "\",\"consent\":{}}"));
  write_bytes(dir / "readers.http", http(dir / "api.sock", "GET", "/v1/readers"));
  REQUIRE_FALSE(daemon.exited());
  daemon.terminate();  // a clean stop, so the log is complete
  CHECK(daemon.wait_exit(process_exit_timeout) == std::optional<int>(0));

  const std::vector<Needle> needles = card_data_needles();
  const SearchReport report = search_tree(dir, needles);
  WARN(describe(report));
  CHECK(report.findings.empty());
  // Must-find: what the search read is what the daemon wrote: its log's ready line, the refusals
  // of the typed numbers, the loyalty card on the panel, the ledger.
  CHECK(read_bytes(log).find("info ready ") != std::string::npos);
  CHECK(read_bytes(dir / "identify-visa.http").find("HTTP/1.1 422") == 0);
  CHECK(read_bytes(dir / "enrol-mastercard.http").find("HTTP/1.1 422") == 0);
  CHECK(read_bytes(dir / "panel-state.json").find(std::string(loyalty_card)) != std::string::npos);
  CHECK(fs::exists(dir / "ledger.db"));
}
