"""DUMP / RESTORE: Redis's serialization format, checked against the reference.

The real proof of the format is interoperability: values of every type and
encoding are built in Debian's redis-server 7.0.15, DUMPed there and RESTOREd
here, and their contents compared. Lodestone's own payloads (RDB version 12,
which 7.0 refuses) must round-trip; those that only use types 7.0 knows also
load into 7.0 once their version bytes say 10 (the CRC recomputed here).
"""
import random

import pytest
import redis

# ---- CRC-64/Jones, bit by bit (the test's own, independent of the server) ----


def crc64(data, crc=0):
    poly = 0x95AC9329AC4BC9B5
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
    return crc


def with_version(payload, version):
    """The payload with another RDB version and a recomputed checksum."""
    body = payload[:-10] + bytes([version & 0xFF, version >> 8])
    return body + crc64(body).to_bytes(8, "little")


def test_crc64_check_value():
    assert crc64(b"123456789") == 0xE9C6D914C4B8D9CA


# ---- Data sets -------------------------------------------------------------------


def populate(c):
    """Keys of every type and encoding; returns their names."""
    rnd = random.Random(7)
    c.set("str:small", "hello")
    c.set("str:int", "12345")
    c.set("str:bigint", "-9223372036854775808")
    c.set("str:neg", "-17")
    c.set("str:lzf", "abcdefgh" * 200)
    c.set("str:random", bytes(rnd.getrandbits(8) for _ in range(3000)))
    c.set("str:empty", "")
    c.set("str:float", "3.14159")
    c.rpush("list:small", "a", "b", 1, 2, -3, 10**12)
    c.rpush("list:big", *[f"element-{i}" if i % 2 else i for i in range(2000)])
    c.rpush("list:huge-elements", "x" * 20000, "y", "z" * 9000)
    c.sadd("set:intset", *range(0, 300, 3))
    c.sadd("set:intset-wide", -(2**62), 0, 2**40)
    c.sadd("set:listpack", "a", "b", "c", 1, 2)
    c.sadd("set:table", *[f"member{i}" for i in range(500)])
    c.sadd("set:bigints", *range(1000))
    c.zadd("zset:small", {"a": 1, "b": 2.5, "c": -3, "d": 1e300, "e": 0})
    c.zadd("zset:inf", {"lo": float("-inf"), "hi": float("inf"), "mid": 0.1})
    c.zadd("zset:big", {f"m{i}": i * 1.5 for i in range(1000)})
    c.zadd("zset:long-member", {"x" * 100: 1, "y": 2})
    c.hset("hash:small", mapping={"f1": "v1", "f2": 2, "f3": "-5"})
    c.hset("hash:big", mapping={f"field{i}": f"value{i}" for i in range(1000)})
    c.hset("hash:long-value", mapping={"a": "x" * 100, "b": "y"})
    for i in range(30):
        c.xadd("stream:plain", {"name": f"n{i}", "n": i})
    for i in range(300):
        fields = {"a": i} if i % 7 else {"b": i, "c": "x" * (i % 50)}
        c.xadd("stream:groups", fields, id=f"{1000 + i // 3}-{i % 3}")
    c.xdel("stream:groups", "1001-1", "1010-0")
    c.xgroup_create("stream:groups", "g1", id="0")
    c.xgroup_create("stream:groups", "g2", id="$")
    c.xreadgroup("g1", "alice", {"stream:groups": ">"}, count=5)
    c.xreadgroup("g1", "bob", {"stream:groups": ">"}, count=3)
    c.xack("stream:groups", "g1", "1000-1")
    c.execute_command("XGROUP", "CREATECONSUMER", "stream:groups", "g2", "carol")
    c.xgroup_create("stream:empty", "g", id="$", mkstream=True)
    return sorted(k.decode() if isinstance(k, bytes) else k for k in c.keys("*"))


