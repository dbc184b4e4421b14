"""Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO.

Replies and error texts are checked directly, and random bitmaps are sent to
Lodestone and to the reference redis-server side by side. BITOP's Redis 8.2
operations (DIFF, DIFF1, ANDOR, ONE), which the reference lacks, are checked
against a Python model instead.
"""
import random

import pytest
import redis

from conftest import ServerProcess

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NOT_INT = "value is not an integer or out of range"
BIT_OFFSET = "bit offset is not an integer or out of range"
BIT_VALUE = "bit is not an integer or out of range"
BAD_TYPE = ("Invalid bitfield type. Use something like i16 u8. "
            "Note that u64 is not supported but i64 is.")


def err(client, *args):
    """The error text a command replies with (without the leading '-')."""
    with pytest.raises(redis.ResponseError) as info:
        client.execute_command(*args)
    return str(info.value)


def outcome(client, *args):
    try:
        return ("ok", client.execute_command(*args))
    except redis.ResponseError as e:
        return ("err", str(e))


def make_non_string(client, key):
    """Creates a key of another type with whichever collection command exists."""
    for cmd in (("RPUSH", key, "x"), ("SADD", key, "x"), ("HSET", key, "f", "v"),
                ("ZADD", key, "1", "x")):
        try:
            client.execute_command(*cmd)
            return
        except redis.ResponseError as e:
            if "unknown command" not in str(e):
                raise
    pytest.skip("no collection command available to build a non-string key")


def bits_of(data):
    return "".join(format(b, "08b") for b in data)


@pytest.fixture
def rb(server):
    c = server.client(decode_responses=False)
    c.flushall()
    yield c
    c.close()


@pytest.fixture
def ref(reference):
    c = reference.client(decode_responses=False)
    c.flushall()
    yield c
    c.close()


# ---- SETBIT / GETBIT ----------------------------------------------------------

def test_setbit_getbit_basics(r, rb):
    assert r.setbit("k", 7, 1) == 0
    assert rb.get("k") == b"\x01"
    assert r.setbit("k", 7, 1) == 1
    assert r.setbit("k", 0, 1) == 0
    assert rb.get("k") == b"\x81"
    assert r.setbit("k", 7, 0) == 1
    assert rb.get("k") == b"\x80"
    # Growing pads with zero bytes.
    assert r.setbit("k", 100, 1) == 0
    assert r.strlen("k") == 13
    assert rb.get("k") == b"\x80" + b"\x00" * 11 + b"\x08"
    assert r.getbit("k", 0) == 1
    assert r.getbit("k", 1) == 0
    assert r.getbit("k", 100) == 1
    assert r.getbit("k", 10**6) == 0
    assert r.getbit("missing", 5) == 0
    # Setting 0 past the end still grows the string.
    assert r.setbit("z", 23, 0) == 0
    assert rb.get("z") == b"\x00\x00\x00"
    assert r.object("encoding", "z") == "raw"


def test_setbit_on_encoded_strings(r, rb):
    r.set("n", "12345")  # int-encoded
    assert r.getbit("n", 2) == 1  # '1' = 0x31 = 00110001
    assert r.getbit("n", 0) == 0
    assert r.setbit("n", 0, 1) == 0
    assert rb.get("n") == b"\xb12345"
    r.set("s", "ab")  # short, inline string
    assert r.setbit("s", 15, 1) == 0
    assert r.get("s") == "ac"
    assert r.object("encoding", "s") == "raw"


def test_setbit_getbit_errors(r):
    r.set("k", "x")
    for off in ("-1", "abc", "1.5", "4294967296", "99999999999999999999", ""):
        assert err(r, "SETBIT", "k", off, "1") == BIT_OFFSET
        assert err(r, "GETBIT", "k", off) == BIT_OFFSET
    for v in ("2", "-1", "x", "1.0", ""):
        assert err(r, "SETBIT", "k", "0", v) == BIT_VALUE
    # The offset is checked before the value.
    assert err(r, "SETBIT", "k", "x", "x") == BIT_OFFSET
    assert err(r, "SETBIT", "k", "1") == "wrong number of arguments for 'setbit' command"
    assert err(r, "GETBIT", "k") == "wrong number of arguments for 'getbit' command"
    make_non_string(r, "l")
    assert err(r, "SETBIT", "l", "0", "1") == WRONGTYPE
    assert err(r, "GETBIT", "l", "0") == WRONGTYPE
    # An offset error wins over the type error, as in Redis.
    assert err(r, "GETBIT", "l", "-1") == BIT_OFFSET


