// bench_hq_postgres: loyalty-hq's ingest into its PostgreSQL store over HTTPS with mutual TLS,
// against psql's \copy of the same rows into the same table, and the HQ ledger's apply after a
// night's ingest, in one run on a PostgreSQL 15 server the program starts itself.
//
//   A  HQ ingest. HqService on loopback with certificates from the development CA and N workers
//      (--workers, default 2,4,8: one run each, each into a fresh database), each worker with its
//      own PostgreSQL store (open_postgres_hq_store). --terminals terminals (500), each with its
//      own client certificate and one kept-alive connection, open for the whole run, ship their
//      chains (checkout events of about 1 KB with a ledger annex: an earn movement with its lot,
//      the tier report; real hashes and links) in batches of --batch events (500, the sync
//      client's default) from --threads client threads (8), batch 1 of every terminal, then
//      batch 2, ... The batches are encoded (JSON, zstd) before the clock starts, as the
//      terminals' own CPUs would. Timed from the first request to the last Ack: TLS, zstd and
//      strict JSON decoding, every SHA-256 recomputed, each batch checked against what HQ holds
//      and stored in one transaction (COPY into the staging table, INSERT into the journal),
//      the Ack after the commit. Every Ack is checked (held_seq = the batch's last seq). The
//      service's applies are switched off for this run (its stores' apply() does nothing), so
//      that the ingest is measured alone.
//   B  psql \copy. The same rows, the same columns (received_at and business_date as HQ stores
//      them), from a COPY text file on the same disk, by the real psql program, into the
//      journal of a fresh database migrated like HQ's (same partitions, keys and index), one
//      COPY. Run before the ingests and again after them.
//   B2, B3  HQ's SQL alone, for the profile: the same batches, already in COPY's format, from
//      --sql-connections libpq connections (4), each batch in its own transaction and commit,
//      as the store runs it: B2 through the store's temporary staging table and INSERT ...
//      SELECT ... ON CONFLICT DO NOTHING (what HQ does), B3 COPYed straight into the journal
//      (what it could do). What A costs beyond B2 is the service: TLS, decoding, hashing,
//      checks, the round trips.
//   C  Reconciliation. On the database of the last ingest: HqStore::apply in a loop (as
//      `loyalty-hq apply` does) until every event is in the HQ ledger; events and customers per
//      second. With --customers equal to --events (the default: 1,000,000 each) every event is a
//      customer of its own.
//
// The server: initdb and pg_ctl through the tests' PgServer (tests/sync/postgres/pg_server.h) on
// 127.0.0.1, its data directory on the machine's temporary directory (a real disk here),
// fsync=on, synchronous_commit=on, full_page_writes=on, and the settings printed at start (more
// with --pg-setting=key=value). A CHECKPOINT runs before each timed phase. For each phase the
// program reports the CPU seconds of its client threads, of the service's io thread (TLS,
// HTTP) and workers (decoding, hashing, the store's C++ and libpq), of the PostgreSQL server's
// processes, and of the whole machine (others' work included).
//
// docs/PERFORMANCE.md ("HQ ingest on PostgreSQL") records the figures.
//
// Flags: --events=N (1000000), --terminals=N (500), --batch=N (500), --threads=N (8),
// --workers=LIST (2,4,8), --customers=N (= events), --lines=N (6), --copy-runs=N (2),
// --sql-connections=N (4; 0: no B2, B3), --statements (pg_stat_statements: each phase's
// costliest statements), --skip-apply, --pg-setting=K=V (repeatable),
// --dir=PATH (default: the build tree), --keep.
// Exit 2 on a setup failure.

#include <fcntl.h>
#include <libpq-fe.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>  // mkdtemp
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_stats.h"
#include "hq/postgres/pg_params.h"
#include "hq/row_store.h"
#include "hq_bench_common.h"
#include "loyalty/core/limits.h"
#include "loyalty/core/time.h"
#include "loyalty/sync/batch.h"
#include "loyalty/sync/hq_postgres.h"
#include "loyalty/sync/hq_service.h"
#include "loyalty/sync/hq_store.h"
#include "postgres/pg_server.h"

extern char** environ;

