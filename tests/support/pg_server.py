"""PgServer: a real PostgreSQL 15 server for one Python test, started by the test itself, as
tests/sync/postgres/pg_server.h is for the C++ tests. A fresh cluster (initdb) in a temporary
directory of its own, on a free loopback TCP port, stopped and removed with everything in it at
the end of the `with` block. Nothing is mocked.

    with PgServer(name="hq", settings=["fsync=off"]) as pg:
        pg.psql("SELECT 40 + 2")            # "42"
        pg.restart("immediate")             # a crash recovery on the same port
        connect(pg.conninfo("postgres"))    # postgresql://loyalty_test@127.0.0.1:PORT/postgres

Who runs the server: PostgreSQL refuses to run as root, and CI runs the tests as root. Then
initdb, pg_ctl and the server run as the `postgres` system user (created by the Debian package
postgresql) through setpriv, and the temporary directory belongs to that user; otherwise they run
as the caller. psql runs as the caller either way. The superuser is always "loyalty_test", with
trust authentication on loopback.

Ownership: a PgServer owns the server's processes and its directory (data directory, server.log,
Unix sockets). While the server runs, a supervisor process (a small Python child) is the parent
of the postmaster: a child subreaper that reaps every process of the server, so that none is left
as a zombie where init does not reap, and stop() and kill_postmaster() return only once all have
exited. If the test program dies without closing the PgServer, the supervisor sees its stdin
close, stops the server (an immediate shutdown) and removes the directory.

Thread-safety: one thread at a time for start, stop, start_again, restart, kill_postmaster and
close; psql() may run on several threads while none of those does.

Errors are PgServerError (a RuntimeError) naming the server, the command that failed, its stderr
and, where the server is involved, the tail of its log.

Run by itself (python3 tests/support/pg_server.py) it tests itself and exits 0.
"""

import os
import pwd
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

SUPERUSER = "loyalty_test"
SERVER_USER = "postgres"  # created by Debian's package postgresql
FALLBACK_BINDIR = "/usr/lib/postgresql/15/bin"
NOT_INSTALLED = ("PostgreSQL 15 is not installed (Debian package postgresql); "
                 "run scripts/install-deps.sh")
PROGRAMS = ("initdb", "pg_ctl", "postgres", "psql")
START_ATTEMPTS_MAX = 5  # ports taken by someone else between choice and bind
READY_TIMEOUT_S = 30  # pg_ctl -w -t: per start, per stop
COMMAND_TIMEOUT_S = 120  # initdb, psql
EXIT_TIMEOUT_S = 30  # the server's processes, after a stop or a kill
QUIT_GRACE_S = 10  # the supervisor's SIGQUIT before its SIGKILL
LOG_TAIL_LINES = 40

