"""Generic keyspace commands: DEL, UNLINK, EXISTS, TYPE, TOUCH, KEYS, SCAN,
RANDOMKEY, RENAME, RENAMENX, MOVE, COPY, OBJECT, SWAPDB, FLUSHDB.

Keys such as "a", "b", "c" hash to slots on different shards of the 4-thread
server, so multi-key commands here cross shards; `rt` repeats a test at
--threads 1 and 4.
"""
import threading

import pytest
import redis

from conftest import ServerProcess

# Keys that land on many different slots (and so shards).
SPREAD = ["a", "b", "c", "d", "foo", "bar", "baz", "key:1", "key:2", "key:3"]


def err(r, *args):
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command(*args)
    return str(e.value)


# ---- DEL, UNLINK, EXISTS, TYPE, TOUCH ---------------------------------------

def test_del_and_unlink_count_existing_keys_across_shards(r):
    for k in SPREAD:
        r.set(k, "v")
    assert r.delete("a", "b", "nosuch", "a") == 2
    assert r.unlink("c", "d", "nosuch") == 2
    assert r.execute_command("DEL", "foo") == 1
    assert r.exists(*SPREAD) == 5
    assert err(r, "DEL") == "wrong number of arguments for 'del' command"
    assert err(r, "UNLINK") == "wrong number of arguments for 'unlink' command"


def test_exists_counts_duplicates(r):
    r.set("a", 1)
    r.set("b", 2)
    assert r.exists("a", "a", "b", "x", "a") == 4
    assert r.exists("nosuch") == 0
    assert err(r, "EXISTS") == "wrong number of arguments for 'exists' command"


def test_type(r):
    r.set("s", "v")
    assert r.type("s") == "string"
    assert r.type("nosuch") == "none"
    assert r.execute_command("TYPE", "s") == "string"
    assert err(r, "TYPE", "a", "b") == "wrong number of arguments for 'type' command"


def test_touch_counts_existing(r):
    r.set("a", 1)
    r.set("c", 1)
    assert r.touch("a", "b", "c", "a") == 3
    assert err(r, "TOUCH") == "wrong number of arguments for 'touch' command"


# ---- KEYS --------------------------------------------------------------------

def test_keys_patterns(r):
    for k in ["foo_a", "foo_b", "foo_c", "key_x", "key_y", "key_z", "h[e]llo", "hello", "hallo"]:
        r.set(k, "v")
    assert sorted(r.keys("foo*")) == ["foo_a", "foo_b", "foo_c"]
    assert sorted(r.keys("key_?")) == ["key_x", "key_y", "key_z"]
    assert sorted(r.keys("h[ae]llo")) == ["hallo", "hello"]
    assert sorted(r.keys("h[^e]llo")) == ["hallo"]
    assert sorted(r.keys("h\\[e\\]llo")) == ["h[e]llo"]
    assert sorted(r.keys("h[a-f]llo")) == ["hallo", "hello"]
    assert r.keys("nomatch*") == []
    assert len(r.keys("*")) == 9
    assert len(r.keys()) == 9
    assert err(r, "KEYS") == "wrong number of arguments for 'keys' command"


def test_keys_star_includes_empty_key_and_hashtags(r):
    r.set("", "empty")
    r.set("{tag}a", 1)
    r.set("{tag}b", 1)
    assert sorted(r.keys("*")) == ["", "{tag}a", "{tag}b"]
    assert sorted(r.keys("{tag}*")) == ["{tag}a", "{tag}b"]


def test_keys_only_current_db(r):
    r.set("a", 1)
    r.execute_command("SELECT", 3)
    try:
        r.set("b", 1)
        assert r.keys("*") == ["b"]
    finally:
        r.execute_command("SELECT", 0)
    assert r.keys("*") == ["a"]


def test_keys_many_keys_all_shards(rt):
    rt.mset({"k%d" % i: i for i in range(2000)})
    assert len(rt.keys("*")) == 2000
    assert len(rt.keys("k1??")) == 100


