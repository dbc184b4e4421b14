"""Keyspace notifications (notify-keyspace-events): which event each command
publishes, with Redis's class and name, in Redis's order.

A listener pattern-subscribes to __keyspace@*__:* (and for some tests to
__keyevent@*__:*); each message becomes (db, key, event). After every
command the test takes the events that command caused: as many as expected,
then a short quiet period must bring no more. Commands whose keys may sit on
several shards are compared as a multiset only where Redis's own order is not
the point; everything else is compared in order.

The differential test replays one command sequence on Lodestone and on the
reference redis-server (7.0, whose events for these commands match 7.4's) and
compares the event streams command by command.
"""
import threading
import time

import pytest
import redis

QUIET_S = 0.05  # A command's events are all in once nothing arrives for this long.
WAIT_S = 3.0  # The longest wait for an expected event.


def parse(message):
    """(db, key, event) for a __keyspace@<db>__:<key> message, or
    (db, event, key) order-swapped for __keyevent@<db>__:<event>."""
    channel = message["channel"]
    prefix, _, rest = channel.partition("@")
    db, _, name = rest.partition("__:")
    if prefix == "__keyspace":
        return (int(db), name, message["data"])
    return (int(db), message["data"], name)


class Listener:
    """A pattern subscription to keyspace (or keyevent) channels."""

    def __init__(self, client, pattern="__keyspace@*__:*"):
        self.pubsub = client.pubsub()
        self.pubsub.psubscribe(pattern)
        deadline = time.time() + WAIT_S
        while time.time() < deadline:
            m = self.pubsub.get_message(timeout=0.1)
            if m is not None and m["type"] == "psubscribe":
                return
        raise AssertionError("no psubscribe confirmation")

    def _next(self, timeout):
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            if left <= 0:
                return None
            m = self.pubsub.get_message(timeout=left)
            if m is not None and m["type"] == "pmessage":
                return parse(m)

    def take(self, n=None):
        """The events now pending: at least `n` (waiting up to WAIT_S for
        them), then whatever else arrives before a quiet period."""
        events = []
        while n is not None and len(events) < n:
            e = self._next(WAIT_S)
            if e is None:
                break
            events.append(e)
        while True:
            e = self._next(QUIET_S)
            if e is None:
                return events
            events.append(e)

    def close(self):
        self.pubsub.close()


@pytest.fixture
def notify(rt, server_threads):
    """(client, listener) with every class of event on (KEA)."""
    rt.config_set("notify-keyspace-events", "KEA")
    listener = Listener(server_threads.client())
    yield rt, listener
    listener.close()
    rt.config_set("notify-keyspace-events", "")


def check(notify, command, expected, ordered=True):
    """Runs `command` and checks the events it publishes in db 0: `expected`
    is a list of (event, key)."""
    client, listener = notify
    try:
        client.execute_command(*command)
    except redis.ResponseError:
        pass
    got = [(event, key) for db, key, event in listener.take(len(expected)) if db == 0]
    if ordered:
        assert got == expected, command
    else:
        assert sorted(got) == sorted(expected), command


