"""Hash commands: HSET..HSCAN, HRANDFIELD, the counters, field expiry
(HEXPIRE family, HTTL family, HPERSIST) and Redis 8's HGETDEL, HGETEX and
HSETEX; the encodings (listpack, listpackex, hashtable) and their thresholds;
RESP3 reply shapes; both thread counts; and a differential run against
redis-server. Expected replies and error texts are Redis 7.4's (8.0's for the
three Redis 8 commands)."""
import random
import socket
import time

import pytest
import redis

SPREAD = ["a", "b", "c", "d", "e", "f", "g", "h"]


def err(r, *args):
    """The error text of a command that must fail."""
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command(*args)
    return str(e.value)


def enc(r, key):
    return r.object("encoding", key)


def cmd(r, *args):
    """Sends a command and returns the reply as decoded, without redis-py's
    per-command reply callbacks."""
    conn = r.connection_pool.get_connection(args[0])
    try:
        conn.send_command(*args)
        reply = conn.read_response()
    finally:
        r.connection_pool.release(conn)
    if isinstance(reply, redis.ResponseError):
        raise reply
    return reply


@pytest.fixture
def limits(r):
    saved = {k: r.config_get(k)[k] for k in
             ("hash-max-listpack-entries", "hash-max-listpack-value")}
    yield
    for k, v in saved.items():
        r.config_set(k, v)