# ---- SCAN --------------------------------------------------------------------

def full_scan(r, **kw):
    cursor = 0
    seen = []
    calls = 0
    while True:
        cursor, keys = r.scan(cursor, **kw)
        seen.extend(keys)
        calls += 1
        if cursor == 0:
            return seen, calls


def test_scan_returns_every_key(rt):
    keys = ["key:%d" % i for i in range(10000)]
    pipe = rt.pipeline(transaction=False)
    for i in range(0, 10000, 500):
        pipe.mset({k: "v" for k in keys[i:i + 500]})
    pipe.execute()
    seen, calls = full_scan(rt, count=100)
    assert set(seen) == set(keys)
    assert calls > 10  # COUNT bounds each call
    # The default COUNT as well.
    seen, _ = full_scan(rt)
    assert set(seen) == set(keys)


def test_scan_with_inserts_during_scan(rt):
    stable = ["stable:%d" % i for i in range(3000)]
    rt.mset({k: 1 for k in stable})
    rt.mset({"doomed:%d" % i: 1 for i in range(3000)})
    cursor, seen, step = 0, set(), 0
    while True:
        cursor, keys = rt.scan(cursor, count=50)
        seen.update(keys)
        # Grow the tables (and shrink them with deletes) while the scan runs.
        rt.mset({"new:%d:%d" % (step, j): 1 for j in range(200)})
        if step < 30:
            rt.delete(*["doomed:%d" % (step * 100 + j) for j in range(100)])
        step += 1
        if cursor == 0:
            break
    assert set(stable) <= seen
    assert rt.dbsize() > 6000


def test_scan_match_count_type(r):
    r.mset({"user:%d" % i: i for i in range(100)})
    r.mset({"item:%d" % i: i for i in range(100)})
    seen, _ = full_scan(r, match="user:1*", count=20)
    assert sorted(set(seen)) == sorted(["user:1"] + ["user:1%d" % i for i in range(10)])
    seen, _ = full_scan(r, _type="string")
    assert len(set(seen)) == 200
    seen, _ = full_scan(r, _type="STRING", match="item:*")
    assert len(set(seen)) == 100
    seen, _ = full_scan(r, _type="list")
    assert seen == []
    seen, _ = full_scan(r, match="*")
    assert len(set(seen)) == 200


def test_scan_reply_shape_and_errors(r):
    r.set("a", 1)
    raw = r.execute_command("SCAN", "0", "COUNT", "1000")
    assert tuple(raw) == (0, ["a"])
    assert err(r, "SCAN", "abc") == "invalid cursor"
    assert err(r, "SCAN", "-1") == "invalid cursor"
    assert err(r, "SCAN", "18446744073709551616") == "invalid cursor"
    assert err(r, "SCAN", "0", "COUNT", "0") == "syntax error"
    assert err(r, "SCAN", "0", "COUNT", "-1") == "syntax error"
    assert err(r, "SCAN", "0", "COUNT", "x") == "value is not an integer or out of range"
    assert err(r, "SCAN", "0", "COUNT") == "syntax error"
    assert err(r, "SCAN", "0", "MATCH") == "syntax error"
    assert err(r, "SCAN", "0", "BOGUS", "1") == "syntax error"
    assert err(r, "SCAN", "0", "TYPE", "nosuch") == "unknown type name 'nosuch'"
    assert err(r, "SCAN", "0", "NOVALUES") == "syntax error"
    assert err(r, "SCAN") == "wrong number of arguments for 'scan' command"


def test_scan_arbitrary_cursor_is_not_an_error(r):
    r.mset({"k%d" % i: 1 for i in range(100)})
    for cursor in (1, 7, 12345, 2**63, 2**64 - 1):
        c, keys = r.scan(cursor)
        assert isinstance(c, int)