def test_string_events(notify):
    check(notify, ["SET", "s", "v"], [("set", "s")])
    check(notify, ["SET", "s", "v", "EX", "100"], [("set", "s"), ("expire", "s")])
    check(notify, ["SET", "s", "v", "NX"], [])
    check(notify, ["SET", "nope", "v", "XX"], [])
    check(notify, ["SETNX", "s", "w"], [])
    check(notify, ["SETEX", "s", "100", "v"], [("set", "s"), ("expire", "s")])
    check(notify, ["PSETEX", "s", "100000", "v"], [("set", "s"), ("expire", "s")])
    check(notify, ["GETSET", "s", "w"], [("set", "s")])
    check(notify, ["APPEND", "s", "x"], [("append", "s")])
    check(notify, ["SETRANGE", "s", "1", "yy"], [("setrange", "s")])
    check(notify, ["SETRANGE", "s", "1", ""], [])
    check(notify, ["INCR", "n"], [("incrby", "n")])
    check(notify, ["DECRBY", "n", "5"], [("incrby", "n")])
    check(notify, ["INCR", "s"], [])  # Not an integer: nothing happens.
    check(notify, ["INCRBYFLOAT", "n", "1.5"], [("incrbyfloat", "n")])
    check(notify, ["GETEX", "s", "EX", "50"], [("expire", "s")])
    check(notify, ["GETEX", "s", "PERSIST"], [("persist", "s")])
    check(notify, ["GETEX", "s", "PERSIST"], [])
    check(notify, ["GETEX", "s", "PXAT", "1"], [("del", "s")])
    check(notify, ["SET", "s", "v"], [("set", "s")])
    check(notify, ["GETDEL", "s"], [("del", "s")])
    check(notify, ["GETDEL", "s"], [])
    check(notify, ["MSET", "{m}a", "1", "{m}b", "2"], [("set", "{m}a"), ("set", "{m}b")])
    check(notify, ["MSETNX", "{m}a", "1", "{m}c", "2"], [])
    check(notify, ["MSETNX", "{m}c", "1", "{m}d", "2"], [("set", "{m}c"), ("set", "{m}d")])
    check(notify, ["MSET", "x1", "1", "x2", "2", "x3", "3"],
          [("set", "x1"), ("set", "x2"), ("set", "x3")], ordered=False)


def test_bitmap_events(notify):
    check(notify, ["SETBIT", "b", "7", "1"], [("setbit", "b")])
    check(notify, ["SETBIT", "b", "7", "1"], [])  # Unchanged.
    check(notify, ["BITFIELD", "b", "SET", "u8", "0", "255"], [("setbit", "b")])
    check(notify, ["BITFIELD", "b", "GET", "u8", "0"], [])
    check(notify, ["SET", "{b}x", "a"], [("set", "{b}x")])
    check(notify, ["BITOP", "NOT", "{b}y", "{b}x"], [("set", "{b}y")])
    check(notify, ["BITOP", "AND", "{b}y", "{b}missing"], [("del", "{b}y")])


def test_generic_events(notify):
    client, _ = notify
    check(notify, ["MSET", "{g}a", "1", "{g}b", "2"], [("set", "{g}a"), ("set", "{g}b")])
    check(notify, ["DEL", "{g}a", "{g}missing", "{g}b"], [("del", "{g}a"), ("del", "{g}b")])
    check(notify, ["SET", "k", "v"], [("set", "k")])
    check(notify, ["UNLINK", "k"], [("del", "k")])
    check(notify, ["SET", "k", "v"], [("set", "k")])
    check(notify, ["EXPIRE", "k", "100"], [("expire", "k")])
    check(notify, ["EXPIRE", "k", "100", "NX"], [])
    check(notify, ["PEXPIRE", "k", "1000", "GT"], [])
    check(notify, ["PERSIST", "k"], [("persist", "k")])
    check(notify, ["PERSIST", "k"], [])
    check(notify, ["EXPIREAT", "k", "1"], [("del", "k")])
    check(notify, ["EXPIRE", "k", "100"], [])
    check(notify, ["SET", "{r}a", "v"], [("set", "{r}a")])
    check(notify, ["RENAME", "{r}a", "{r}b"], [("rename_from", "{r}a"), ("rename_to", "{r}b")])
    check(notify, ["RENAMENX", "{r}b", "{r}b"], [])
    check(notify, ["SET", "ra", "v"], [("set", "ra")])
    check(notify, ["RENAME", "ra", "rb"], [("rename_from", "ra"), ("rename_to", "rb")])
    check(notify, ["SET", "{c}a", "v"], [("set", "{c}a")])
    check(notify, ["COPY", "{c}a", "{c}b"], [("copy_to", "{c}b")])
    check(notify, ["COPY", "{c}a", "{c}b"], [])