def test_setbit_highest_offset():
    # With a small proto-max-bulk-len the limit is easy to reach.
    s = ServerProcess(threads=2, args=["--proto-max-bulk-len", "1mb"])
    try:
        c = s.client()
        limit_bits = 1024 * 1024 * 8
        assert c.setbit("k", limit_bits - 1, 1) == 0
        assert c.strlen("k") == 1024 * 1024
        assert err(c, "SETBIT", "k", str(limit_bits), "1") == BIT_OFFSET
        assert err(c, "GETBIT", "k", str(limit_bits)) == BIT_OFFSET
        assert err(c, "BITFIELD", "k", "GET", "u8", str(limit_bits)) == BIT_OFFSET
        assert c.bitfield("k").get("u1", limit_bits - 1).execute() == [1]
    finally:
        assert s.stop() == 0


# ---- BITCOUNT -------------------------------------------------------------------

def test_bitcount(r, rb):
    rb.set("k", b"foobar")
    assert r.bitcount("k") == 26
    assert r.bitcount("k", 0, 0) == 4
    assert r.bitcount("k", 1, 1) == 6
    assert r.bitcount("k", 1, -2) == 18
    assert r.bitcount("k", -2, -1) == 7
    assert r.bitcount("k", 5, 30) == 4
    assert r.bitcount("k", 6, 30) == 0
    assert r.bitcount("k", -100, 100) == 26
    assert r.bitcount("k", -1, -2) == 0
    # Negative bounds in the wrong order are empty even when clamping would
    # make them overlap.
    assert r.bitcount("k", -10, -20) == 0
    assert r.bitcount("k", 3, 1) == 0
    assert r.execute_command("BITCOUNT", "k", "1", "1", "BYTE") == 6
    assert r.execute_command("BITCOUNT", "k", "5", "30", "BIT") == 17
    assert r.execute_command("BITCOUNT", "k", "-7", "-1", "bit") == 4
    assert r.execute_command("BITCOUNT", "k", "0", "-1", "BiT") == 26
    assert r.bitcount("missing") == 0
    assert r.bitcount("missing", 0, 5) == 0
    r.set("n", "-1")  # int-encoded: "-1" = 00101101 00110001
    assert r.bitcount("n") == 7
    r.set("empty", "")
    assert r.bitcount("empty") == 0
    assert r.bitcount("empty", 0, -1) == 0


def test_bitcount_errors(r):
    r.set("k", "foobar")
    assert err(r, "BITCOUNT", "k", "0") == "syntax error"
    assert err(r, "BITCOUNT", "k", "0", "1", "BIT", "x") == "syntax error"
    assert err(r, "BITCOUNT", "k", "0", "1", "bits") == "syntax error"
    assert err(r, "BITCOUNT", "k", "a", "1") == NOT_INT
    assert err(r, "BITCOUNT", "k", "0", "b") == NOT_INT
    # Integers are parsed before the unit.
    assert err(r, "BITCOUNT", "k", "a", "1", "foo") == NOT_INT
    assert err(r, "BITCOUNT", "k", "0", "99999999999999999999") == NOT_INT
    assert err(r, "BITCOUNT") == "wrong number of arguments for 'bitcount' command"
    make_non_string(r, "l")
    assert err(r, "BITCOUNT", "l") == WRONGTYPE
    assert err(r, "BITCOUNT", "l", "0", "-1", "BIT") == WRONGTYPE
    # Syntax errors are found before the key is looked up (Redis 7.4; 7.0
    # looked the key up first).
    assert err(r, "BITCOUNT", "l", "0") == "syntax error"


def test_bitcount_large_string(r, rb):
    data = bytes(random.Random(7).getrandbits(8) for _ in range(100003))
    rb.set("big", data)
    expected = sum(bin(b).count("1") for b in data)
    assert r.bitcount("big") == expected
    assert r.bitcount("big", 13, 90001) == sum(bin(b).count("1") for b in data[13:90002])
    assert r.execute_command("BITCOUNT", "big", "5", "800000", "BIT") == \
        bits_of(data)[5:800001].count("1")


# ---- BITPOS ----------------------------------------------------------------------

