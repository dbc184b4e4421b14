"""Long pipelines, differentially against the reference redis-server.

The server looks ahead through the commands of a pipelined batch to prefetch
their keys (and, in large sets and hashes, the member or field after the key)
before running them. These tests send batches where that look-ahead sees
state the earlier commands of the same batch are about to change: keys
created, deleted, retyped and converted to large encodings mid-batch, SELECT
switching databases, expired keys, and commands whose second argument is no
key at all. Every reply must match Redis's, at 1 and 4 threads.
"""
import random

import pytest


def _commands(rng):
    keys = [f"k{i}" for i in range(12)] + ["{t}a", "{t}b"]
    members = [f"member:{i:06d}" for i in range(300)] + ["m", "1", "2", ""]
    cmds = []
    for _ in range(800):
        key = rng.choice(keys)
        member = rng.choice(members)
        roll = rng.random()
        if roll < 0.15:
            cmds.append(("SET", key, member))
        elif roll < 0.25:
            cmds.append(("GET", key))
        elif roll < 0.32:
            cmds.append(("INCR", key))
        elif roll < 0.50:
            cmds.append(("SADD", key, member))
        elif roll < 0.56:
            cmds.append(("SISMEMBER", key, member))
        elif roll < 0.60:
            cmds.append(("SREM", key, member))
        elif roll < 0.74:
            cmds.append(("HSET", key, member, str(rng.randint(0, 9))))
        elif roll < 0.80:
            cmds.append(("HGET", key, member))
        elif roll < 0.83:
            cmds.append(("HDEL", key, member))
        elif roll < 0.86:
            cmds.append(("DEL", key))
        elif roll < 0.88:
            cmds.append(("SELECT", str(rng.choice([0, 0, 1]))))
        elif roll < 0.90:
            cmds.append(("PEXPIRE", key, str(rng.choice([1, 100000]))))
        elif roll < 0.92:
            cmds.append(("ECHO", key))
        elif roll < 0.94:
            cmds.append(("SCARD", key))
        elif roll < 0.96:
            cmds.append(("HLEN", key))
        elif roll < 0.98:
            cmds.append(("TYPE", key))
        else:
            cmds.append(("EXISTS", key, rng.choice(keys)))
    # PEXPIRE 1 may or may not have passed by the next command on either
    # server: keep only the long expiry, and end on database 0.
    cmds = [c for c in cmds if not (c[0] == "PEXPIRE" and c[2] == "1")]
    cmds.append(("SELECT", "0"))
    return cmds


def _run(client, cmds):
    pipe = client.pipeline(transaction=False)
    for c in cmds:
        pipe.execute_command(*c)
    out = []
    for reply in pipe.execute(raise_on_error=False):
        out.append(("error", str(reply)) if isinstance(reply, Exception) else reply)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_long_pipelines_match_redis(rt, reference, seed):
    ref = reference.client()
    ref.flushall()
    rt.flushall()
    rng = random.Random(seed)
    # Large encodings from the start for some keys (SADD/HSET of 300 members).
    for key in ("k0", "k1"):
        batch = [("SADD", key, f"member:{i:06d}") for i in range(300)]
        assert _run(rt, batch) == _run(ref, batch)
    for key in ("k2", "{t}a"):
        batch = [("HSET", key, f"member:{i:06d}", "x") for i in range(300)]
        assert _run(rt, batch) == _run(ref, batch)
    for round_ in range(3):
        cmds = _commands(rng)
        got, want = _run(rt, cmds), _run(ref, cmds)
        for i, (g, w) in enumerate(zip(got, want)):
            assert g == w, f"round {round_}, command {i}: {cmds[i]}"
        assert len(got) == len(want)
    ref.close()


def test_time_moves_on_across_a_long_command_in_a_pipeline(rt):
    """Commands run back to back share clock readings (one command's end is
    the next one's start). A long command in the middle of a pipeline must
    still move time on for the commands after it: the key below expires
    while the script runs, so the GET after it misses, and only the script
    is slow enough for the slow log."""
    rt.config_set("slowlog-log-slower-than", 40000)
    rt.slowlog_reset()
    busy = "local n = 0 for i = 1, 20000000 do n = n + i end return 1"
    pipe = rt.pipeline(transaction=False)
    pipe.psetex("{p}k", 40, "v")
    pipe.get("{p}k")
    # Keys on two shards at --threads 4: a cross-shard execution.
    pipe.eval(busy, 2, "{p}other", "{q}other")
    pipe.get("{p}k")
    pipe.pttl("{p}k")
    replies = pipe.execute()
    try:
        assert replies[0] is True
        assert replies[1] == "v"
        assert replies[3] is None, "the key outlived its TTL across the script"
        assert replies[4] == -2
        logged = [e["command"] for e in rt.slowlog_get(10)]
        logged = [c.decode() if isinstance(c, bytes) else c for c in logged]
        logged = [c.lower() for c in logged]
        assert any(c.startswith("eval") for c in logged), logged
        assert not any(c.startswith(("get", "pttl")) for c in logged), logged
    finally:
        rt.config_set("slowlog-log-slower-than", 10000)
        rt.slowlog_reset()


# ---- The look-ahead's parse and AUTH ----------------------------------------
# Short complete commands in a pipelined batch are parsed once, by the
# look-ahead, but only while the connection is authenticated (the parser's
# unauthenticated limits are its own to apply). A batch that authenticates
# half-way, sent in one write so that the look-ahead sees all of it.

from conftest import RedisProcess, ServerProcess  # noqa: E402
from test_protocol import RawConn, encode  # noqa: E402


@pytest.mark.parametrize("impl", ["lodestone", "redis"])
def test_auth_half_way_through_a_batch(impl):
    s = (ServerProcess(threads=2, args=["--requirepass", "pw"]) if impl == "lodestone"
         else RedisProcess(args=["--requirepass", "pw"]))
    try:
        value = "v" * 10000
        batch = (encode("GET", "k") + encode("SET", "k", "x") + encode("AUTH", "pw") +
                 encode("SET", "k", value) + encode("GET", "k") + encode("STRLEN", "k") +
                 encode("HSET", "h", "f", "1") + encode("HGET", "h", "f"))
        with RawConn(s.port) as c:
            c.send(batch)
            replies = [c.read_raw() for _ in range(8)]
        assert replies[0].startswith(b"-NOAUTH") and replies[1].startswith(b"-NOAUTH")
        assert replies[2:4] == [b"+OK\r\n", b"+OK\r\n"]
        assert replies[4] == b"$10000\r\n" + value.encode() + b"\r\n"
        assert replies[5:] == [b":10000\r\n", b":1\r\n", b"$1\r\n1\r\n"]
    finally:
        s.stop()


def test_command_names_in_any_case_and_subcommands(rt, reference):
    """Dispatch remembers the last command name it looked up; a batch that
    changes name, case, and subcommand from one command to the next must
    resolve each one as Redis does (unknown names and subcommands included)."""
    ref = reference.client()
    ref.flushall()
    cmds = [("SET", "k", "1"), ("set", "k", "2"), ("Get", "k"), ("GET", "k"), ("GETX", "k"),
            ("get", "k"), ("CONFIG", "GET", "maxmemory"), ("config", "get", "hz"),
            ("CONFIG", "NOSUCH"), ("ACL", "WHOAMI"), ("acl", "whoami"), ("acl", "nosuch"),
            ("INCR", "k"), ("incr", "k"), ("GET", "k")]
    assert _run(rt, cmds) == _run(ref, cmds)
    ref.close()