def test_move_and_copy_publish_in_the_target_db(notify):
    client, listener = notify
    client.set("k", "v")
    assert listener.take(1) == [(0, "k", "set")]
    assert client.move("k", 1)
    assert listener.take(2) == [(0, "k", "move_from"), (1, "k", "move_to")]
    client.execute_command("SELECT", 1)
    assert client.execute_command("COPY", "k", "k2", "DB", "2") == 1
    assert listener.take(1) == [(2, "k2", "copy_to")]
    client.execute_command("SELECT", 0)


def test_list_events(notify):
    check(notify, ["RPUSH", "l", "a", "b", "c"], [("rpush", "l")])
    check(notify, ["LPUSH", "l", "z"], [("lpush", "l")])
    check(notify, ["LPUSHX", "nolist", "z"], [])
    check(notify, ["RPUSHX", "l", "d"], [("rpush", "l")])
    check(notify, ["LINSERT", "l", "BEFORE", "a", "x"], [("linsert", "l")])
    check(notify, ["LINSERT", "l", "BEFORE", "nopivot", "x"], [])
    check(notify, ["LSET", "l", "0", "y"], [("lset", "l")])
    check(notify, ["LREM", "l", "0", "x"], [("lrem", "l")])
    check(notify, ["LREM", "l", "0", "nothing"], [])
    check(notify, ["LPOP", "l"], [("lpop", "l")])
    check(notify, ["RPOP", "l", "2"], [("rpop", "l")])
    check(notify, ["LPOP", "l", "0"], [])
    check(notify, ["LTRIM", "l", "0", "-1"], [("ltrim", "l")])
    check(notify, ["LTRIM", "l", "5", "10"], [("ltrim", "l"), ("del", "l")])
    check(notify, ["RPUSH", "{l}s", "1", "2"], [("rpush", "{l}s")])
    check(notify, ["LMOVE", "{l}s", "{l}d", "LEFT", "RIGHT"],
          [("rpush", "{l}d"), ("lpop", "{l}s")])
    check(notify, ["RPOPLPUSH", "{l}s", "{l}d"],
          [("lpush", "{l}d"), ("rpop", "{l}s"), ("del", "{l}s")])
    check(notify, ["LMPOP", "2", "{l}s", "{l}d", "RIGHT", "COUNT", "5"],
          [("rpop", "{l}d"), ("del", "{l}d")])
    check(notify, ["RPUSH", "bl", "v"], [("rpush", "bl")])
    check(notify, ["BLPOP", "bl", "0"], [("lpop", "bl"), ("del", "bl")])
    check(notify, ["RPUSH", "ls", "v"], [("rpush", "ls")])
    check(notify, ["LMOVE", "ls", "ld", "RIGHT", "LEFT"],
          [("lpush", "ld"), ("rpop", "ls"), ("del", "ls")], ordered=False)


@pytest.mark.threads
def test_blocked_pop_served_by_a_push(notify, server_threads):
    client, listener = notify
    blocker = server_threads.client()
    result = []
    t = threading.Thread(target=lambda: result.append(blocker.blpop(["q"], timeout=5)))
    t.start()
    deadline = time.time() + WAIT_S
    while time.time() < deadline:
        if client.info("clients")["blocked_clients"] >= 1:
            break
        time.sleep(0.01)
    client.rpush("q", "v")
    t.join()
    blocker.close()
    assert result == [("q", "v")]
    assert listener.take(3) == [(0, "q", "rpush"), (0, "q", "lpop"), (0, "q", "del")]


