"""Stream commands: XADD (IDs, NOMKSTREAM, trimming), XLEN, XRANGE/XREVRANGE,
XDEL, XTRIM, consumer groups (XGROUP, XREADGROUP, XACK, XPENDING), XREAD and
XINFO, COPY of streams with groups, and replies compared with redis-server.
Expected replies and error texts are Redis 7.4's (7.0.15, the reference,
lacks XINFO's active-time/inactive fields: those are dropped before
comparing)."""
import threading

import pytest
import redis


def raw(r, *args):
    """Sends a command and returns the unparsed reply (no redis-py callbacks)."""
    conn = r.connection_pool.get_connection(args[0])
    try:
        conn.send_command(*args)
        try:
            return conn.read_response()
        except redis.ResponseError as e:
            return e
    finally:
        r.connection_pool.release(conn)


def err(r, *args):
    with pytest.raises(redis.ResponseError) as e:
        raw_or_raise(r, *args)
    return str(e.value)


def raw_or_raise(r, *args):
    res = raw(r, *args)
    if isinstance(res, redis.ResponseError):
        raise res
    return res


GROUP_SCRIPT = [
    ("XADD", "x", "100", "a", "1"), ("XADD", "x", "101", "", "1"),
    ("XADD", "x", "102", "c", "1"), ("XADD", "x", "103", "e", "1"),
    ("XADD", "x", "104", "f", "1"), ("XADD", "x", "105", "g", "1"),
    ("XGROUP", "CREATE", "x", "g1", "0"), ("XGROUP", "CREATE", "x", "g2", "0"),
    ("XREADGROUP", "GROUP", "g1", "Alice", "COUNT", "1", "STREAMS", "x", ">"),
    ("XREADGROUP", "GROUP", "g1", "Bob", "COUNT", "1", "STREAMS", "x", ">"),
    ("XREADGROUP", "GROUP", "g1", "Bob", "NOACK", "COUNT", "1", "STREAMS", "x", ">"),
    ("XREADGROUP", "GROUP", "g2", "Charlie", "COUNT", "4", "STREAMS", "x", ">"),
    ("XGROUP", "SETID", "x", "g1", "101"),
    ("XREADGROUP", "GROUP", "g1", "Dave", "COUNT", "3", "STREAMS", "x", ">"),
    ("XDEL", "x", "103"),
]

TIME_KEYS = {"seen-time", "active-time", "idle", "inactive"}


def scrub(v):
    """Drops timing values (and 7.4-only time fields) so replies compare."""
    if isinstance(v, list):
        out, i = [], 0
        while i < len(v):
            if isinstance(v[i], str) and v[i] in TIME_KEYS and i + 1 < len(v):
                i += 2
                continue
            out.append(scrub(v[i]))
            i += 1
        # A PEL row [id, consumer, time-or-idle, count] / [id, time, count].
        if len(out) in (3, 4) and isinstance(out[-2], int) and isinstance(out[0], str) \
                and "-" in out[0]:
            out[-2] = "T"
        return out
    return v


def test_xadd_ids_and_errors(r):
    assert r.execute_command("XADD", "s", "1-1", "f", "v") == "1-1"
    assert r.execute_command("XADD", "s", "1-*", "f", "v") == "1-2"
    assert r.execute_command("XADD", "s", "5-*", "f", "v") == "5-0"
    assert r.execute_command("XADD", "s", "7", "f", "v") == "7-0"
    assert err(r, "XADD", "s", "7-0", "f", "v") == \
        "The ID specified in XADD is equal or smaller than the target stream top item"
    assert err(r, "XADD", "s", "6-*", "f", "v") == \
        "The ID specified in XADD is equal or smaller than the target stream top item"
    assert err(r, "XADD", "t", "0-0", "f", "v") == \
        "The ID specified in XADD must be greater than 0-0"
    assert err(r, "XADD", "s", "abc", "f", "v") == \
        "Invalid stream ID specified as stream command argument"
    assert err(r, "XADD", "s", "*", "f") == "wrong number of arguments for 'xadd' command"
    auto = r.execute_command("XADD", "s", "*", "f", "v")
    ms, seq = auto.split("-")
    assert int(ms) > 10**12 and seq == "0"
    assert r.execute_command("XLEN", "s") == 5
    assert r.execute_command("XADD", "nomk", "NOMKSTREAM", "*", "a", "") is None
    assert r.exists("nomk") == 0
    assert r.type("s") == "stream"
    assert r.object("encoding", "s") == "stream"
    r.set("str", "x")
    assert err(r, "XADD", "str", "*", "a", "").startswith("WRONGTYPE")
    assert err(r, "XLEN", "str").startswith("WRONGTYPE")
    assert r.execute_command("XLEN", "missing") == 0
    r.execute_command("XADD", "max", "18446744073709551615-18446744073709551615", "a", "")
    assert err(r, "XADD", "max", "*", "a", "") == \
        "The stream has exhausted the last possible ID, unable to add more items"


