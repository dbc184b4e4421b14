"""Pub/Sub: SUBSCRIBE/PSUBSCRIBE/SSUBSCRIBE, PUBLISH/SPUBLISH, PUBSUB
introspection, RESP2 subscribed mode, RESP3 pushes, output buffer limits,
and the 'new'/'expired' keyspace notification hooks. Subscribers and
publishers land on different threads at --threads 4 (connections are
assigned round robin), so most tests run at 1 and 4 threads."""
import time

import pytest

from conftest import ServerProcess
from test_protocol import ErrorReply, Push, RawConn, encode

CHAN = b"chan"


def wait_for(pred, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.01)
    return pred()


def conn(server, resp=2):
    c = RawConn(server.port)
    if resp == 3:
        c.call("HELLO", "3")
    return c


@pytest.mark.threads
def test_subscribe_publish_across_threads(rt, server_threads):
    subs = [conn(server_threads) for _ in range(4)]
    try:
        for s in subs:
            assert s.call("SUBSCRIBE", "chan", "other") == [b"subscribe", CHAN, 1]
            assert s.read() == [b"subscribe", b"other", 2]
        assert rt.publish("chan", "hello") == 4
        assert rt.publish("nobody", "x") == 0
        for s in subs:
            assert s.read() == [b"message", CHAN, b"hello"]
    finally:
        for s in subs:
            s.close()


@pytest.mark.threads
def test_messages_from_one_publisher_arrive_in_order(rt, server_threads):
    subs = [conn(server_threads) for _ in range(3)]
    pub = conn(server_threads)
    try:
        for s in subs:
            s.call("SUBSCRIBE", "seq")
        payload = b"".join(encode("PUBLISH", "seq", str(i)) for i in range(500))
        pub.send(payload)
        for i in range(500):
            assert pub.read() == 3
        for s in subs:
            got = [s.read()[2] for _ in range(500)]
            assert got == [str(i).encode() for i in range(500)]
    finally:
        for c in subs + [pub]:
            c.close()


@pytest.mark.threads
def test_patterns_and_counts(rt, server_threads):
    s = conn(server_threads)
    try:
        assert s.call("SUBSCRIBE", "foo.bar") == [b"subscribe", b"foo.bar", 1]
        assert s.call("PSUBSCRIBE", "foo.*") == [b"psubscribe", b"foo.*", 2]
        assert rt.publish("foo.bar", "m") == 2
        assert s.read() == [b"message", b"foo.bar", b"m"]
        assert s.read() == [b"pmessage", b"foo.*", b"foo.bar", b"m"]
        assert rt.publish("foo.baz", "n") == 1
        assert s.read() == [b"pmessage", b"foo.*", b"foo.baz", b"n"]
        assert rt.execute_command("PUBSUB", "NUMPAT") == 1
        assert s.call("PUNSUBSCRIBE") == [b"punsubscribe", b"foo.*", 1]
        assert s.call("PUNSUBSCRIBE") == [b"punsubscribe", None, 1]
        assert s.call("UNSUBSCRIBE") == [b"unsubscribe", b"foo.bar", 0]
        assert s.call("UNSUBSCRIBE") == [b"unsubscribe", None, 0]
        assert s.call("UNSUBSCRIBE", "a", "b") == [b"unsubscribe", b"a", 0]
        assert s.read() == [b"unsubscribe", b"b", 0]
        assert s.call("PING") == b"PONG"  # out of subscribed mode again
    finally:
        s.close()


@pytest.mark.threads
def test_shard_channels(rt, server_threads):
    s = conn(server_threads)
    try:
        assert s.call("SSUBSCRIBE", "{t}a", "{t}b") == [b"ssubscribe", b"{t}a", 1]
        assert s.read() == [b"ssubscribe", b"{t}b", 2]
        # Shard channels count apart from channels and patterns.
        assert s.call("SUBSCRIBE", "x") == [b"subscribe", b"x", 1]
        assert rt.execute_command("SPUBLISH", "{t}a", "hi") == 1
        assert rt.publish("{t}a", "not-shard") == 0
        assert s.read() == [b"smessage", b"{t}a", b"hi"]
        assert sorted(rt.execute_command("PUBSUB", "SHARDCHANNELS")) == ["{t}a", "{t}b"]
        assert rt.execute_command("PUBSUB", "SHARDCHANNELS", "*b") == ["{t}b"]
        assert rt.execute_command("PUBSUB", "SHARDNUMSUB", "{t}a", "zz") == ["{t}a", 1, "zz", 0]
        assert s.call("SUNSUBSCRIBE") in ([b"sunsubscribe", b"{t}a", 1], [b"sunsubscribe", b"{t}b", 1])
        assert s.read()[2] == 0
        assert s.call("SUNSUBSCRIBE") == [b"sunsubscribe", None, 0]
    finally:
        s.close()