def test_hash_events(notify):
    check(notify, ["HSET", "h", "f", "1", "g", "2"], [("hset", "h")])
    check(notify, ["HMSET", "h", "f", "1"], [("hset", "h")])
    check(notify, ["HSETNX", "h", "f", "1"], [])
    check(notify, ["HSETNX", "h", "n", "1"], [("hset", "h")])
    check(notify, ["HINCRBY", "h", "f", "2"], [("hincrby", "h")])
    check(notify, ["HINCRBYFLOAT", "h", "f", "0.5"], [("hincrbyfloat", "h")])
    check(notify, ["HDEL", "h", "nothing"], [])
    check(notify, ["HDEL", "h", "f", "n"], [("hdel", "h")])
    check(notify, ["HDEL", "h", "g"], [("hdel", "h"), ("del", "h")])


def test_hash_field_expiry_events(notify):
    client, listener = notify
    check(notify, ["HSET", "h", "a", "1", "b", "2", "c", "3"], [("hset", "h")])
    check(notify, ["HEXPIRE", "h", "100", "FIELDS", "1", "a"], [("hexpire", "h")])
    check(notify, ["HEXPIRE", "h", "100", "NX", "FIELDS", "1", "a"], [])
    check(notify, ["HPERSIST", "h", "FIELDS", "2", "a", "b"], [("hpersist", "h")])
    check(notify, ["HPERSIST", "h", "FIELDS", "1", "a"], [])
    check(notify, ["HEXPIREAT", "h", "1", "FIELDS", "1", "a"], [("hdel", "h")])
    check(notify, ["HEXPIREAT", "h", "1", "FIELDS", "2", "b", "c"], [("hdel", "h"), ("del", "h")])
    check(notify, ["HSET", "h", "a", "1", "b", "2"], [("hset", "h")])
    check(notify, ["HGETDEL", "h", "FIELDS", "1", "a"], [("hdel", "h")])
    check(notify, ["HGETEX", "h", "PX", "100000", "FIELDS", "1", "b"], [("hexpire", "h")])
    check(notify, ["HGETEX", "h", "PERSIST", "FIELDS", "1", "b"], [("hpersist", "h")])
    check(notify, ["HSETEX", "h", "EX", "100", "FIELDS", "1", "c", "3"],
          [("hset", "h"), ("hexpire", "h")])
    check(notify, ["HGETDEL", "h", "FIELDS", "2", "b", "c"], [("hdel", "h"), ("del", "h")])


def test_hash_field_lazy_expiry_events(notify):
    """The read that finds a field expired removes it: one "hexpired" per
    command (HMGET of two), "del" when the hash goes. Active expiry is off,
    as it would publish the same events first."""
    client, listener = notify
    client.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    try:
        client.hset("h", mapping={"a": "1", "b": "2", "c": "3"})
        client.execute_command("HPEXPIRE", "h", "1", "FIELDS", "1", "b")
        assert [e for _, _, e in listener.take(2)] == ["hset", "hexpire"]
        time.sleep(0.01)
        assert client.hget("h", "b") is None
        assert [(e, k) for _, k, e in listener.take(1)] == [("hexpired", "h")]
        client.execute_command("HPEXPIRE", "h", "1", "FIELDS", "2", "a", "c")
        assert [e for _, _, e in listener.take(1)] == ["hexpire"]
        time.sleep(0.01)
        assert client.hmget("h", "a", "b", "c") == [None, None, None]
        assert [(e, k) for _, k, e in listener.take(2)] == [("hexpired", "h"), ("del", "h")]
    finally:
        client.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")


def test_hash_field_active_expiry_events(notify):
    client, listener = notify
    client.hset("h", mapping={"a": "1", "b": "2"})
    client.execute_command("HPEXPIRE", "h", "300", "FIELDS", "1", "b")
    assert [e for _, _, e in listener.take(2)] == ["hset", "hexpire"]
    assert [(e, k) for _, k, e in listener.take(1)] == [("hexpired", "h")]
    assert client.hgetall("h") == {"a": "1"}
    client.execute_command("HPEXPIRE", "h", "300", "FIELDS", "1", "a")
    assert [(e, k) for _, k, e in listener.take(1)] == [("hexpire", "h")]
    assert [(e, k) for _, k, e in listener.take(2)] == [("hexpired", "h"), ("del", "h")]
    assert client.exists("h") == 0