def test_bitpos(r, rb):
    rb.set("k", b"\xff\xf0\x00")
    assert r.bitpos("k", 0) == 12
    assert r.bitpos("k", 1) == 0
    assert r.bitpos("k", 1, 1) == 8
    assert r.bitpos("k", 1, 2) == -1
    assert r.bitpos("k", 0, 2, -1) == 16
    rb.set("k", b"\x00\xff\xf0")
    assert r.bitpos("k", 1, 0) == 8
    assert r.bitpos("k", 1, 2) == 16
    assert r.bitpos("k", 1, 2, -1, "BYTE") == 16
    assert r.bitpos("k", 1, 7, 15, "BIT") == 8
    assert r.bitpos("k", 1, 7, -3, "bit") == 8
    assert r.bitpos("k", 0, 9, -1, "BIT") == 20
    rb.set("k", b"\x00\x00\x00")
    assert r.bitpos("k", 1) == -1
    assert r.bitpos("k", 0) == 0
    assert r.bitpos("missing", 1) == -1
    assert r.bitpos("missing", 0) == 0
    assert r.bitpos("missing", 0, 5, 10) == 0


def test_bitpos_clear_bit_end_rule(r, rb):
    rb.set("k", b"\xff\xff\xff")
    # Without an explicit end the string is taken as zero-padded on the right.
    assert r.bitpos("k", 0) == 24
    assert r.bitpos("k", 0, 0) == 24
    assert r.bitpos("k", 0, 1) == 24
    assert r.execute_command("BITPOS", "k", "0", "3") == -1  # empty range
    # With an explicit end there is no clear bit in the range.
    assert r.bitpos("k", 0, 0, -1) == -1
    assert r.bitpos("k", 0, 0, 2) == -1
    assert r.bitpos("k", 0, 0, 100) == -1
    assert r.bitpos("k", 0, 3, 23, "BIT") == -1
    r.set("empty", "")
    assert r.bitpos("empty", 0) == -1
    assert r.bitpos("empty", 1) == -1


def test_bitpos_errors(r):
    r.set("k", "foo")
    assert err(r, "BITPOS", "k", "2") == "The bit argument must be 1 or 0."
    assert err(r, "BITPOS", "k", "-1") == "The bit argument must be 1 or 0."
    assert err(r, "BITPOS", "k", "x") == NOT_INT
    assert err(r, "BITPOS", "k", "1", "x") == NOT_INT
    assert err(r, "BITPOS", "k", "1", "0", "x") == NOT_INT
    assert err(r, "BITPOS", "k", "1", "0", "1", "BITS") == "syntax error"
    # The unit is parsed before end.
    assert err(r, "BITPOS", "k", "1", "0", "x", "foo") == "syntax error"
    assert err(r, "BITPOS", "k", "1", "0", "1", "BIT", "2") == "syntax error"
    assert err(r, "BITPOS", "k", "3", "0", "1", "BIT", "2") == "The bit argument must be 1 or 0."
    assert err(r, "BITPOS", "k") == "wrong number of arguments for 'bitpos' command"
    make_non_string(r, "l")
    assert err(r, "BITPOS", "l", "1") == WRONGTYPE
    assert err(r, "BITPOS", "l", "0", "0", "1", "BYTE") == WRONGTYPE


def test_bitpos_long_runs(r, rb):
    data = b"\x00" * 5000 + b"\x10" + b"\xff" * 3000 + b"\xfb" + b"\xff" * 77
    rb.set("k", data)
    assert r.bitpos("k", 1) == 5000 * 8 + 3
    assert r.bitpos("k", 0, 5001) == 8001 * 8 + 5
    assert r.bitpos("k", 1, 5001) == 5001 * 8
    assert r.bitpos("k", 0, 8002) == len(data) * 8
    assert r.bitpos("k", 0, 8002, -1) == -1
    assert r.bitpos("k", 1, 40004, 40100, "BIT") == 40008
    assert r.bitpos("k", 1, 40003, 40003, "BIT") == 40003
    assert r.bitpos("k", 1, 40004, 40007, "BIT") == -1


# ---- BITOP ------------------------------------------------------------------------