def test_xadd_trim_options(r):
    for i in range(1, 11):
        r.execute_command("XADD", "s", i, "f", i)
    assert r.execute_command("XADD", "s", "MAXLEN", "5", "11", "f", "v") == "11-0"
    assert r.execute_command("XLEN", "s") == 5
    r.execute_command("XADD", "s", "MINID", "=", "9", "12", "f", "v")
    assert [e[0] for e in r.execute_command("XRANGE", "s", "-", "+")] == \
        ["9-0", "10-0", "11-0", "12-0"]
    assert err(r, "XADD", "s", "MAXLEN", "1", "MINID", "3", "*", "a", "") == \
        "syntax error, MAXLEN and MINID options at the same time are not compatible"
    assert err(r, "XADD", "s", "MAXLEN", "-1", "*", "a", "") == "The MAXLEN argument must be >= 0."
    assert err(r, "XADD", "s", "LIMIT", "5", "*", "a", "") == \
        "syntax error, LIMIT cannot be used without specifying a trimming strategy"
    assert err(r, "XADD", "s", "MAXLEN", "5", "LIMIT", "5", "*", "a", "") == \
        "syntax error, LIMIT cannot be used without the special ~ option"
    assert err(r, "XADD", "s", "MAXLEN", "~", "5", "LIMIT", "-1", "*", "a", "") == \
        "The LIMIT argument must be >= 0."
    # Approximate trimming never cuts a partial node.
    r.execute_command("XADD", "s", "MAXLEN", "~", "2", "*", "a", "")
    assert r.execute_command("XLEN", "s") == 5
    assert err(r, "XTRIM", "s", "LIMIT", "1") == \
        "syntax error, LIMIT cannot be used without specifying a trimming strategy"
    assert err(r, "XTRIM", "s", "LIMIT", "0") == \
        "syntax error, XTRIM must be called with a trimming strategy"
    assert err(r, "XTRIM", "s", "FOO", "1") == "syntax error"
    assert r.execute_command("XTRIM", "s", "MAXLEN", "2") == 3
    assert r.execute_command("XTRIM", "s", "MAXLEN", "=", "2") == 0
    assert r.execute_command("XTRIM", "missing", "MAXLEN", "2") == 0
    assert r.execute_command("XTRIM", "s", "MINID", "99999999999999") == 2
    assert r.exists("s") == 1  # an empty stream stays


def test_xrange_xrevrange_xdel(r):
    for i in range(1, 6):
        r.execute_command("XADD", "s", f"{i}-0", "f", str(i))
    ids = lambda res: [e[0] for e in res]
    assert ids(r.execute_command("XRANGE", "s", "-", "+")) == ["1-0", "2-0", "3-0", "4-0", "5-0"]
    assert ids(r.execute_command("XRANGE", "s", "(2", "4")) == ["3-0", "4-0"]
    assert ids(r.execute_command("XRANGE", "s", "2", "(4-0")) == ["2-0", "3-0"]
    assert ids(r.execute_command("XRANGE", "s", "-", "+", "COUNT", "2")) == ["1-0", "2-0"]
    assert ids(r.execute_command("XREVRANGE", "s", "+", "-", "COUNT", "2")) == ["5-0", "4-0"]
    assert ids(r.execute_command("XREVRANGE", "s", "(5-0", "(2")) == ["4-0", "3-0"]
    assert raw(r, "XRANGE", "s", "-", "+", "COUNT", "0") is None
    assert r.execute_command("XRANGE", "missing", "-", "+") == []
    assert r.execute_command("XRANGE", "s", "3", "1") == []
    assert raw(r, "XRANGE", "s", "1", "1")[0] == ["1-0", ["f", "1"]]
    assert err(r, "XRANGE", "s", "(-", "+") == \
        "Invalid stream ID specified as stream command argument"
    assert err(r, "XRANGE", "s", "(18446744073709551615-18446744073709551615", "+") == \
        "invalid start ID for the interval"
    assert err(r, "XRANGE", "s", "-", "(0-0") == "invalid end ID for the interval"
    assert err(r, "XRANGE", "s", "-", "+", "COUNT") == "syntax error"
    assert err(r, "XRANGE", "s", "x", "+") == \
        "Invalid stream ID specified as stream command argument"
    assert r.execute_command("XDEL", "s", "2", "3-0", "9") == 2
    assert err(r, "XDEL", "s", "zz") == "Invalid stream ID specified as stream command argument"
    assert r.execute_command("XDEL", "missing", "1") == 0
    assert r.execute_command("XLEN", "s") == 3
    info = raw(r, "XINFO", "STREAM", "s")
    d = dict(zip(info[::2], info[1::2]))
    assert d["max-deleted-entry-id"] == "3-0"
    assert d["entries-added"] == 5
    assert d["first-entry"] == ["1-0", ["f", "1"]]
    assert d["last-entry"] == ["5-0", ["f", "5"]]