def test_scan_guarantee_with_concurrent_writer(server):
    """A client writing on other connections while one scans."""
    r = server.client()
    r.flushall()
    stable = {"s:%d" % i for i in range(4000)}
    r.mset({k: 1 for k in stable})
    stop = threading.Event()

    def writer():
        w = server.client()
        i = 0
        while not stop.is_set():
            w.mset({"w:%d:%d" % (i, j): 1 for j in range(50)})
            w.delete(*["w:%d:%d" % (i - 3, j) for j in range(50)])
            i += 1
        w.close()

    t = threading.Thread(target=writer)
    t.start()
    try:
        seen, _ = full_scan(r, count=20)
    finally:
        stop.set()
        t.join()
    assert stable <= set(seen)
    r.close()


# ---- RANDOMKEY ---------------------------------------------------------------

def test_randomkey(rt):
    assert rt.randomkey() is None
    rt.set("a", 1)
    assert rt.randomkey() == "a"
    for k in SPREAD:
        rt.set(k, 1)
    seen = {rt.randomkey() for _ in range(300)}
    assert seen == set(SPREAD)
    assert err(rt, "RANDOMKEY", "x") == "wrong number of arguments for 'randomkey' command"


# ---- RENAME, RENAMENX ------------------------------------------------------------

def test_rename_across_shards(rt):
    for i in range(50):
        rt.set("src%d" % i, "value%d" % i)
    for i in range(50):
        assert rt.rename("src%d" % i, "dst%d" % i) is True
    for i in range(50):
        assert rt.get("dst%d" % i) == "value%d" % i
        assert rt.exists("src%d" % i) == 0
    assert rt.dbsize() == 50


def test_rename_overwrites_and_keeps_ttl(r):
    r.set("a", "1", px=100000)
    r.set("b", "2")
    assert r.rename("a", "b")
    assert r.get("b") == "1"
    assert 0 < r.pttl("b") <= 100000
    # The target's TTL is not inherited.
    r.set("c", "3", ex=100)
    r.set("d", "4")
    r.rename("d", "c")
    assert r.ttl("c") == -1
    assert r.get("c") == "4"


def test_rename_keeps_encoding(r):
    r.set("a", "12345")
    r.rename("a", "b")
    assert r.object("encoding", "b") == "int"


def test_rename_errors_and_same_key(r):
    assert err(r, "RENAME", "nosuch", "x") == "no such key"
    assert err(r, "RENAMENX", "nosuch", "x") == "no such key"
    assert err(r, "RENAME", "nosuch", "nosuch") == "no such key"
    r.set("a", "v", ex=100)
    assert r.rename("a", "a") is True
    assert r.get("a") == "v"
    assert r.ttl("a") > 0
    assert r.renamenx("a", "a") is False
    assert err(r, "RENAME", "a") == "wrong number of arguments for 'rename' command"


def test_renamenx(rt):
    rt.set("a", 1)
    rt.set("b", 2)
    assert rt.renamenx("a", "b") is False
    assert rt.get("a") == "1"
    assert rt.renamenx("a", "c") is True
    assert rt.get("c") == "1"
    assert rt.exists("a") == 0


# ---- MOVE ------------------------------------------------------------------

def test_move(r):
    r.set("a", "v", ex=100)
    assert r.move("a", 1) is True
    assert r.exists("a") == 0
    r.execute_command("SELECT", 1)
    try:
        assert r.get("a") == "v"
        assert 0 < r.ttl("a") <= 100
        r.set("b", "in1")
    finally:
        r.execute_command("SELECT", 0)
    r.set("b", "in0")
    assert r.move("b", 1) is False  # exists in the target
    assert r.get("b") == "in0"
    assert r.move("nosuch", 1) is False
    r.set("c", "x")
    assert r.move("c", 2) is True
    r.execute_command("SELECT", 2)
    try:
        assert r.ttl("c") == -1
    finally:
        r.execute_command("SELECT", 0)