def test_set_events(notify):
    check(notify, ["SADD", "s", "a", "b", "c"], [("sadd", "s")])
    check(notify, ["SADD", "s", "a"], [])
    check(notify, ["SREM", "s", "a"], [("srem", "s")])
    check(notify, ["SREM", "s", "zz"], [])
    check(notify, ["SPOP", "s"], [("spop", "s")])
    check(notify, ["SPOP", "s", "0"], [])
    check(notify, ["SPOP", "s", "5"], [("spop", "s"), ("del", "s")])
    check(notify, ["SADD", "{s}a", "1", "2"], [("sadd", "{s}a")])
    check(notify, ["SMOVE", "{s}a", "{s}b", "1"], [("srem", "{s}a"), ("sadd", "{s}b")])
    check(notify, ["SMOVE", "{s}a", "{s}b", "1"], [])
    check(notify, ["SADD", "{s}b", "2"], [("sadd", "{s}b")])
    check(notify, ["SMOVE", "{s}a", "{s}b", "2"], [("srem", "{s}a"), ("del", "{s}a")])
    check(notify, ["SINTERSTORE", "{s}i", "{s}b", "{s}b"], [("sinterstore", "{s}i")])
    check(notify, ["SUNIONSTORE", "{s}u", "{s}b", "{s}i"], [("sunionstore", "{s}u")])
    check(notify, ["SDIFFSTORE", "{s}d", "{s}b", "{s}missing"], [("sdiffstore", "{s}d")])
    check(notify, ["SDIFFSTORE", "{s}d", "{s}b", "{s}b"], [("del", "{s}d")])
    check(notify, ["SINTERSTORE", "{s}i", "{s}b", "{s}missing"], [("del", "{s}i")])
    check(notify, ["SINTERSTORE", "{s}i", "{s}b", "{s}missing"], [])


def test_zset_events(notify):
    check(notify, ["ZADD", "z", "1", "a", "2", "b", "3", "c"], [("zadd", "z")])
    check(notify, ["ZADD", "z", "1", "a"], [])
    check(notify, ["ZADD", "z", "CH", "5", "a"], [("zadd", "z")])
    check(notify, ["ZADD", "z", "INCR", "1", "a"], [("zincr", "z")])
    check(notify, ["ZINCRBY", "z", "1", "b"], [("zincr", "z")])
    check(notify, ["ZREM", "z", "nothing"], [])
    check(notify, ["ZREM", "z", "a"], [("zrem", "z")])
    check(notify, ["ZADD", "z", "10", "d", "11", "e", "12", "f"], [("zadd", "z")])
    check(notify, ["ZREMRANGEBYSCORE", "z", "100", "200"], [])
    check(notify, ["ZREMRANGEBYSCORE", "z", "10", "10"], [("zremrangebyscore", "z")])
    check(notify, ["ZREMRANGEBYRANK", "z", "0", "0"], [("zremrangebyrank", "z")])
    check(notify, ["ZREMRANGEBYLEX", "z", "[e", "[e"], [("zremrangebylex", "z")])
    check(notify, ["ZPOPMIN", "z"], [("zpopmin", "z")])
    check(notify, ["ZPOPMAX", "z", "0"], [])
    check(notify, ["ZPOPMAX", "z", "10"], [("zpopmax", "z"), ("del", "z")])
    check(notify, ["ZADD", "{z}a", "1", "x", "2", "y"], [("zadd", "{z}a")])
    check(notify, ["ZUNIONSTORE", "{z}u", "1", "{z}a"], [("zunionstore", "{z}u")])
    check(notify, ["ZINTERSTORE", "{z}i", "2", "{z}a", "{z}u"], [("zinterstore", "{z}i")])
    check(notify, ["ZDIFFSTORE", "{z}d", "1", "{z}a"], [("zdiffstore", "{z}d")])
    check(notify, ["ZDIFFSTORE", "{z}d", "2", "{z}a", "{z}u"], [("del", "{z}d")])
    check(notify, ["ZRANGESTORE", "{z}r", "{z}a", "0", "0"], [("zrangestore", "{z}r")])
    check(notify, ["ZRANGESTORE", "{z}r", "{z}a", "5", "6"], [("del", "{z}r")])
    check(notify, ["ZMPOP", "1", "{z}a", "MIN"], [("zpopmin", "{z}a")])
    check(notify, ["BZPOPMAX", "{z}a", "0"], [("zpopmax", "{z}a"), ("del", "{z}a")])