def test_groups_flow_and_errors(r):
    for cmd in GROUP_SCRIPT:
        raw_or_raise(r, *cmd)
    assert err(r, "XGROUP", "CREATE", "x", "g1", "0") == \
        "BUSYGROUP Consumer Group name already exists"
    assert err(r, "XGROUP", "CREATE", "nokey", "g", "0").startswith(
        "The XGROUP subcommand requires the key to exist.")
    assert r.execute_command("XGROUP", "CREATE", "mk", "g", "$", "MKSTREAM") == "OK"
    assert r.execute_command("XLEN", "mk") == 0
    assert err(r, "XGROUP", "CREATE", "mk", "g2", "$", "ENTRIESREAD", "-5") == \
        "value for ENTRIESREAD must be positive or -1"
    assert err(r, "XGROUP", "SETID", "x", "nog", "0") == \
        "NOGROUP No such consumer group 'nog' for key name 'x'"
    assert err(r, "XREADGROUP", "GROUP", "nog", "c", "STREAMS", "x", ">") == \
        "NOGROUP No such key 'x' or consumer group 'nog' in XREADGROUP with GROUP option"
    assert err(r, "XREADGROUP", "GROUP", "g1", "c", "STREAMS", "x", "$").startswith(
        "The $ ID is meaningless in the context of XREADGROUP")
    assert err(r, "XREAD", "STREAMS", "x", ">").startswith("The > ID can be specified only")
    assert err(r, "XREAD", "STREAMS", "x", "y", "0") == \
        "Unbalanced 'xread' list of streams: for each stream key an ID, '+', or '$' must be " \
        "specified."
    assert err(r, "XREADGROUP", "GROUP", "g", "c", "STREAMS", "x", "y", "0") == \
        "Unbalanced 'xreadgroup' list of streams: for each stream key an ID or '>' must be " \
        "specified."
    assert err(r, "XREAD", "NOACK", "STREAMS", "x", "0").startswith(
        "The NOACK option is only supported by XREADGROUP")
    assert err(r, "XREADGROUP", "COUNT", "1", "STREAMS", "x", "y", "0", "0") == \
        "Missing GROUP option for XREADGROUP"
    assert err(r, "XPENDING", "x", "nog") == "NOGROUP No such key 'x' or consumer group 'nog'"
    # Summary and extended XPENDING.
    summary = raw(r, "XPENDING", "x", "g1")
    assert summary[:3] == [5, "100-0", "104-0"]
    assert summary[3] == [["Alice", "1"], ["Bob", "1"], ["Dave", "3"]]
    ext = raw(r, "XPENDING", "x", "g1", "-", "+", "10", "Dave")
    assert [e[0] for e in ext] == ["102-0", "103-0", "104-0"] and ext[0][1] == "Dave"
    assert ext[0][3] == 1
    assert raw(r, "XPENDING", "x", "g1", "IDLE", "100000", "-", "+", "10") == []
    assert raw(r, "XPENDING", "x", "g1", "-", "+", "10", "nobody") == []
    assert err(r, "XPENDING", "x", "g1", "-", "+") == "syntax error"
    assert err(r, "XPENDING", "x", "g1", "-", "+", "1", "a", "b", "c", "d") == "syntax error"
    assert err(r, "XPENDING", "x", "g1", "IDLE", "5", "-", "+") == "syntax error"
    assert err(r, "XPENDING", "x", "g1", "-", "+", "x") == \
        "value is not an integer or out of range"
    # A trailing extra argument after the consumer is ignored (as in Redis).
    assert len(raw(r, "XPENDING", "x", "g1", "-", "+", "10", "Dave", "extra")) == 3
    # History read: the deleted 103 comes back with a null body; counts grow.
    hist = raw(r, "XREADGROUP", "GROUP", "g1", "Dave", "STREAMS", "x", "0")
    assert hist == [["x", [["102-0", ["c", "1"]], ["103-0", None], ["104-0", ["f", "1"]]]]]
    assert raw(r, "XPENDING", "x", "g1", "-", "+", "10", "Dave")[0][3] == 2
    assert r.execute_command("XACK", "x", "g1", "102", "103", "104", "999") == 3
    assert r.execute_command("XACK", "x", "nog", "100") == 0
    assert raw(r, "XREADGROUP", "GROUP", "g1", "Dave", "STREAMS", "x", ">") == \
        [["x", [["105-0", ["g", "1"]]]]]
    assert raw(r, "XREADGROUP", "GROUP", "g1", "Dave", "STREAMS", "x", ">") is None
    assert r.execute_command("XGROUP", "CREATECONSUMER", "x", "g1", "Eve") == 1
    assert r.execute_command("XGROUP", "CREATECONSUMER", "x", "g1", "Eve") == 0
    assert r.execute_command("XGROUP", "DELCONSUMER", "x", "g1", "Dave") == 1
    assert r.execute_command("XGROUP", "DELCONSUMER", "x", "g1", "Dave") == 0
    names = [c[1] for c in raw(r, "XINFO", "CONSUMERS", "x", "g1")]
    assert names == ["Alice", "Bob", "Eve"]
    assert r.execute_command("XGROUP", "DESTROY", "x", "g2") == 1
    assert r.execute_command("XGROUP", "DESTROY", "x", "g2") == 0
    groups = raw(r, "XINFO", "GROUPS", "x")
    assert [g[1] for g in groups] == ["g1"]
    assert err(r, "XINFO", "STREAM", "nokey") == "no such key"


