"""The wire protocol, spoken over raw sockets: inline and multibulk requests,
requests split into tiny writes, long pipelines, protocol errors (each one
answered and followed by the server closing the connection), RESP3 reply
shapes, and binary-safe values.

Where the reply of the reference redis-server is the specification, the same
bytes are sent to both servers and the raw replies compared byte for byte.

`RawConn` and `encode` are also used by the other integration test files
(test_connection, test_threads, test_differential).
"""
import socket
import time

import pytest

from conftest import RedisProcess, ServerProcess


def encode(*args):
    """Encodes one command as a RESP multibulk request."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, int):
            a = str(a)
        if isinstance(a, str):
            a = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Closed(Exception):
    """The server closed the connection before a whole reply arrived."""


class ErrorReply(Exception):
    """A RESP error reply, as parsed by RawConn.read()."""

    def __init__(self, text):
        super().__init__(text)
        self.text = text

    def __eq__(self, other):
        return isinstance(other, ErrorReply) and other.text == self.text

    def __hash__(self):
        return hash(self.text)

    def __repr__(self):
        return "ErrorReply(%r)" % self.text


class Verbatim(bytes):
    """A RESP3 verbatim string (its 'txt:' prefix removed)."""


class Push(list):
    """A RESP3 push message."""


class RawConn:
    """One connection speaking raw RESP. read() parses one reply of either
    protocol version and also records its exact bytes in `last_raw`."""

    def __init__(self, port, host="127.0.0.1", timeout=10, unix_path=None):
        if unix_path is not None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(unix_path)
        else:
            self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.pos = 0
        self.last_raw = b""

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        self.sock.sendall(data)

    def call(self, *args):
        """Sends one command and returns its parsed reply (errors are returned
        as ErrorReply values, not raised)."""
        self.send(encode(*args))
        return self.read()

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise Closed()
        self.buf += chunk

    def _line(self):
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                line = self.buf[self.pos:end]
                self.pos = end + 2
                return line
            self._fill()

    def _exact(self, n):
        while len(self.buf) - self.pos < n + 2:
            self._fill()
        data = self.buf[self.pos:self.pos + n]
        self.pos += n + 2
        return data

    def _parse(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b"-":
            return ErrorReply(rest.decode("latin1"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if kind in (b"*", b"~", b">"):
            n = int(rest)
            if n < 0:
                return None
            items = [self._parse() for _ in range(n)]
            if kind == b"~":
                return ("set", items)
            return Push(items) if kind == b">" else items
        if kind == b"%":
            n = int(rest)
            return {"map": [(self._parse(), self._parse()) for _ in range(n)]}
        if kind == b"_":
            return None
        if kind == b",":
            return ("double", rest)
        if kind == b"#":
            return rest == b"t"
        if kind == b"(":
            return ("bignum", rest)
        if kind == b"=":
            return Verbatim(self._exact(int(rest))[4:])
        if kind == b"!":
            return ErrorReply(self._exact(int(rest)).decode("latin1"))
        raise AssertionError("bad reply type byte in %r" % line)

    def read(self):
        self.buf, self.pos = self.buf[self.pos:], 0
        value = self._parse()
        self.last_raw = self.buf[:self.pos]
        return value

    def read_raw(self):
        """Reads one reply and returns its exact bytes."""
        self.read()
        return self.last_raw

    def read_until_closed(self, timeout=5):
        """Returns every byte that arrives until the server closes the
        connection; fails if it does not close within `timeout`."""
        self.sock.settimeout(timeout)
        data = self.buf[self.pos:]
        self.buf, self.pos = b"", 0
        while True:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                return data
            data += chunk

    def is_closed(self, timeout=2):
        try:
            self.read_until_closed(timeout)
            return True
        except (socket.timeout, ConnectionResetError):
            return False


SENTINEL = encode("ECHO", "__sentinel__")
SENTINEL_REPLY = b"$12\r\n__sentinel__\r\n"


def exchange(port, payload):
    """Sends `payload` and then an ECHO sentinel on a fresh connection; returns
    everything received up to the sentinel's reply (excluded), followed by
    b'<closed>' if the server closed the connection instead."""
    with RawConn(port) as c:
        c.send(payload + SENTINEL)
        c.sock.settimeout(5)
        data = b""
        while not data.endswith(SENTINEL_REPLY):
            chunk = c.sock.recv(1 << 20)
            if not chunk:
                return data + b"<closed>"
            data += chunk
        return data[:-len(SENTINEL_REPLY)]


@pytest.fixture
def lode(server, r):
    """The port of the shared 4-thread server, flushed."""
    return server.port


@pytest.fixture
def ref(reference):
    reference.client().flushall()
    return reference.port


# ---- Payloads whose exact replies must match the reference -----------------

SAME_AS_REFERENCE = {
    # Protocol errors: the error, then the connection is closed.
    "invalid_multibulk_len": b"*abc\r\n",
    "multibulk_len_too_big": b"*99999999999\r\n",
    "invalid_bulk_len": b"*2\r\n$3\r\nGET\r\n$x\r\n",
    "negative_bulk_len": b"*2\r\n$3\r\nGET\r\n$-1\r\n",
    "bulk_len_over_default_max": b"*2\r\n$3\r\nGET\r\n$536870913\r\n",
    "expected_dollar": b"*1\r\n+PING\r\n",
    "expected_dollar_colon": b"*2\r\n$4\r\nECHO\r\n:12\r\n",
    "unbalanced_double_quote": b'SET "a b\r\n',
    "unbalanced_single_quote": b"SET 'a\r\n",
    "closing_quote_not_followed_by_space": b'SET "a"b c\r\n',
    "error_after_good_commands": b"PING\r\n*1\r\n$4\r\nPING\r\n*x\r\n",
    # Empty requests are skipped.
    "empty_lines": b"\r\n\r\n\n",
    "blank_inline": b"   \r\n",
    "zero_multibulk": b"*0\r\n",
    "negative_multibulk": b"*-1\r\n",
    # Inline parsing.
    "inline_lf_only": b"PING\n",
    "inline_tabs": b"echo\ta\r\n",
    "inline_hex_escape": b'echo "\\x41\\x00B"\r\n',
    "inline_escapes": b'echo "a\\n\\r\\t\\b\\a\\\\\\"z"\r\n',
    "inline_unknown_escape": b'echo "\\q"\r\n',
    "inline_single_quote_escape": b"echo 'it\\'s'\r\n",
    "inline_empty_quoted": b'echo ""\r\n',
    # Lengths are trusted: the two bytes after a bulk are not checked.
    "bulk_terminator_unchecked": b"*1\r\n$4\r\nPINGxx",
    # Unknown commands and arity errors, byte for byte.
    "unknown_command": b"*3\r\n$3\r\nFOO\r\n$3\r\nbar\r\n$3\r\nbaz\r\n",
    "unknown_inline": b'nosuch a "b c"\r\n',
    "unknown_no_args": b"*1\r\n$7\r\nfoo-bar\r\n",
    "unknown_empty_name": b"*1\r\n$0\r\n\r\n",
    "unknown_long_args": encode("nope", "x" * 100, "y" * 100, "z"),
    "unknown_long_name": encode("n" * 200, "a"),
    "unknown_crlf_in_args": encode("nope", "a\r\nb", "c\nd"),
    "unknown_many_args": encode("nope", *[str(i) for i in range(60)]),
    "arity_get": encode("GET"),
    "arity_get_extra": encode("get", "a", "b"),
    "arity_set": encode("SeT", "k"),
    "arity_echo": encode("ECHO"),
    "arity_ping": encode("PING", "a", "b"),
    "arity_client_sub": encode("CLIENT", "GETNAME", "x"),
    "unknown_subcommand": encode("CLIENT", "nosuch"),
    "unknown_subcommand_object": encode("OBJECT", "nosuch", "k"),
    # HTTP requests are dropped without a reply.
    "http_post": b"POST / HTTP/1.1\r\n",
    "http_host": b"Host: example.com\r\n",
    # Binary-safe values.
    "binary_roundtrip": encode("SET", "bin", b"a\x00b\r\nc\xff") + encode("GET", "bin")
    + encode("STRLEN", "bin"),
    "binary_key": encode("SET", b"k\x00\r\n", "v") + encode("GET", b"k\x00\r\n")
    + encode("EXISTS", b"k\x00\r\n", b"k"),
    # RESP3 reply shapes.
    "resp3_null_and_types": encode("HELLO", "3") + encode("GET", "nokey")
    + encode("SET", "x", "1") + encode("MGET", "x", "nokey") + encode("EXISTS", "x")
    + encode("CLIENT", "GETNAME") + encode("INCRBYFLOAT", "f", "1.5")
    + encode("GETBIT", "x", "0") + encode("GETRANGE", "nokey", "0", "-1")
    + encode("SET", "y", "v", "GET") + encode("PING") + encode("HELLO", "2")
    + encode("GET", "nokey") + encode("MGET", "nokey"),
    "resp3_errors": encode("HELLO", "3") + encode("GET") + encode("INCR", "f")
    + encode("SET", "s", "a") + encode("INCR", "s"),
}


@pytest.mark.parametrize("name", sorted(SAME_AS_REFERENCE))
def test_same_bytes_as_reference(lode, ref, name):
    payload = SAME_AS_REFERENCE[name]
    if name.startswith("resp3"):
        # HELLO's map carries the server version and the connection id.
        ours = _strip_hello(exchange(lode, payload))
        theirs = _strip_hello(exchange(ref, payload))
    else:
        ours, theirs = exchange(lode, payload), exchange(ref, payload)
    assert ours == theirs


def _strip_hello(data):
    """Replaces the version and id fields of HELLO replies with placeholders."""
    import re
    data = re.sub(rb"\$7\r\nversion\r\n\$\d+\r\n[0-9.]+\r\n", b"$7\r\nversion\r\n<v>\r\n", data)
    return re.sub(rb"\$2\r\nid\r\n:\d+\r\n", b"$2\r\nid\r\n<id>\r\n", data)


def test_protocol_error_closes_connection(lode):
    for payload, text in [
        (b"*abc\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
        (b"*1\r\n$-5\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
        (b"*1\r\n:5\r\n", b"-ERR Protocol error: expected '$', got ':'\r\n"),
        (b'GET "x\r\n', b"-ERR Protocol error: unbalanced quotes in request\r\n"),
    ]:
        with RawConn(lode) as c:
            # A command before the error is answered; one after it is not.
            c.send(b"PING\r\n" + payload + b"PING\r\n")
            assert c.read_until_closed() == b"+PONG\r\n" + text


def test_too_big_inline_request(lode):
    with RawConn(lode) as c:
        c.send(b"SET k " + b"x" * (70 * 1024))
        assert c.read_until_closed() == b"-ERR Protocol error: too big inline request\r\n"


def test_too_big_count_strings(lode):
    with RawConn(lode) as c:
        c.send(b"*" + b"1" * (70 * 1024))
        assert c.read_until_closed() == b"-ERR Protocol error: too big mbulk count string\r\n"
    with RawConn(lode) as c:
        c.send(b"*1\r\n$" + b"1" * (70 * 1024))
        assert c.read_until_closed() == b"-ERR Protocol error: too big bulk count string\r\n"


# ---- Inline commands ------------------------------------------------------------

def test_inline_commands_with_quotes(lode):
    with RawConn(lode) as c:
        c.send(b'SET "my key" "hello world"\r\n')
        assert c.read() == b"OK"
        c.send(b"GET 'my key'\r\n")
        assert c.read() == b"hello world"
        c.send(b'SET k "tab\\there \\"q\\" \\x7a"\r\nGET k\r\n')
        assert c.read() == b"OK"
        assert c.read() == b'tab\there "q" z'
        c.send(b"  echo    spaced   \r\n")
        assert c.read() == b"spaced"


def test_inline_and_multibulk_mixed_in_one_write(lode):
    with RawConn(lode) as c:
        c.send(b"SET a 1\r\n" + encode("INCR", "a") + b"INCR a\n" + encode("GET", "a"))
        assert [c.read() for _ in range(4)] == [b"OK", 2, 3, b"3"]


# ---- Split requests --------------------------------------------------------------

def test_multibulk_sent_byte_by_byte(lode):
    value = bytes(range(256)) + b"\r\n\x00end"
    payload = encode("SET", "{bb}key", value) + encode("GET", "{bb}key") + b"PING\r\n"
    with RawConn(lode) as c:
        c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(len(payload)):
            c.send(payload[i:i + 1])
            if i % 16 == 0:
                time.sleep(0.0005)
        assert c.read() == b"OK"
        assert c.read() == value
        assert c.read() == b"PONG"


def test_requests_split_at_every_boundary(lode):
    """The same pipeline split in two at each position gives the same replies."""
    payload = encode("SET", "s", "v" * 20) + b"APPEND s xy\r\n" + encode("GET", "s")
    expected = [b"OK", 22, b"v" * 20 + b"xy"]
    with RawConn(lode) as c:
        c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for cut in range(1, len(payload)):
            c.send(payload[:cut])
            time.sleep(0.0002)
            c.send(payload[cut:])
            assert [c.read() for _ in expected] == expected


def test_large_bulk_in_pieces(lode):
    value = b"0123456789" * 300_000  # 3 MB: many reads
    payload = encode("SET", "big", value)
    with RawConn(lode) as c:
        for i in range(0, len(payload), 100_000):
            c.send(payload[i:i + 100_000])
        assert c.read() == b"OK"
        assert c.call("STRLEN", "big") == len(value)
        assert c.call("GET", "big") == value


# ---- Pipelining --------------------------------------------------------------------

def test_pipeline_of_10000_commands_in_one_write(lode):
    cmds, expected = [], []
    counters = {}
    for i in range(10_000):
        key = "p%d" % ((i // 4) % 37)  # keys on every shard
        op = i % 4
        if op == 0:
            cmds.append(encode("SET", key, i))
            expected.append(b"OK")
            counters[key] = i
        elif op == 1:
            cmds.append(encode("INCR", key))
            counters[key] += 1
            expected.append(counters[key])
        elif op == 2:
            cmds.append(encode("GET", key))
            expected.append(str(counters[key]).encode())
        else:
            cmds.append(encode("ECHO", "e%d" % i))
            expected.append(b"e%d" % i)
    with RawConn(lode) as c:
        c.send(b"".join(cmds))
        got = [c.read() for _ in range(len(expected))]
    assert got == expected


def test_pipeline_with_cross_shard_commands_in_order(lode):
    cmds, expected = [], []
    for i in range(500):
        cmds.append(encode("SET", "a", i))
        cmds.append(encode("MSET", "b", i, "c", i, "d", i))
        cmds.append(encode("MGET", "a", "b", "c", "d"))
        cmds.append(encode("DBSIZE"))
        expected += [b"OK", b"OK", [str(i).encode()] * 4, 4]
    with RawConn(lode) as c:
        c.send(b"".join(cmds))
        got = [c.read() for _ in range(len(expected))]
    assert got == expected


# ---- Limits set through the configuration --------------------------------------

def test_proto_max_bulk_len_from_command_line():
    s = ServerProcess(threads=2, args=["--proto-max-bulk-len", "1mb"])
    try:
        with RawConn(s.port) as c:
            ok = b"x" * (1 << 20)
            assert c.call("SET", "k", ok) == b"OK"
            c.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n")
            assert c.read_until_closed() == b"-ERR Protocol error: invalid bulk length\r\n"
    finally:
        assert s.stop() == 0


def test_proto_max_bulk_len_config_set(lode):
    big = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n"
    with RawConn(lode) as admin:
        assert admin.call("CONFIG", "SET", "proto-max-bulk-len", "1mb") == b"OK"
        try:
            # A connection opened after the change.
            with RawConn(lode) as c:
                c.send(big)
                assert c.read_until_closed() == b"-ERR Protocol error: invalid bulk length\r\n"
            # The connection that made the change, too (Redis reads the limit
            # for every request).
            admin.send(big)
            assert admin.read_until_closed() == b"-ERR Protocol error: invalid bulk length\r\n"
        finally:
            with RawConn(lode) as c:
                assert c.call("CONFIG", "SET", "proto-max-bulk-len", "512mb") == b"OK"


@pytest.mark.parametrize("impl", ["lodestone", "redis"])
def test_query_buffer_limit_closes_connection(impl):
    args = ["--client-query-buffer-limit", "1mb"]
    s = ServerProcess(threads=2, args=args) if impl == "lodestone" else RedisProcess(args=args)
    try:
        with RawConn(s.port) as c:
            # Under the limit: fine.
            assert c.call("SET", "k", b"v" * 500_000) == b"OK"
            # A request that needs more than 1mb of query buffer.
            c.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n")
            try:
                for _ in range(30):
                    c.send(b"z" * 100_000)
            except (BrokenPipeError, ConnectionResetError):
                pass
            try:
                assert c.read_until_closed() == b""
            except ConnectionResetError:
                pass
        with RawConn(s.port) as c:
            assert c.call("PING") == b"PONG"
    finally:
        s.stop()


# ---- RESP3 -------------------------------------------------------------------------

def test_hello3_map_and_resp3_shapes(lode):
    with RawConn(lode) as c:
        hello = c.call("HELLO", "3")
        assert c.last_raw.startswith(b"%7\r\n")
        fields = dict(hello["map"])
        assert fields[b"server"] == b"redis"
        assert fields[b"proto"] == 3
        assert fields[b"mode"] == b"standalone"
        assert fields[b"role"] == b"master"
        assert fields[b"modules"] == []
        assert fields[b"id"] == c.call("CLIENT", "ID")
        c.call("GET", "missing")
        assert c.last_raw == b"_\r\n"
        info = c.call("CLIENT", "INFO")
        assert isinstance(info, Verbatim) and c.last_raw.startswith(b"=")
        assert b" resp=3 " in info
        # Back to RESP2.
        assert c.call("HELLO", "2")[:6] == [b"server", b"redis", b"version", fields[b"version"],
                                             b"proto", 2]
        c.call("GET", "missing")
        assert c.last_raw == b"$-1\r\n"
        c.call("CLIENT", "INFO")
        assert c.last_raw.startswith(b"$")


def test_hello_without_version_keeps_protocol(lode):
    with RawConn(lode) as c:
        c.call("HELLO")
        assert c.last_raw.startswith(b"*14\r\n")
        c.call("HELLO", "3")
        c.call("HELLO")
        assert c.last_raw.startswith(b"%7\r\n")
        c.call("GET", "nope")
        assert c.last_raw == b"_\r\n"


def test_resp3_protocol_error_reply(lode):
    with RawConn(lode) as c:
        c.call("HELLO", "3")
        c.send(b"*x\r\n")
        assert c.read_until_closed() == b"-ERR Protocol error: invalid multibulk length\r\n"