def test_stream_events(notify):
    check(notify, ["XADD", "x", "1-1", "f", "v"], [("xadd", "x")])
    check(notify, ["XADD", "x", "1-2", "f", "v"], [("xadd", "x")])
    check(notify, ["XADD", "x", "MAXLEN", "1", "1-3", "f", "v"], [("xadd", "x"), ("xtrim", "x")])
    check(notify, ["XADD", "x", "MAXLEN", "5", "1-4", "f", "v"], [("xadd", "x")])
    check(notify, ["XDEL", "x", "9-9"], [])
    check(notify, ["XDEL", "x", "1-3"], [("xdel", "x")])
    check(notify, ["XTRIM", "x", "MAXLEN", "5"], [])
    check(notify, ["XADD", "x", "1-5", "f", "v"], [("xadd", "x")])
    check(notify, ["XTRIM", "x", "MAXLEN", "1"], [("xtrim", "x")])
    check(notify, ["XSETID", "x", "5-0"], [("xsetid", "x")])
    check(notify, ["XGROUP", "CREATE", "x", "g", "0"], [("xgroup-create", "x")])
    check(notify, ["XGROUP", "CREATE", "x", "g", "0"], [])
    check(notify, ["XGROUP", "CREATE", "nx", "g", "$", "MKSTREAM"], [("xgroup-create", "nx")])
    check(notify, ["XGROUP", "CREATECONSUMER", "x", "g", "alice"],
          [("xgroup-createconsumer", "x")])
    check(notify, ["XGROUP", "CREATECONSUMER", "x", "g", "alice"], [])
    check(notify, ["XREADGROUP", "GROUP", "g", "bob", "STREAMS", "x", ">"],
          [("xgroup-createconsumer", "x")])
    check(notify, ["XREADGROUP", "GROUP", "g", "bob", "STREAMS", "x", "0"], [])
    check(notify, ["XCLAIM", "x", "g", "carol", "0", "1-5"], [("xgroup-createconsumer", "x")])
    check(notify, ["XAUTOCLAIM", "x", "g", "dave", "0", "0"], [("xgroup-createconsumer", "x")])
    check(notify, ["XGROUP", "DELCONSUMER", "x", "g", "alice"], [("xgroup-delconsumer", "x")])
    check(notify, ["XGROUP", "DELCONSUMER", "x", "g", "alice"], [])
    check(notify, ["XGROUP", "SETID", "x", "g", "$"], [("xgroup-setid", "x")])
    check(notify, ["XGROUP", "DESTROY", "x", "g"], [("xgroup-destroy", "x")])
    check(notify, ["XGROUP", "DESTROY", "x", "g"], [])


def test_sort_store_events(notify):
    check(notify, ["RPUSH", "{o}l", "3", "1", "2"], [("rpush", "{o}l")])
    check(notify, ["SORT", "{o}l", "STORE", "{o}d"], [("sortstore", "{o}d")])
    check(notify, ["SORT", "{o}missing", "STORE", "{o}d"], [("del", "{o}d")])
    check(notify, ["SORT", "{o}missing", "STORE", "{o}d"], [])


