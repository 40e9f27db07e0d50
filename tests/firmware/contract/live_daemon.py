"""A short till session against the real loyaltyd, for what the API tests' record cannot show:
the event stream (its 101, every message against the EventMessage schema, seqs in order), the
refusals made before a request is read (408 read timeout, 503 one connection or one stream too
many), and a scanner's scans (a pty posing as a serial scanner).

The daemon runs in a temporary state directory with its own token file, configured like the
API tests' till (examples/programs/grocery.json, Europe/Berlin). Every reply is checked with
reply_check.Contract; the session's problems are collected, never raised.

Ownership: the session owns the daemon process, the pty and every socket it opens, and closes
them all in finish(). Thread-safety: one thread.
"""

import base64
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
import tty

TOKEN = "contract-token-0123456789abcdef0123456789abcdef"
CARD = "2900000000018"  # a loyalty card of grocery.json (prefix 29, GS1 check digit)
WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, section 1.3
START_TIMEOUT_S = 20
SOCKET_TIMEOUT_S = 10
HEAD_BYTES_MAX = 16 * 1024
MESSAGES_MAX = 200  # frames read from one stream
CONNECTIONS_MAX = 4
READ_TIMEOUT_MS = 300
REQUIRED_EVENTS = {
    "stream.opened", "customer.identified", "customer.enrolled", "scan.unidentified",
    "receipt.quoted", "receipt.open", "receipt.committed", "receipt.cancelled",
    "refund.committed", "daemon.reloaded",
}


def config_text(directory, examples, scanner_node):
    return (f'[terminal]\nid = "T-contract"\nstore_id = "FM014"\n'
            f'state_directory = "{directory}"\ntime_zone = "Europe/Berlin"\n'
            f'[program]\nbundle = "{examples}/programs/grocery.json"\n'
            f'[api]\nsocket = "{directory}/api.sock"\ntoken_file = "{directory}/token"\n'
            f"read_timeout_ms = {READ_TIMEOUT_MS}\nconnections_max = {CONNECTIONS_MAX}\n"
            f"event_streams_max = 2\n"
            f'[panel]\nenabled = false\n[log]\nsink = "stderr"\n'
            f'[readers]\nhotplug = false\n'
            f'[[readers.devices]]\nnode = "{scanner_node}"\nkind = "scanner"\n')


def receipt_json(examples, receipt_id):
    with open(f"{examples}/receipts/grocery/basket-120.json", encoding="utf-8") as source:
        receipt = json.load(source)
    receipt["receipt_id"] = receipt_id
    return receipt


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=SOCKET_TIMEOUT_S)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


def parse_head(head):
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return status, headers


def read_reply(sock):
    """A whole HTTP reply read from a raw socket: (status, headers, body)."""
    data = b""
    while b"\r\n\r\n" not in data and len(data) < HEAD_BYTES_MAX:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status, headers = parse_head(head)
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(length - len(body))
        if not chunk:
            break
        body += chunk
    return status, headers, body[:length].decode("utf-8")