# The supervisor: python3 -I -c SUPERVISOR PID_FILE DIR OUT_FD ERR_FD GRACE_S COMMAND...
# pg_ctl start forks the postmaster and exits, so the postmaster's parent would become init, which
# in some containers never reaps: a stopped server would stay a zombie, and after a SIGKILL the
# next postmaster would take the zombie's pid in postmaster.pid for a live server. As a child
# subreaper the supervisor inherits the postmaster (and, after a crash, its children), reaps them
# all and exits when none is left. It writes pg_ctl's exit code as a line to stdout; when stdin
# reaches EOF (the test program has gone, or gave up on it) it quits the server and removes DIR.
SUPERVISOR = r"""
import ctypes, os, select, shutil, signal, sys, time
PR_SET_CHILD_SUBREAPER = 36
pid_file, directory = sys.argv[1], sys.argv[2]
out_fd, err_fd, grace_s = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
command = sys.argv[6:]
if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit("prctl(PR_SET_CHILD_SUBREAPER) failed")
launcher = os.posix_spawn(command[0], command, os.environ, file_actions=[
    (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
    (os.POSIX_SPAWN_DUP2, out_fd, 1), (os.POSIX_SPAWN_DUP2, err_fd, 2),
    (os.POSIX_SPAWN_CLOSE, out_fd), (os.POSIX_SPAWN_CLOSE, err_fd)],
    setsigdef=(signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT))
os.close(out_fd)
os.close(err_fd)

def signal_postmaster(number):
    try:
        with open(pid_file) as lines:
            pid = int(lines.readline())
        # Only while it is our child: never a stranger that got its pid after it exited.
        if os.waitpid(pid, os.WNOHANG) == (0, 0):
            os.kill(pid, number)
    except (OSError, ValueError):
        pass

reported = False
quit_at = None
while True:
    try:
        pid, status = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        break  # pg_ctl, the server and all of its processes have exited
    if pid:
        if pid == launcher and not reported:
            os.write(1, b"%d\n" % os.waitstatus_to_exitcode(status))
            reported = True
        continue
    if quit_at is None:
        readable, _, _ = select.select([0], [], [], 0.05)
        if readable and not os.read(0, 64):
            quit_at = time.monotonic()
    else:
        time.sleep(0.05)
    if quit_at is not None:
        signal_postmaster(signal.SIGQUIT if time.monotonic() - quit_at < grace_s
                          else signal.SIGKILL)
if quit_at is not None:
    shutil.rmtree(directory, ignore_errors=True)
"""


class PgServerError(RuntimeError):
    pass


def indented(text):
    lines = text.rstrip("\n").split("\n") if text.strip() else ["(nothing)"]
    return "".join("    " + line + "\n" for line in lines)


def child_environment():
    """The caller's environment without anything that steers libpq or the server (PGHOST,
    PGDATA, PGOPTIONS, ...), with a fixed locale so that messages are in English."""
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith(("PG", "LC_", "LANG"))}
    environment["LC_ALL"] = "C.UTF-8"
    environment["PGCONNECT_TIMEOUT"] = "10"
    return environment


def find_bindir(label, environment):
    """pg_config's --bindir if pg_config is PostgreSQL 15's, else Debian's directory."""
    candidates = []
    pg_config = shutil.which("pg_config", path=environment.get("PATH"))
    if pg_config:
        try:
            version = subprocess.run([pg_config, "--version"], capture_output=True, text=True,
                                     env=environment, timeout=COMMAND_TIMEOUT_S)
            bindir = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                                    env=environment, timeout=COMMAND_TIMEOUT_S)
            if version.stdout.startswith("PostgreSQL 15") and bindir.returncode == 0:
                candidates.append(bindir.stdout.strip())
        except (OSError, subprocess.TimeoutExpired):
            pass
    candidates.append(FALLBACK_BINDIR)
    for candidate in candidates:
        if all(os.access(os.path.join(candidate, name), os.X_OK) for name in PROGRAMS):
            return candidate
    raise PgServerError(f"{label}: {NOT_INSTALLED} (no {', '.join(PROGRAMS)} in "
                        f"{candidates[-1]})")


def reachable_by(directory, uid, gid):
    """Whether uid (group gid) may traverse directory and every directory above it."""
    path = os.path.abspath(directory)
    while True:
        try:
            info = os.stat(path)
        except OSError:
            return False
        searchable = (info.st_mode & 0o001 or (info.st_uid == uid and info.st_mode & 0o100)
                      or (info.st_gid == gid and info.st_mode & 0o010))
        if not searchable:
            return False
        if path == "/":
            return True
        path = os.path.dirname(path)


