"""String commands: GET/SET and variants, counters, APPEND/SETRANGE/GETRANGE,
MGET/MSET/MSETNX across shards, and LCS. Expected replies and error texts are
Redis 7.4's (checked against redis-server)."""
import time

import pytest
import redis

# Keys that hash to different slots, hence (with 4 threads) mostly to
# different shards.
SPREAD = ["a", "b", "c", "d", "e", "f", "g", "h", "key:1", "key:2", "key:3", "key:4"]


def err(r, *args):
    """The error text of a command that must fail (redis-py strips 'ERR ')."""
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command(*args)
    return str(e.value)


def optional(r, *args, **options):
    """Runs a command owned by another area; skips the test while it is missing."""
    try:
        return r.execute_command(*args, **options)
    except redis.ResponseError as e:
        if "unknown command" in str(e) or "unknown subcommand" in str(e):
            pytest.skip("%s is not implemented yet" % args[0])
        raise


def encoding(r, key):
    return optional(r, "OBJECT", "ENCODING", key, infotype="encoding")


def pttl(r, key):
    return optional(r, "PTTL", key)


WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NOT_INT = "value is not an integer or out of range"
NOT_FLOAT = "value is not a valid float"


def make_list(r, key):
    """Creates a key of a non-string type (whichever type is implemented)."""
    for args in (("RPUSH", key, "x"), ("SADD", key, "x"), ("HSET", key, "f", "v"),
                 ("ZADD", key, "1", "x")):
        try:
            r.execute_command(*args)
            return
        except redis.ResponseError as e:
            if "unknown command" not in str(e):
                raise
    pytest.skip("no non-string type is implemented yet")


# ---- GET / SET ----------------------------------------------------------------


def test_get_set_basic(r):
    assert r.get("k") is None
    assert r.set("k", "v") is True
    assert r.get("k") == "v"
    assert r.set("k", "") is True
    assert r.get("k") == ""
    big = "x" * 100000
    r.set("big", big)
    assert r.get("big") == big


def test_get_wrong_type(r):
    make_list(r, "l")
    assert err(r, "GET", "l") == WRONGTYPE


def test_set_binary_safe(server):
    c = server.client(decode_responses=False)
    c.flushall()
    value = bytes(range(256)) + b"\r\n\x00end"
    c.set(b"bin\x00key", value)
    assert c.get(b"bin\x00key") == value
    c.close()


def test_set_nx_xx(r):
    assert r.set("k", "1", nx=True) is True
    assert r.set("k", "2", nx=True) is None
    assert r.get("k") == "1"
    assert r.set("missing", "1", xx=True) is None
    assert r.exists("missing") == 0
    assert r.set("k", "3", xx=True) is True
    assert r.get("k") == "3"


def test_set_get_option(r):
    assert r.set("k", "1", get=True) is None
    assert r.set("k", "2", get=True) == "1"
    assert r.get("k") == "2"
    # GET with NX/XX: the old value is replied whether or not it is set.
    assert r.set("k", "3", nx=True, get=True) == "2"
    assert r.get("k") == "2"
    assert r.set("nokey", "3", xx=True, get=True) is None
    assert r.exists("nokey") == 0
    assert r.set("k", "4", xx=True, get=True) == "2"
    assert r.get("k") == "4"
    assert r.set("new", "5", nx=True, get=True) is None
    assert r.get("new") == "5"


def test_set_get_wrong_type(r):
    make_list(r, "l")
    assert err(r, "SET", "l", "v", "GET") == WRONGTYPE
    assert r.type("l") != "string"
    # Plain SET overwrites any type.
    assert r.set("l", "v") is True
    assert r.get("l") == "v"


def test_set_expire_options(r):
    r.set("ex", "v", ex=100)
    assert 99000 < pttl(r, "ex") <= 100000
    r.set("px", "v", px=100000)
    assert 99000 < pttl(r, "px") <= 100000
    now = int(time.time())
    r.set("exat", "v", exat=now + 100)
    assert 98000 < pttl(r, "exat") <= 100000
    r.set("pxat", "v", pxat=now * 1000 + 100000)
    assert 98000 < pttl(r, "pxat") <= 100000