def test_move_errors(r):
    r.set("a", 1)
    assert err(r, "MOVE", "a", 0) == "source and destination objects are the same"
    assert err(r, "MOVE", "a", 16) == "DB index is out of range"
    assert err(r, "MOVE", "a", -1) == "DB index is out of range"
    assert err(r, "MOVE", "a", "x") == "value is not an integer or out of range"
    assert err(r, "MOVE", "a", "99999999999") == "value is not an integer or out of range"
    assert err(r, "MOVE", "nosuch", 0) == "source and destination objects are the same"


# ---- COPY --------------------------------------------------------------------

def test_copy_across_shards(rt):
    for i in range(30):
        rt.set("s%d" % i, "v%d" % i)
    for i in range(30):
        assert rt.copy("s%d" % i, "t%d" % i) is True
    for i in range(30):
        assert rt.get("t%d" % i) == "v%d" % i
        assert rt.get("s%d" % i) == "v%d" % i


def test_copy_replace_db_and_ttl(r):
    r.set("a", "hello", px=50000)
    r.set("b", "other")
    assert r.copy("a", "b") is False
    assert r.get("b") == "other"
    assert r.copy("a", "b", replace=True) is True
    assert r.get("b") == "hello"
    assert 0 < r.pttl("b") <= 50000
    r.set("noexp", "1")
    r.copy("noexp", "noexp2")
    assert r.ttl("noexp2") == -1
    # Independent copies.
    r.append("b", "!")
    assert r.get("a") == "hello"
    # To another database, even under the same name.
    assert r.copy("a", "a", destination_db=5) is True
    r.execute_command("SELECT", 5)
    try:
        assert r.get("a") == "hello"
        assert r.pttl("a") > 0
    finally:
        r.execute_command("SELECT", 0)
    assert r.copy("nosuch", "x") is False
    r.set("n", "123")
    r.copy("n", "m")
    assert r.object("encoding", "m") == "int"


def test_copy_errors(r):
    r.set("a", 1)
    assert err(r, "COPY", "a", "a") == "source and destination objects are the same"
    assert err(r, "COPY", "a", "a", "DB", "0") == "source and destination objects are the same"
    assert err(r, "COPY", "a", "b", "DB", "x") == "value is not an integer or out of range"
    assert err(r, "COPY", "a", "b", "DB", "16") == "DB index is out of range"
    assert err(r, "COPY", "a", "b", "DB") == "syntax error"
    assert err(r, "COPY", "a", "b", "FOO") == "syntax error"
    assert err(r, "COPY", "a") == "wrong number of arguments for 'copy' command"


# ---- OBJECT ------------------------------------------------------------------

def test_object_encoding_refcount(r):
    r.set("i", "12345")
    r.set("e", "short string")
    r.set("raw", "x" * 100)
    assert r.object("encoding", "i") == "int"
    assert r.object("encoding", "e") == "embstr"
    assert r.object("encoding", "raw") == "raw"
    assert r.object("encoding", "nosuch") is None
    assert r.object("refcount", "i") == 1
    assert r.object("refcount", "nosuch") is None


def test_object_idletime_and_freq(r):
    r.set("a", 1)
    r.get("a")
    assert r.object("idletime", "a") <= 1
    assert r.object("idletime", "nosuch") is None
    assert err(r, "OBJECT", "FREQ", "a").startswith(
        "An LFU maxmemory policy is not selected, access frequency not tracked.")
    assert r.object("freq", "nosuch") is None


def test_object_freq_under_lfu():
    s = ServerProcess(threads=2, args=["--maxmemory-policy", "allkeys-lfu"])
    try:
        c = s.client()
        c.set("a", 1)
        assert isinstance(c.object("freq", "a"), int)
        assert err(c, "OBJECT", "IDLETIME", "a").startswith(
            "An LFU maxmemory policy is selected, idle time not tracked.")
        c.close()
    finally:
        s.stop()