def test_pubsub_introspection(r, server):
    a, b = conn(server), conn(server)
    try:
        a.call("SUBSCRIBE", "news", "sport")
        a.read()
        b.call("SUBSCRIBE", "news")
        b.call("PSUBSCRIBE", "n*")
        assert sorted(r.execute_command("PUBSUB", "CHANNELS")) == ["news", "sport"]
        assert r.execute_command("PUBSUB", "CHANNELS", "s*") == ["sport"]
        assert r.execute_command("PUBSUB", "NUMSUB", "news", "sport", "none") == [
            "news", 2, "sport", 1, "none", 0]
        assert r.execute_command("PUBSUB", "NUMSUB") == []
        assert r.execute_command("PUBSUB", "NUMPAT") == 1
        info = r.info("stats")
        assert info["pubsub_channels"] == 2
        assert info["pubsub_patterns"] == 1
        assert info["pubsubshard_channels"] == 0
        assert r.info("clients")["pubsub_clients"] == 2
        lines = r.execute_command("CLIENT", "LIST", "TYPE", "pubsub")
        if isinstance(lines, bytes):
            lines = lines.decode()
        entries = [l for l in lines.split("\n") if l]
        assert len(entries) == 2
        byid = {e.split()[0]: e for e in entries}
        for e in byid.values():
            assert " flags=P " in e
        assert any(" sub=2 psub=0 ssub=0 " in e for e in entries)
        assert any(" sub=1 psub=1 ssub=0 " in e for e in entries)
        normal = r.execute_command("CLIENT", "LIST", "TYPE", "normal")
        assert " flags=P " not in normal
        help_lines = r.execute_command("PUBSUB", "HELP")
        assert help_lines[0].startswith("PUBSUB <subcommand>")
        with pytest.raises(Exception, match="unknown subcommand or wrong number of arguments"):
            r.execute_command("PUBSUB", "CHANNELS", "a", "b")
        with pytest.raises(Exception, match="unknown subcommand"):
            r.execute_command("PUBSUB", "NOPE")
    finally:
        a.close()
        b.close()
    # Closing a connection drops its subscriptions.
    assert wait_for(lambda: r.execute_command("PUBSUB", "NUMSUB", "news") == ["news", 0])
    assert wait_for(lambda: r.execute_command("PUBSUB", "NUMPAT") == 0)


def test_resp2_subscribed_mode(r, server):
    s = conn(server)
    try:
        s.call("SUBSCRIBE", "c")
        err = s.call("GET", "k")
        assert isinstance(err, ErrorReply)
        assert str(err) == ("ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / "
                            "PING / QUIT / RESET are allowed in this context")
        err = s.call("CLIENT", "LIST")
        assert "Can't execute 'client|list'" in str(err)
        assert s.call("PING") == [b"pong", b""]
        assert s.call("PING", "hi") == [b"pong", b"hi"]
        assert s.call("RESET") == b"RESET"
        assert s.call("GET", "k") is None
        assert r.execute_command("PUBSUB", "NUMSUB", "c") == ["c", 0]
        s.call("SUBSCRIBE", "c")
        assert s.call("QUIT") == b"OK"
    finally:
        s.close()


@pytest.mark.threads
def test_resp3_push_and_publish_to_self(rt, server_threads):
    s = conn(server_threads, resp=3)
    try:
        assert s.call("SUBSCRIBE", "me") == Push([b"subscribe", b"me", 1])
        # Any command works in RESP3; the published message to ourselves
        # comes after the PUBLISH reply (Redis 7.4).
        assert s.call("SET", "k", "v") == b"OK"
        assert s.call("PUBLISH", "me", "hello") == 1
        assert s.read() == Push([b"message", b"me", b"hello"])
        # Pipelined behind commands that run on other shards.
        s.send(encode("SET", "a", "1") + encode("SET", "b", "2") + encode("PUBLISH", "me", "x") +
               encode("GET", "a"))
        assert s.read() == b"OK"
        assert s.read() == b"OK"
        assert s.read() == 1
        replies = [s.read(), s.read()]
        assert Push([b"message", b"me", b"x"]) in replies
        assert b"1" in replies
        assert s.call("PING") == b"PONG"
    finally:
        s.close()