def test_set_expire_takes_effect(r):
    r.set("k", "v", px=50)
    assert r.get("k") == "v"
    time.sleep(0.15)
    assert r.get("k") is None
    # An absolute time in the past sets a key that is already gone.
    r.execute_command("SET", "past", "v", "PXAT", "1")
    assert r.get("past") is None


def test_set_drops_or_keeps_ttl(r):
    r.set("k", "v", ex=100)
    r.set("k", "w")
    assert pttl(r, "k") == -1
    r.set("k", "v", ex=100)
    r.set("k", "w", keepttl=True)
    assert pttl(r, "k") > 0
    assert r.get("k") == "w"


def test_set_syntax_errors(r):
    assert err(r, "SET", "k", "v", "BOGUS") == "syntax error"
    assert err(r, "SET", "k", "v", "NX", "XX") == "syntax error"
    assert err(r, "SET", "k", "v", "XX", "NX") == "syntax error"
    assert err(r, "SET", "k", "v", "EX", "10", "PX", "100") == "syntax error"
    assert err(r, "SET", "k", "v", "EXAT", "10", "PXAT", "100") == "syntax error"
    assert err(r, "SET", "k", "v", "KEEPTTL", "EX", "10") == "syntax error"
    assert err(r, "SET", "k", "v", "EX", "10", "KEEPTTL") == "syntax error"
    assert err(r, "SET", "k", "v", "EX") == "syntax error"
    assert err(r, "SET", "k", "v", "PERSIST") == "syntax error"
    assert r.exists("k") == 0
    # Repeating a compatible option is allowed; the last expire wins.
    assert r.execute_command("SET", "k", "v", "NX", "nx", "EX", "10", "ex", "100") is True
    assert 99000 < pttl(r, "k") <= 100000
    assert r.execute_command("SET", "k", "w", "get", "GET", "KEEPTTL", "keepttl",
                             get=True) == "v"
    assert r.get("k") == "w"
    assert pttl(r, "k") > 0


def test_set_invalid_expire(r):
    for opt in ("EX", "PX", "EXAT", "PXAT"):
        assert err(r, "SET", "k", "v", opt, "0") == "invalid expire time in 'set' command"
        assert err(r, "SET", "k", "v", opt, "-1") == "invalid expire time in 'set' command"
        assert err(r, "SET", "k", "v", opt, "abc") == NOT_INT
        assert err(r, "SET", "k", "v", opt, "1.5") == NOT_INT
    # Overflow when scaled to ms or added to the current time.
    assert err(r, "SET", "k", "v", "EX", "9223372036854775") == \
        "invalid expire time in 'set' command"
    assert err(r, "SET", "k", "v", "PX", "9223372036854775807") == \
        "invalid expire time in 'set' command"
    assert err(r, "SET", "k", "v", "EXAT", "9223372036854776") == \
        "invalid expire time in 'set' command"
    assert r.exists("k") == 0


def test_set_invalid_expire_checked_before_get(r):
    make_list(r, "l")
    assert err(r, "SET", "l", "v", "GET", "EX", "0") == "invalid expire time in 'set' command"


def test_set_wrong_arity(r):
    assert err(r, "SET", "k") == "wrong number of arguments for 'set' command"
    assert err(r, "GET") == "wrong number of arguments for 'get' command"
    assert err(r, "GET", "a", "b") == "wrong number of arguments for 'get' command"


def test_set_encodings(r):
    r.set("int", "12345")
    assert encoding(r, "int") == "int"
    r.set("neg", "-9223372036854775808")
    assert encoding(r, "neg") == "int"
    r.set("lead0", "0123")
    assert encoding(r, "lead0") == "embstr"
    r.set("toobig", "9223372036854775808")
    assert encoding(r, "toobig") == "embstr"
    r.set("short", "hello")
    assert encoding(r, "short") == "embstr"
    r.set("e44", "x" * 44)
    assert encoding(r, "e44") == "embstr"
    r.set("r45", "x" * 45)
    assert encoding(r, "r45") == "raw"


# ---- SETNX / SETEX / PSETEX / GETSET / GETDEL ------------------------------------


def test_setnx(r):
    assert r.setnx("k", "1") is True
    assert r.setnx("k", "2") is False
    assert r.get("k") == "1"
    make_list(r, "l")
    assert r.setnx("l", "x") is False