def free_port():
    """A port of 127.0.0.1 that was free a moment ago: bound with port 0, read, closed."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def conf_string(text):
    return "'" + text.replace("'", "''") + "'"


class PgServer:
    """A PostgreSQL 15 server of one test; a context manager (see the module's docstring)."""

    def __init__(self, name="pg", settings=()):
        """settings: extra postgresql.conf lines, "key=value" each, written after the defaults
        (listen_addresses='127.0.0.1', the port, unix_socket_directories in the temporary
        directory, max_connections=200, shared_buffers=128MB, fsync=on, the log to server.log),
        which they therefore override."""
        self.name = name
        self.label = f'PgServer "{name}"'
        for setting in settings:
            if "=" not in setting or "\n" in setting:
                raise PgServerError(f'{self.label}: setting "{setting}" is not one '
                                    '"key=value" line')
        self.settings = list(settings)
        self.port = 0
        self.host = "127.0.0.1"
        self.directory = None
        self.data_dir = None
        self.log_path = None
        self._environment = child_environment()
        self._bindir = None
        self._setpriv = []  # as root: the command prefix that runs a program as postgres
        self._uid, self._gid = os.geteuid(), os.getegid()
        self._supervisor = None
        self._running = False

    # --- lifecycle ---------------------------------------------------------------------------

    def __enter__(self):
        return self.start()

    def __exit__(self, *exception):
        self.close()
        return False

    def start(self):
        """initdb and the first start on a free port; returns self. Leaves nothing behind when
        it raises."""
        try:
            self._bindir = find_bindir(self.label, self._environment)
            self._choose_user()
            self._make_directory()
            self._init_cluster()
            self._start_on_free_port()
        except BaseException:
            self.close()
            raise
        return self

    def close(self):
        """Stops the server, if it runs, with an immediate shutdown and removes the directory."""
        self._shut_down()
        if self.directory:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def stop(self, mode="fast"):
        """pg_ctl stop -m MODE -w; returns once the server and all of its processes exited."""
        if not self._running:
            raise PgServerError(f"{self.label}: stop: the server is not running")
        result = self._run(self._as_server([self._program("pg_ctl"), "stop", "-D", self.data_dir,
                                            "-m", mode, "-w", "-t", str(READY_TIMEOUT_S)]),
                           READY_TIMEOUT_S + 30)
        if result.returncode != 0:
            raise PgServerError(f"{self.label}: pg_ctl stop -m {mode} failed with exit status "
                                f"{result.returncode} ({self._where()}):\n"
                                f"{indented(result.stdout + result.stderr)}"
                                f"the server's log:\n{indented(self.log_tail())}")
        self._running = False
        if not self._reap_supervisor(EXIT_TIMEOUT_S):
            raise PgServerError(f"{self.label}: the server's processes did not exit within "
                                f"{EXIT_TIMEOUT_S} s of pg_ctl stop")

    def start_again(self):
        """Starts the stopped (or crashed) server on the same port and data directory and waits
        until it accepts connections."""
        if self._running:
            raise PgServerError(f"{self.label}: start_again: the server is already running")
        failure, _ = self._launch()
        if failure:
            raise PgServerError(f"{self.label}: the server did not start again "
                                f"({self._where()}): {failure}")
        self._wait_ready()

    def restart(self, mode="immediate"):
        """stop(mode) and start_again(): immediate is a shutdown without a checkpoint, so the
        restart is a crash recovery."""
        self.stop(mode)
        self.start_again()

    def kill_postmaster(self):
        """A crash: SIGKILL to the postmaster; returns once its other processes exited too."""
        if not self._running:
            raise PgServerError(f"{self.label}: kill_postmaster: the server is not running")
        pid = self._postmaster_pid()
        if pid <= 0:
            raise PgServerError(f"{self.label}: kill_postmaster: no pid in {self.data_dir}"
                                "/postmaster.pid")
        os.kill(pid, signal.SIGKILL)
        self._running = False
        if not self._reap_supervisor(EXIT_TIMEOUT_S):
            raise PgServerError(f"{self.label}: the server's processes did not exit within "
                                f"{EXIT_TIMEOUT_S} s of killing the postmaster")

    # --- clients -----------------------------------------------------------------------------

    def conninfo(self, database="postgres"):
        """postgresql://loyalty_test@127.0.0.1:PORT/DATABASE, a libpq URI."""
        return (f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/"
                f"{urllib.parse.quote(database, safe='')}")

    def psql(self, sql, database="postgres"):
        """psql -X -v ON_ERROR_STOP=1 -At -c SQL in database; what it printed without the final
        newline (rows on lines, columns separated by '|'). Raises with psql's stderr."""
        result = self._run([self._program("psql"), "-X", "-v", "ON_ERROR_STOP=1", "-At", "-d",
                            self.conninfo(database), "-c", sql], COMMAND_TIMEOUT_S)
        if result.returncode != 0:
            raise PgServerError(f'{self.label}: psql failed with exit status {result.returncode} '
                                f'on "{sql}" in {database}:\n{indented(result.stderr)}')
        return result.stdout.rstrip("\n")

    def create_database(self, name):
        self.psql('CREATE DATABASE "' + name.replace('"', '""') + '"')

    def log_tail(self, lines=LOG_TAIL_LINES):
        try:
            with open(self.log_path, "rb") as log:
                log.seek(max(0, os.fstat(log.fileno()).st_size - 256 * 1024))
                text = log.read().decode("utf-8", "replace")
        except (OSError, TypeError):
            return ""
        return "\n".join(text.rstrip("\n").split("\n")[-lines:]) if lines > 0 else ""

    # --- internals ---------------------------------------------------------------------------

    def _program(self, name):
        return os.path.join(self._bindir, name)

    def _where(self):
        return f"port {self.port}, data directory {self.data_dir}"

    def _as_server(self, words):
        return self._setpriv + words

    def _run(self, words, timeout_s):
        try:
            return subprocess.run(words, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                  env=self._environment, cwd=self.directory, timeout=timeout_s)
        except subprocess.TimeoutExpired as timeout:
            raise PgServerError(f"{self.label}: {words[0]} did not finish in {timeout_s} s") \
                from timeout

    def _choose_user(self):
        """PostgreSQL refuses to run as root: then its programs run as the postgres user."""
        if os.geteuid() != 0:
            return
        try:
            user = pwd.getpwnam(SERVER_USER)
        except KeyError:
            raise PgServerError(f"{self.label}: running as root, but there is no user "
                                f"{SERVER_USER} to run PostgreSQL as (Debian's package postgresql "
                                "creates it); run scripts/install-deps.sh") from None
        setpriv = next((path for path in ("/usr/bin/setpriv", "/bin/setpriv")
                        if os.access(path, os.X_OK)), None)
        if setpriv is None:
            raise PgServerError(f"{self.label}: running as root, but setpriv (Debian package "
                                f"util-linux), which runs PostgreSQL as {SERVER_USER}, is missing")
        self._uid, self._gid = user.pw_uid, user.pw_gid
        self._setpriv = [setpriv, f"--reuid={SERVER_USER}", f"--regid={SERVER_USER}",
                         "--init-groups", "--"]

    def _make_directory(self):
        """Below the system's temp directory, or /tmp if the server's user cannot reach it."""
        base = tempfile.gettempdir()
        if not reachable_by(base, self._uid, self._gid):
            if not reachable_by("/tmp", self._uid, self._gid):
                raise PgServerError(f"{self.label}: neither {base} nor /tmp can be reached by "
                                    f"the user {SERVER_USER}")
            base = "/tmp"
        self.directory = tempfile.mkdtemp(prefix="loyalty-pg-", dir=base)  # mode 0700
        self.data_dir = os.path.join(self.directory, "data")
        self.log_path = os.path.join(self.directory, "server.log")
        if self._setpriv:
            os.chown(self.directory, self._uid, self._gid)

    def _init_cluster(self):
        result = self._run(self._as_server([
            self._program("initdb"), "-D", self.data_dir, "--auth=trust", "--encoding=UTF8",
            "--locale=C.UTF-8", "-U", SUPERUSER]), COMMAND_TIMEOUT_S)
        if result.returncode != 0:
            raise PgServerError(f"{self.label}: initdb failed with exit status "
                                f"{result.returncode} (data directory {self.data_dir}):\n"
                                f"{indented(result.stderr + result.stdout)}")
        # The settings live in a file of their own, rewritten when the port changes.
        with open(os.path.join(self.data_dir, "postgresql.conf"), "a", encoding="utf-8") as conf:
            conf.write("\n# The tests' PgServer (tests/support/pg_server.py)\n"
                       "include 'loyalty_test.conf'\n")

    def _write_config(self):
        path = os.path.join(self.data_dir, "loyalty_test.conf")
        with open(path, "w", encoding="utf-8") as conf:
            conf.write("# Written by the tests' PgServer (tests/support/pg_server.py).\n"
                       "listen_addresses = '127.0.0.1'\n"
                       f"port = {self.port}\n"
                       f"unix_socket_directories = {conf_string(self.directory)}\n"
                       "max_connections = 200\n"
                       "shared_buffers = 128MB\n"
                       "fsync = on\n"  # durability tests need it; settings may turn it off
                       "logging_collector = off\n"  # pg_ctl -l: the server's stderr is the log
                       "log_destination = 'stderr'\n"
                       "# settings\n")
            for setting in self.settings:
                conf.write(setting + "\n")
        if self._setpriv:
            os.chown(path, self._uid, self._gid)

    def _start_on_free_port(self):
        for attempt in range(1, START_ATTEMPTS_MAX + 1):
            self.port = free_port()
            self._write_config()
            failure, port_taken = self._launch()
            if not failure:
                break
            if not port_taken or attempt == START_ATTEMPTS_MAX:
                raise PgServerError(f"{self.label}: the server did not start ({self._where()}, "
                                    f"attempt {attempt}): {failure}")
        self._wait_ready()

    def _launch(self):
        """pg_ctl start -w under a new supervisor: (None, False) once the server is ready, else
        (what went wrong, whether the port was taken)."""
        assert self._supervisor is None and not self._running
        try:
            log_offset = os.path.getsize(self.log_path)
        except OSError:
            log_offset = 0
        command = self._as_server([self._program("pg_ctl"), "start", "-D", self.data_dir, "-l",
                                   self.log_path, "-w", "-t", str(READY_TIMEOUT_S)])
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            self._supervisor = subprocess.Popen(
                [sys.executable, "-I", "-c", SUPERVISOR,
                 os.path.join(self.data_dir, "postmaster.pid"), self.directory,
                 str(out.fileno()), str(err.fileno()), str(QUIT_GRACE_S)] + command,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=self._environment,
                cwd=self.directory, pass_fds=(out.fileno(), err.fileno()),
                start_new_session=True)  # a Ctrl-C for the test does not reach it
            self._running = True  # perhaps: _shut_down() stops whatever pg_ctl left running
            code = self._receive_exit_code(READY_TIMEOUT_S + 30)
            if code == 0:
                return None, False
            out.seek(0)
            err.seek(0)
            output = (out.read() + err.read()).decode("utf-8", "replace")
        self._shut_down()
        with open(self.log_path, "rb") as log_file:
            log_file.seek(log_offset)
            log = log_file.read().decode("utf-8", "replace")
        how = ("did not finish in time" if code is None
               else f"failed with exit status {code}")
        tail = "\n".join(log.rstrip("\n").split("\n")[-LOG_TAIL_LINES:])
        return (f"pg_ctl start {how}:\n{indented(output)}"
                f"the server's log (its last lines):\n{indented(tail)}",
                "Address already in use" in log)

    def _receive_exit_code(self, timeout_s):
        """pg_ctl's exit code as the supervisor reports it, or None (timeout, no report)."""
        readable, _, _ = select.select([self._supervisor.stdout], [], [], timeout_s)
        line = self._supervisor.stdout.readline() if readable else b""
        try:
            return int(line)
        except ValueError:
            return None

    def _wait_ready(self):
        """pg_ctl -w saw "ready" in postmaster.pid; a query over TCP proves the port, the
        superuser and the trust authentication too."""
        try:
            answer = self.psql("SELECT 1")
        except PgServerError as error:
            raise PgServerError(f"{error}\nthe server's log:\n{indented(self.log_tail())}") \
                from None
        if answer != "1":
            raise PgServerError(f'{self.label}: SELECT 1 answered "{answer}" ({self._where()})')

    def _postmaster_pid(self):
        try:
            with open(os.path.join(self.data_dir, "postmaster.pid"), encoding="utf-8") as lines:
                return int(lines.readline())
        except (OSError, ValueError):
            return 0

    def _reap_supervisor(self, timeout_s):
        """Waits for the supervisor, which exits once all of the server's processes have."""
        if self._supervisor is None:
            return True
        try:
            self._supervisor.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return False
        self._supervisor.stdin.close()
        self._supervisor.stdout.close()
        self._supervisor = None
        return True

    def _shut_down(self):
        """Stops the server, if it runs, with an immediate shutdown, and reaps it."""
        if self._supervisor is None:
            return
        if self._running and os.path.exists(os.path.join(self.data_dir, "postmaster.pid")):
            try:
                self._run(self._as_server([self._program("pg_ctl"), "stop", "-D",
                                           self.data_dir, "-m", "immediate", "-w", "-t",
                                           str(READY_TIMEOUT_S)]), READY_TIMEOUT_S + 30)
            except PgServerError:
                pass  # the supervisor below quits the server itself
        self._running = False
        if self._reap_supervisor(EXIT_TIMEOUT_S):
            return
        self._supervisor.stdin.close()  # EOF: the supervisor quits the server
        if self._reap_supervisor(QUIT_GRACE_S + 10):
            return
        self._supervisor.kill()
        self._supervisor.wait()
        self._supervisor = None


def self_test():
    """Starts a server, asks it a sum, commits a row, restarts it immediately and reads the row
    back; then checks that the server and its directory are gone."""
    with PgServer(name="self-test") as pg:
        assert pg.psql("SELECT 40 + 2") == "42", pg.psql("SELECT 40 + 2")
        assert pg.conninfo() == f"postgresql://loyalty_test@127.0.0.1:{pg.port}/postgres"
        assert pg.psql("SHOW fsync") == "on"
        pg.create_database("hq test")
        pg.psql("CREATE TABLE journal (id int PRIMARY KEY, body text)", "hq test")
        pg.psql("INSERT INTO journal VALUES (7, 'seven')", "hq test")
        port, first = pg.port, pg._postmaster_pid()
        pg.restart("immediate")
        assert pg.port == port
        assert pg.psql("SELECT id, body FROM journal", "hq test") == "7|seven"
        assert "automatic recovery in progress" in pg.log_tail()
        pg.kill_postmaster()
        try:
            pg.psql("SELECT 1")
            raise AssertionError("psql answered after kill_postmaster")
        except PgServerError as error:
            assert "Connection refused" in str(error), str(error)
        pg.start_again()
        assert pg.psql("SELECT count(*) FROM journal", "hq test") == "1"
        directory, last = pg.directory, pg._postmaster_pid()
    assert not os.path.exists(directory), directory
    for pid in (first, last):
        try:
            os.kill(pid, 0)
            raise AssertionError(f"process {pid} of the server is still there")
        except ProcessLookupError:
            pass
    try:
        with PgServer(name="bad", settings=["shared_buffers=nonsense"]):
            raise AssertionError("a server with shared_buffers=nonsense started")
    except PgServerError as error:
        assert 'invalid value for parameter "shared_buffers": "nonsense"' in str(error), error
    print(f"pg_server.py: ok (port {port}, as {'postgres' if os.geteuid() == 0 else 'self'})")


if __name__ == "__main__":
    self_test()