def test_keyevent_channels_and_class_filter(rt, server_threads):
    """Only the classes asked for, on the channel kinds asked for."""
    listener = Listener(server_threads.client(), "__key*@*__:*")
    try:
        rt.config_set("notify-keyspace-events", "E$")
        rt.set("k", "v")
        rt.lpush("l", "x")  # The list class is off.
        rt.delete("k")  # So is the generic class.
        assert listener.take(1) == [(0, "k", "set")]
        rt.config_set("notify-keyspace-events", "Kl")
        rt.set("k", "v")
        rt.lpush("l", "x")
        assert listener.take(1) == [(0, "l", "lpush")]
    finally:
        listener.close()
        rt.config_set("notify-keyspace-events", "")


def test_keymiss_events(rt, server_threads):
    """m is not part of A: misses on reads only."""
    listener = Listener(server_threads.client())
    try:
        rt.config_set("notify-keyspace-events", "KA")
        rt.get("missing")
        assert listener.take() == []
        rt.config_set("notify-keyspace-events", "Km")
        rt.get("missing")
        rt.exists("missing2")
        rt.lpop("missing3")  # A write lookup is no miss event.
        rt.set("present", "v")
        rt.get("present")
        rt.object("encoding", "missing4")  # OBJECT never notifies.
        assert [(k, e) for _, k, e in listener.take(2)] == [("missing", "keymiss"),
                                                            ("missing2", "keymiss")]
    finally:
        listener.close()
        rt.config_set("notify-keyspace-events", "")


# ---- Differential -----------------------------------------------------------

SEQUENCE = [
    ["SET", "a", "1"], ["SET", "a", "2", "EX", "100"], ["SET", "a", "3", "KEEPTTL"],
    ["SET", "a", "3", "NX"], ["SETNX", "b", "5"], ["INCRBY", "b", "1"], ["INCR", "n"],
    ["DECR", "n"], ["INCRBYFLOAT", "n", "2.5"], ["APPEND", "b", "yz"],
    ["SETRANGE", "b", "0", "Q"], ["GETSET", "b", "v"], ["GETEX", "b", "PX", "100000"],
    ["GETEX", "b", "PERSIST"], ["GETDEL", "b"], ["GETDEL", "b"], ["MSET", "m1", "1", "m2", "2"],
    ["SETBIT", "bits", "3", "1"], ["SETBIT", "bits", "3", "1"],
    ["BITFIELD", "bits", "INCRBY", "u4", "0", "1"], ["BITOP", "OR", "{t}bo", "{t}x"],
    ["EXPIRE", "a", "1000"], ["PEXPIRE", "a", "2000000", "LT"], ["PERSIST", "a"],
    ["EXPIRE", "m1", "-1"], ["DEL", "m1", "m2", "zz"], ["RENAME", "a", "a2"],
    ["RENAMENX", "a2", "n"], ["COPY", "a2", "a3"], ["MOVE", "a3", "1"],
    ["RPUSH", "L", "a", "b", "c", "d"], ["LPUSH", "L", "z"], ["LINSERT", "L", "AFTER", "a", "q"],
    ["LSET", "L", "1", "r"], ["LREM", "L", "1", "q"], ["LTRIM", "L", "0", "2"], ["LPOP", "L"],
    ["RPOP", "L", "1"], ["LMOVE", "L", "L2", "LEFT", "LEFT"], ["RPOPLPUSH", "L2", "L2"],
    ["LMPOP", "1", "L2", "LEFT", "COUNT", "9"], ["LPOP", "L"],
    ["HSET", "H", "a", "1", "b", "2"], ["HSETNX", "H", "a", "9"], ["HSETNX", "H", "c", "9"],
    ["HINCRBY", "H", "a", "5"], ["HINCRBYFLOAT", "H", "b", "0.25"], ["HDEL", "H", "a", "zz"],
    ["HDEL", "H", "b", "c"],
    ["SADD", "S", "1", "2", "3", "x"], ["SREM", "S", "x", "y"],
    ["SMOVE", "S", "S2", "1"], ["SMOVE", "S", "S2", "2"], ["SMOVE", "S", "S2", "3"],
    ["SADD", "S3", "1", "5"], ["SINTERSTORE", "SI", "S2", "S3"], ["SUNIONSTORE", "SU", "S2", "S3"],
    ["SDIFFSTORE", "SD", "S3", "S3"], ["SPOP", "SU", "10"],
    ["ZADD", "Z", "1", "a", "2", "b", "3", "c", "4", "d"], ["ZADD", "Z", "XX", "CH", "9", "a"],
    ["ZINCRBY", "Z", "1", "b"], ["ZADD", "Z", "NX", "INCR", "1", "b"], ["ZREM", "Z", "c", "q"],
    ["ZREMRANGEBYRANK", "Z", "0", "0"], ["ZPOPMIN", "Z"], ["ZADD", "Z2", "1", "x"],
    ["ZUNIONSTORE", "ZU", "2", "Z", "Z2"], ["ZINTERSTORE", "ZI", "2", "Z", "Z2"],
    ["ZRANGESTORE", "ZR", "ZU", "0", "0"], ["ZPOPMAX", "ZU", "5"], ["ZMPOP", "1", "Z", "MAX"],
    ["XADD", "X", "1-1", "a", "1"], ["XADD", "X", "MAXLEN", "1", "2-1", "a", "1"],
    ["XGROUP", "CREATE", "X", "g", "0"], ["XGROUP", "CREATECONSUMER", "X", "g", "c1"],
    ["XREADGROUP", "GROUP", "g", "c2", "COUNT", "1", "STREAMS", "X", ">"],
    ["XCLAIM", "X", "g", "c3", "0", "2-1"], ["XGROUP", "DELCONSUMER", "X", "g", "c1"],
    ["XGROUP", "SETID", "X", "g", "0"], ["XDEL", "X", "2-1"], ["XSETID", "X", "3-0"],
    ["XTRIM", "X", "MAXLEN", "0"], ["XGROUP", "DESTROY", "X", "g"],
    ["RPUSH", "SL", "3", "2", "1"], ["SORT", "SL", "STORE", "SL2"], ["SORT", "zz", "STORE", "SL2"],
    ["FLUSHDB"], ["SET", "last", "1"],
]