def test_setnx_on_expired_key(r):
    r.set("k", "old", px=30)
    time.sleep(0.1)
    assert r.setnx("k", "new") is True
    assert r.get("k") == "new"


def test_setex_psetex(r):
    assert r.setex("k", 100, "v") is True
    assert r.get("k") == "v"
    assert 99000 < pttl(r, "k") <= 100000
    assert r.psetex("p", 100000, "v") is True
    assert 99000 < pttl(r, "p") <= 100000
    assert err(r, "SETEX", "k", "0", "v") == "invalid expire time in 'setex' command"
    assert err(r, "SETEX", "k", "-10", "v") == "invalid expire time in 'setex' command"
    assert err(r, "PSETEX", "k", "0", "v") == "invalid expire time in 'psetex' command"
    assert err(r, "SETEX", "k", "x", "v") == NOT_INT
    assert err(r, "SETEX", "k", "9223372036854775807", "v") == \
        "invalid expire time in 'setex' command"
    make_list(r, "l")
    assert r.setex("l", 100, "v") is True
    assert r.get("l") == "v"


def test_psetex_expires(r):
    r.psetex("k", 50, "v")
    time.sleep(0.15)
    assert r.get("k") is None


def test_getset(r):
    assert r.getset("k", "1") is None
    assert r.getset("k", "2") == "1"
    assert r.get("k") == "2"
    r.set("k", "v", ex=100)
    assert r.getset("k", "w") == "v"
    assert pttl(r, "k") == -1
    make_list(r, "l")
    assert err(r, "GETSET", "l", "v") == WRONGTYPE
    assert r.type("l") != "string"


def test_getdel(r):
    r.set("k", "v")
    assert r.getdel("k") == "v"
    assert r.exists("k") == 0
    assert r.getdel("k") is None
    r.set("i", 42)
    assert r.getdel("i") == "42"
    make_list(r, "l")
    assert err(r, "GETDEL", "l") == WRONGTYPE
    assert r.exists("l") == 1


# ---- GETEX -----------------------------------------------------------------------


def test_getex_options(r):
    r.set("k", "v")
    assert r.getex("k") == "v"
    assert pttl(r, "k") == -1
    assert r.getex("k", ex=100) == "v"
    assert 99000 < pttl(r, "k") <= 100000
    assert r.getex("k", px=200000) == "v"
    assert 199000 < pttl(r, "k") <= 200000
    now = int(time.time())
    assert r.getex("k", exat=now + 300) == "v"
    assert 298000 < pttl(r, "k") <= 300000
    assert r.getex("k", pxat=now * 1000 + 400000) == "v"
    assert 398000 < pttl(r, "k") <= 400000
    assert r.getex("k", persist=True) == "v"
    assert pttl(r, "k") == -1
    assert r.getex("k", persist=True) == "v"


def test_getex_persist_keeps_value(r):
    r.set("k", "v", px=100)
    assert r.execute_command("GETEX", "k", "PERSIST") == "v"
    time.sleep(0.2)
    assert r.get("k") == "v"


def test_getex_past_time_deletes(r):
    r.set("k", "v")
    assert r.execute_command("GETEX", "k", "PXAT", "1") == "v"
    assert r.exists("k") == 0
    r.set("k", "v")
    assert r.execute_command("GETEX", "k", "EXAT", "1") == "v"
    assert r.exists("k") == 0


def test_getex_relative_expires(r):
    r.set("k", "v")
    assert r.execute_command("GETEX", "k", "PX", "50") == "v"
    time.sleep(0.15)
    assert r.get("k") is None


def test_getex_errors(r):
    r.set("k", "v")
    assert err(r, "GETEX", "k", "BOGUS") == "syntax error"
    assert err(r, "GETEX", "k", "EX") == "syntax error"
    assert err(r, "GETEX", "k", "EX", "10", "PX", "10") == "syntax error"
    assert err(r, "GETEX", "k", "PERSIST", "EX", "10") == "syntax error"
    assert err(r, "GETEX", "k", "EX", "10", "PERSIST") == "syntax error"
    assert err(r, "GETEX", "k", "KEEPTTL") == "syntax error"
    assert err(r, "GETEX", "k", "NX") == "syntax error"
    assert err(r, "GETEX", "k", "GET") == "syntax error"
    assert err(r, "GETEX", "k", "EX", "0") == "invalid expire time in 'getex' command"
    assert err(r, "GETEX", "k", "PX", "-1") == "invalid expire time in 'getex' command"
    assert err(r, "GETEX", "k", "EX", "x") == NOT_INT
    assert err(r, "GETEX") == "wrong number of arguments for 'getex' command"
    # The expire time is only checked when the key exists.
    assert r.execute_command("GETEX", "missing", "EX", "0") is None
    assert r.execute_command("GETEX", "missing", "EX", "x") is None
    make_list(r, "l")
    assert err(r, "GETEX", "l", "EX", "10") == WRONGTYPE
    assert err(r, "GETEX", "l", "EX", "0") == WRONGTYPE