namespace {

using namespace loyalty;
using namespace loyalty::sync;
using hq_bench::Clock;
using hq_bench::die;
using hq_bench::ok_or_die;

// The PostgreSQL settings of the run, after PgServer's defaults (which they override).
const std::vector<std::string> pg_settings = {
    "fsync=on",                  // production durability: every commit is on disk ...
    "synchronous_commit=on",     // ... before the Ack
    "full_page_writes=on",       // torn pages survivable, as in production
    "wal_level=replica",         // a standby or an archive could follow
    "shared_buffers=4GB",        // of 24 GB; a night's journal partition (~2 GB) stays cached
    "wal_buffers=64MB",          // large COPY transactions
    "max_wal_size=16GB",         // no checkpoint forced by WAL volume within a phase
    "min_wal_size=2GB",          // WAL segments recycled, not created, between phases
    "checkpoint_timeout=30min",  // ... and none by time (a CHECKPOINT runs before each phase)
    "checkpoint_completion_target=0.9",
    "wal_compression=off",
    "maintenance_work_mem=1GB",
    "work_mem=64MB",
    "effective_cache_size=16GB",
    "max_connections=200",
    "autovacuum=on",
};

struct Options : hq_bench::IngestFlags {
  Options() {
    events = 1'000'000;
    terminals = 500;
  }
  std::vector<int> workers = {2, 4, 8};
  std::int64_t customers = 0;  // 0: one per event
  int lines = 6;
  int copy_runs = 2;
  bool skip_apply = false;
  int sql_connections = 4;  // the SQL-only phases B2 and B3; 0: none
  bool statements = false;  // pg_stat_statements per phase (adds its own overhead)
  std::vector<std::string> pg_extra;
};

std::vector<int> parse_list(const char* text) {
  std::vector<int> values;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) values.push_back(std::atoi(item.c_str()));
  return values;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* name) { return hq_bench::flag_value(argv[i], name); };
    if (hq_bench::ingest_flag(argv[i], o)) continue;
    if (const char* v = value("--workers")) {
      o.workers = parse_list(v);
    } else if (const char* v = value("--customers")) {
      o.customers = std::atoll(v);
    } else if (const char* v = value("--lines")) {
      o.lines = std::atoi(v);
    } else if (const char* v = value("--copy-runs")) {
      o.copy_runs = std::atoi(v);
    } else if (const char* v = value("--sql-connections")) {
      o.sql_connections = std::atoi(v);
    } else if (a == "--statements") {
      o.statements = true;
    } else if (a == "--skip-apply") {
      o.skip_apply = true;
    } else if (const char* v = value("--pg-setting")) {
      o.pg_extra.emplace_back(v);
    } else if (a.rfind("--benchmark_", 0) != 0) {
      die("unknown flag " + a);
    }
  }
  if (o.customers == 0) o.customers = o.events;
  const bool workers_ok = std::all_of(o.workers.begin(), o.workers.end(), [](int w) {
    return w >= 1 && w <= static_cast<int>(limits::hq_workers_max);
  });
  if (o.events < o.terminals || o.terminals < 1 || o.batch < 1 ||
      o.batch > static_cast<int>(limits::sync_batch_events_max) || o.threads < 1 || !workers_ok ||
      o.customers < 1 || o.lines < 1 || o.copy_runs < 0 || o.sql_connections < 0) {
    die("bad flags");
  }
  return o;
}

// --- The service's stores, without the applies --------------------------------------------------

// Forwards everything to the PostgreSQL store but apply(), which does nothing: the service
// applies after every batch, and the ingest is to be measured without the ledger's projection
// running beside it (phase C measures that).
class IngestOnlyStore final : public HqStore {
 public:
  explicit IngestOnlyStore(std::unique_ptr<HqStore> inner) : inner_(std::move(inner)) {}

  Result<IngestOutcome> ingest(const TerminalIdentity& from, const Batch& batch,
                               Timestamp now) override {
    return inner_->ingest(from, batch, now);
  }
  Result<Ack> uplink_state(const TerminalIdentity& terminal) override {
    return inner_->uplink_state(terminal);
  }
  Result<ApplyReport> apply(Timestamp, std::size_t) override { return ApplyReport{}; }
  Result<std::vector<TerminalStatus>> terminals() override { return inner_->terminals(); }
  Result<std::vector<Alert>> alerts() override { return inner_->alerts(); }
  Status release(const TerminalIdentity& terminal, std::int64_t accept_from_seq,
                 std::string_view note, Timestamp now) override {
    return inner_->release(terminal, accept_from_seq, note, now);
  }
  Result<std::optional<CustomerReport>> customer(std::string_view pseudonym,
                                                 std::size_t history_max) override {
    return inner_->customer(pseudonym, history_max);
  }
  Result<HqTotals> totals() override { return inner_->totals(); }
  Result<std::int64_t> publish(std::string_view store_id, const DownlinkBody& body,
                               Timestamp now) override {
    return inner_->publish(store_id, body, now);
  }
  Result<Downlink> downlink(const TerminalIdentity& terminal, std::int64_t after,
                            std::size_t items_max) override {
    return inner_->downlink(terminal, after, items_max);
  }
  Result<std::int64_t> latest_version(std::string_view store_id) override {
    return inner_->latest_version(store_id);
  }
  Status scan_journal(const JournalScan& scan,
                      const std::function<Status(JournalEvent&&)>& visit) override {
    return inner_->scan_journal(scan, visit);
  }
  Status scan_entries(Timestamp from, Timestamp until,
                      const std::function<Status(const LedgerEntryRow&)>& visit) override {
    return inner_->scan_entries(from, until, visit);
  }
  Result<LedgerStock> ledger_stock(Timestamp until) override { return inner_->ledger_stock(until); }

 private:
  std::unique_ptr<HqStore> inner_;
};

// --- CPU accounting -----------------------------------------------------------------------------