def test_bitop_basic(r, rb):
    rb.set("a", b"\xff\x0f\xaa")
    rb.set("b", b"\x0f\xff")
    assert r.bitop("AND", "dest", "a", "b") == 3
    assert rb.get("dest") == b"\x0f\x0f\x00"
    assert r.bitop("or", "dest", "a", "b") == 3
    assert rb.get("dest") == b"\xff\xff\xaa"
    assert r.bitop("Xor", "dest", "a", "b") == 3
    assert rb.get("dest") == b"\xf0\xf0\xaa"
    assert r.bitop("NOT", "dest", "a") == 3
    assert rb.get("dest") == b"\x00\xf0\x55"
    assert r.object("encoding", "dest") == "raw"
    # Missing keys are empty strings.
    assert r.bitop("AND", "dest", "a", "missing") == 3
    assert rb.get("dest") == b"\x00\x00\x00"
    assert r.bitop("OR", "dest", "missing", "b") == 2
    assert rb.get("dest") == b"\x0f\xff"
    # One source.
    assert r.bitop("AND", "dest", "a") == 3
    assert rb.get("dest") == b"\xff\x0f\xaa"
    # The destination may be a source.
    assert r.bitop("XOR", "a", "a", "b") == 3
    assert rb.get("a") == b"\xf0\xf0\xaa"
    # int-encoded sources use their decimal form.
    r.set("n", "12")
    assert r.bitop("NOT", "dest", "n") == 2
    assert rb.get("dest") == b"\xce\xcd"


def test_bitop_empty_result_deletes_destination(r, rb):
    r.set("dest", "old")
    r.expire("dest", 100)
    assert r.bitop("OR", "dest", "nokey1", "nokey2") == 0
    assert r.exists("dest") == 0
    r.set("empty", "")
    r.set("dest", "old")
    assert r.bitop("AND", "dest", "empty", "nokey") == 0
    assert r.exists("dest") == 0
    # Overwriting drops the old TTL.
    r.set("dest", "old", ex=100)
    r.set("x", "1")
    assert r.bitop("OR", "dest", "x") == 1
    assert r.ttl("dest") == -1


def test_bitop_errors(r):
    r.set("a", "x")
    assert err(r, "BITOP", "NAND", "d", "a") == "syntax error"
    assert err(r, "BITOP", "NOT", "d", "a", "a") == \
        "BITOP NOT must be called with a single source key."
    assert err(r, "BITOP", "AND", "d") == "wrong number of arguments for 'bitop' command"
    for op in ("DIFF", "diff1", "AndOr"):
        assert err(r, "BITOP", op, "d", "a") == \
            "BITOP %s must be called with at least two source keys." % op.upper()
    make_non_string(r, "l")
    for op in ("AND", "OR", "XOR", "DIFF", "ONE"):
        assert err(r, "BITOP", op, "d", "a", "l") == WRONGTYPE
    assert err(r, "BITOP", "NOT", "d", "l") == WRONGTYPE
    # Nothing was written.
    assert r.exists("d") == 0


def model_bitop(op, values):
    n = max(len(v) for v in values)
    padded = [v + b"\x00" * (n - len(v)) for v in values]
    out = bytearray(n)
    for i in range(n):
        cols = [p[i] for p in padded]
        x, rest = cols[0], 0
        for c in cols[1:]:
            rest |= c
        if op == "AND":
            v = 0xff
            for c in cols:
                v &= c
        elif op == "OR":
            v = x | rest
        elif op == "XOR":
            v = 0
            for c in cols:
                v ^= c
        elif op == "NOT":
            v = ~x & 0xff
        elif op == "DIFF":
            v = x & ~rest & 0xff
        elif op == "DIFF1":
            v = ~x & rest & 0xff
        elif op == "ANDOR":
            v = x & rest
        else:  # ONE
            v = 0
            for bit in range(8):
                if sum((c >> bit) & 1 for c in cols) == 1:
                    v |= 1 << bit
        out[i] = v
    return bytes(out)


def random_bitmap(rng, max_len):
    kind = rng.randrange(4)
    n = rng.randrange(max_len + 1)
    if kind == 0:
        return bytes(rng.getrandbits(8) for _ in range(n))
    if kind == 1:  # sparse
        return bytes((1 << rng.randrange(8)) if rng.random() < 0.1 else 0 for _ in range(n))
    if kind == 2:  # dense
        return bytes((0xff ^ (1 << rng.randrange(8))) if rng.random() < 0.1 else 0xff
                     for _ in range(n))
    return b"\x00" * n


