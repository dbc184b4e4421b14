"""Client-side caching: CLIENT TRACKING (default, BCAST, OPTIN/OPTOUT, NOLOOP,
REDIRECT), CLIENT CACHING/GETREDIR/TRACKINGINFO, invalidation on write,
expiry and flush, tracking-table-max-keys, INFO fields.

Most tests run at --threads 1 and 4 (`rt`). With 4 threads consecutive
connections land on different threads, so reader, writer and redirect
target sit on different shards and keys spread over all of them: those
tests carry the `threads` marker (they also run under TSan)."""

import time

import pytest

from test_protocol import ErrorReply, Push, RawConn


def conn(server, resp3=False):
    c = RawConn(server.port)
    if resp3:
        c.call("HELLO", "3")
    return c


def expect_no_push(c):
    """Nothing is pending: the next reply is the PING's."""
    assert c.call("PING") == b"PONG"


def call_keep_pushes(c, pushes, *args):
    """Sends a command; pushes that arrive before its reply go to `pushes`."""
    c.send(b"".join([b"*%d\r\n" % len(args)] +
                    [b"$%d\r\n%s\r\n" % (len(a), a.encode()) for a in args]))
    while True:
        msg = c.read()
        if not isinstance(msg, Push):
            return msg
        pushes.append(msg)


def invalidated(msg):
    """The keys of a RESP3 invalidate push, sorted (None for a flush)."""
    assert isinstance(msg, Push), msg
    assert msg[0] == b"invalidate"
    return None if msg[1] is None else sorted(msg[1])


KEYS = ["key:%d" % i for i in range(12)]  # spread over every shard


@pytest.mark.threads
def test_resp3_reader_gets_each_invalidation_once(server_threads, rt):
    reader, writer = conn(server_threads, True), conn(server_threads)
    assert reader.call("CLIENT", "TRACKING", "on") == b"OK"
    for k in KEYS:
        writer.call("SET", k, "1")
        assert reader.call("GET", k) == b"1"
    for k in KEYS:
        writer.call("SET", k, "2")
    got = sorted(invalidated(reader.read())[0] for _ in KEYS)
    assert got == sorted(k.encode() for k in KEYS)
    # Forgotten after one invalidation: a second write says nothing.
    for k in KEYS:
        writer.call("SET", k, "3")
    expect_no_push(reader)


@pytest.mark.threads
def test_pipelined_and_multi_key_reads_are_tracked(server_threads, rt):
    reader, writer = conn(server_threads, True), conn(server_threads)
    reader.call("CLIENT", "TRACKING", "on")
    # A pipeline of reads bound for several shards (hops), then MGET across
    # shards (a cross-shard execution).
    reader.send(b"".join(b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(k), k.encode())
                         for k in KEYS[:6]))
    for _ in KEYS[:6]:
        assert reader.read() is None
    assert reader.call("MGET", *KEYS[6:]) == [None] * 6
    writer.call("MSET", *[x for k in KEYS for x in (k, "v")])
    got = []
    while len(got) < len(KEYS):
        got += invalidated(reader.read())
    assert sorted(got) == sorted(k.encode() for k in KEYS)


def test_write_by_the_reader_itself_comes_after_the_reply(server_threads, rt):
    c = conn(server_threads, True)
    c.call("CLIENT", "TRACKING", "on")
    c.call("HSET", "myhash", "f", "1")
    c.call("HGET", "myhash", "f")
    assert c.call("HDEL", "myhash", "f") == 1
    assert invalidated(c.read()) == [b"myhash"]


@pytest.mark.threads
def test_noloop_skips_own_writes(server_threads, rt):
    c, other = conn(server_threads, True), conn(server_threads)
    c.call("CLIENT", "TRACKING", "on", "NOLOOP")
    c.call("MGET", "a{t}", "b{t}")
    assert c.call("SET", "a{t}", "1") == b"OK"  # own write: no message
    other.call("SET", "b{t}", "1")
    assert invalidated(c.read()) == [b"b{t}"]
    expect_no_push(c)