def test_xread_non_blocking(r):
    r.execute_command("XADD", "a", "1-0", "f", "1")
    r.execute_command("XADD", "", "2-0", "f", "2")
    res = raw(r, "XREAD", "COUNT", "5", "STREAMS", "a", "", "missing", "0", "0", "0")
    assert res == [["a", [["1-0", ["f", "1"]]]], ["", [["2-0", ["f", "2"]]]]]
    assert raw(r, "XREAD", "STREAMS", "a", "$") is None
    assert raw(r, "XREAD", "STREAMS", "a", "+") == [["a", [["1-0", ["f", "1"]]]]]
    # With BLOCK and data available it is served at once.
    assert raw(r, "XREAD", "BLOCK", "10", "STREAMS", "a", "0") == [["a", [["1-0", ["f", "1"]]]]]
    assert err(r, "XREAD", "BLOCK", "-1", "STREAMS", "a", "0") == "timeout is negative"


def test_copy_stream_with_groups(r):
    for cmd in GROUP_SCRIPT:
        raw_or_raise(r, *[c.replace("x", "x{t}") if c == "x" else c for c in cmd])
    assert r.copy("x{t}", "newx{t}") == 1
    info = raw(r, "XINFO", "STREAM", "x{t}", "FULL")
    assert raw(r, "XINFO", "STREAM", "newx{t}", "FULL") == info
    r.delete("x{t}")
    assert raw(r, "XINFO", "STREAM", "newx{t}", "FULL") == info
    # The copy is deep: acknowledging in the copy leaves no trace elsewhere.
    for i in range(300):
        r.execute_command("XADD", "big{t}", "*", "item", i)
    r.copy("big{t}", "big2{t}")
    assert r.execute_command("XRANGE", "big{t}", "-", "+") == \
        r.execute_command("XRANGE", "big2{t}", "-", "+")