# ---- Counters ---------------------------------------------------------------------


def test_incr_decr(r):
    assert r.incr("n") == 1
    assert r.incr("n") == 2
    assert r.decr("n") == 1
    assert r.decr("fresh") == -1
    assert r.incrby("n", 100) == 101
    assert r.decrby("n", 200) == -99
    assert r.incrby("m", -5) == -5
    r.set("s", "41")
    assert r.incr("s") == 42
    assert r.get("s") == "42"
    r.set("big", "17179869184")
    assert r.incrby("big", 17179869184) == 34359738368


def test_incr_keeps_ttl(r):
    r.set("n", "1", ex=100)
    r.incr("n")
    assert pttl(r, "n") > 0


def test_incr_overflow(r):
    r.set("n", "9223372036854775807")
    assert err(r, "INCR", "n") == "increment or decrement would overflow"
    assert err(r, "INCRBY", "n", "1") == "increment or decrement would overflow"
    assert r.incrby("n", -1) == 9223372036854775806
    assert r.get("n") == "9223372036854775806"
    r.set("n", "-9223372036854775808")
    assert err(r, "DECR", "n") == "increment or decrement would overflow"
    assert err(r, "INCRBY", "n", "-1") == "increment or decrement would overflow"
    assert err(r, "DECRBY", "n", "1") == "increment or decrement would overflow"
    assert r.incrby("n", 9223372036854775807) == -1
    assert err(r, "DECRBY", "n", "-9223372036854775808") == "decrement would overflow"
    assert err(r, "DECRBY", "x", "-9223372036854775808") == "decrement would overflow"
    assert r.decrby("x", "9223372036854775807") == -9223372036854775807
    assert r.decr("x") == -9223372036854775808


def test_incr_not_integer(r):
    for bad in (" 1", "1 ", " 1 ", "1.5", "abc", "", "01", "+1", "9223372036854775808"):
        r.set("n", bad)
        assert err(r, "INCR", "n") == NOT_INT
        assert r.get("n") == bad
    assert err(r, "INCRBY", "n", "v") == NOT_INT
    assert err(r, "INCRBY", "n", "1.5") == NOT_INT
    assert err(r, "DECRBY", "n", "v") == NOT_INT
    assert err(r, "INCRBY", "n", "9223372036854775808") == NOT_INT
    make_list(r, "l")
    assert err(r, "INCR", "l") == WRONGTYPE
    assert err(r, "DECRBY", "l", "1") == WRONGTYPE
    assert err(r, "INCR", "a", "b") == "wrong number of arguments for 'incr' command"


def test_incr_encoding(r):
    r.set("n", "1")
    r.append("n", "2")
    assert encoding(r, "n") == "raw"
    assert r.incr("n") == 13
    assert encoding(r, "n") == "int"
    r.incrby("m", 1000000)
    assert encoding(r, "m") == "int"


def incrbyfloat(r, key, incr):
    """INCRBYFLOAT's reply exactly as sent (redis-py would turn it into a float)."""
    r.execute_command("INCRBYFLOAT", key, incr)
    return r.get(key)