@pytest.mark.threads
def test_bcast_prefixes(server_threads, rt):
    c, writer = conn(server_threads, True), conn(server_threads)
    assert c.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a:", "PREFIX", "b:") == b"OK"
    writer.call("SET", "a:1", "x")
    assert invalidated(c.read()) == [b"a:1"]
    writer.call("SET", "c:1", "x")
    writer.call("SET", "b:1", "x")
    assert invalidated(c.read()) == [b"b:1"]
    # Keys written by one command on one shard come in one message.
    writer.call("MSET", "a:x{t}", "1", "a:y{t}", "2", "c:z{t}", "3")
    assert invalidated(c.read()) == [b"a:x{t}", b"a:y{t}"]
    info = c.call("CLIENT", "TRACKINGINFO")["map"]
    assert info[0] == (b"flags", ("set", [b"on", b"bcast"]))
    assert info[2] == (b"prefixes", [b"a:", b"b:"])


@pytest.mark.threads
def test_bcast_empty_prefix_and_noloop(server_threads, rt):
    c, writer = conn(server_threads, True), conn(server_threads)
    c.call("CLIENT", "TRACKING", "on", "BCAST", "NOLOOP")
    writer.call("SET", "otherkey1", "1")
    pushes = []
    assert call_keep_pushes(c, pushes, "SET", "loopkey", "1") == b"OK"
    writer.call("SET", "otherkey2", "1")
    pushes += [c.read() for _ in range(2 - len(pushes))]
    assert [invalidated(m) for m in pushes] == [[b"otherkey1"], [b"otherkey2"]]
    expect_no_push(c)


def test_switching_to_bcast_drops_earlier_keys(server_threads, rt):
    c, writer = conn(server_threads, True), conn(server_threads)
    c.call("CLIENT", "TRACKING", "on")
    c.call("GET", "key1")
    c.call("CLIENT", "TRACKING", "off")
    c.call("CLIENT", "TRACKING", "on", "BCAST")
    writer.call("INCR", "key1")
    assert invalidated(c.read()) == [b"key1"]  # from BCAST, once
    expect_no_push(c)


@pytest.mark.threads
def test_optin_and_optout(server_threads, rt):
    c, writer = conn(server_threads, True), conn(server_threads)
    c.call("CLIENT", "TRACKING", "on", "OPTIN")
    c.call("GET", "k1")
    writer.call("SET", "k1", "1")
    expect_no_push(c)
    assert c.call("CLIENT", "CACHING", "yes") == b"OK"
    c.call("GET", "k1")
    c.call("GET", "k2")  # CACHING applies to one command only
    writer.call("SET", "k2", "1")
    writer.call("SET", "k1", "2")
    assert invalidated(c.read()) == [b"k1"]
    expect_no_push(c)
    c.call("CLIENT", "TRACKING", "off")
    c.call("CLIENT", "TRACKING", "on", "OPTOUT")
    c.call("CLIENT", "CACHING", "no")
    c.call("GET", "k3")
    c.call("GET", "k4")
    writer.call("SET", "k3", "1")
    writer.call("SET", "k4", "1")
    assert invalidated(c.read()) == [b"k4"]
    expect_no_push(c)


@pytest.mark.threads
def test_resp2_redirect_to_subscriber(server_threads, rt):
    target = conn(server_threads)
    tid = target.call("CLIENT", "ID")
    target.call("SUBSCRIBE", "__redis__:invalidate")
    c, writer = conn(server_threads), conn(server_threads)
    assert c.call("CLIENT", "TRACKING", "on", "REDIRECT", str(tid)) == b"OK"
    assert c.call("CLIENT", "GETREDIR") == tid
    for k in KEYS[:4]:
        c.call("GET", k)
    for k in KEYS[:4]:
        writer.call("SET", k, "1")
    for k in KEYS[:4]:
        # One writer: its invalidations arrive in write order.
        assert target.read() == [b"message", b"__redis__:invalidate", [k.encode()]]
    writer.call("FLUSHALL")
    assert target.read() == [b"message", b"__redis__:invalidate", None]


@pytest.mark.threads
def test_redirect_broken(server_threads, rt):
    target = conn(server_threads)
    tid = target.call("CLIENT", "ID")
    c, writer = conn(server_threads, True), conn(server_threads)
    c.call("CLIENT", "TRACKING", "on", "REDIRECT", str(tid))
    c.call("GET", "key1")
    target.close()
    time.sleep(0.1)
    writer.call("SET", "key1", "x")
    assert c.read() == Push([b"tracking-redir-broken", tid])
    info = dict(c.call("CLIENT", "TRACKINGINFO")["map"])
    assert info[b"flags"] == ("set", [b"on", b"broken_redirect"])
    assert b"flags=tR " in c.call("CLIENT", "INFO")