def test_against_reference(r, reference):
    ref = reference.client()
    ref.flushall()
    script = GROUP_SCRIPT + [
        ("XRANGE", "x", "-", "+"), ("XREVRANGE", "x", "+", "-", "COUNT", "3"),
        ("XINFO", "STREAM", "x"), ("XINFO", "STREAM", "x", "FULL"),
        ("XINFO", "STREAM", "x", "FULL", "COUNT", "1"), ("XINFO", "GROUPS", "x"),
        ("XINFO", "CONSUMERS", "x", "g1"), ("XPENDING", "x", "g1"),
        ("XPENDING", "x", "g2", "-", "+", "2"),
        ("XREADGROUP", "GROUP", "g2", "Charlie", "COUNT", "2", "STREAMS", "x", "0"),
        ("XADD", "x", "MAXLEN", "3", "200-*", "k", "v"), ("XINFO", "STREAM", "x", "FULL"),
        ("XINFO", "GROUPS", "x"), ("XTRIM", "x", "MINID", "105"),
        ("XADD", "x", "200-1", "a", ""), ("XADD", "x", "150", "a", ""),
        ("XGROUP", "SETID", "x", "g2", "$", "ENTRIESREAD", "3"), ("XINFO", "GROUPS", "x"),
        ("XREAD", "STREAMS", "x", "0"),
    ]
    for cmd in script:
        ours, theirs = raw(r, *cmd), raw(ref, *cmd)
        if isinstance(ours, Exception):
            assert str(ours) == str(theirs), cmd
        else:
            assert scrub(ours) == scrub(theirs), cmd


def claim_setup(r):
    for i in range(100, 105):
        r.execute_command("XADD", "x", i, "k", i)
    r.execute_command("XGROUP", "CREATE", "x", "g1", "0")
    raw(r, "XREADGROUP", "GROUP", "g1", "Alice", "COUNT", "4", "STREAMS", "x", ">")
    r.execute_command("XDEL", "x", "101")


def test_xclaim(r):
    claim_setup(r)
    # The deleted 101 is dropped from the PEL; 104 was never delivered.
    assert raw(r, "XCLAIM", "x", "g1", "Bob", "0", "100", "101", "102", "104", "JUSTID") == \
        ["100-0", "102-0"]
    pel = raw(r, "XPENDING", "x", "g1", "-", "+", "10")
    assert [(p[0], p[1], p[3]) for p in pel] == \
        [("100-0", "Bob", 1), ("102-0", "Bob", 1), ("103-0", "Alice", 1)]
    assert raw(r, "XCLAIM", "x", "g1", "Bob", "0", "100", "RETRYCOUNT", "7", "TIME", "1") == \
        [["100-0", ["k", "100"]]]
    assert raw(r, "XPENDING", "x", "g1", "-", "+", "1")[0][3] == 7
    assert raw(r, "XCLAIM", "x", "g1", "Bob", "100000", "103") == []  # not idle enough
    assert raw(r, "XCLAIM", "x", "g1", "Carl", "0", "104", "FORCE", "LASTID", "200") == \
        [["104-0", ["k", "104"]]]
    groups = raw(r, "XINFO", "GROUPS", "x")[0]
    assert groups[groups.index("last-delivered-id") + 1] == "200-0"
    assert err(r, "XCLAIM", "x", "g1", "Bob", "0", "104", "FOO") == \
        "Unrecognized XCLAIM option 'FOO'"
    assert err(r, "XCLAIM", "x", "g1", "Bob", "abc", "104") == \
        "Invalid min-idle-time argument for XCLAIM"
    assert err(r, "XCLAIM", "x", "g1", "Bob", "0", "104", "IDLE", "x") == \
        "Invalid IDLE option argument for XCLAIM"
    assert err(r, "XCLAIM", "x", "nog", "Bob", "0", "104") == \
        "NOGROUP No such key 'x' or consumer group 'nog'"


def test_xautoclaim(r):
    claim_setup(r)
    r.execute_command("XDEL", "x", "103")
    assert raw(r, "XAUTOCLAIM", "x", "g1", "Dan", "0", "0", "COUNT", "1") == \
        ["101-0", [["100-0", ["k", "100"]]], []]
    # 101 is deleted: it counts against COUNT and is reported.
    assert raw(r, "XAUTOCLAIM", "x", "g1", "Dan", "0", "101", "COUNT", "1") == \
        ["102-0", [], ["101-0"]]
    assert raw(r, "XAUTOCLAIM", "x", "g1", "Dan", "0", "0", "JUSTID") == \
        ["0-0", ["100-0", "102-0"], ["103-0"]]
    assert err(r, "XAUTOCLAIM", "x", "g1", "Dan", "0", "0", "COUNT", "0") == "COUNT must be > 0"
    assert err(r, "XAUTOCLAIM", "x", "g1", "Dan", "0", "0", "FOO") == "syntax error"
    assert err(r, "XAUTOCLAIM", "x", "nog", "Dan", "0", "0") == \
        "NOGROUP No such key 'x' or consumer group 'nog'"
    assert err(r, "XAUTOCLAIM", "x", "g1", "Dan", "x", "0") == \
        "Invalid min-idle-time argument for XAUTOCLAIM"