double ticks_to_seconds(long long ticks) {
  static const double per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  return static_cast<double>(ticks) / per_second;
}

double process_cpu_seconds() { return hq_bench::cpu_seconds(RUSAGE_SELF); }
double children_cpu_seconds() { return hq_bench::cpu_seconds(RUSAGE_CHILDREN); }

// (busy, total) jiffies of the whole machine, from /proc/stat.
std::pair<long long, long long> machine_ticks() {
  std::ifstream stat("/proc/stat");
  std::string cpu;
  long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  const long long busy = user + nice + system + irq + softirq + steal;
  return {busy, busy + idle + iowait};
}

// pid -> utime + stime (ticks) of the postmaster and its children.
std::map<int, long long> server_ticks(int postmaster) {
  std::map<int, long long> ticks;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream file(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    const std::size_t close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::stringstream fields(text.substr(close + 2));
    std::vector<std::string> f;
    std::string word;
    while (f.size() < 13 && fields >> word) f.push_back(word);
    if (f.size() < 13) continue;
    const int pid = std::atoi(name.c_str());
    const int ppid = std::atoi(f[1].c_str());
    if (pid != postmaster && ppid != postmaster) continue;
    ticks[pid] = std::atoll(f[11].c_str()) + std::atoll(f[12].c_str());
  }
  return ticks;
}