def test_flush_invalidates_everything(server_threads, rt):
    c, writer = conn(server_threads, True), conn(server_threads)
    c.call("CLIENT", "TRACKING", "on")
    c.call("GET", "a")
    writer.call("FLUSHDB")
    assert invalidated(c.read()) is None
    assert c.call("FLUSHALL") == b"OK"
    assert invalidated(c.read()) is None


def test_expiry_invalidates(server_threads, rt):
    c, writer = conn(server_threads, True), conn(server_threads)
    c.call("CLIENT", "TRACKING", "on", "BCAST", "NOLOOP")
    c.call("SET", "mykey", "v", "PX", "1")
    c.call("SET", "other", "v")
    assert invalidated(c.read()) == [b"mykey"]  # active expiry, not our own write


def test_table_limit_evicts_with_invalidations(server_threads, rt):
    c, writer = conn(server_threads, True), conn(server_threads)
    c.call("CLIENT", "TRACKING", "on")
    for k in KEYS:
        c.call("GET", k)
    try:
        writer.call("CONFIG", "SET", "tracking-table-max-keys", "2")
        got = [invalidated(c.read())[0] for _ in range(len(KEYS) - 2)]
        assert len(set(got)) == len(KEYS) - 2
        expect_no_push(c)
        info = writer.call("INFO", "stats").decode()
        assert "tracking_total_keys:2\r\n" in info
    finally:
        writer.call("CONFIG", "SET", "tracking-table-max-keys", "1000000")


def test_info_fields(server_threads, rt):
    c, d = conn(server_threads, True), conn(server_threads, True)
    c.call("CLIENT", "TRACKING", "on")
    d.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p1", "PREFIX", "p2")
    c.call("MGET", "a{x}", "b{x}")
    d.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p3")  # adds a prefix
    info = rt.info()
    assert info["tracking_clients"] == 2
    assert info["tracking_total_keys"] == 2
    assert info["tracking_total_items"] == 2
    assert info["tracking_total_prefixes"] == 3
    d.call("CLIENT", "TRACKING", "off")
    c.close()
    time.sleep(0.1)
    info = rt.info()
    assert info["tracking_clients"] == 0
    assert info["tracking_total_prefixes"] == 0


def test_trackinginfo_and_getredir(server_threads, rt):
    c = conn(server_threads, True)
    assert c.call("CLIENT", "GETREDIR") == -1
    assert c.call("CLIENT", "TRACKINGINFO")["map"] == [
        (b"flags", ("set", [b"off"])), (b"redirect", -1), (b"prefixes", [])]
    c.call("CLIENT", "TRACKING", "on", "OPTIN", "NOLOOP")
    c.call("CLIENT", "CACHING", "yes")
    assert c.call("CLIENT", "TRACKINGINFO")["map"] == [
        (b"flags", ("set", [b"on", b"optin", b"caching-yes", b"noloop"])),
        (b"redirect", 0), (b"prefixes", [])]
    assert c.call("CLIENT", "GETREDIR") == 0
    assert c.call("RESET") == b"RESET"
    assert c.call("CLIENT", "GETREDIR") == -1


ERRORS = [
    (["on", "PREFIX", "x"], "ERR PREFIX option requires BCAST mode to be enabled"),
    (["on", "BCAST", "OPTIN"], "ERR OPTIN and OPTOUT are not compatible with BCAST"),
    (["on", "OPTIN", "OPTOUT"], "ERR You can't specify both OPTIN mode and OPTOUT mode"),
    (["on", "REDIRECT", "999999"], "ERR The client ID you want redirect to does not exist"),
    (["on", "REDIRECT", "x"], "ERR value is not an integer or out of range"),
    (["on", "BOGUS"], "ERR syntax error"),
    (["maybe"], "ERR syntax error"),
    (["on", "BCAST", "PREFIX", "ab", "PREFIX", "a"],
     "ERR Prefix 'ab' overlaps with another provided prefix 'a'. "
     "Prefixes for a single client must not overlap."),
]


@pytest.mark.parametrize("args,error", ERRORS)
def test_tracking_errors_match_reference(server, reference, args, error):
    for srv in (server, reference):
        c = RawConn(srv.port)
        assert c.call("CLIENT", "TRACKING", *args) == ErrorReply(error)
        c.close()