def test_xsetid(r):
    claim_setup(r)
    assert err(r, "XSETID", "x", "50") == \
        "The ID specified in XSETID is smaller than current max_deleted_entry_id"
    assert err(r, "XSETID", "x", "102") == \
        "The ID specified in XSETID is smaller than the target stream top item"
    assert err(r, "XSETID", "x", "300", "ENTRIESADDED", "1") == \
        "The entries_added specified in XSETID is smaller than the target stream length"
    assert err(r, "XSETID", "x", "300", "MAXDELETEDID", "400") == \
        "The ID specified in XSETID is smaller than the provided max_deleted_entry_id"
    assert err(r, "XSETID", "x", "300", "ENTRIESADDED", "-1") == "entries_added must be positive"
    assert err(r, "XSETID", "nokey", "1") == "no such key"
    assert r.execute_command("XSETID", "x", "300", "ENTRIESADDED", "50",
                             "MAXDELETEDID", "200") == "OK"
    info = raw(r, "XINFO", "STREAM", "x")
    d = dict(zip(info[::2], info[1::2]))
    assert (d["last-generated-id"], d["entries-added"], d["max-deleted-entry-id"]) == \
        ("300-0", 50, "200-0")
    assert err(r, "XADD", "x", "299", "a", "b").startswith("The ID specified in XADD is equal")


def test_streams_across_shards(rt):
    rt.flushall()
    keys = ["a", "b", "c", "d", "e", "f"]
    for k in keys:
        rt.execute_command("XADD", k, "1-1", "f", k)
        rt.execute_command("XGROUP", "CREATE", k, "g", "0")
    res = raw(rt, "XREAD", "STREAMS", *keys, *(["0"] * len(keys)))
    assert [x[0] for x in res] == keys
    res = raw(rt, "XREADGROUP", "GROUP", "g", "c1", "STREAMS", *keys, *([">"] * len(keys)))
    assert [x[1][0][1] for x in res] == [["f", k] for k in keys]
    assert all(raw(rt, "XPENDING", k, "g")[0] == 1 for k in keys)


def _later(fn, delay=0.2):
    t = threading.Timer(delay, fn)
    t.start()
    return t


def test_blocking_reads_served_by_xadd(r, server):
    other = server.client()
    t = _later(lambda: other.execute_command("XADD", "bs", "5-0", "a", "b"))
    res = raw(r, "XREAD", "BLOCK", "3000", "STREAMS", "bs", "0")
    t.join()
    assert res == [["bs", [["5-0", ["a", "b"]]]]]
    r.execute_command("XGROUP", "CREATE", "bg", "g", "$", "MKSTREAM")
    t = _later(lambda: other.execute_command("XADD", "bg", "6-0", "c", "d"))
    res = raw(r, "XREADGROUP", "GROUP", "g", "c1", "BLOCK", "3000", "STREAMS", "bg", ">")
    t.join()
    assert res == [["bg", [["6-0", ["c", "d"]]]]]
    assert raw(r, "XPENDING", "bg", "g")[0] == 1
    # Timeout: a null reply.
    assert raw(r, "XREAD", "BLOCK", "50", "STREAMS", "bs", "5-0") is None
    other.close()


def test_blocking_xread_dollar(r, server):
    # '$' is the last ID when XREAD blocks, not when it wakes up.
    r.execute_command("XADD", "bd", "1-0", "a", "b")
    other = server.client()
    t = _later(lambda: other.execute_command("XADD", "bd", "2-0", "c", "d"))
    res = raw(r, "XREAD", "BLOCK", "1000", "STREAMS", "bd", "$")
    t.join()
    other.close()
    assert res == [["bd", [["2-0", ["c", "d"]]]]]