def test_incrbyfloat_formatting(r):
    r.set("f", "10.5")
    assert incrbyfloat(r, "f", "0.1") == "10.6"
    r.set("g", "5.0e3")
    assert incrbyfloat(r, "g", "200") == "5200"
    assert incrbyfloat(r, "h", "1e+20") == "100000000000000000000"
    assert incrbyfloat(r, "i", "3") == "3"
    assert incrbyfloat(r, "j", "-1.5e-5") == "-0.000015"
    assert incrbyfloat(r, "k", "0x10") == "16"
    r.set("n", "9223372036854775807")
    assert incrbyfloat(r, "n", "1") == "9223372036854775808"
    r.set("one", "1")
    assert incrbyfloat(r, "one", "-1.1") == "-0.1"
    assert incrbyfloat(r, "z", "0.1") == "0.1"
    assert incrbyfloat(r, "z", "-0.1") == "0"
    big = incrbyfloat(r, "big", "1e400")  # long double: about 19 exact digits
    assert len(big) == 401 and big.startswith("1" + "0" * 18)


def test_incrbyfloat_reply_is_bulk(server):
    c = server.client(decode_responses=True)
    c.flushall()
    # execute_command applies redis-py's float callback; a raw RESP read does not.
    conn = c.connection_pool.get_connection("x")
    try:
        conn.send_command("INCRBYFLOAT", "f", "10.5")
        assert conn.read_response() == "10.5"
        conn.send_command("INCRBYFLOAT", "f", "0.1")
        assert conn.read_response() == "10.6"
    finally:
        c.connection_pool.release(conn)
    c.close()


def test_incrbyfloat_keeps_ttl(r):
    r.set("f", "1.5", ex=100)
    r.incrbyfloat("f", 1)
    assert pttl(r, "f") > 0
    assert r.get("f") == "2.5"


def test_incrbyfloat_errors(r):
    assert err(r, "INCRBYFLOAT", "f", "v") == NOT_FLOAT
    assert err(r, "INCRBYFLOAT", "f", " 1") == NOT_FLOAT
    assert err(r, "INCRBYFLOAT", "f", "1 ") == NOT_FLOAT
    assert err(r, "INCRBYFLOAT", "f", "") == NOT_FLOAT
    assert err(r, "INCRBYFLOAT", "f", "nan") == NOT_FLOAT
    assert r.exists("f") == 0
    r.set("f", "0")
    assert err(r, "INCRBYFLOAT", "f", "+inf") == "increment would produce NaN or Infinity"
    assert err(r, "INCRBYFLOAT", "f", "-inf") == "increment would produce NaN or Infinity"
    assert r.get("f") == "0"
    r.set("f", " 1")
    assert err(r, "INCRBYFLOAT", "f", "1") == NOT_FLOAT
    # A NUL inside the stored value stops the parse.
    r.set("nul", "1")
    r.setrange("nul", 2, "2")
    assert err(r, "INCRBYFLOAT", "nul", "1") == NOT_FLOAT
    make_list(r, "l")
    assert err(r, "INCRBYFLOAT", "l", "1") == WRONGTYPE


# ---- APPEND / STRLEN / SETRANGE / GETRANGE / SUBSTR ----------------------------------


def test_append(r):
    assert r.append("k", "Hello") == 5
    assert r.append("k", " World") == 11
    assert r.get("k") == "Hello World"
    assert r.append("k", "") == 11
    assert r.append("e", "") == 0
    assert r.exists("e") == 1
    assert r.get("e") == ""
    make_list(r, "l")
    assert err(r, "APPEND", "l", "x") == WRONGTYPE


def test_append_encodings(r):
    r.append("new", "123")
    assert encoding(r, "new") == "int"
    r.append("new", "4")
    assert encoding(r, "new") == "raw"
    assert r.get("new") == "1234"
    r.set("s", "abc")
    assert encoding(r, "s") == "embstr"
    r.append("s", "d")
    assert encoding(r, "s") == "raw"


def test_append_keeps_ttl(r):
    r.set("k", "v", ex=100)
    r.append("k", "w")
    assert pttl(r, "k") > 0


def test_append_many(r):
    expected = []
    for i in range(2000):
        r.append("k", str(i))
        expected.append(str(i))
    assert r.get("k") == "".join(expected)
    assert r.strlen("k") == len("".join(expected))


def test_strlen(r):
    assert r.strlen("k") == 0
    r.set("k", "hello")
    assert r.strlen("k") == 5
    r.set("i", "-12345")
    assert r.strlen("i") == 6
    r.set("big", "x" * 1000)
    assert r.strlen("big") == 1000
    make_list(r, "l")
    assert err(r, "STRLEN", "l") == WRONGTYPE