def test_mode_switch_and_caching_errors(server, reference):
    for srv in (server, reference):
        c = RawConn(srv.port)
        assert c.call("CLIENT", "CACHING", "yes") == ErrorReply(
            "ERR CLIENT CACHING can be called only when the client is in tracking mode with "
            "OPTIN or OPTOUT mode enabled")
        c.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a")
        assert c.call("CLIENT", "TRACKING", "on") == ErrorReply(
            "ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
            "and then re-enabling it with a different mode.")
        assert c.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "abc") == ErrorReply(
            "ERR Prefix 'abc' overlaps with an existing prefix 'a'. "
            "Prefixes for a single client must not overlap.")
        c.call("CLIENT", "TRACKING", "off")
        c.call("CLIENT", "TRACKING", "on", "OPTIN")
        assert c.call("CLIENT", "CACHING", "no") == ErrorReply(
            "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
        assert c.call("CLIENT", "CACHING", "maybe") == ErrorReply("ERR syntax error")
        assert c.call("CLIENT", "TRACKING", "on", "OPTOUT") == ErrorReply(
            "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, "
            "and then re-enabling it with a different mode.")
        cid = str(c.call("CLIENT", "ID"))
        assert c.call("CLIENT", "TRACKING", "on", "REDIRECT", cid, "REDIRECT", cid) == \
            ErrorReply("ERR A client can only redirect to a single other client")
        c.close()


@pytest.mark.threads
def test_served_blocked_command_gets_its_invalidation_after_the_reply(server_threads, rt):
    c, writer = conn(server_threads, True), conn(server_threads)
    writer.call("RPUSH", "list2{t}", "a")
    c.call("CLIENT", "TRACKING", "on")
    assert c.call("LRANGE", "list2{t}", "0", "-1") == [b"a"]
    c.send(b"*6\r\n$6\r\nBLMOVE\r\n$8\r\nlist1{t}\r\n$8\r\nlist2{t}\r\n"
           b"$4\r\nLEFT\r\n$4\r\nLEFT\r\n$1\r\n0\r\n")
    for _ in range(100):
        if rt.info()["blocked_clients"] == 1:
            break
        time.sleep(0.01)
    writer.call("RPUSH", "list1{t}", "foo")
    assert c.read() == b"foo"
    assert invalidated(c.read()) == [b"list2{t}"]


@pytest.mark.threads
def test_caching_survives_a_command_that_waits_for_earlier_ones(server_threads, rt):
    # Pipelined: reads bound for other shards, then CLIENT CACHING YES and a
    # cross-shard MGET that must wait for them before it runs.
    c, writer = conn(server_threads, True), conn(server_threads)
    c.call("CLIENT", "TRACKING", "on", "OPTIN")
    cmds = [("GET", k) for k in KEYS[:4]] + [("CLIENT", "CACHING", "yes"),
                                             ("MGET", "m:1", "m:2", "m:3", "m:4")]
    c.send(b"".join(b"*%d\r\n" % len(a) + b"".join(b"$%d\r\n%s\r\n" % (len(x), x.encode())
                                                   for x in a) for a in cmds))
    for _ in range(4):
        assert c.read() is None
    assert c.read() == b"OK"
    assert c.read() == [None] * 4
    writer.call("MSET", "m:1", "1", "m:2", "2", "m:3", "3", "m:4", "4", KEYS[0], "x")
    got = []
    while len(got) < 4:
        got += invalidated(c.read())
    assert sorted(got) == [b"m:1", b"m:2", b"m:3", b"m:4"]
    expect_no_push(c)


@pytest.mark.parametrize("resp", [2, 3])
def test_trackinginfo_bytes_match_reference(server, reference, resp):
    for_each = []
    for srv in (server, reference):
        c = RawConn(srv.port)
        if resp == 3:
            c.call("HELLO", "3")
        raws = []
        for args in (["CLIENT", "TRACKINGINFO"],
                     ["CLIENT", "TRACKING", "on", "OPTOUT", "NOLOOP"],
                     ["CLIENT", "CACHING", "no"],
                     ["CLIENT", "TRACKINGINFO"],
                     ["CLIENT", "TRACKING", "off"],
                     ["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "b", "PREFIX", "a"],
                     ["CLIENT", "TRACKINGINFO"],
                     ["CLIENT", "GETREDIR"]):
            c.call(*args)
            raws.append(c.last_raw)
        for_each.append(raws)
        c.close()
    assert for_each[0] == for_each[1]