@pytest.mark.parametrize("op", ["DIFF", "DIFF1", "ANDOR", "ONE"])
def test_bitop_new_operations(r, rb, op):
    rb.set("x", b"\xf0\xff\x01")
    rb.set("y1", b"\x3c")
    rb.set("y2", b"\x01\x80\x01\x07")
    got = r.bitop(op, "dest", "x", "y1", "y2")
    assert got == 4
    assert rb.get("dest") == model_bitop(op, [b"\xf0\xff\x01", b"\x3c", b"\x01\x80\x01\x07"])
    rng = random.Random(op)
    for _ in range(30):
        values = [random_bitmap(rng, 100) for _ in range(rng.randrange(2, 6))]
        if rng.random() < 0.2:
            values[0] = random_bitmap(rng, 5000)
        keys = ["src%d" % i for i in range(len(values))]
        for k, v in zip(keys, values):
            rb.set(k, v)
        n = r.bitop(op, "dest", *keys)
        assert n == max(len(v) for v in values)
        if n:
            assert rb.get("dest") == model_bitop(op, values)
        else:
            assert rb.exists("dest") == 0


def test_bitop_one_examples(r, rb):
    rb.set("k1", b"\x17")
    rb.set("k2", b"\x26")
    rb.set("k3", b"\x4d")
    assert r.bitop("ONE", "dest", "k1", "k2", "k3") == 1
    assert rb.get("dest") == b"\x78"
    # A single source is copied.
    assert r.bitop("ONE", "dest", "k1") == 1
    assert rb.get("dest") == b"\x17"
    # DIFF with a missing source key is a copy of X.
    assert r.bitop("DIFF", "dest", "k1", "nokey") == 1
    assert rb.get("dest") == b"\x17"
    assert r.bitop("DIFF1", "dest", "nokey", "k1", "k2") == 1
    assert rb.get("dest") == b"\x37"


@pytest.mark.threads
def test_bitop_across_shards(rt, server_threads):
    c = server_threads.client(decode_responses=False)
    rng = random.Random(11)
    # Plain single-letter keys hash to different slots and so to different
    # shards at --threads 4.
    names = [chr(ord("a") + i) for i in range(12)]
    values = {k: random_bitmap(rng, 300) for k in names}
    for k, v in values.items():
        c.set(k, v)
    for op in ["AND", "OR", "XOR", "DIFF", "DIFF1", "ANDOR", "ONE"]:
        srcs = names[1:8]
        expected = model_bitop(op, [values[k] for k in srcs])
        assert c.bitop(op, "a", *srcs) == len(expected)
        assert (c.get("a") or b"") == expected
        values["a"] = expected
    # The destination among the sources, on another shard than the others.
    expected = model_bitop("XOR", [values["a"], values["b"], values["a"]])
    assert c.bitop("XOR", "a", "a", "b", "a") == len(expected)
    assert c.get("a") == expected
    assert c.bitop("NOT", "zz", "c") == len(values["c"])
    assert c.get("zz") == model_bitop("NOT", [values["c"]])
    assert c.bitop("AND", "zz", "nokey1", "nokey2", "nokey3") == 0
    assert c.exists("zz") == 0
    c.close()


# ---- BITFIELD ----------------------------------------------------------------------

def test_bitfield_basics(r, rb):
    assert r.execute_command("BITFIELD", "k", "SET", "i8", "0", "-100",
                             "GET", "i8", "0", "GET", "u8", "0") == [0, -100, 156]
    assert r.execute_command("BITFIELD", "k", "INCRBY", "u2", "100", "1",
                             "OVERFLOW", "SAT", "INCRBY", "u2", "102", "7") == [1, 3]
    assert r.strlen("k") == 13
    # Positional offsets are multiples of the width.
    assert r.execute_command("BITFIELD", "k", "SET", "u8", "#1", "255", "GET", "u8", "8",
                             "GET", "u4", "#2", "GET", "i4", "#2") == [0, 255, 15, -1]
    assert r.execute_command("BITFIELD", "x", "SET", "u5", "7", "23") == [0]
    assert rb.get("x") == b"\x01\x70"
    assert r.execute_command("BITFIELD", "x", "GET", "u63", "0", "GET", "i64", "0") == \
        [0x0170 << (63 - 16), 0x0170 << (64 - 16)]
    # Reading past the end gives zeros; GET-only calls never create the key.
    assert r.execute_command("BITFIELD", "nokey", "GET", "i64", "1000") == [0]
    assert r.exists("nokey") == 0
    assert r.execute_command("BITFIELD", "nokey") == []
    # Case-insensitive subcommands and overflow names.
    assert r.execute_command("BITFIELD", "y", "set", "u8", "0", "1", "overflow", "fail",
                             "incrby", "u8", "0", "255") == [0, None]