def contents(c, key):
    """Everything observable about a key except access times."""
    t = c.type(key)
    t = t.decode() if isinstance(t, bytes) else t
    if t == "string":
        return t, c.get(key)
    if t == "list":
        return t, c.lrange(key, 0, -1)
    if t == "set":
        return t, sorted(c.smembers(key))
    if t == "zset":
        return t, c.zrange(key, 0, -1, withscores=True)
    if t == "hash":
        return t, sorted(c.hgetall(key).items())
    if t == "stream":
        info = c.xinfo_stream(key)
        meta = {k: info.get(k) for k in ("length", "last-generated-id", "max-deleted-entry-id",
                                          "entries-added", "groups")}
        groups = []
        for g in c.xinfo_groups(key):
            name = g["name"]
            pending = c.xpending_range(key, name, "-", "+", 1000)
            consumers = sorted((x["name"], x["pending"]) for x in c.xinfo_consumers(key, name))
            groups.append((name, g["last-delivered-id"], g.get("entries-read"), g.get("lag"),
                           [(p["message_id"], p["consumer"], p["times_delivered"])
                            for p in pending],
                           consumers))
        return t, c.xrange(key), meta, groups
    raise AssertionError(f"unexpected type {t}")


@pytest.fixture
def ref(reference):
    c = reference.client(decode_responses=False)
    c.flushall()
    yield c
    c.close()


@pytest.fixture
def rb(server):
    c = server.client(decode_responses=False)
    c.flushall()
    yield c
    c.close()


@pytest.fixture
def rtb(server_threads):
    c = server_threads.client(decode_responses=False)
    c.flushall()
    yield c
    c.close()


# ---- Interoperability --------------------------------------------------------------


def test_restore_payloads_from_redis_7_0(ref, rtb):
    keys = populate(ref)
    assert len(keys) > 25
    for key in keys:
        payload = ref.dump(key)
        assert rtb.restore(key, 0, payload) in (True, b"OK"), key
        assert contents(rtb, key) == contents(ref, key), key


def test_encodings_after_restore_match_redis(ref, rb):
    for key in populate(ref):
        rb.restore(key, 0, ref.dump(key))
        mine = rb.object("encoding", key)
        theirs = ref.object("encoding", key)
        if key.startswith("list:") and (theirs, mine) == (b"quicklist", b"listpack"):
            continue  # 7.0 has no listpack lists; 7.2+ loads small ones as listpacks
        if key.startswith("set:") and (theirs, mine) == (b"hashtable", b"listpack"):
            continue  # 7.0 has no listpack sets
        assert mine == theirs, key


def test_own_payloads_round_trip(rtb):
    keys = populate(rtb)
    for key in keys:
        payload = rtb.dump(key)
        assert payload[-10:-8] == b"\x0c\x00", key  # RDB version 12
        before = contents(rtb, key)
        assert rtb.restore(key + ":copy", 0, payload) in (True, b"OK")
        assert contents(rtb, key + ":copy") == before, key
        assert rtb.object("encoding", key + ":copy") == rtb.object("encoding", key), key
        assert rtb.restore(key, 0, payload, replace=True) in (True, b"OK")
        assert contents(rtb, key) == before, key


def test_own_payloads_load_into_redis_7_0(ref, rb):
    """Types 7.0 knows (not SET_LISTPACK, STREAM_LISTPACKS_3, hash field TTLs)."""
    for key in populate(rb):
        payload = rb.dump(key)
        if payload[0] in (20, 21, 24, 25):
            continue
        with pytest.raises(redis.ResponseError, match="version or checksum"):
            ref.restore(key, 0, payload)
        assert ref.restore(key, 0, with_version(payload, 10)) == b"OK"
        assert contents(ref, key) == contents(rb, key), key


def test_string_payload_is_byte_identical_to_redis(ref, rb):
    for value in (b"hello", b"12345", b"-1", b"x" * 19, b"4294967296"):
        ref.set("k", value)
        rb.set("k", value)
        assert with_version(rb.dump("k"), 10) == ref.dump("k"), value


def test_hash_field_ttls_round_trip(rb):
    rb.hset("h", mapping={"a": 1, "b": 2, "c": 3})
    rb.execute_command("HPEXPIRE", "h", 100000, "FIELDS", 1, "a")
    rb.execute_command("HPEXPIRE", "h", 200000, "FIELDS", 1, "b")
    rb.hset("big", mapping={f"f{i}": i for i in range(600)})
    rb.execute_command("HPEXPIRE", "big", 300000, "FIELDS", 2, "f1", "f2")
    for key, rdb_type in (("h", 25), ("big", 24)):
        payload = rb.dump(key)
        assert payload[0] == rdb_type
        rb.restore(key + "2", 0, payload)
        assert sorted(rb.hgetall(key + "2").items()) == sorted(rb.hgetall(key).items())
        ttls = rb.execute_command("HPTTL", key + "2", "FIELDS", 3, "a", "b", "c") if key == "h" \
            else rb.execute_command("HPTTL", key + "2", "FIELDS", 3, "f1", "f2", "f3")
        assert 0 < ttls[0] <= 300000 and 0 < ttls[1] <= 300000 and ttls[2] == -1
        assert rb.object("encoding", key + "2") == rb.object("encoding", key)


