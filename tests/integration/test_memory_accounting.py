"""used_memory as Redis reports it (live bytes, counted per allocation), and
what depends on its precision: maxmemory a few KB above the current figure,
invalidations of evicted keys before the reply, scripts under OOM."""
import redis
import pytest

from test_protocol import RawConn
from test_tracking import call_keep_pushes, invalidated


def used(c):
    return int(c.info("memory")["used_memory"])


@pytest.fixture
def mc(rt):
    yield rt
    rt.config_set("maxmemory", 0)
    rt.config_set("maxmemory-policy", "noeviction")


def test_used_memory_follows_allocations_to_the_kilobyte(rt):
    before = used(rt)
    rt.set("big", "x" * 200_000)
    grown = used(rt) - before
    # The value and the query buffer that held it; under ASan other threads'
    # small frees land in the same window.
    assert 180_000 <= grown < 450_000
    rt.delete("big")
    assert abs(used(rt) - before) < 20_000


def test_used_memory_peak_is_at_least_used(rt):
    f = rt.info("memory")
    assert int(f["used_memory_peak"]) >= int(f["used_memory"]) > 0


def test_maxmemory_100k_over_current_is_enforced(mc):
    mc.config_set("maxmemory", used(mc) + 100 * 1024)
    mc.set("small", "x" * 1000)  # fits
    mc.setrange("grow", 300_000, "x")  # goes over by ~200 KB
    with pytest.raises(redis.exceptions.ResponseError, match="OOM"):
        mc.set("more", "y")
    mc.delete("grow")
    assert mc.set("more", "y")


@pytest.mark.threads
def test_evicted_key_invalidation_comes_before_the_reply(server_threads, mc):
    with RawConn(server_threads.port) as c:
        c.call("HELLO", "3")
        c.call("CLIENT", "TRACKING", "on")
        mc.config_set("maxmemory", used(mc) + 100 * 1024)
        mc.config_set("maxmemory-policy", "volatile-random")
        c.call("SETEX", "volatile-key", "10000", "x")
        c.call("GET", "volatile-key")
        c.call("SETBIT", "big-key", "1600000", "0")  # ~200 KB: over the limit
        pushes = []
        assert call_keep_pushes(c, pushes, "GETBIT", "big-key", "0") == 0
        assert [invalidated(p) for p in pushes] == [[b"volatile-key"]]


@pytest.mark.threads
def test_lowered_tracking_limit_trims_before_a_queued_command(server_threads, rt):
    c = RawConn(server_threads.port)
    c.call("HELLO", "3")
    c.call("CLIENT", "TRACKING", "on")
    try:
        rt.config_set("tracking-table-max-keys", 2)
        c.call("MGET", "1{tag}", "2{tag}")
        c.call("MULTI")
        rt.config_set("tracking-table-max-keys", 1)
        pushes = []
        assert call_keep_pushes(c, pushes, "PING") == b"QUEUED"
        assert len(pushes) == 1 and invalidated(pushes[0])[0] in (b"1{tag}", b"2{tag}")
        assert c.call("EXEC") == [b"PONG"]
    finally:
        c.close()
        rt.config_set("tracking-table-max-keys", 1000000)


SCRIPT_OOM_CASES = [
    ("redis.call('set','x',1) return 1", 1, True),  # no shebang, deny-oom write
    ("return redis.call('get','x')", 1, False),  # no shebang, read
    ("#!lua flags=\nreturn 1", 0, True),  # shebang, may write
    ("#!lua flags=no-writes\nreturn 1", 0, False),
    ("#!lua flags=allow-oom\nredis.call('set','x',1) return 1", 1, False),
]


@pytest.mark.parametrize("script,numkeys,fails", SCRIPT_OOM_CASES)
def test_scripts_under_oom_as_redis(mc, reference, script, numkeys, fails):
    ref = reference.client()
    try:
        outcomes = []
        for c in (mc, ref):
            c.set("x", 123)
            c.config_set("maxmemory", 1)
            try:
                outcomes.append(("ok", c.eval(script, numkeys, *(["x"] * numkeys))))
            except redis.exceptions.ResponseError as e:
                outcomes.append(("err", str(e).split(" script:")[0]))
            finally:
                c.config_set("maxmemory", 0)
        assert outcomes[0] == outcomes[1]
        assert (outcomes[0][0] == "err") == fails
        if fails:
            assert "OOM command not allowed" in outcomes[0][1]
    finally:
        ref.close()


def test_empty_shebang_flags_declare_none(r, reference):
    ref = reference.client()
    try:
        for c in (r, ref):
            assert c.eval("#!lua flags=\nreturn 1", 0) == 1
            with pytest.raises(redis.exceptions.ResponseError, match="Unexpected flag"):
                c.eval("#!lua flags=no-writes,\nreturn 1", 0)
    finally:
        ref.close()


@pytest.mark.parametrize("args", [("CLUSTER", "INFO"), ("CLUSTER", "KEYSLOT", "a"),
                                  ("READONLY",), ("READWRITE",), ("ASKING",)])
def test_cluster_commands_say_cluster_is_disabled(r, reference, args):
    ref = reference.client()
    try:
        errors = []
        for c in (r, ref):
            with pytest.raises(redis.exceptions.ResponseError) as e:
                c.execute_command(*args)
            errors.append(str(e.value))
        assert errors[0] == errors[1] == "This instance has cluster support disabled"
    finally:
        ref.close()


def test_cluster_reset_is_refused_in_scripts(r):
    with pytest.raises(redis.exceptions.ResponseError, match="not allowed from script"):
        r.eval("return redis.call('cluster','reset','hard')", 0)


def test_many_function_loads(r):
    r.function_flush()
    for i in range(3000):
        r.function_load(f"#!lua name=lib{i}\nredis.register_function('f{i}', "
                        f"function() return {i} end)")
    assert r.fcall("f2999", 0) == 2999
    assert int(r.info("memory")["number_of_functions"]) == 3000
    assert int(r.info("memory")["number_of_libraries"]) == 3000
    r.function_flush()


def test_memory_stats_fields_as_redis(rt, reference):
    ref = reference.client()
    try:
        for c in (rt, ref):
            c.set("a", "b")
            c.setex("c", 100, "d")
        ours = rt.execute_command("MEMORY", "STATS")
        theirs = ref.execute_command("MEMORY", "STATS")
        ours = dict(zip(ours[::2], ours[1::2])) if isinstance(ours, list) else ours
        theirs = dict(zip(theirs[::2], theirs[1::2])) if isinstance(theirs, list) else theirs
        # Redis 7.0 lacks a few fields that 7.4 added; every field it has, we have.
        assert [k for k in theirs if k not in ours] == []
        assert ours["keys.count"] == 2
        assert ours["total.allocated"] >= ours["startup.allocated"] > 0
        assert "db.0" in ours
    finally:
        ref.close()