class Resp3:
    """A raw connection speaking RESP3, for reply shapes redis-py 4.3 hides."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buf = b""
        self.call("HELLO", "3")

    def close(self):
        self.sock.close()

    def call(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self._read()

    def _line(self):
        while b"\r\n" not in self.buf:
            self.buf += self.sock.recv(65536)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _read(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t in (b"+", b"-"):
            return (t.decode(), rest.decode())
        if t == b":":
            return int(rest)
        if t == b"_":
            return None
        if t == b"$":
            n = int(rest)
            while len(self.buf) < n + 2:
                self.buf += self.sock.recv(65536)
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data.decode()
        if t in (b"*", b"~"):
            return [self._read() for _ in range(int(rest))]
        if t == b"%":
            return ("map", [(self._read(), self._read()) for _ in range(int(rest))])
        raise AssertionError("unexpected reply %r" % line)


@pytest.fixture
def r3(server):
    c = Resp3(server.port)
    c.call("FLUSHALL")
    yield c
    c.close()


# ---- Basics -------------------------------------------------------------------

def test_hset_hget_hmget_hlen(r):
    assert r.hset("h", mapping={"a": "1", "b": "2"}) == 2
    assert cmd(r, "HSET", "h", "a", "10", "c", "3") == 1
    assert r.hget("h", "a") == "10"
    assert r.hget("h", "zz") is None
    assert r.hget("nokey", "a") is None
    assert r.hmget("h", "a", "zz", "c") == ["10", None, "3"]
    assert r.hmget("nokey", "a", "b") == [None, None]
    assert r.hlen("h") == 3
    assert r.hlen("nokey") == 0
    assert r.type("h") == "hash"


def test_arity_and_wrongtype(r):
    assert err(r, "HSET", "h", "a", "1", "b") == \
        "wrong number of arguments for 'hset' command"
    assert err(r, "HMSET", "h", "a", "1", "b") == \
        "wrong number of arguments for 'hmset' command"
    assert err(r, "HSET", "h", "a") == "wrong number of arguments for 'hset' command"
    r.set("s", "x")
    wrong = "WRONGTYPE Operation against a key holding the wrong kind of value"
    for args in (["HSET", "s", "a", "1"], ["HGET", "s", "a"], ["HMGET", "s", "a"],
                 ["HDEL", "s", "a"], ["HLEN", "s"], ["HSTRLEN", "s", "a"],
                 ["HEXISTS", "s", "a"], ["HKEYS", "s"], ["HVALS", "s"], ["HGETALL", "s"],
                 ["HINCRBY", "s", "a", "1"], ["HINCRBYFLOAT", "s", "a", "1"],
                 ["HSETNX", "s", "a", "1"], ["HRANDFIELD", "s"], ["HRANDFIELD", "s", "2"],
                 ["HSCAN", "s", "0"], ["HEXPIRE", "s", "10", "FIELDS", "1", "a"],
                 ["HTTL", "s", "FIELDS", "1", "a"], ["HPERSIST", "s", "FIELDS", "1", "a"],
                 ["HGETDEL", "s", "FIELDS", "1", "a"], ["HGETEX", "s", "FIELDS", "1", "a"],
                 ["HSETEX", "s", "FIELDS", "1", "a", "b"]):
        assert err(r, *args) == wrong, args


def test_hmset_replies_ok(r):
    assert cmd(r, "HMSET", "h", "a", "1", "b", "2") == "OK"
    assert r.hgetall("h") == {"a": "1", "b": "2"}


def test_hsetnx(r):
    assert r.hsetnx("h", "a", "1") == 1
    assert r.hsetnx("h", "a", "2") == 0
    assert r.hget("h", "a") == "1"


def test_hdel_deletes_key_when_empty(r):
    r.hset("h", mapping={"a": "1", "b": "2", "c": "3"})
    assert r.hdel("h", "a", "zz", "a") == 1
    assert r.hdel("nokey", "a") == 0
    assert r.hdel("h", "b", "c") == 2
    assert r.exists("h") == 0


def test_hstrlen_hexists(r):
    r.hset("h", mapping={"s": "hello", "i": "-1234", "big": "x" * 100})
    assert r.hstrlen("h", "s") == 5
    assert r.hstrlen("h", "i") == 5
    assert r.hstrlen("h", "big") == 100
    assert r.hstrlen("h", "zz") == 0
    assert r.hstrlen("nokey", "zz") == 0
    assert r.hexists("h", "s") is True
    assert r.hexists("h", "zz") is False
    assert r.hexists("nokey", "s") is False


def test_hkeys_hvals_hgetall_keep_insertion_order_in_listpack(r):
    r.hset("h", mapping={"z": "1", "a": "2", "m": "3"})
    assert r.hkeys("h") == ["z", "a", "m"]
    assert r.hvals("h") == ["1", "2", "3"]
    assert cmd(r, "HGETALL", "h") == ["z", "1", "a", "2", "m", "3"]
    assert r.hkeys("nokey") == []
    assert r.hvals("nokey") == []
    assert r.hgetall("nokey") == {}


def test_integers_round_trip(r):
    vals = ["0", "-0", "12", "012", "-9223372036854775808", "9223372036854775807",
            "9223372036854775808", " 1", "1.5", ""]
    for i, v in enumerate(vals):
        r.hset("h", "f%d" % i, v)
    assert r.hmget("h", *["f%d" % i for i in range(len(vals))]) == vals


def test_binary_safe(r):
    rb = redis.Redis(port=r.connection_pool.connection_kwargs["port"])
    rb.hset("h", b"\x00\xff", b"\r\n\x00")
    assert rb.hget("h", b"\x00\xff") == b"\r\n\x00"


# ---- Counters ----------------------------------------------------------------

def test_hincrby(r):
    assert r.hincrby("h", "n", 5) == 5
    assert r.hincrby("h", "n", -7) == -2
    r.hset("h", "s", "abc")
    r.hset("h", "sp", " 1")
    assert err(r, "HINCRBY", "h", "s", "1") == "hash value is not an integer"
    assert err(r, "HINCRBY", "h", "sp", "1") == "hash value is not an integer"
    assert err(r, "HINCRBY", "h", "n", "x") == "value is not an integer or out of range"
    r.hset("h", "max", "9223372036854775807")
    assert err(r, "HINCRBY", "h", "max", "1") == "increment or decrement would overflow"
    r.hset("h", "min", "-9223372036854775808")
    assert err(r, "HINCRBY", "h", "min", "-1") == "increment or decrement would overflow"
    r.hset("h", "big", "1" * 100)
    assert err(r, "HINCRBY", "h", "big", "1") == "hash value is not an integer"


def test_hincrbyfloat(r):
    assert r.hincrbyfloat("h", "f", 10.5) == 10.5
    assert cmd(r, "HINCRBYFLOAT", "h", "f", "0.1") == "10.6"
    assert cmd(r, "HINCRBYFLOAT", "h", "g", "5.0e3") == "5000"
    assert cmd(r, "HINCRBYFLOAT", "h", "g", "-5000") == "0"
    r.hset("h", "i", "3")
    assert cmd(r, "HINCRBYFLOAT", "h", "i", "1.5") == "4.5"
    r.hset("h", "s", "abc")
    assert err(r, "HINCRBYFLOAT", "h", "s", "1") == "hash value is not a float"
    assert err(r, "HINCRBYFLOAT", "h", "f", "abc") == "value is not a valid float"
    assert err(r, "HINCRBYFLOAT", "h", "f", "inf") == "value is NaN or Infinity"
    r.hset("h", "huge", "1.1e4932")
    assert err(r, "HINCRBYFLOAT", "h", "huge", "1.1e4932") == \
        "increment would produce NaN or Infinity"
    assert cmd(r, "HINCRBYFLOAT", "h", "x", "1.23") == "1.23"
    assert cmd(r, "HINCRBYFLOAT", "h", "x", "0.77") == "2"


# ---- Encodings -------------------------------------------------------------------

def test_encoding_thresholds(r, limits):
    r.config_set("hash-max-listpack-entries", 4)
    r.config_set("hash-max-listpack-value", 8)
    r.hset("h", mapping={"a": 1, "b": 2, "c": 3, "d": 4})
    assert enc(r, "h") == "listpack"
    r.hset("h", "e", 5)
    assert enc(r, "h") == "hashtable"
    r.hdel("h", "a", "b", "c", "d")
    assert enc(r, "h") == "hashtable"  # never converts back
    r.hset("v", "f", "12345678")
    assert enc(r, "v") == "listpack"
    r.hset("v", "f", "123456789")
    assert enc(r, "v") == "hashtable"
    r.hset("k", "123456789", "x")
    assert enc(r, "k") == "hashtable"
    # HSET with more pairs than the limit converts up front, duplicates or not.
    r.execute_command("HSET", "dup", *(["x", "1"] * 5))
    assert enc(r, "dup") == "hashtable"
    assert r.hlen("dup") == 1
    r.config_set("hash-max-listpack-entries", 0)
    r.hset("z", "a", "1")
    assert enc(r, "z") == "hashtable"
    # HINCRBY converts on the value length too.
    r.config_set("hash-max-listpack-entries", 128)
    r.config_set("hash-max-listpack-value", 3)
    r.hset("n", "f", "999")
    r.hincrby("n", "f", 1)
    assert enc(r, "n") == "hashtable"


def test_big_hash_operations(r, limits):
    r.config_set("hash-max-listpack-entries", 16)
    data = {"f%d" % i: "v%d" % i for i in range(1000)}
    r.hset("h", mapping=data)
    assert enc(r, "h") == "hashtable"
    assert r.hlen("h") == 1000
    assert r.hgetall("h") == data
    assert sorted(r.hkeys("h")) == sorted(data)
    assert sorted(r.hvals("h")) == sorted(data.values())
    assert r.hmget("h", "f5", "nope") == ["v5", None]
    for i in range(0, 1000, 2):
        assert r.hdel("h", "f%d" % i) == 1
    assert r.hlen("h") == 500
    assert r.hget("h", "f3") == "v3"


# ---- HSCAN ----------------------------------------------------------------------

def test_hscan_listpack_returns_everything(r):
    r.hset("h", mapping={"a": "1", "b": "2", "ab": "3"})
    assert r.hscan("h", 0) == (0, {"a": "1", "b": "2", "ab": "3"})
    assert r.hscan("h", 0, match="a*") == (0, {"a": "1", "ab": "3"})
    assert cmd(r, "HSCAN", "h", "0", "NOVALUES")[1] == ["a", "b", "ab"]
    assert r.hscan("nokey", 0) == (0, {})


def test_hscan_hashtable_full_iteration(r, limits):
    r.config_set("hash-max-listpack-entries", 8)
    data = {"f%d" % i: str(i) for i in range(500)}
    r.hset("h", mapping=data)
    seen = {}
    cursor = 0
    while True:
        cursor, part = r.hscan("h", cursor, count=20)
        seen.update(part)
        if cursor == 0:
            break
    assert seen == data
    keys = set()
    cursor = 0
    while True:
        cursor, part = cmd(r, "HSCAN", "h", cursor, "MATCH", "f1*", "NOVALUES")
        cursor = int(cursor)
        keys.update(part)
        assert all(k.startswith("f1") for k in part)
        if cursor == 0:
            break
    assert keys == {k for k in data if k.startswith("f1")}


def test_hscan_errors(r):
    r.hset("h", "a", "1")
    assert err(r, "HSCAN", "h", "abc") == "invalid cursor"
    assert err(r, "HSCAN", "h", "0", "COUNT", "0") == "syntax error"
    assert err(r, "HSCAN", "h", "0", "COUNT", "x") == "value is not an integer or out of range"
    assert err(r, "HSCAN", "h", "0", "TYPE", "string") == "syntax error"
    assert err(r, "HSCAN", "h", "0", "FOO") == "syntax error"
    # Options are not parsed for a missing key.
    assert cmd(r, "HSCAN", "nokey", "0", "FOO")[1] == []


# ---- HRANDFIELD ------------------------------------------------------------------

@pytest.mark.parametrize("entries", [128, 4])
def test_hrandfield(r, limits, entries):
    r.config_set("hash-max-listpack-entries", entries)
    data = {"f%d" % i: "v%d" % i for i in range(10)}
    r.hset("h", mapping=data)
    assert r.hrandfield("h") in data
    assert r.hrandfield("nokey") is None
    assert r.hrandfield("nokey", 5) == []
    assert r.hrandfield("h", 0) == []
    got = r.hrandfield("h", 5)
    assert len(got) == 5 and len(set(got)) == 5 and set(got) <= set(data)
    assert sorted(r.hrandfield("h", 100)) == sorted(data)
    got = r.hrandfield("h", -30)
    assert len(got) == 30 and set(got) <= set(data)
    flat = r.hrandfield("h", -7, withvalues=True)
    assert len(flat) == 14
    for f, v in zip(flat[::2], flat[1::2]):
        assert data[f] == v
    flat = r.hrandfield("h", 3, withvalues=True)
    assert len(flat) == 6 and len(set(flat[::2])) == 3
    assert err(r, "HRANDFIELD", "h", "x") == "value is not an integer or out of range"
    assert err(r, "HRANDFIELD", "h", "1", "FOO") == "syntax error"
    assert err(r, "HRANDFIELD", "h", "1", "WITHVALUES", "x") == "syntax error"
    assert err(r, "HRANDFIELD", "h", "-9223372036854775808") == \
        "value is out of range, value must between -9223372036854775807 and " \
        "9223372036854775807"
    assert err(r, "HRANDFIELD", "h", "-9223372036854770000", "WITHVALUES") == \
        "value is out of range"


def test_hrandfield_distribution_hashtable(r, limits):
    r.config_set("hash-max-listpack-entries", 4)
    r.hset("h", mapping={"f%d" % i: i for i in range(10)})
    counts = {}
    for f in r.hrandfield("h", -5000):
        counts[f] = counts.get(f, 0) + 1
    assert len(counts) == 10
    assert min(counts.values()) > 350


# ---- RESP3 -----------------------------------------------------------------------

def test_resp3_shapes(r3):
    r3.call("HSET", "h", "a", "1", "b", "2")
    assert r3.call("HGETALL", "h") == ("map", [("a", "1"), ("b", "2")])
    assert r3.call("HGETALL", "nokey") == ("map", [])
    assert r3.call("HGET", "h", "zz") is None
    pairs = r3.call("HRANDFIELD", "h", "2", "WITHVALUES")
    assert sorted(pairs) == [["a", "1"], ["b", "2"]]
    pairs = r3.call("HRANDFIELD", "h", "-3", "WITHVALUES")
    assert len(pairs) == 3 and all(len(p) == 2 for p in pairs)
    assert sorted(r3.call("HRANDFIELD", "h", "5")) == ["a", "b"]
    assert r3.call("HRANDFIELD", "nokey") is None


# ---- Field expiry ------------------------------------------------------------------

@pytest.fixture(params=["listpack", "hashtable"])
def hfe_encoding(request, r, limits):
    if request.param == "hashtable":
        r.config_set("hash-max-listpack-entries", 0)
    return request.param


def test_hexpire_result_codes(r, hfe_encoding):
    r.hset("h", mapping={"f1": "v1", "f2": "v2", "f3": "v3"})
    assert cmd(r, "HEXPIRE", "h", "100", "FIELDS", "2", "f1", "nope") == [1, -2]
    assert cmd(r, "HEXPIRE", "h", "100", "NX", "FIELDS", "2", "f1", "f2") == [0, 1]
    assert cmd(r, "HEXPIRE", "h", "200", "XX", "FIELDS", "2", "f1", "f3") == [1, 0]
    assert cmd(r, "HEXPIRE", "h", "150", "GT", "FIELDS", "3", "f1", "f2", "f3") == [0, 1, 0]
    assert cmd(r, "HEXPIRE", "h", "120", "LT", "FIELDS", "3", "f1", "f2", "f3") == [1, 1, 1]
    assert cmd(r, "HTTL", "h", "FIELDS", "4", "f1", "f2", "f3", "nope") == [120, 120, 120, -2]
    now_ms = int(time.time() * 1000)
    ptl = cmd(r, "HPTTL", "h", "FIELDS", "1", "f1")[0]
    assert 119000 < ptl <= 120000
    at = cmd(r, "HPEXPIRETIME", "h", "FIELDS", "1", "f1")[0]
    assert now_ms + 119000 < at <= now_ms + 121000
    assert cmd(r, "HEXPIRETIME", "h", "FIELDS", "1", "f1")[0] == (at + 999) // 1000
    assert cmd(r, "HEXPIREAT", "h", "1", "FIELDS", "1", "f3") == [2]
    assert r.hexists("h", "f3") is False
    assert cmd(r, "HPEXPIREAT", "h", now_ms + 500000, "FIELDS", "1", "f2") == [1]
    assert cmd(r, "HPEXPIRETIME", "h", "FIELDS", "1", "f2") == [now_ms + 500000]
    assert cmd(r, "HPEXPIRE", "h", "0", "FIELDS", "2", "f1", "f2") == [2, 2]
    assert r.exists("h") == 0
    assert cmd(r, "HEXPIRE", "h", "10", "FIELDS", "2", "a", "b") == [-2, -2]
    assert cmd(r, "HTTL", "nokey", "FIELDS", "1", "a") == [-2]


def test_hexpire_errors(r):
    r.hset("h", "f", "v")
    assert err(r, "HEXPIRE", "h", "-1", "FIELDS", "1", "f") == \
        "invalid expire time, must be >= 0"
    assert err(r, "HEXPIRE", "h", "x", "FIELDS", "1", "f") == \
        "value is not an integer or out of range"
    assert err(r, "HEXPIRE", "h", str((1 << 48) // 1000), "FIELDS", "1", "f") == \
        "invalid expire time in 'hexpire' command"
    assert err(r, "HPEXPIRE", "h", str(1 << 48), "FIELDS", "1", "f") == \
        "invalid expire time in 'hpexpire' command"
    assert err(r, "HPEXPIREAT", "h", str(1 << 46), "FIELDS", "1", "f") == \
        "invalid expire time in 'hpexpireat' command"
    assert cmd(r, "HPEXPIREAT", "h", str((1 << 46) - 1), "FIELDS", "1", "f") == [1]
    assert err(r, "HEXPIRE", "h", "10", "FIELDS", "0", "f") == \
        "Parameter `numFields` should be greater than 0"
    assert err(r, "HEXPIRE", "h", "10", "NX", "FIELDS", "x", "f") == \
        "Parameter `numFields` should be greater than 0"
    assert err(r, "HEXPIRE", "h", "10", "FIELDS", "2", "f") == \
        "The `numfields` parameter must match the number of arguments"
    assert err(r, "HEXPIRE", "h", "10", "FOO", "1", "f") == \
        "Mandatory argument FIELDS is missing or not at the right position"
    assert err(r, "HEXPIRE", "h", "10", "NX", "XX", "1", "f") == \
        "Mandatory argument FIELDS is missing or not at the right position"
    assert err(r, "HTTL", "h", "FIELDS", "0", "f") == \
        "Number of fields must be a positive integer"
    assert err(r, "HTTL", "h", "FIELDS", "3", "f") == \
        "The `numfields` parameter must match the number of arguments"
    assert err(r, "HTTL", "h", "FOO", "1", "f") == \
        "Mandatory argument FIELDS is missing or not at the right position"
    assert err(r, "HPERSIST", "h", "FIELDS", "-1", "f") == \
        "Number of fields must be a positive integer"
    assert err(r, "HEXPIRE", "h", "10", "FIELDS") == \
        "wrong number of arguments for 'hexpire' command"


def test_listpackex_encoding_and_order(r, limits):
    r.hset("h", mapping={"a": "1", "b": "2", "c": "3", "d": "4"})
    assert enc(r, "h") == "listpack"
    # Any field-expiry command turns it into a listpack with TTLs, which
    # Redis 7.4 reports as "listpackex", ordered by TTL.
    cmd(r, "HEXPIRE", "h", "300", "FIELDS", "1", "c")
    cmd(r, "HEXPIRE", "h", "100", "FIELDS", "1", "a")
    cmd(r, "HEXPIRE", "h", "200", "FIELDS", "1", "d")
    assert enc(r, "h") == "listpackex"
    assert r.hkeys("h") == ["a", "d", "c", "b"]
    assert cmd(r, "HPERSIST", "h", "FIELDS", "1", "a") == [1]
    assert r.hkeys("h") == ["d", "c", "b", "a"]
    r.hset("h", "d", "new")  # HSET drops the TTL and moves the field to the end
    assert r.hkeys("h") == ["c", "b", "a", "d"]
    assert cmd(r, "HTTL", "h", "FIELDS", "2", "d", "c") == [-1, 300]
    # Conversion to a hashtable keeps TTLs.
    r.config_set("hash-max-listpack-entries", 4)
    r.hset("h", "e", "5")
    assert enc(r, "h") == "hashtable"
    assert cmd(r, "HTTL", "h", "FIELDS", "2", "c", "e") == [300, -1]


def test_lazy_field_expiry(r, hfe_encoding):
    r.hset("h", mapping={"f1": "1", "f2": "2", "f3": "3", "keep": "k"})
    cmd(r, "HPEXPIRE", "h", "20", "FIELDS", "3", "f1", "f2", "f3")
    time.sleep(0.05)
    assert r.hget("h", "f1") is None
    assert r.hexists("h", "f2") is False
    assert r.hmget("h", "f3", "keep") == [None, "k"]
    assert r.hgetall("h") == {"keep": "k"}
    assert r.hlen("h") == 1
    assert cmd(r, "HTTL", "h", "FIELDS", "1", "f1") == [-2]
    r.hset("h", mapping={"x": "1", "y": "2"})
    cmd(r, "HPEXPIRE", "h", "20", "FIELDS", "2", "x", "y")
    time.sleep(0.05)
    assert r.hkeys("h") == ["keep"]
    assert r.hvals("h") == ["k"]
    assert r.hscan("h", 0)[1] == {"keep": "k"}
    assert r.hrandfield("h", 10) == ["keep"]
    assert r.hlen("h") == 1
    # The last field going takes the key with it.
    cmd(r, "HPEXPIRE", "h", "20", "FIELDS", "1", "keep")
    time.sleep(0.05)
    assert r.hstrlen("h", "keep") == 0
    assert r.exists("h") == 0


def test_hincrby_keeps_ttl_and_resets_expired(r, hfe_encoding):
    r.hset("h", mapping={"n": "5", "m": "1", "o": "x"})
    cmd(r, "HEXPIRE", "h", "100", "FIELDS", "1", "n")
    assert r.hincrby("h", "n", 1) == 6
    assert cmd(r, "HTTL", "h", "FIELDS", "1", "n") == [100]
    assert cmd(r, "HINCRBYFLOAT", "h", "n", "0.5") == "6.5"
    assert cmd(r, "HTTL", "h", "FIELDS", "1", "n") == [100]
    cmd(r, "HPEXPIRE", "h", "10", "FIELDS", "1", "m")
    time.sleep(0.03)
    assert r.hincrby("h", "m", 3) == 3
    assert cmd(r, "HTTL", "h", "FIELDS", "1", "m") == [-1]
    r.hset("h", "n", "plain")  # HSET discards the TTL
    assert cmd(r, "HTTL", "h", "FIELDS", "1", "n") == [-1]


def test_hpersist(r, hfe_encoding):
    r.hset("h", mapping={"a": "1", "b": "2"})
    assert cmd(r, "HPERSIST", "h", "FIELDS", "1", "a") == [-1]
    assert cmd(r, "HPERSIST", "nokey", "FIELDS", "2", "a", "b") == [-2, -2]
    cmd(r, "HEXPIRE", "h", "100", "FIELDS", "1", "a")
    assert cmd(r, "HPERSIST", "h", "FIELDS", "3", "a", "b", "c") == [1, -1, -2]
    assert cmd(r, "HTTL", "h", "FIELDS", "1", "a") == [-1]


def test_key_commands_carry_field_ttls(r, hfe_encoding):
    r.hset("h", mapping={"a": "1", "b": "2"})
    cmd(r, "HEXPIRE", "h", "100", "FIELDS", "1", "a")
    r.copy("h", "h2")
    assert cmd(r, "HTTL", "h2", "FIELDS", "2", "a", "b") == [100, -1]
    r.rename("h", "h3")
    assert cmd(r, "HTTL", "h3", "FIELDS", "2", "a", "b") == [100, -1]


# ---- Redis 8: HGETDEL, HGETEX, HSETEX --------------------------------------------

def test_hgetdel(r, hfe_encoding):
    r.hset("h", mapping={"a": "1", "b": "2", "c": "3"})
    assert cmd(r, "HGETDEL", "h", "FIELDS", "2", "a", "zz") == ["1", None]
    assert sorted(r.hkeys("h")) == ["b", "c"]
    assert cmd(r, "HGETDEL", "h", "FIELDS", "3", "b", "c", "b") == ["2", "3", None]
    assert r.exists("h") == 0
    assert cmd(r, "HGETDEL", "nokey", "FIELDS", "1", "a") == [None]
    assert err(r, "HGETDEL", "h", "FIELDS", "0", "a") == \
        "Number of fields must be a positive integer"
    assert err(r, "HGETDEL", "h", "FIELDS", "2", "a") == \
        "The `numfields` parameter must match the number of arguments"
    assert err(r, "HGETDEL", "h", "FOO", "1", "a") == \
        "Mandatory argument FIELDS is missing or not at the right position"


def test_hgetex(r, hfe_encoding):
    r.hset("h", mapping={"a": "1", "b": "2"})
    assert cmd(r, "HGETEX", "h", "FIELDS", "2", "a", "zz") == ["1", None]
    assert cmd(r, "HGETEX", "h", "EX", "100", "FIELDS", "1", "a") == ["1"]
    assert cmd(r, "HTTL", "h", "FIELDS", "2", "a", "b") == [100, -1]
    assert cmd(r, "HGETEX", "h", "PX", "5000", "FIELDS", "1", "b") == ["2"]
    assert 4000 < cmd(r, "HPTTL", "h", "FIELDS", "1", "b")[0] <= 5000
    at = int(time.time()) + 1000
    assert cmd(r, "HGETEX", "h", "EXAT", at, "FIELDS", "1", "b") == ["2"]
    assert cmd(r, "HEXPIRETIME", "h", "FIELDS", "1", "b") == [at]
    assert cmd(r, "HGETEX", "h", "PXAT", at * 1000 + 1, "FIELDS", "1", "b") == ["2"]
    assert cmd(r, "HPEXPIRETIME", "h", "FIELDS", "1", "b") == [at * 1000 + 1]
    assert cmd(r, "HGETEX", "h", "PERSIST", "FIELDS", "2", "a", "b") == ["1", "2"]
    assert cmd(r, "HTTL", "h", "FIELDS", "2", "a", "b") == [-1, -1]
    assert cmd(r, "HGETEX", "h", "PXAT", "1", "FIELDS", "2", "a", "b") == ["1", "2"]
    assert r.exists("h") == 0
    assert cmd(r, "HGETEX", "nokey", "EX", "10", "FIELDS", "1", "a") == [None]
    r.hset("h", "a", "1")
    assert err(r, "HGETEX", "h", "EX", "-1", "FIELDS", "1", "a") == \
        "invalid expire time, must be >= 0"
    assert err(r, "HGETEX", "h", "EX", "x", "FIELDS", "1", "a") == \
        "value is not an integer or out of range"
    assert err(r, "HGETEX", "h", "FOO", "FIELDS", "1", "a") == \
        "Mandatory argument FIELDS is missing or not at the right position"
    assert err(r, "HGETEX", "h", "FIELDS", "2", "a") == \
        "The `numfields` parameter must match the number of arguments"
    assert err(r, "HGETEX", "h", "PX", str(1 << 47), "FIELDS", "1", "a") == \
        "invalid expire time in 'hgetex' command"


def test_hsetex(r, hfe_encoding):
    assert cmd(r, "HSETEX", "h", "FIELDS", "2", "a", "1", "b", "2") == 1
    assert r.hgetall("h") == {"a": "1", "b": "2"}
    assert cmd(r, "HSETEX", "h", "EX", "100", "FIELDS", "1", "a", "10") == 1
    assert cmd(r, "HTTL", "h", "FIELDS", "2", "a", "b") == [100, -1]
    assert cmd(r, "HSETEX", "h", "KEEPTTL", "FIELDS", "1", "a", "11") == 1
    assert cmd(r, "HTTL", "h", "FIELDS", "1", "a") == [100]
    assert r.hget("h", "a") == "11"
    assert cmd(r, "HSETEX", "h", "FIELDS", "1", "a", "12") == 1
    assert cmd(r, "HTTL", "h", "FIELDS", "1", "a") == [-1]
    assert cmd(r, "HSETEX", "h", "FNX", "FIELDS", "2", "a", "x", "c", "3") == 0
    assert r.hexists("h", "c") is False
    assert cmd(r, "HSETEX", "h", "FNX", "PX", "5000", "FIELDS", "1", "c", "3") == 1
    assert cmd(r, "HSETEX", "h", "FXX", "FIELDS", "2", "a", "x", "zz", "3") == 0
    assert cmd(r, "HSETEX", "h", "FXX", "FIELDS", "2", "a", "x", "c", "y") == 1
    assert r.hmget("h", "a", "c") == ["x", "y"]
    assert cmd(r, "HTTL", "h", "FIELDS", "1", "c") == [-1]
    assert cmd(r, "HSETEX", "nokey", "FXX", "FIELDS", "1", "a", "1") == 0
    assert r.exists("nokey") == 0
    assert cmd(r, "HSETEX", "h", "PXAT", "1", "FIELDS", "3", "a", "1", "b", "2", "c", "3") == 1
    assert r.exists("h") == 0


def test_hsetex_errors(r):
    arity = "wrong number of arguments for 'hsetex' command"
    assert err(r, "HSETEX", "h", "FIELDS", "2", "a", "1") == arity
    assert err(r, "HSETEX", "h", "FIELDS", "1", "a", "1", "b") == arity
    assert err(r, "HSETEX", "h", "FNX", "KEEPTTL", "FIELDS", "1") == arity
    assert err(r, "HSETEX", "h", "FIELDS", "0", "a", "1") == "invalid number of fields"
    assert err(r, "HSETEX", "h", "FIELDS", "x", "a", "1") == "invalid number of fields"
    assert err(r, "HSETEX", "h", "FNX", "FXX", "FIELDS", "1", "a", "1") == \
        "Only one of FXX or FNX arguments can be specified"
    assert err(r, "HSETEX", "h", "FNX", "KEEPTTL", "FNX", "a") == \
        "Only one of FXX or FNX arguments can be specified"
    assert err(r, "HSETEX", "h", "EX", "10", "PX", "10", "FIELDS", "1", "a", "1") == \
        "Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified"
    assert err(r, "HSETEX", "h", "KEEPTTL", "EX", "10", "FIELDS", "1", "a", "1") == \
        "Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified"
    assert err(r, "HSETEX", "h", "FOO", "FIELDS", "1", "a", "1") == "unknown argument: FOO"
    assert err(r, "HSETEX", "h", "KEEPTTL", "FNX", "x", "EX") == "unknown argument: x"
    assert err(r, "HSETEX", "h", "EX", "-5", "FIELDS", "1", "a", "1") == \
        "invalid expire time, must be >= 0"
    assert err(r, "HSETEX", "h", "PX", "x", "FIELDS", "1", "a", "1") == \
        "value is not an integer or out of range"
    assert err(r, "HSETEX", "h", "EX", str(1 << 46), "FIELDS", "1", "a", "1") == \
        "invalid expire time in 'hsetex' command"
    # Options are checked before the key.
    r.set("s", "x")
    assert err(r, "HSETEX", "s", "FOO", "FIELDS", "1", "a", "1") == "unknown argument: FOO"


# ---- Threads and keys spread over shards --------------------------------------------

def test_many_hashes_across_shards(rt):
    for k in SPREAD:
        rt.hset(k, mapping={"f1": k, "f2": "2"})
        rt.hincrby(k, "n", len(k))
        cmd(rt, "HEXPIRE", k, "100", "FIELDS", "1", "f2")
    for k in SPREAD:
        assert rt.hgetall(k) == {"f1": k, "f2": "2", "n": str(len(k))}
        assert cmd(rt, "HTTL", k, "FIELDS", "1", "f2") == [100]
    pipe = rt.pipeline(transaction=False)
    for i in range(200):
        pipe.hset("k%d" % i, "f", i)
    pipe.execute()
    pipe = rt.pipeline(transaction=False)
    for i in range(200):
        pipe.hget("k%d" % i, "f")
    assert pipe.execute() == [str(i) for i in range(200)]


# ---- Differential run against redis-server ---------------------------------------------

def normalise(reply, command):
    if command in ("HKEYS", "HVALS") and isinstance(reply, list):
        return sorted(reply)
    if command == "HGETALL" and isinstance(reply, list):
        pairs = sorted(zip(reply[::2], reply[1::2]))
        return [x for p in pairs for x in p]
    if command == "HRANDFIELD":
        return None
    if isinstance(reply, Exception):
        return "error:" + str(reply).split(" ")[0]
    return reply


def test_differential_against_redis(r, reference, limits):
    ref = reference.client()
    ref.config_set("hash-max-listpack-entries", 8)
    r.config_set("hash-max-listpack-entries", 8)
    ref.config_set("hash-max-listpack-value", 16)
    r.config_set("hash-max-listpack-value", 16)
    ref.flushall()
    rng = random.Random(1234)
    keys = ["h1", "h2", "h3", "str"]
    r.set("str", "x")
    ref.set("str", "x")
    fields = ["f%d" % i for i in range(14)]

    def value():
        c = rng.random()
        if c < 0.3:
            return str(rng.randint(-100, 100))
        if c < 0.4:
            return "x" * rng.randint(10, 30)
        if c < 0.5:
            return "%.2f" % rng.uniform(-10, 10)
        return "v%d" % rng.randint(0, 50)

    for _ in range(2500):
        k = rng.choice(keys)
        f = rng.choice(fields)
        op = rng.choice(["HSET", "HSETNX", "HGET", "HMGET", "HDEL", "HLEN", "HSTRLEN",
                         "HEXISTS", "HKEYS", "HVALS", "HGETALL", "HINCRBY", "HINCRBYFLOAT",
                         "HRANDFIELD", "HMSET", "OBJECT"])
        if op in ("HSET", "HMSET"):
            args = [op, k]
            for _ in range(rng.randint(1, 3)):
                args += [rng.choice(fields), value()]
        elif op == "HSETNX":
            args = [op, k, f, value()]
        elif op in ("HGET", "HSTRLEN", "HEXISTS"):
            args = [op, k, f]
        elif op in ("HMGET", "HDEL"):
            args = [op, k] + rng.sample(fields, rng.randint(1, 4))
        elif op == "HINCRBY":
            args = [op, k, f, str(rng.randint(-50, 50))]
        elif op == "HINCRBYFLOAT":
            args = [op, k, f, "%.3f" % rng.uniform(-5, 5)]
        elif op == "HRANDFIELD":
            args = [op, k, str(rng.randint(-5, 5))]
        elif op == "OBJECT":
            args = [op, "ENCODING", k]
        else:
            args = [op, k]
        results = []
        for client in (r, ref):
            try:
                results.append(cmd(client, *args))
            except redis.ResponseError as e:
                results.append(e)
        ours, theirs = (normalise(x, op) for x in results)
        assert ours == theirs, (args, results)


@pytest.mark.parametrize("fields", [1, 300])
def test_active_field_expiry_reclaims_without_access(rt, fields):
    """Expired fields are reclaimed by the shard's cron, not only when read:
    a hash whose fields all expire disappears without ever being accessed.
    300 fields exercises the hashtable encoding, 1 the listpack."""
    rt.hset("vol", mapping={"f%d" % i: "v" for i in range(fields)})
    rt.hset("vol", "keep", "v")
    rt.execute_command("HPEXPIRE", "vol", "50", "FIELDS", str(fields),
                       *["f%d" % i for i in range(fields)])
    rt.hset("gone", "only", "v")
    rt.execute_command("HPEXPIRE", "gone", "50", "FIELDS", "1", "only")
    # The two keys may live on different shards, each with its own cron.
    deadline = time.time() + 3
    while time.time() < deadline and (rt.dbsize() != 1 or rt.hlen("vol") != 1):
        time.sleep(0.05)
    assert rt.dbsize() == 1  # "gone" was deleted by active expiry
    assert rt.execute_command("MEMORY", "USAGE", "vol") is not None
    assert rt.hlen("vol") == 1  # HLEN counts stored fields: the expired ones are gone