# ---- RESTORE semantics -----------------------------------------------------------


def test_dump_missing_key_is_nil(rb):
    assert rb.dump("nokey") is None


def test_restore_errors(rb):
    rb.set("src", "value")
    payload = rb.dump("src")
    with pytest.raises(redis.ResponseError, match="Target key name already exists"):
        rb.restore("src", 0, payload)
    with pytest.raises(redis.ResponseError, match="Invalid TTL value, must be >= 0"):
        rb.restore("new", -1, payload)
    with pytest.raises(redis.ResponseError, match="value is not an integer"):
        rb.execute_command("RESTORE", "new", "abc", payload)
    with pytest.raises(redis.ResponseError, match="DUMP payload version or checksum are wrong"):
        rb.restore("new", 0, payload[:-1] + bytes([payload[-1] ^ 1]))
    with pytest.raises(redis.ResponseError, match="DUMP payload version or checksum are wrong"):
        rb.restore("new", 0, b"short")
    with pytest.raises(redis.ResponseError, match="DUMP payload version or checksum are wrong"):
        rb.restore("new", 0, with_version(payload, 13))
    with pytest.raises(redis.ResponseError, match="Bad data format"):
        rb.restore("new", 0, with_version(b"\x63garbage" + b"\0" * 10, 12))
    with pytest.raises(redis.ResponseError, match="syntax error"):
        rb.execute_command("RESTORE", "new", 0, payload, "BOGUS")
    with pytest.raises(redis.ResponseError, match="Invalid IDLETIME value"):
        rb.execute_command("RESTORE", "new", 0, payload, "IDLETIME", -1)
    with pytest.raises(redis.ResponseError, match="Invalid FREQ value"):
        rb.execute_command("RESTORE", "new", 0, payload, "FREQ", 256)
    with pytest.raises(redis.ResponseError, match="syntax error"):
        rb.execute_command("RESTORE", "new", 0, payload, "IDLETIME", 5, "FREQ", 5)
    assert rb.exists("new") == 0


def test_restore_ttl_and_options(rb):
    rb.rpush("src", "a", "b")
    payload = rb.dump("src")
    assert rb.restore("t1", 5000, payload)
    assert 4000 < rb.pttl("t1") <= 5000
    import time
    at = int(time.time() * 1000) + 60000
    assert rb.restore("t2", at, payload, absttl=True)
    assert 50000 < rb.pttl("t2") <= 60000
    # A TTL already in the past: nothing is created; with REPLACE the old key goes.
    assert rb.restore("t3", 1, payload, absttl=True)
    assert rb.exists("t3") == 0
    rb.set("t4", "old")
    assert rb.restore("t4", 1, payload, absttl=True, replace=True)
    assert rb.exists("t4") == 0
    rb.set("t5", "old")
    assert rb.restore("t5", 0, payload, replace=True)
    assert rb.lrange("t5", 0, -1) == [b"a", b"b"]
    assert rb.ttl("t5") == -1
    assert rb.restore("t6", 0, payload, idletime=1000)
    assert rb.object("idletime", "t6") >= 1000


def test_restore_wakes_blocked_clients(server):
    import threading
    c = server.client(decode_responses=False)
    c.flushall()
    c.rpush("src", "x")
    payload = c.dump("src")
    result = {}

    def waiter():
        w = server.client(decode_responses=False)
        result["v"] = w.blpop("target", timeout=5)
        w.close()

    t = threading.Thread(target=waiter)
    t.start()
    import time
    time.sleep(0.3)
    c.restore("target", 0, payload)
    t.join()
    assert result["v"] == (b"target", b"x")
    c.close()


def test_corrupt_payloads_never_crash(rb):
    rnd = random.Random(99)
    keys = populate(rb)
    payloads = [rb.dump(k) for k in keys]
    for _ in range(1500):
        p = bytearray(rnd.choice(payloads)[:-10])
        if rnd.random() < 0.3:
            p = p[: rnd.randrange(1, len(p) + 1)]
        else:
            for _ in range(rnd.randint(1, 3)):
                i = rnd.randrange(len(p))
                p[i] ^= 1 << rnd.randrange(8)
        try:
            rb.restore("fuzz", 0, with_version(bytes(p) + b"\0" * 10, 12), replace=True)
        except redis.ResponseError as e:
            assert "Bad data format" in str(e)
        else:
            rb.type("fuzz")
            rb.dump("fuzz")
    assert rb.ping()