@pytest.mark.threads
def test_publish_to_self_from_script_and_multi_follows_the_reply(rt, server_threads):
    # The messages a script (or a transaction) publishes to its own client
    # come after the EVAL (EXEC) reply, in publish order.
    s = conn(server_threads, resp=3)
    try:
        assert s.call("SUBSCRIBE", "foo") == Push([b"subscribe", b"foo", 1])
        script = ("redis.call('ping','abc') redis.call('publish','foo','bar') "
                  "redis.call('publish','foo','vaz') return 'bla'")
        assert s.call("EVAL", script, "0") == b"bla"
        assert s.read() == Push([b"message", b"foo", b"bar"])
        assert s.read() == Push([b"message", b"foo", b"vaz"])
        assert s.call("MULTI") == b"OK"
        assert s.call("PUBLISH", "foo", "m1") == b"QUEUED"
        assert s.call("PING", "x") == b"QUEUED"
        assert s.call("EXEC") == [1, b"x"]
        assert s.read() == Push([b"message", b"foo", b"m1"])
    finally:
        s.close()


def test_reply_off_still_confirms(r, server):
    s = conn(server, resp=3)
    try:
        s.send(encode("CLIENT", "REPLY", "OFF"))
        s.send(encode("SUBSCRIBE", "q"))
        assert s.read() == Push([b"subscribe", b"q", 1])
        assert r.publish("q", "m") == 1
        assert s.read() == Push([b"message", b"q", b"m"])
    finally:
        s.close()


def test_subscribe_arity_errors(r):
    for cmd in (["SUBSCRIBE"], ["PSUBSCRIBE"], ["SSUBSCRIBE"], ["PUBLISH", "a"], ["SPUBLISH", "a"]):
        with pytest.raises(Exception, match="wrong number of arguments"):
            r.execute_command(*cmd)


def test_same_bytes_as_reference(server, reference):
    script = [
        ("SUBSCRIBE", "a", "b", "a"),
        ("PSUBSCRIBE", "x*"),
        ("PING",),
        ("PING", "m"),
        ("GET", "k"),
        ("UNSUBSCRIBE", "zz"),
        ("PUNSUBSCRIBE",),
        ("UNSUBSCRIBE",),
        ("UNSUBSCRIBE",),
        ("PUBSUB", "NUMSUB", "a", "q"),
        ("PUBSUB", "NUMPAT"),
        ("PUBSUB", "CHANNELS", "nomatch*"),
        ("PUBSUB", "FOO"),
        ("PUBLISH", "a", "b"),
    ]
    out = {}
    for name, port in (("lode", server.port), ("ref", reference.port)):
        with RawConn(port) as c:
            c.send(b"".join(encode(*cmd) for cmd in script))
            replies = []
            # SUBSCRIBE a b a: three confirmations; UNSUBSCRIBE (all): one
            # per channel (order unspecified), so count them all.
            expected = len(script) + 2 + 1
            for _ in range(expected):
                replies.append(c.read_raw())
            out[name] = replies
    # The UNSUBSCRIBE-all confirmations (replies 9 and 10) may name the
    # channels in either order; everything else must match byte for byte.
    for replies in out.values():
        for i in (9, 10):
            replies[i] = replies[i].replace(b"$1\r\na\r\n", b"?").replace(b"$1\r\nb\r\n", b"?")
    assert out["lode"] == out["ref"]


@pytest.mark.threads
def test_output_buffer_limit_disconnects_slow_subscriber():
    s = ServerProcess(threads=2)
    try:
        r = s.client()
        r.config_set("client-output-buffer-limit", "pubsub 200000 0 0")
        slow = RawConn(s.port)
        slow.call("SUBSCRIBE", "flood")
        slow.sock.setsockopt(__import__("socket").SOL_SOCKET, __import__("socket").SO_RCVBUF, 4096)
        big = "x" * 50000
        for _ in range(400):
            if r.publish("flood", big) == 0:
                break
        assert wait_for(lambda: r.execute_command("PUBSUB", "NUMSUB", "flood") == ["flood", 0])
        assert r.ping()
        slow.close()
    finally:
        assert s.stop() == 0


@pytest.mark.threads
def test_new_and_expired_notifications(rt, server_threads):
    rt.config_set("notify-keyspace-events", "Exn")
    s = conn(server_threads)
    try:
        s.call("PSUBSCRIBE", "__keyevent@*")
        rt.set("fresh", "1")
        rt.set("fresh", "2")  # not new any more
        rt.set("short", "1", px=20)
        assert s.read() == [b"pmessage", b"__keyevent@*", b"__keyevent@0__:new", b"fresh"]
        assert s.read() == [b"pmessage", b"__keyevent@*", b"__keyevent@0__:new", b"short"]
        time.sleep(0.05)
        assert rt.get("short") is None  # lazily expired
        assert s.read() == [b"pmessage", b"__keyevent@*", b"__keyevent@0__:expired", b"short"]
    finally:
        rt.config_set("notify-keyspace-events", "")
        s.close()