def test_object_help_and_errors(r):
    r.response_callbacks.pop("OBJECT", None)  # redis-py cannot parse OBJECT HELP
    lines = r.execute_command("OBJECT", "HELP")
    assert lines[0] == "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert "FREQ <key>" in lines
    assert lines[-2:] == ["HELP", "    Print this help."]
    assert err(r, "OBJECT") == "wrong number of arguments for 'object' command"
    assert err(r, "OBJECT", "ENCODING") == \
        "wrong number of arguments for 'object|encoding' command"
    assert err(r, "OBJECT", "BOGUS", "x").startswith("unknown subcommand")


# ---- SWAPDB, FLUSHDB ---------------------------------------------------------

def test_swapdb(rt):
    rt.mset({k: "db0" for k in SPREAD})
    rt.execute_command("SELECT", 1)
    try:
        rt.set("only1", "db1")
        assert rt.swapdb(0, 1) is True
        assert sorted(rt.keys("*")) == sorted(SPREAD)
        assert rt.get("a") == "db0"
    finally:
        rt.execute_command("SELECT", 0)
    assert rt.keys("*") == ["only1"]
    assert rt.swapdb(3, 3) is True
    assert rt.swapdb(1, 0) is True
    assert rt.dbsize() == len(SPREAD)


def test_swapdb_errors(r):
    assert err(r, "SWAPDB", "x", 1) == "invalid first DB index"
    assert err(r, "SWAPDB", 0, "y") == "invalid second DB index"
    assert err(r, "SWAPDB", "x", "y") == "invalid first DB index"
    assert err(r, "SWAPDB", 0, 16) == "DB index is out of range"
    assert err(r, "SWAPDB", -1, 0) == "DB index is out of range"
    assert err(r, "SWAPDB", 0) == "wrong number of arguments for 'swapdb' command"


def test_flushdb(rt):
    rt.mset({"k%d" % i: i for i in range(500)})
    rt.execute_command("SELECT", 1)
    try:
        rt.set("keep", 1)
    finally:
        rt.execute_command("SELECT", 0)
    assert rt.flushdb() is True
    assert rt.dbsize() == 0
    assert rt.keys("*") == []
    rt.set("a", 1)
    assert rt.execute_command("FLUSHDB", "ASYNC") in (True, "OK", b"OK")
    assert rt.execute_command("FLUSHDB", "sync") in (True, "OK", b"OK")
    assert rt.dbsize() == 0
    rt.execute_command("SELECT", 1)
    try:
        assert rt.get("keep") == "1"
    finally:
        rt.execute_command("SELECT", 0)
    assert err(rt, "FLUSHDB", "FOO") == "syntax error"
    assert err(rt, "FLUSHDB", "ASYNC", "SYNC") == "syntax error"


# ---- Against the reference ---------------------------------------------------

def test_replies_match_redis(r, reference):
    ref = reference.client()
    ref.flushall()
    for c in (r, ref):
        c.response_callbacks.pop("OBJECT", None)
    script = [
        ("SET", "a", "1"), ("SET", "b", "xyz"), ("EXISTS", "a", "b", "a", "c"),
        ("TYPE", "a"), ("TYPE", "zz"), ("RENAME", "a", "c"), ("RENAMENX", "b", "c"),
        ("RENAMENX", "b", "d"), ("COPY", "c", "e"), ("COPY", "c", "e"),
        ("COPY", "c", "e", "REPLACE"), ("MOVE", "e", "2"), ("MOVE", "e", "2"),
        ("TOUCH", "c", "d", "e"), ("OBJECT", "ENCODING", "c"), ("OBJECT", "REFCOUNT", "d"),
        ("DEL", "c", "d", "zz"), ("UNLINK", "zz"), ("SWAPDB", "0", "2"), ("KEYS", "*"),
        ("SWAPDB", "0", "2"), ("FLUSHDB",), ("RANDOMKEY",), ("SCAN", "0"),
    ]
    for cmd in script:
        try:
            want = ref.execute_command(*cmd)
        except redis.ResponseError as e:
            want = ("err", str(e))
        try:
            got = r.execute_command(*cmd)
        except redis.ResponseError as e:
            got = ("err", str(e))
        assert got == want, cmd
    ref.close()