def test_hash_with_expired_field_restores_and_expires(rb):
    import time
    rb.hset("h", mapping={"a": 1, "b": 2, "c": 3})
    rb.execute_command("HPEXPIRE", "h", 1, "FIELDS", 1, "a")
    time.sleep(0.02)
    payload = rb.dump("h")
    rb.delete("h")
    rb.restore("h", 0, payload)
    assert sorted(rb.hgetall("h")) == [b"b", b"c"]
    rb.execute_command("HPEXPIRE", "h", 1, "FIELDS", 2, "b", "c")
    deadline = time.time() + 2
    while rb.exists("h") and time.time() < deadline:
        time.sleep(0.01)
    assert rb.exists("h") == 0


def test_restore_accepts_older_rdb_versions(ref, rb):
    """7.0 writes version 10; anything up to 12 is accepted."""
    ref.rpush("l", "a", "b")
    payload = ref.dump("l")
    assert payload[-10:-8] == b"\x0a\x00"
    for version in (6, 9, 10, 11, 12):
        assert rb.restore("l", 0, with_version(payload, version), replace=True)
        assert rb.lrange("l", 0, -1) == [b"a", b"b"]


# ---- Streams into 7.0 ----------------------------------------------------------------


class _Cursor:
    """Walks an RDB payload, copying what it passes over."""

    def __init__(self, data):
        self.data, self.pos, self.out = data, 0, bytearray()

    def take(self, n, keep=True):
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        if keep:
            self.out += chunk
        return chunk

    def length(self):
        first = self.take(1)[0]
        kind = first >> 6
        if kind == 0:
            return first & 0x3F
        if kind == 1:
            return (first & 0x3F) << 8 | self.take(1)[0]
        if first == 0x80:
            return int.from_bytes(self.take(4), "big")
        if first == 0x81:
            return int.from_bytes(self.take(8), "big")
        raise AssertionError("encoded string where a length was expected")

    def string(self):
        first = self.data[self.pos]
        if first >> 6 != 3:
            self.take(self.length())
            return
        self.take(1)
        enc = first & 0x3F
        if enc in (0, 1, 2):
            self.take({0: 1, 1: 2, 2: 4}[enc])
        else:  # LZF: compressed length, original length, bytes
            clen = self.length()
            self.length()
            self.take(clen)


def stream3_to_stream2(payload):
    """A STREAM_LISTPACKS_3 payload rewritten as STREAM_LISTPACKS_2 (7.0's):
    the same bytes without each consumer's active-time."""
    c = _Cursor(payload[:-10])
    assert c.take(1)[0] == 21
    c.out[0] = 19
    for _ in range(c.length()):
        c.string()  # node key
        c.string()  # listpack
    for _ in range(8):  # length, last id, first id, max deleted id, entries added
        c.length()
    for _ in range(c.length()):  # groups
        c.string()
        c.length(), c.length(), c.length()  # last id, entries read
        for _ in range(c.length()):  # global PEL
            c.take(16 + 8)
            c.length()
        for _ in range(c.length()):  # consumers
            c.string()
            c.take(8)  # seen time
            c.take(8, keep=False)  # active time: 7.0 has none
            for _ in range(c.length()):
                c.take(16)
    assert c.pos == len(payload) - 10
    body = bytes(c.out) + b"\x0a\x00"
    return body + crc64(body).to_bytes(8, "little")


def test_own_stream_payloads_load_into_redis_7_0(ref, rb):
    """Our stream nodes (listpacks, master entries, deltas, flags) are what
    Redis reads: 7.0 loads them once the payload is in its stream type."""
    populate(rb)
    for i in range(1000):
        rb.xadd("stream:big", {"f": i, "g": "x" * (i % 40)} if i % 3 else {"h": i})
    for key in ("stream:plain", "stream:groups", "stream:empty", "stream:big"):
        payload = rb.dump(key)
        assert payload[0] == 21
        assert ref.restore(key, 0, stream3_to_stream2(payload)) == b"OK", key
        mine, theirs = contents(rb, key), contents(ref, key)
        assert mine[:3] == theirs[:3], key
        for a, b in zip(mine[3], theirs[3]):  # groups: all but 7.0's lag estimate
            assert a[:3] == b[:3] and a[4:] == b[4:], key