class EventStream:
    """A WebSocket client of /v1/events over the Unix socket (RFC 6455, client side)."""

    def __init__(self, path, token=TOKEN, headers=()):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(SOCKET_TIMEOUT_S)
        self.sock.connect(path)
        self.key = base64.b64encode(os.urandom(16)).decode()
        lines = ["GET /v1/events HTTP/1.1", "Host: localhost", "Upgrade: websocket",
                 "Connection: Upgrade", f"Sec-WebSocket-Key: {self.key}",
                 "Sec-WebSocket-Version: 13"] + list(headers)
        if token:
            lines.append(f"Authorization: Bearer {token}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = b""
        while not head.endswith(b"\r\n\r\n") and len(head) < HEAD_BYTES_MAX:
            byte = self.sock.recv(1)  # byte by byte: the frames that follow stay unread
            if not byte:
                break
            head += byte
        self.status, self.headers = parse_head(head)
        self.body = ""
        if self.status != 101:
            length = int(self.headers.get("content-length", "0"))
            self.body = self.sock.recv(length, socket.MSG_WAITALL).decode("utf-8")

    def expected_accept(self):
        digest = hashlib.sha1((self.key + WEBSOCKET_GUID).encode()).digest()
        return base64.b64encode(digest).decode()

    def next_text(self, timeout_s):
        """The next text message, or None on timeout or close."""
        self.sock.settimeout(timeout_s)
        try:
            first = self.sock.recv(2, socket.MSG_WAITALL)
            if len(first) < 2:
                return None
            opcode, length = first[0] & 0x0F, first[1] & 0x7F
            if length == 126:
                length = struct.unpack(">H", self.sock.recv(2, socket.MSG_WAITALL))[0]
            elif length == 127:
                length = struct.unpack(">Q", self.sock.recv(8, socket.MSG_WAITALL))[0]
            payload = self.sock.recv(length, socket.MSG_WAITALL) if length else b""
        except socket.timeout:
            return None
        if opcode == 8:
            return None
        return payload.decode("utf-8") if opcode == 1 else self.next_text(timeout_s)

    def close(self):
        self.sock.close()


class Session:
    def __init__(self, daemon, examples, contract):
        self.contract = contract
        self.examples = os.path.abspath(examples)
        self.problems = []
        self.replies = 0
        self.messages = []
        self.directory = tempfile.mkdtemp(prefix="loyc-", dir="/tmp")  # short: sun_path is 108
        self.socket = f"{self.directory}/api.sock"
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.scanner = os.ttyname(self.slave)
        with open(f"{self.directory}/loyaltyd.toml", "w", encoding="utf-8") as config:
            config.write(config_text(self.directory, self.examples, self.scanner))
        with open(f"{self.directory}/token", "w", encoding="utf-8") as token:
            token.write(f"# the contract test\n{TOKEN}\n")
        os.chmod(f"{self.directory}/token", 0o600)
        self.log = open(f"{self.directory}/loyaltyd.log", "w", encoding="utf-8")
        self.process = subprocess.Popen([daemon, "--config", f"{self.directory}/loyaltyd.toml"],
                                        stdout=self.log, stderr=subprocess.STDOUT)

    def fail(self, text):
        self.problems.append(text)

    def check(self, method, path, status, headers, body):
        self.replies += 1
        reply = {"method": method, "path": path, "status": status, "headers": headers,
                 "content_type": headers.get("content-type", ""), "body": body}
        self.problems.extend(self.contract.check(reply))

    def request(self, method, path, body=None, expect=200, headers=None):
        connection = UnixConnection(self.socket)
        sent = {"Authorization": f"Bearer {TOKEN}", **(headers or {})}
        payload = None
        if body is not None:
            payload = json.dumps(body)
            sent["Content-Type"] = "application/json"
        connection.request(method, path, body=payload, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8")
        received = {name.lower(): value for name, value in response.getheaders()}
        connection.close()
        self.check(method, path.split("?")[0], response.status, received, text)
        if expect is not None and response.status != expect:
            self.fail(f"{method} {path}: got {response.status}, expected {expect}: {text[:200]}")
        return response.status, text

    def wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if os.path.exists(self.socket):
                try:
                    if self.request("GET", "/v1/health", expect=None)[0] == 200:
                        return True
                except OSError:
                    pass
            time.sleep(0.1)
        self.fail(f"loyaltyd did not become ready: {self.log_tail()}")
        return False

    def log_tail(self):
        self.log.flush()
        with open(f"{self.directory}/loyaltyd.log", encoding="utf-8") as log:
            return " | ".join(log.read().splitlines()[-10:])

    def open_stream(self, **options):
        stream = EventStream(self.socket, **options)
        self.check("GET", "/v1/events", stream.status, stream.headers, stream.body)
        if stream.status == 101 and \
                stream.headers.get("sec-websocket-accept") != stream.expected_accept():
            self.fail(f"GET /v1/events 101: Sec-WebSocket-Accept is "
                      f"{stream.headers.get('sec-websocket-accept')!r}, not the key's "
                      f"{stream.expected_accept()!r}")
        return stream

    def read_messages(self, stream, until_type=None, timeout_s=1.0):
        """Messages of `stream` until `until_type` arrives (or a quiet `timeout_s`)."""
        for _ in range(MESSAGES_MAX):
            text = stream.next_text(timeout_s)
            if text is None:
                return False
            self.messages.append(text)
            if until_type is not None and f'"type":"{until_type}"' in text:
                return True
        return False

    def till_work(self):
        """What a till does in a few minutes, each reply checked."""
        self.request("POST", "/v1/identify", {"input": CARD})
        self.request("POST", "/v1/customers", {"customer_id": CARD,
                                                "consent": {"marketing": True}}, expect=201)
        sold = {"customer_id": CARD, "receipt": receipt_json(self.examples, "R-L1")}
        self.request("POST", "/v1/quote", sold)
        self.request("POST", "/v1/receipts/R-L1/commit", sold, expect=201)
        held = {"customer_id": CARD, "receipt": receipt_json(self.examples, "R-L2")}
        self.request("POST", "/v1/receipts/R-L2/open", held, expect=201)
        self.request("POST", "/v1/receipts/R-L2/cancel")
        # An anonymous receipt opened, then committed with its content again (the tender's
        # answer came with the receipt still at hand), then committed again: a replay.
        anonymous = {"receipt": receipt_json(self.examples, "R-L3")}
        self.request("POST", "/v1/receipts/R-L3/open", anonymous, expect=201)
        self.request("POST", "/v1/receipts/R-L3/commit", anonymous, expect=201)
        self.request("POST", "/v1/receipts/R-L3/commit", anonymous, expect=200)
        self.request("POST", "/v1/refunds/F-L1", {"receipt_id": "R-L1",
                                                   "lines": [{"line": 0, "quantity": 1}]},
                     expect=201)
        self.request("GET", "/v1/receipts/R-L1")
        self.request("GET", f"/v1/customers/{CARD}/balance")
        self.request("GET", f"/v1/customers/{CARD}/history?limit=5")
        self.request("GET", "/v1/readers")
        os.write(self.master, f"{CARD}\r".encode())
        os.write(self.master, b"NOT-A-CARD\r")

    def slow_request(self):
        """A request that stops half way: 408 after read_timeout_ms, the connection closed."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as raw:
            raw.settimeout(SOCKET_TIMEOUT_S)
            raw.connect(self.socket)
            raw.sendall(b"GET /v1/health HTTP/1.1\r\nHost: localhost\r\n")
            status, headers, body = read_reply(raw)
        self.check("GET", "/v1/health", status, headers, body)
        if status != 408:
            self.fail(f"a request cut off half way got {status}, expected 408")

    def one_connection_too_many(self, open_sessions):
        """With `open_sessions` connections open, fill api.connections_max; one more gets 503."""
        idle = []
        for _ in range(CONNECTIONS_MAX - open_sessions):
            raw = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            raw.connect(self.socket)
            idle.append(raw)
        time.sleep(0.2)  # every one accepted
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as extra:
            extra.settimeout(SOCKET_TIMEOUT_S)
            extra.connect(self.socket)
            status, headers, body = read_reply(extra)
        for raw in idle:
            raw.close()
        self.check("GET", "/v1/health", status, headers, body)
        if status != 503:
            self.fail(f"connection {CONNECTIONS_MAX + 1} got {status}, expected 503")

    def check_messages(self):
        schema = {"$ref": "#/components/schemas/EventMessage"}
        seen, seq = set(), None
        for text in self.messages:
            try:
                message = json.loads(text)
            except ValueError as error:
                self.fail(f"event stream: a message is not JSON ({error}): {text[:120]}")
                continue
            kind = message.get("type")
            seen.add(kind)
            for line in self.contract.validate(message, schema):
                self.fail(f"event stream: {kind} message: {line}")
            number = message.get("seq")
            if seq is not None and number != seq + 1:
                self.fail(f"event stream: {kind} has seq {number} after {seq}")
            seq = number
        for kind in sorted(REQUIRED_EVENTS - seen):
            self.fail(f"event stream: no {kind} message arrived")
        scanned = [m for m in self.messages if '"type":"customer.identified"' in m
                   and f'"source":"serial:{self.scanner}"' in m]
        if not scanned:
            self.fail(f"event stream: no customer.identified from serial:{self.scanner}")

    def finish(self):
        os.close(self.master)
        os.close(self.slave)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                code = self.process.wait(timeout=START_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                code = self.process.wait()
            if code != 0:
                self.fail(f"loyaltyd exited {code} on SIGTERM: {self.log_tail()}")
        self.log.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    def summary(self):
        kinds = sorted({json.loads(m).get("type") for m in self.messages})
        return (f"{self.replies} live replies and {len(self.messages)} event messages match "
                f"the document ({', '.join(kinds)})")


def run_session(daemon, examples, contract):
    session = Session(daemon, examples, contract)
    try:
        if not session.wait_ready():
            return session
        stream = session.open_stream()
        session.open_stream(token="").close()
        session.open_stream(headers=["Origin: http://127.0.0.1:8765"]).close()
        if stream.status == 101:
            session.read_messages(stream, until_type="stream.opened")
            session.till_work()
            if not session.read_messages(stream, until_type="scan.unidentified", timeout_s=5.0):
                session.fail("event stream: no scan.unidentified within 5 s of the scans")
            session.process.send_signal(signal.SIGHUP)
            if not session.read_messages(stream, until_type="daemon.reloaded", timeout_s=5.0):
                session.fail("event stream: no daemon.reloaded within 5 s of SIGHUP")
            second = session.open_stream()
            session.open_stream().close()  # api.event_streams_max = 2: a 503
            session.slow_request()
            session.one_connection_too_many(open_sessions=2)
            second.close()
            session.read_messages(stream)
            session.check_messages()
        stream.close()
    except OSError as error:
        session.fail(f"live session: {error}")
    finally:
        session.finish()
    return session