def test_setrange(r):
    assert r.setrange("k", 0, "foo") == 3
    assert r.get("k") == "foo"
    assert r.setrange("k", 1, "b") == 3
    assert r.get("k") == "fbo"
    assert r.setrange("k", 5, "x") == 6
    assert r.get("k") == "fbo\x00\x00x"
    assert r.setrange("pad", 3, "ab") == 5
    assert r.get("pad") == "\x00\x00\x00ab"
    r.set("i", "1234")
    assert r.setrange("i", 1, "x") == 4
    assert r.get("i") == "1x34"


def test_setrange_empty_value(r):
    assert r.setrange("missing", 0, "") == 0
    assert r.setrange("missing", 100, "") == 0
    assert r.exists("missing") == 0
    r.set("k", "hello")
    assert r.setrange("k", 100, "") == 5
    assert r.get("k") == "hello"
    assert encoding(r, "k") == "embstr"


def test_setrange_encodings(r):
    r.setrange("new", 0, "1")
    assert encoding(r, "new") == "raw"
    r.set("i", "1234")
    assert encoding(r, "i") == "int"
    r.setrange("i", 0, "9")
    assert encoding(r, "i") == "raw"
    assert r.get("i") == "9234"


def test_setrange_errors(r):
    assert err(r, "SETRANGE", "k", "-1", "x") == "offset is out of range"
    assert err(r, "SETRANGE", "k", "x", "x") == NOT_INT
    too_big = "string exceeds maximum allowed size (proto-max-bulk-len)"
    assert err(r, "SETRANGE", "k", str(512 * 1024 * 1024), "x") == too_big
    assert err(r, "SETRANGE", "k", str(512 * 1024 * 1024 - 2), "abc") == too_big
    assert err(r, "SETRANGE", "k", "9223372036854775807", "x") == too_big
    assert err(r, "SETRANGE", "k", "9223372036854775808", "x") == NOT_INT
    assert r.exists("k") == 0
    r.set("k", "v")
    assert err(r, "SETRANGE", "k", str(512 * 1024 * 1024), "x") == too_big
    assert err(r, "SETRANGE", "k", "-1", "") == "offset is out of range"
    make_list(r, "l")
    assert err(r, "SETRANGE", "l", "0", "x") == WRONGTYPE
    assert err(r, "SETRANGE", "l", "0", "") == WRONGTYPE


def test_setrange_respects_proto_max_bulk_len():
    from conftest import ServerProcess
    s = ServerProcess(threads=2, args=["--proto-max-bulk-len", "1mb"])
    try:
        c = s.client()
        too_big = "string exceeds maximum allowed size (proto-max-bulk-len)"
        assert err(c, "SETRANGE", "k", str(1024 * 1024), "x") == too_big
        assert c.setrange("k", 1024 * 1024 - 1, "x") == 1024 * 1024
        c.set("a", "x" * (1024 * 1024 - 1))
        assert err(c, "APPEND", "a", "yy") == too_big
        assert c.append("a", "y") == 1024 * 1024
        c.close()
    finally:
        s.stop()


def test_getrange(r):
    r.set("k", "Hello World")
    assert r.getrange("k", 0, 3) == "Hell"
    assert r.getrange("k", 0, -1) == "Hello World"
    assert r.getrange("k", -4, -1) == "orld"
    assert r.getrange("k", 5, 3) == ""
    assert r.getrange("k", 5, 5000) == " World"
    assert r.getrange("k", -5000, 10000) == "Hello World"
    assert r.getrange("k", 0, -100) == ""
    assert r.getrange("k", 1, -100) == ""
    assert r.getrange("k", -1, -100) == ""
    assert r.getrange("k", -100, -99) == ""
    assert r.getrange("k", -100, -100) == ""
    assert r.getrange("k", 0, 4294967297) == "Hello World"
    assert r.getrange("k", 11, 20) == ""
    r.set("i", "1234")
    assert r.getrange("i", 0, 2) == "123"
    assert r.getrange("i", -3, -1) == "234"
    assert r.getrange("i", 3, 5000) == "4"
    r.set("empty", "")
    assert r.getrange("empty", 0, -1) == ""
    assert r.getrange("missing", 0, -1) == ""