// The PostgreSQL server's CPU over a phase, backends that start and end within it included:
// a thread samples the server's processes every 50 ms.
class ServerCpuMeter {
 public:
  explicit ServerCpuMeter(int postmaster) : postmaster_(postmaster) {
    baseline_ = server_ticks(postmaster_);
    latest_ = baseline_;
    thread_ = std::thread([this] {
      while (!done_) {
        sample();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    });
  }
  double stop() {
    done_ = true;
    thread_.join();
    sample();
    long long total = 0;
    for (const auto& [pid, ticks] : latest_) {
      const auto before = baseline_.find(pid);
      total += ticks - (before == baseline_.end() ? 0 : before->second);
    }
    return ticks_to_seconds(total);
  }

 private:
  void sample() {
    for (const auto& [pid, ticks] : server_ticks(postmaster_)) latest_[pid] = ticks;
  }
  int postmaster_;
  std::map<int, long long> baseline_, latest_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

struct Cpu {
  double clients = 0;      // the client threads
  double io = 0;           // the service's io thread: TLS, HTTP
  double workers = 0;      // the rest of this process: the service's workers
  double copy_client = 0;  // psql
  double server = 0;       // PostgreSQL's processes
  double machine = 0;      // every process on the machine, busy CPU seconds
};

// --- The COPY file ------------------------------------------------------------------------------

constexpr const char* journal_columns =
    "store_id, terminal_id, epoch, seq, kind, receipt_id, payload, payload_hash, prev_hash, "
    "created_at, received_at, annex, business_date";

std::string utc_date(Timestamp at) { return hq::business_date(at, nullptr); }

// One journal row as HQ stores it, in COPY's text format (the store's own encoder,
// hq/postgres/pg_params.h), appended to `rows`.
void append_copy_row(hq::pg::CopyRows& rows, const TerminalIdentity& terminal,
                     const std::string& epoch, const WireEvent& e, Timestamp received_at) {
  rows.text(terminal.store_id)
      .text(terminal.terminal_id)
      .text(epoch)
      .int64(e.seq)
      .text(e.kind)
      .text(e.receipt_id)
      .text(e.payload)
      .text(e.payload_hash)
      .text(e.prev_hash)
      .int64(e.created_at.unix_seconds)
      .int64(received_at.unix_seconds)
      .text(e.annex)
      .text(utc_date(e.created_at));
  rows.end_row();
}

// The rows HQ stores for these chains, in COPY's text format; returns the bytes written.
std::uintmax_t write_copy_file(const std::string& path,
                               const std::vector<TerminalIdentity>& terminals,
                               const std::string& epoch,
                               const std::vector<std::vector<WireEvent>>& chains,
                               Timestamp received_at) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (std::size_t t = 0; t < terminals.size(); ++t) {
    hq::pg::CopyRows rows;
    for (const WireEvent& e : chains[t]) append_copy_row(rows, terminals[t], epoch, e, received_at);
    out.write(rows.data().data(), static_cast<std::streamsize>(rows.data().size()));
  }
  if (!out.flush()) die("cannot write " + path);
  out.close();
  return std::filesystem::file_size(path);
}

std::string psql_program() {
  for (const char* candidate : {"/usr/lib/postgresql/15/bin/psql", "/usr/bin/psql"}) {
    if (access(candidate, X_OK) == 0) return candidate;
  }
  die("psql not found (Debian package postgresql-client-15)");
}

// Runs psql with `words` after its connection flags; its exit status (0 = success).
int run_psql(const std::string& conninfo, const std::vector<std::string>& words,
             const std::string& output_path) {
  std::vector<std::string> argv_words = {psql_program(),    "-X", "-q",    "-v",
                                         "ON_ERROR_STOP=1", "-d", conninfo};
  argv_words.insert(argv_words.end(), words.begin(), words.end());
  std::vector<char*> argv;
  for (std::string& word : argv_words) argv.push_back(word.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) die(std::string("posix_spawn psql: ") + std::strerror(spawned));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// --- The server ---------------------------------------------------------------------------------

struct Server {
  loyalty::test::PgServer pg;
  int postmaster = 0;
  std::string events_date;  // the business date of the events (UTC)
  bool statements = false;  // pg_stat_statements is loaded

  // Statements' times from here on (with --statements).
  void statements_reset() const {
    if (statements) pg.psql("SELECT pg_stat_statements_reset()");
  }
  // The statements that took the most time since statements_reset(), one line each.
  std::string statements_top(int count) const {
    if (!statements) return "";
    return pg.psql(
        "SELECT format('    %8s calls %10s ms %8s ms/call %9s rows  %s', calls, "
        "round(total_exec_time), round((total_exec_time / calls)::numeric, 3), rows, "
        "left(regexp_replace(query, '\\s+', ' ', 'g'), 110)) FROM pg_stat_statements "
        "ORDER BY total_exec_time DESC LIMIT " +
        std::to_string(count));
  }

  // A fresh database with HQ's schema and the events' partition.
  std::string fresh_database(const std::string& name, Timestamp now) const {
    pg.create_database(name);
    const std::string conninfo = pg.conninfo(name);
    ok_or_die(migrate_postgres_hq_store(conninfo, PostgresHqOptions{}, now), "migrate " + name);
    ok_or_die(ensure_journal_partitions(conninfo, events_date, events_date), "partitions");
    return conninfo;
  }
  void checkpoint() const { pg.psql("CHECKPOINT"); }
  std::string wal_lsn() const { return pg.psql("SELECT pg_current_wal_lsn()"); }
  std::int64_t wal_since(const std::string& lsn) const {
    return std::atoll(
        pg.psql("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '" + lsn + "')::bigint").c_str());
  }
  std::int64_t count(const std::string& database, const std::string& sql) const {
    return std::atoll(pg.psql(sql, database).c_str());
  }
};

int read_postmaster_pid(const std::string& data_dir) {
  std::ifstream file(data_dir + "/postmaster.pid");
  int pid = 0;
  file >> pid;
  if (pid <= 0) die("no pid in " + data_dir + "/postmaster.pid");
  return pid;
}

// --- The phases ---------------------------------------------------------------------------------

struct Row {
  std::string what;
  std::int64_t events = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;  // sorted; empty for \copy
  Cpu cpu;
  double load = 0;             // load average at the start
  std::int64_t wal_bytes = 0;  // WAL the server wrote meanwhile (every database)
  std::string statements;      // with --statements: where the server's time went
};

double load_average() {
  std::ifstream file("/proc/loadavg");
  double load = 0;
  file >> load;
  return load;
}

// What a phase cost, from construction to finish(): the server's CPU (its processes sampled by
// ServerCpuMeter) and WAL, this process's and its children's CPU, the whole machine's, and with
// --statements the server's costliest statements.
class PhaseMeter {
 public:
  explicit PhaseMeter(const Server& server) : server_(server) {
    server.statements_reset();
    lsn_ = server.wal_lsn();
    self_ = process_cpu_seconds();
    children_ = children_cpu_seconds();
    machine_ = machine_ticks().first;
    cpu_.emplace(server.postmaster);
  }
  // Fills the row's server, machine and psql CPU, its WAL and statements; returns this
  // process's CPU seconds since the start.
  double finish(Row& row, int statements) {
    row.cpu.server = cpu_->stop();
    row.cpu.machine = ticks_to_seconds(machine_ticks().first - machine_);
    row.cpu.copy_client = children_cpu_seconds() - children_;
    const double self = process_cpu_seconds() - self_;
    row.wal_bytes = server_.wal_since(lsn_);  // runs psql: after the children's CPU
    row.statements = server_.statements_top(statements);
    return self;
  }

 private:
  const Server& server_;
  std::string lsn_;
  double self_ = 0, children_ = 0;
  long long machine_ = 0;
  std::optional<ServerCpuMeter> cpu_;
};

struct Setup {
  std::string dir;
  std::vector<TerminalIdentity> terminals;
  std::string epoch;
  std::vector<std::vector<WireEvent>> chains;
  std::vector<std::vector<std::string>> bodies;
  std::int64_t total = 0;
  std::string copy_path;
  // Every batch's rows in COPY's text format, in the order the ingest sends them (batch 1 of
  // every terminal, then batch 2, ...): for the SQL-only phases. Empty with --skip-sql.
  std::vector<std::string> copy_batches;
  Timestamp now;
};

Row ingest_phase(const Server& server, const Setup& s, const Options& o, int workers,
                 const std::string& database) {
  const std::string conninfo = server.fresh_database(database, s.now);
  server.checkpoint();
  Row row;
  row.what = "A  HQ ingest, " + std::to_string(workers) + " workers";
  row.load = load_average();

  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  HqServiceOptions service_options;
  service_options.listen_port = 0;
  service_options.tls = hq_bench::server_tls(s.dir);
  service_options.workers = static_cast<std::size_t>(workers);
  service_options.store_factory = [conninfo]() -> Result<std::unique_ptr<HqStore>> {
    std::unique_ptr<HqStore> store = TRY(open_postgres_hq_store(conninfo));
    return std::unique_ptr<HqStore>(std::make_unique<IngestOnlyStore>(std::move(store)));
  };
  service_options.clock = [now = s.now] { return now; };
  service_options.log = [](std::string_view) {};
  service_options.apply_interval = std::chrono::hours(24);
  service_options.server.idle_timeout = std::chrono::minutes(30);
  auto service = ok_or_die(HqService::start(io, service_options), "HqService::start");
  std::thread io_thread([&io] { io.run(); });
  auto io_cpu = [&io] {
    std::promise<double> cpu;
    boost::asio::post(io, [&cpu] { cpu.set_value(hq_bench::thread_cpu_seconds()); });
    return cpu.get_future().get();
  };

  hq_bench::ShipOptions ship;
  ship.port = service->port();
  ship.batch = o.batch;
  ship.threads = o.threads;
  ship.interleave = true;
  ship.bodies = &s.bodies;
  const double io_before = io_cpu();
  PhaseMeter phase(server);
  const hq_bench::ShipResult shipped = hq_bench::ship(s.dir, s.terminals, s.epoch, s.chains, ship);
  const double self = phase.finish(row, 8);
  const double io_after = io_cpu();
  if (shipped.failed || shipped.acked != s.total) die("ingest failed");
  row.events = shipped.acked;
  row.seconds = shipped.seconds;
  row.latencies_ms = shipped.latencies_ms;
  row.cpu.clients = shipped.client_cpu_seconds;
  row.cpu.io = io_after - io_before;
  row.cpu.workers = self - row.cpu.clients - row.cpu.io;
  const HqServiceStats stats = service->stats();

  hq_bench::stop_service(io, *service, io_thread);

  const std::int64_t held = server.count(database, "SELECT count(*) FROM journal");
  if (held != s.total || stats.events_stored != s.total) {
    die("the journal holds " + std::to_string(held) + " events, the service stored " +
        std::to_string(stats.events_stored) + ", expected " + std::to_string(s.total));
  }
  return row;
}

Row copy_phase(const Server& server, const Setup& s, const std::string& database) {
  const std::string conninfo = server.fresh_database(database, s.now);
  server.checkpoint();
  Row row;
  row.what = "B  psql \\copy";
  row.load = load_average();
  const std::string command =
      std::string("\\copy journal (") + journal_columns + ") FROM '" + s.copy_path + "'";
  PhaseMeter phase(server);
  const auto start = Clock::now();
  const int status = run_psql(conninfo, {"-c", command}, s.dir + "/psql.out");
  row.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  phase.finish(row, 3);
  if (status != 0)
    die("psql \\copy failed (exit " + std::to_string(status) + "), see " + s.dir + "/psql.out");
  row.events = server.count(database, "SELECT count(*) FROM journal");
  if (row.events != s.total) die("\\copy stored " + std::to_string(row.events) + " rows");
  return row;
}

// HQ's SQL alone, without the service: the batches' rows (already in COPY's format) from
// `connections` libpq connections at once, each batch in its own READ COMMITTED transaction as
// HQ's ingest runs it. staging: COPY into a temporary journal_staging (ON COMMIT DELETE ROWS) and
// INSERT INTO journal SELECT ... ON CONFLICT DO NOTHING, the store's statements
// (sync/src/hq/postgres/pg_rows_journal.cc); otherwise COPY straight into the journal. The
// store's bookkeeping statements per batch (the terminal's row, the chain, held_events) are left
// out.
Row sql_phase(const Server& server, const Setup& s, int connections, bool staging,
              const std::string& database) {
  const std::string conninfo = server.fresh_database(database, s.now);
  server.checkpoint();
  Row row;
  row.what = std::string(staging ? "B2 SQL: staging + INSERT, " : "B3 SQL: COPY into journal, ") +
             std::to_string(connections) + " conns";
  row.load = load_average();
  std::vector<PGconn*> conns;
  auto exec = [](PGconn* conn, const std::string& sql, ExecStatusType expected) {
    PGresult* result = PQexec(conn, sql.c_str());
    if (PQresultStatus(result) != expected) {
      die(sql.substr(0, 60) + ": " + PQerrorMessage(conn));
    }
    PQclear(result);
  };
  for (int c = 0; c < connections; ++c) {
    PGconn* conn = PQconnectdb(conninfo.c_str());
    if (PQstatus(conn) != CONNECTION_OK) die(std::string("libpq: ") + PQerrorMessage(conn));
    if (staging) {
      exec(conn,
           "CREATE TEMP TABLE journal_staging (LIKE journal INCLUDING DEFAULTS) ON COMMIT "
           "DELETE ROWS",
           PGRES_COMMAND_OK);
    }
    conns.push_back(conn);
  }
  const std::string target = staging ? "journal_staging" : "journal";
  const std::string copy_sql = "COPY " + target + " (" + journal_columns + ") FROM STDIN";
  const std::string move_sql = std::string("INSERT INTO journal (") + journal_columns +
                               ") SELECT " + journal_columns +
                               " FROM journal_staging ON CONFLICT DO NOTHING";
  std::mutex mutex;
  std::vector<double> latencies;
  PhaseMeter phase(server);
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      PGconn* conn = conns[static_cast<std::size_t>(c)];
      std::vector<double> mine;
      for (std::size_t k = static_cast<std::size_t>(c); k < s.copy_batches.size();
           k += static_cast<std::size_t>(connections)) {
        const auto sent = Clock::now();
        exec(conn, "BEGIN ISOLATION LEVEL READ COMMITTED", PGRES_COMMAND_OK);
        exec(conn, copy_sql, PGRES_COPY_IN);
        const std::string& data = s.copy_batches[k];
        if (PQputCopyData(conn, data.data(), static_cast<int>(data.size())) != 1 ||
            PQputCopyEnd(conn, nullptr) != 1) {
          die(std::string("COPY data: ") + PQerrorMessage(conn));
        }
        PGresult* copied = PQgetResult(conn);
        if (PQresultStatus(copied) != PGRES_COMMAND_OK) {
          die(std::string("COPY: ") + PQerrorMessage(conn));
        }
        PQclear(copied);
        while (PGresult* more = PQgetResult(conn)) PQclear(more);
        if (staging) exec(conn, move_sql, PGRES_COMMAND_OK);
        exec(conn, "COMMIT", PGRES_COMMAND_OK);
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
      }
      std::lock_guard lock(mutex);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (std::thread& t : threads) t.join();
  row.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  row.cpu.workers = phase.finish(row, 5);
  for (PGconn* conn : conns) PQfinish(conn);
  std::sort(latencies.begin(), latencies.end());
  row.latencies_ms = std::move(latencies);
  row.events = server.count(database, "SELECT count(*) FROM journal");
  if (row.events != s.total) die(row.what + " stored " + std::to_string(row.events) + " rows");
  return row;
}

struct ApplyResult {
  Row row;
  ApplyReport report;
  int calls = 0;
  std::int64_t customers = 0;
  std::int64_t entries = 0;
  std::int64_t lots = 0;
  HqTotals totals;
};

ApplyResult apply_phase(const Server& server, const Setup& s, const std::string& database) {
  const std::string conninfo = server.pg.conninfo(database);
  server.checkpoint();
  ApplyResult result;
  result.row.what = "C  apply (HQ ledger projection)";
  result.row.load = load_average();
  auto store = ok_or_die(open_postgres_hq_store(conninfo), "open store for apply");
  PhaseMeter phase(server);
  const auto start = Clock::now();
  auto last_report = start;
  for (;;) {
    const ApplyReport report = ok_or_die(store->apply(s.now, limits::hq_apply_events_max), "apply");
    ++result.calls;
    result.report.events_applied += report.events_applied;
    result.report.customers_reprojected += report.customers_reprojected;
    result.report.entries_written += report.entries_written;
    if (report.events_applied == 0) break;
    if (Clock::now() - last_report > std::chrono::seconds(15)) {
      last_report = Clock::now();
      std::fprintf(stderr, "  apply: %lld events after %.0f s\n",
                   static_cast<long long>(result.report.events_applied),
                   std::chrono::duration<double>(last_report - start).count());
    }
  }
  result.row.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  result.row.cpu.workers = phase.finish(result.row, 12);
  result.row.events = result.report.events_applied;
  result.totals = ok_or_die(store->totals(), "totals");
  result.customers = server.count(database, "SELECT count(*) FROM customers");
  result.entries = server.count(database, "SELECT count(*) FROM entries");
  result.lots = server.count(database, "SELECT count(*) FROM lots");
  return result;
}

void print_row(const Row& row) {
  const double rate = static_cast<double>(row.events) / row.seconds;
  std::string latency = "-";
  if (!row.latencies_ms.empty()) {
    char text[64];
    std::snprintf(text, sizeof text, "%.0f / %.0f ms",
                  loyalty_bench::percentile(row.latencies_ms, 50),
                  loyalty_bench::percentile(row.latencies_ms, 99));
    latency = text;
  }
  std::printf("  %-40s %9.0f/s %8.2f s  %-15s %5.1f %5.1f %6.1f %5.1f %6.1f %6.1f  %6.0f  %4.1f\n",
              row.what.c_str(), rate, row.seconds, latency.c_str(), row.cpu.clients, row.cpu.io,
              row.cpu.workers, row.cpu.copy_client, row.cpu.server, row.cpu.machine,
              static_cast<double>(row.wal_bytes) /
                  static_cast<double>(std::max<std::int64_t>(row.events, 1)),
              row.load);
}

}  // namespace

int main(int argc, char** argv) {
  hq_bench::program_name = "bench_hq_postgres";
  const Options o = parse(argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::string base = o.dir.empty() ? std::string(LOYALTY_BENCH_WORK_DIR) : o.dir;
  std::filesystem::create_directories(base);
  std::string pattern = base + "/hq-postgres-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) die("mkdtemp in " + base + ": " + std::strerror(errno));

  Setup s;
  s.dir = pattern;
  s.now = Timestamp{static_cast<std::int64_t>(std::time(nullptr))};
  s.epoch = "00000000000000aa";
  const auto setup_start = Clock::now();
  s.terminals = hq_bench::make_pki(s.dir, o.terminals, s.now);

  // The night's events: --customers pseudonyms, spread over the terminals' events by a
  // bijection of the event's number when there are as many customers as events.
  const std::int64_t per_terminal = o.events / o.terminals;
  s.total = per_terminal * o.terminals;
  hq_bench::ChainShape shape;
  shape.lines = o.lines;
  shape.lot_and_tier = true;
  shape.first_created_at = Timestamp{1796634000};  // 2026-12-07 09:00 UTC
  const std::int64_t customers = o.customers;
  shape.customer = [per_terminal, customers](int index, std::int64_t seq) {
    const std::int64_t n = static_cast<std::int64_t>(index) * per_terminal + (seq - 1);
    const std::uint64_t c =
        static_cast<std::uint64_t>((n % customers) * 1'000'003 % customers);  // 1000003: prime
    std::uint64_t z = c + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    char text[40];
    std::snprintf(text, sizeof text, "ps1_%016llx%016llx", static_cast<unsigned long long>(z),
                  static_cast<unsigned long long>(c));
    return std::string(text);
  };
  std::size_t event_bytes = 0;
  for (int i = 0; i < o.terminals; ++i) {
    s.chains.push_back(hq_bench::make_chain(s.terminals[static_cast<std::size_t>(i)], s.epoch,
                                            per_terminal, i, shape));
    for (const WireEvent& e : s.chains.back()) event_bytes += e.payload.size() + e.annex.size();
  }
  const auto encode_start = Clock::now();
  std::size_t wire_bytes = 0;
  const std::size_t step = static_cast<std::size_t>(o.batch);
  for (int i = 0; i < o.terminals; ++i) {
    const auto& chain = s.chains[static_cast<std::size_t>(i)];
    s.bodies.emplace_back();
    for (std::size_t from = 0; from < chain.size(); from += step) {
      const std::size_t to = std::min(chain.size(), from + step);
      s.bodies.back().push_back(encode_batch(
          hq_bench::slice(s.terminals[static_cast<std::size_t>(i)], s.epoch, chain, from, to)));
      wire_bytes += s.bodies.back().back().size();
    }
  }
  const double encode_seconds = std::chrono::duration<double>(Clock::now() - encode_start).count();
  if (o.sql_connections > 0) {
    for (std::size_t n = 0; n * step < static_cast<std::size_t>(per_terminal); ++n) {
      for (int i = 0; i < o.terminals; ++i) {
        const auto& chain = s.chains[static_cast<std::size_t>(i)];
        hq::pg::CopyRows rows;
        for (std::size_t k = n * step; k < std::min(chain.size(), (n + 1) * step); ++k) {
          append_copy_row(rows, s.terminals[static_cast<std::size_t>(i)], s.epoch, chain[k], s.now);
        }
        s.copy_batches.emplace_back(rows.data());
      }
    }
  }
  s.copy_path = s.dir + "/journal.copy";
  const std::uintmax_t copy_bytes =
      write_copy_file(s.copy_path, s.terminals, s.epoch, s.chains, s.now);
  const double setup_seconds = std::chrono::duration<double>(Clock::now() - setup_start).count();
  std::printf(
      "bench_hq_postgres: %lld events (payload + annex %.0f bytes on average, %d receipt lines) "
      "from %d terminals, %lld distinct customers, batches of %d (%.0f KB zstd on the wire, "
      "encoded in %.1f s before timing), %d client threads\n",
      static_cast<long long>(s.total),
      static_cast<double>(event_bytes) / static_cast<double>(s.total), o.lines, o.terminals,
      static_cast<long long>(std::min(customers, s.total)), o.batch,
      static_cast<double>(wire_bytes) / static_cast<double>(s.bodies.size() * s.bodies[0].size()) /
          1024.0,
      encode_seconds, o.threads);
  std::printf("  COPY file %.0f MB, setup %.1f s, files in %s\n",
              static_cast<double>(copy_bytes) / 1e6, setup_seconds, s.dir.c_str());

  loyalty::test::PgServer::Options pg_options;
  pg_options.name = "bench";
  pg_options.settings = pg_settings;
  if (o.statements) {
    pg_options.settings.push_back("shared_preload_libraries='pg_stat_statements'");
    pg_options.settings.push_back("pg_stat_statements.track=all");
  }
  pg_options.settings.insert(pg_options.settings.end(), o.pg_extra.begin(), o.pg_extra.end());
  Server server{loyalty::test::PgServer::start(pg_options), 0,
                utc_date(Timestamp{shape.first_created_at.unix_seconds + 1})};
  server.postmaster = read_postmaster_pid(server.pg.data_dir());
  if (o.statements) {
    server.pg.psql("CREATE EXTENSION pg_stat_statements");
    server.statements = true;
  }
  std::printf("  %s, data directory %s\n", server.pg.psql("SHOW server_version").c_str(),
              server.pg.data_dir().c_str());
  std::string shown;
  for (const char* name :
       {"fsync", "synchronous_commit", "full_page_writes", "wal_level", "shared_buffers",
        "wal_buffers", "max_wal_size", "checkpoint_timeout", "wal_compression", "autovacuum"}) {
    shown += std::string(shown.empty() ? "" : ", ") + name + "=" +
             server.pg.psql(std::string("SHOW ") + name);
  }
  for (const std::string& extra : o.pg_extra) shown += ", " + extra;
  std::printf("  settings: %s\n", shown.c_str());

  // Back to back: \copy, the ingests, HQ's SQL alone, \copy again; then the apply on the last
  // ingest's database.
  std::vector<Row> rows;
  int copies = 0;
  auto copy = [&] {
    ++copies;
    std::fprintf(stderr, "  running: psql \\copy %d\n", copies);
    rows.push_back(copy_phase(server, s, "copy_" + std::to_string(copies)));
    rows.back().what += copies == 1 ? ", before the ingests" : ", after the ingests";
  };
  if (o.copy_runs > 0) copy();
  std::string last_ingest;
  for (std::size_t k = 0; k < o.workers.size(); ++k) {
    std::fprintf(stderr, "  running: HQ ingest, %d workers\n", o.workers[k]);
    last_ingest = "hq_" + std::to_string(k + 1) + "_w" + std::to_string(o.workers[k]);
    rows.push_back(ingest_phase(server, s, o, o.workers[k], last_ingest));
  }
  if (o.sql_connections > 0) {
    std::fprintf(stderr, "  running: SQL only, staging\n");
    rows.push_back(sql_phase(server, s, o.sql_connections, true, "sql_staging"));
    std::fprintf(stderr, "  running: SQL only, COPY into the journal\n");
    rows.push_back(sql_phase(server, s, o.sql_connections, false, "sql_copy"));
  }
  for (int i = 1; i < o.copy_runs; ++i) copy();
  std::optional<ApplyResult> applied;
  if (!o.skip_apply && !last_ingest.empty()) {
    std::fprintf(stderr, "  running: apply on %s\n", last_ingest.c_str());
    applied = apply_phase(server, s, last_ingest);
  }

  std::printf("\n  %-40s %11s %10s  %-15s %-42s %7s %5s\n", "", "rate", "wall", "batch p50/p99",
              "CPU s: clients io wrkrs psql  PgSQL machine", "WAL B/ev", "load");
  double best_hq = 0, best_copy = 0;
  for (const Row& row : rows) {
    print_row(row);
    const double rate = static_cast<double>(row.events) / row.seconds;
    if (row.what.starts_with("A")) best_hq = std::max(best_hq, rate);
    if (row.what.starts_with("B ")) best_copy = std::max(best_copy, rate);
  }
  if (applied) print_row(applied->row);
  std::printf("\n");
  if (o.statements) {
    for (const Row& row : rows)
      std::printf("  %s:\n%s\n", row.what.c_str(), row.statements.c_str());
    if (applied)
      std::printf("  %s:\n%s\n\n", applied->row.what.c_str(), applied->row.statements.c_str());
  }
  if (best_hq > 0 && best_copy > 0) {
    std::printf("  %-44s %.2f (target >= 0.5)\n", "best HQ ingest / best \\copy",
                best_hq / best_copy);
  }
  if (best_hq > 0) {
    std::printf("  %-44s %.0f events/s (target >= 100000)\n", "best HQ ingest", best_hq);
    std::printf("  %-44s %.1f min (target < 10 min)\n", "60 M-event night at that rate",
                60e6 / best_hq / 60.0);
  }
  if (applied) {
    const double seconds = applied->row.seconds;
    std::printf(
        "  %-44s %lld events, %lld customers (%lld entries, %lld lots) in %.1f s, %d calls: "
        "%.0f events/s, %.0f customers/s\n",
        "C  reconciliation", static_cast<long long>(applied->report.events_applied),
        static_cast<long long>(applied->customers), static_cast<long long>(applied->entries),
        static_cast<long long>(applied->lots), seconds, applied->calls,
        static_cast<double>(applied->report.events_applied) / seconds,
        static_cast<double>(applied->customers) / seconds);
    std::printf("  %-44s receipts %lld, points issued %lld, liability %lld\n", "   HQ totals",
                static_cast<long long>(applied->totals.receipts),
                static_cast<long long>(applied->totals.points_issued),
                static_cast<long long>(applied->totals.liability_points));
  }
  if (!o.keep) std::filesystem::remove_all(s.dir);
  return 0;
}