def run_sequence(client, listener, expected_counts=None):
    """The events of each command of SEQUENCE, as (db, key, event) lists."""
    out = []
    for i, command in enumerate(SEQUENCE):
        try:
            client.execute_command(*command)
        except redis.ResponseError as e:
            raise AssertionError("%r failed: %s" % (command, e))
        out.append(listener.take(expected_counts[i] if expected_counts else 0))
    return out


_reference_events = {}  # flags -> the reference's events, shared by both thread counts


def reference_events(reference, flags):
    if flags not in _reference_events:
        ref = reference.client()
        ref.flushall()
        ref.config_set("notify-keyspace-events", flags)
        ref_listener = Listener(reference.client(), "__key*@*__:*")
        _reference_events[flags] = run_sequence(ref, ref_listener)
        ref_listener.close()
        ref.config_set("notify-keyspace-events", "")
        ref.flushall()
    return _reference_events[flags]


@pytest.mark.parametrize("flags", ["KEA", "Elgz"])
def test_same_events_as_redis(rt, server_threads, reference, flags):
    expected = reference_events(reference, flags)

    rt.config_set("notify-keyspace-events", flags)
    listener = Listener(server_threads.client(), "__key*@*__:*")
    try:
        got = run_sequence(rt, listener, [len(e) for e in expected])
    finally:
        listener.close()
        rt.config_set("notify-keyspace-events", "")
        rt.flushall()
    # With both K and E each event comes twice (keyspace, then keyevent);
    # compare as delivered.
    for command, want, have in zip(SEQUENCE, expected, got):
        assert have == want, command