def test_bitfield_overflow(r):
    def bf(*args):
        return r.execute_command("BITFIELD", "k", *args)
    assert bf("SET", "u8", "0", "255") == [0]
    assert bf("INCRBY", "u8", "0", "10") == [9]  # WRAP is the default
    assert bf("OVERFLOW", "SAT", "INCRBY", "u8", "0", "1000") == [255]
    assert bf("OVERFLOW", "SAT", "INCRBY", "u8", "0", "-1000") == [0]
    assert bf("OVERFLOW", "FAIL", "INCRBY", "u8", "0", "-1") == [None]
    assert bf("OVERFLOW", "FAIL", "INCRBY", "u8", "0", "255", "INCRBY", "u8", "0", "1") == \
        [255, None]
    # The overflow mode applies to the operations after it only.
    assert bf("INCRBY", "u8", "0", "1", "OVERFLOW", "SAT", "INCRBY", "u8", "0", "-5",
              "OVERFLOW", "WRAP", "INCRBY", "u8", "0", "-1") == [0, 0, 255]
    assert bf("SET", "i8", "0", "127", "INCRBY", "i8", "0", "1") == [-1, -128]
    assert bf("OVERFLOW", "SAT", "INCRBY", "i8", "0", "-1", "INCRBY", "i8", "0", "300") == \
        [-128, 127]
    assert bf("OVERFLOW", "WRAP", "SET", "i8", "0", "200") == [127]
    assert bf("GET", "i8", "0") == [-56]
    assert bf("OVERFLOW", "SAT", "SET", "i8", "0", "200", "SET", "i8", "0", "-200",
              "GET", "i8", "0") == [-56, 127, -128]
    assert bf("OVERFLOW", "FAIL", "SET", "i8", "0", "128", "SET", "u8", "0", "256",
              "SET", "u8", "0", "-1") == [None, None, None]
    # 64-bit signed fields.
    assert bf("SET", "i64", "8", "9223372036854775807",
              "INCRBY", "i64", "8", "1") == [0, -9223372036854775808]
    assert bf("OVERFLOW", "SAT", "INCRBY", "i64", "8", "-1",
              "INCRBY", "i64", "8", "9223372036854775807") == [-9223372036854775808, -1]
    assert bf("OVERFLOW", "FAIL", "INCRBY", "i64", "8", "-9223372036854775808") == [None]
    # The i64 at 8 is -1, so the u63 there is all ones.
    assert bf("SET", "u63", "8", "9223372036854775807", "INCRBY", "u63", "8", "1") == \
        [2**63 - 1, 0]