def test_getrange_errors(r):
    assert err(r, "GETRANGE", "missing", "a", "1") == NOT_INT
    assert err(r, "GETRANGE", "missing", "0", "1.5") == NOT_INT
    make_list(r, "l")
    assert err(r, "GETRANGE", "l", "0", "-1") == WRONGTYPE
    assert err(r, "GETRANGE", "k", "0") == "wrong number of arguments for 'getrange' command"


def test_substr(r):
    r.set("k", "abcde")
    assert r.substr("k", 0, 0) == "a"
    assert r.substr("k", 0, 3) == "abcd"
    assert r.substr("k", -4, -1) == "bcde"
    assert r.substr("k", -1, -3) == ""
    assert r.substr("k", 7, 8) == ""
    assert r.substr("nokey", 0, 1) == ""
    assert err(r, "SUBSTR", "k", "0") == "wrong number of arguments for 'substr' command"


# ---- MGET / MSET / MSETNX -------------------------------------------------------------


def test_mget_mset(r):
    assert r.mset({"a": "1", "b": "2", "c": "3"}) is True
    assert r.mget("a", "b", "c", "missing") == ["1", "2", "3", None]
    make_list(r, "l")
    assert r.mget("a", "l") == ["1", None]
    assert err(r, "MSET", "a", "1", "b") == "wrong number of arguments for 'mset' command"
    assert err(r, "MSET", "a") == "wrong number of arguments for 'mset' command"


def test_mset_same_key_twice_and_overwrites(r):
    r.set("x", "old", ex=100)
    make_list(r, "l")
    assert r.execute_command("MSET", "x", "1", "x", "2", "l", "3") in (True, "OK")
    assert r.get("x") == "2"
    assert pttl(r, "x") == -1
    assert r.get("l") == "3"


def test_msetnx(r):
    assert r.msetnx({"a": "1", "b": "2"}) is True
    assert r.msetnx({"c": "3", "a": "x"}) is False
    assert r.exists("c") == 0
    assert r.get("a") == "1"
    assert r.execute_command("MSETNX", "d", "1", "d", "2") == 1
    assert r.get("d") == "2"
    assert r.execute_command("MSETNX", "e", "1", "a", "2", "a", "3") == 0
    assert r.exists("e") == 0
    make_list(r, "l")
    assert r.msetnx({"f": "1", "l": "2"}) is False
    assert err(r, "MSETNX", "a", "1", "b") == "wrong number of arguments for 'msetnx' command"


def test_msetnx_across_shards(r):
    values = {k: "v-" + k for k in SPREAD}
    assert r.msetnx(values) is True
    assert r.mget(SPREAD) == [values[k] for k in SPREAD]
    # One existing key anywhere blocks every other key, on every shard.
    r.delete(*SPREAD[:-1])
    assert r.msetnx({k: "new" for k in SPREAD}) is False
    assert r.exists(*SPREAD) == 1
    assert r.mget(SPREAD) == [None] * (len(SPREAD) - 1) + [values[SPREAD[-1]]]


def test_msetnx_ignores_expired(r):
    r.set("a", "x", px=30)
    time.sleep(0.1)
    assert r.msetnx({"a": "1", "b": "2"}) is True
    assert r.mget("a", "b") == ["1", "2"]


@pytest.mark.threads
def test_mset_mget_across_shards(rt):
    keys = ["k%d" % i for i in range(200)] + SPREAD
    values = {k: "value-%s" % k for k in keys}
    assert rt.mset(values) is True
    assert rt.mget(keys) == [values[k] for k in keys]
    for k in keys[::7]:
        assert rt.get(k) == values[k]
    # Mixed present, missing and wrong-typed keys, and numbers.
    rt.mset({k: i for i, k in enumerate(keys)})
    got = rt.mget(keys + ["nope1", "nope2"])
    assert got == [str(i) for i in range(len(keys))] + [None, None]
    assert rt.msetnx({"new-%d" % i: i for i in range(50)}) is True
    assert rt.mget(["new-%d" % i for i in range(50)]) == [str(i) for i in range(50)]
    assert rt.msetnx({"new-0": "x", "other": "y"}) is False
    assert rt.get("other") is None