def test_bitfield_fail_on_missing_key_creates_it(r, rb):
    # Redis grows (and creates) the string before running the operations,
    # even when all of them fail.
    assert r.execute_command("BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "5") == \
        [None]
    assert rb.get("k") == b"\x00" * 13


def test_bitfield_errors(r):
    r.set("k", "x")

    def e(*args):
        return err(r, "BITFIELD", "k", *args)
    for t in ("u64", "i65", "u0", "i0", "I8", "U8", "x8", "i", "", "i-1", "u8x"):
        assert e("GET", t, "0") == BAD_TYPE
    for off in ("-1", "x", "#-1", "#x", "##1", "4294967296", "#537395200"):
        assert e("GET", "u8", off) == BIT_OFFSET
    assert r.execute_command("BITFIELD", "k", "GET", "u8", "4294967288") == [0]
    assert e("SET", "u8", "0", "x") == NOT_INT
    assert e("INCRBY", "u8", "0", "1.5") == NOT_INT
    assert e("OVERFLOW", "MAYBE") == "Invalid OVERFLOW type specified"
    assert e("GET", "u8") == "syntax error"
    assert e("SET", "u8", "0") == "syntax error"
    assert e("INCRBY", "u8", "0") == "syntax error"
    assert e("OVERFLOW") == "syntax error"
    assert e("FOO", "u8", "0") == "syntax error"
    # Errors come from the first bad operation, in argument order.
    assert e("GET", "u64", "x") == BAD_TYPE
    assert e("GET", "u8", "x", "GET", "u64", "0") == BIT_OFFSET
    assert e("SET", "u8", "0", "1", "BAR") == "syntax error"
    assert r.get("k") == "x"  # a failed parse writes nothing
    assert err(r, "BITFIELD") == "wrong number of arguments for 'bitfield' command"
    make_non_string(r, "l")
    assert err(r, "BITFIELD", "l", "GET", "u8", "0") == WRONGTYPE
    assert err(r, "BITFIELD", "l", "SET", "u8", "0", "1") == WRONGTYPE
    assert err(r, "BITFIELD", "l") == WRONGTYPE
    assert err(r, "BITFIELD_RO", "l", "GET", "u8", "0") == WRONGTYPE


def test_bitfield_ro(r, rb):
    rb.set("k", b"\x81\xff")
    assert r.execute_command("BITFIELD_RO", "k", "GET", "u8", "0", "GET", "i4", "#3",
                             "get", "u1", "7") == [129, -1, 1]
    assert r.execute_command("BITFIELD_RO", "k") == []
    assert r.execute_command("BITFIELD_RO", "nokey", "GET", "u8", "0") == [0]
    ro_err = "BITFIELD_RO only supports the GET subcommand"
    assert err(r, "BITFIELD_RO", "k", "SET", "u8", "0", "1") == ro_err
    assert err(r, "BITFIELD_RO", "k", "GET", "u8", "0", "INCRBY", "u8", "0", "1") == ro_err
    assert r.execute_command("BITFIELD_RO", "k", "OVERFLOW", "SAT") == []
    # Parse errors come before the read-only check.
    assert err(r, "BITFIELD_RO", "k", "SET", "u64", "0", "1") == BAD_TYPE
    assert err(r, "BITFIELD_RO", "k", "GET", "u8", "0", "BAR") == "syntax error"
    assert rb.get("k") == b"\x81\xff"


def test_command_info(r):
    info = r.execute_command("COMMAND", "INFO", "bitop", "bitfield_ro", "bitfield", "getbit")
    assert info["bitop"]["arity"] == -4
    assert info["bitop"]["flags"] == ["write", "denyoom"]
    assert (info["bitop"]["first_key_pos"], info["bitop"]["last_key_pos"],
            info["bitop"]["step_count"]) == (2, -1, 1)
    assert info["bitfield_ro"]["arity"] == -2
    assert info["bitfield_ro"]["flags"] == ["readonly", "fast"]
    assert info["bitfield"]["flags"] == ["write", "denyoom"]
    assert info["getbit"]["arity"] == 3


# ---- Differential tests against the reference redis-server -----------------------

def compare(lodestone, reference, *args):
    a, b = outcome(lodestone, *args), outcome(reference, *args)
    assert a == b, args


def load_pair(rb, ref, rng, keys, max_len=80):
    for k in keys:
        v = random_bitmap(rng, max_len)
        rb.set(k, v)
        ref.set(k, v)


def rand_index(rng, n):
    return str(rng.choice([rng.randrange(-n - 10, n + 10), 0, -1, n, -n, rng.randrange(-3, 3)]))


def test_diff_bitcount_bitpos(rb, ref):
    rng = random.Random(1)
    for round_ in range(40):
        load_pair(rb, ref, rng, ["k"], max_len=rng.choice([3, 20, 80, 300]))
        n = len(rb.get("k") or b"") * 8 + 16
        cmds = [("BITCOUNT", "k"), ("BITPOS", "k", "0"), ("BITPOS", "k", "1")]
        for _ in range(40):
            unit = rng.choice([[], ["BYTE"], ["BIT"]])
            cmds.append(("BITCOUNT", "k", rand_index(rng, n), rand_index(rng, n), *unit))
            bit = rng.choice("01")
            cmds.append(("BITPOS", "k", bit, rand_index(rng, n)))
            cmds.append(("BITPOS", "k", bit, rand_index(rng, n), rand_index(rng, n), *unit))
        pa, pb = rb.pipeline(transaction=False), ref.pipeline(transaction=False)
        for c in cmds:
            pa.execute_command(*c)
            pb.execute_command(*c)
        assert pa.execute() == pb.execute()


def test_diff_bitop(rb, ref):
    rng = random.Random(2)
    keys = ["s%d" % i for i in range(6)]
    for _ in range(60):
        load_pair(rb, ref, rng, keys, max_len=rng.choice([10, 70, 500]))
        op = rng.choice(["AND", "OR", "XOR", "NOT"])
        srcs = [rng.choice(keys + ["missing"])] if op == "NOT" else \
            [rng.choice(keys + ["missing"]) for _ in range(rng.randrange(1, 6))]
        compare(rb, ref, "BITOP", op, "dest", *srcs)
        assert rb.get("dest") == ref.get("dest")


def test_diff_setbit_getbit(rb, ref):
    rng = random.Random(3)
    pa, pb = rb.pipeline(transaction=False), ref.pipeline(transaction=False)
    for _ in range(500):
        c = rng.choice([("SETBIT", "k", str(rng.randrange(2000)), rng.choice("01")),
                        ("GETBIT", "k", str(rng.randrange(2100)))])
        pa.execute_command(*c)
        pb.execute_command(*c)
    assert pa.execute() == pb.execute()
    assert rb.get("k") == ref.get("k")


def random_bitfield_args(rng, writes=True):
    args = []
    for _ in range(rng.randrange(1, 6)):
        kind = rng.choice(["GET", "SET", "INCRBY", "OVERFLOW"] if writes else ["GET"])
        if kind == "OVERFLOW":
            args += ["OVERFLOW", rng.choice(["WRAP", "SAT", "FAIL"])]
            continue
        signed = rng.random() < 0.5
        bits = rng.randrange(1, 65 if signed else 64)
        if rng.random() < 0.3:
            bits = rng.choice([1, 8, 63, 64 if signed else 63])
        offset = str(rng.randrange(200)) if rng.random() < 0.8 else "#%d" % rng.randrange(10)
        args += [kind, ("i" if signed else "u") + str(bits), offset]
        if kind != "GET":
            value = rng.choice([rng.randrange(-2**63, 2**63), rng.randrange(-300, 300),
                                2**(bits - 1), -2**(bits - 1) - 1, 2**63 - 1, -2**63,
                                2**bits - 1, 2**bits])
            value = max(-2**63, min(2**63 - 1, value))
            args.append(str(value))
    return args


def test_diff_bitfield(rb, ref):
    rng = random.Random(4)
    pa, pb = rb.pipeline(transaction=False), ref.pipeline(transaction=False)
    cmds = []
    for _ in range(600):
        key = rng.choice(["k", "k2", "nokey"])
        if rng.random() < 0.15:
            cmds.append(["BITFIELD_RO", key] + random_bitfield_args(rng, writes=False))
        else:
            cmds.append(["BITFIELD", key] + random_bitfield_args(rng))
        if rng.random() < 0.05:
            cmds.append(["DEL", "nokey"])
    for c in cmds:
        pa.execute_command(*c)
        pb.execute_command(*c)
    got, want = pa.execute(raise_on_error=False), pb.execute(raise_on_error=False)
    for c, a, b in zip(cmds, got, want):
        assert (str(a) if isinstance(a, Exception) else a) == \
            (str(b) if isinstance(b, Exception) else b), c
    for k in ("k", "k2", "nokey"):
        assert rb.get(k) == ref.get(k)


def test_diff_errors(rb, ref):
    # On a missing key Redis 7.0 answers some of these with 0: it looked the
    # key up before parsing everything, which 7.4 no longer does.
    rb.set("k", b"\x0f\xf0")
    ref.set("k", b"\x0f\xf0")
    cases = [
        ("SETBIT", "k", "-1", "1"), ("SETBIT", "k", "1", "5"), ("GETBIT", "k", "x"),
        ("BITCOUNT", "k", "1", "2", "NIBBLE"),
        ("BITCOUNT", "k", "x", "2"), ("BITPOS", "k", "5"), ("BITPOS", "k", "1", "2", "3", "X"),
        ("BITPOS", "k", "1", "x", "3"), ("BITOP", "NOT", "d", "a", "b"), ("BITOP", "FOO", "d", "a"),
        ("BITFIELD", "k", "GET", "u64", "0"), ("BITFIELD", "k", "GET", "i8", "#-1"),
        ("BITFIELD", "k", "OVERFLOW", "X"), ("BITFIELD", "k", "GET", "u8"),
        ("BITFIELD", "k", "SET", "u8", "0", "z"), ("BITFIELD_RO", "k", "INCRBY", "u8", "0", "1"),
        ("BITFIELD", "k", "OVERFLOW", "SAT", "SET", "i8", "0", "-9223372036854775808"),
        ("GET", "k"),
    ]
    for c in cases:
        compare(rb, ref, *c)