@pytest.mark.threads
def test_mset_pipeline_across_shards(server_threads):
    # A timeout so that a deadlocked cross-shard pipeline fails instead of hanging.
    rt = server_threads.client(socket_timeout=20)
    rt.flushall()
    p = rt.pipeline(transaction=False)
    for i in range(100):
        p.mset({"p%d" % i: i, "q%d" % i: -i, SPREAD[i % len(SPREAD)]: i})
        p.mget("p%d" % i, "q%d" % i)
        p.incr("counter")
    out = p.execute()
    for i in range(100):
        assert out[3 * i] is True
        assert out[3 * i + 1] == [str(i), str(-i)]
        assert out[3 * i + 2] == i + 1
    rt.close()


# ---- LCS --------------------------------------------------------------------------


def test_lcs(r):
    r.mset({"a": "ohmytext", "b": "mynewtext"})
    assert r.execute_command("LCS", "a", "b") == "mytext"
    assert r.execute_command("LCS", "a", "b", "LEN") == 6
    assert r.execute_command("LCS", "a", "b", "IDX") == \
        ["matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], "len", 6]
    assert r.execute_command("LCS", "a", "b", "IDX", "WITHMATCHLEN") == \
        ["matches", [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], "len", 6]
    assert r.execute_command("LCS", "a", "b", "idx", "MINMATCHLEN", "4", "WITHMATCHLEN") == \
        ["matches", [[[4, 7], [5, 8], 4]], "len", 6]
    assert r.execute_command("LCS", "a", "b", "IDX", "MINMATCHLEN", "-5") == \
        ["matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], "len", 6]
    # LEN with the options that only IDX uses is still just the length.
    assert r.execute_command("LCS", "a", "b", "LEN", "WITHMATCHLEN") == 6


def test_lcs_missing_and_int_keys(r):
    r.set("a", "hello")
    assert r.execute_command("LCS", "a", "missing") == ""
    assert r.execute_command("LCS", "missing", "missing2", "LEN") == 0
    assert r.execute_command("LCS", "a", "missing", "IDX") == ["matches", [], "len", 0]
    r.set("i", "12345")
    r.set("j", "2x4")
    assert r.execute_command("LCS", "i", "j") == "24"


def test_lcs_long(r):
    a = "CACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCT" * 4
    b = "ATTAAAGGTTTATACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATC" * 4
    r.mset({"{t}a": a, "{t}b": b})
    got = r.execute_command("LCS", "{t}a", "{t}b")
    assert r.execute_command("LCS", "{t}a", "{t}b", "LEN") == len(got)
    # The result is a subsequence of both.
    for s in (a, b):
        it = iter(s)
        assert all(ch in it for ch in got)


def test_lcs_keys_on_different_shards(r):
    for x, y in (("a", "b"), ("c", "d"), ("key:1", "key:2")):
        r.set(x, "ohmytext")
        r.set(y, "mynewtext")
        assert r.execute_command("LCS", x, y) == "mytext"
        assert r.execute_command("LCS", y, x, "LEN") == 6


def test_lcs_errors(r):
    r.mset({"a": "abc", "b": "abd"})
    make_list(r, "l")
    wrong = "The specified keys must contain string values"
    assert err(r, "LCS", "l", "a") == wrong
    assert err(r, "LCS", "a", "l") == wrong
    assert err(r, "LCS", "l", "a", "BOGUS") == wrong
    assert err(r, "LCS", "a", "b", "BOGUS") == "syntax error"
    assert err(r, "LCS", "a", "b", "MINMATCHLEN") == "syntax error"
    assert err(r, "LCS", "a", "b", "MINMATCHLEN", "x") == NOT_INT
    assert err(r, "LCS", "a", "b", "LEN", "IDX") == \
        "If you want both the length and indexes, please just use IDX."
    assert err(r, "LCS", "a") == "wrong number of arguments for 'lcs' command"


def test_lcs_table_limited_by_proto_max_bulk_len():
    from conftest import ServerProcess
    s = ServerProcess(threads=2, args=["--proto-max-bulk-len", "1mb"])
    try:
        c = s.client()
        c.set("a", "x" * 1000)
        c.set("b", "y" * 1000)
        assert err(c, "LCS", "a", "b") == \
            "Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
        c.set("b", "x" * 10)
        assert c.execute_command("LCS", "a", "b", "LEN") == 10
        c.close()
    finally:
        s.stop()
