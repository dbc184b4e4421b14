"""maxmemory eviction: which keys each policy evicts, in which order, and what
an eviction fires (the "evicted" event, WATCH, INFO counters).

Lodestone's used-memory figure is the allocator's committed bytes, which move
in coarse steps, so these tests do not aim at a limit just above the data.
They set maxmemory 1 (everything is over the limit): CONFIG SET then evicts
every candidate key at once, best candidate first, which shows both the
policy's choice of keys and its order (with maxmemory-samples 64 and a few
keys per database, every key is seen). Every test runs at --threads 1 and 4
and puts the configuration back afterwards (the server is shared).
"""
import time

import pytest
import redis

OOM = "OOM command not allowed when used memory > 'maxmemory'."


@pytest.fixture
def ev(rt):
    rt.config_set("maxmemory-samples", 64)
    yield rt
    rt.config_set("maxmemory", 0)
    rt.config_set("maxmemory-policy", "noeviction")
    rt.config_set("maxmemory-samples", 5)
    rt.config_set("notify-keyspace-events", "")


def evicted_keys(c):
    return c.info("stats")["evicted_keys"]


def listen_evicted(c):
    """A subscription to the "evicted" keyevent channel of db 0."""
    c.config_set("notify-keyspace-events", "Ee")
    ps = c.pubsub()
    ps.subscribe("__keyevent@0__:evicted")
    deadline = time.time() + 3
    while time.time() < deadline:
        m = ps.get_message(timeout=0.1)
        if m is not None and m["type"] == "subscribe":
            return ps
    raise AssertionError("no subscribe confirmation")


def take_evicted(ps, n):
    keys = []
    deadline = time.time() + 5
    while len(keys) < n and time.time() < deadline:
        m = ps.get_message(timeout=0.2)
        if m is not None and m["type"] == "message":
            keys.append(m["data"])
    return keys


def fill(c, persistent, volatile):
    for i in range(persistent):
        c.set(f"p:{i}", "v")
    for i in range(volatile):
        c.set(f"v:{i}", "v", ex=10000)


@pytest.mark.threads
@pytest.mark.parametrize("policy", ["allkeys-random", "allkeys-lru", "allkeys-lfu"])
def test_allkeys_policies_evict_any_key(ev, policy):
    fill(ev, 20, 20)
    before = evicted_keys(ev)
    ev.config_set("maxmemory-policy", policy)
    ev.config_set("maxmemory", 1)
    assert ev.dbsize() == 0
    assert evicted_keys(ev) - before == 40
    # Nothing left to evict: writes are refused, reads still served.
    with pytest.raises(redis.ResponseError, match="OOM command not allowed"):
        ev.set("x", "y")
    assert ev.get("x") is None


@pytest.mark.threads
@pytest.mark.parametrize("policy", ["volatile-random", "volatile-lru", "volatile-lfu", "volatile-ttl"])
def test_volatile_policies_evict_only_keys_with_ttl(ev, policy):
    fill(ev, 20, 20)
    ev.config_set("maxmemory-policy", policy)
    ev.config_set("maxmemory", 1)
    assert ev.dbsize() == 20
    assert all(ev.exists(f"p:{i}") for i in range(20))
    assert not any(ev.exists(f"v:{i}") for i in range(20))
    with pytest.raises(redis.ResponseError) as e:
        ev.set("x", "y")
    assert str(e.value) == OOM
    with pytest.raises(redis.ResponseError, match="OOM command not allowed"):
        ev.setex("y", 100, "z")


@pytest.mark.threads
def test_noeviction_refuses_writes_and_keeps_keys(ev):
    fill(ev, 10, 10)
    before = evicted_keys(ev)
    ev.config_set("maxmemory", 1)
    with pytest.raises(redis.ResponseError) as e:
        ev.set("x", "y")
    assert str(e.value) == OOM
    assert ev.dbsize() == 20
    assert ev.get("p:1") == "v"
    assert ev.delete("p:1") == 1  # DEL may run: it frees memory
    assert evicted_keys(ev) == before
    # EXEC with a deny-oom command queued is refused and discards the
    # transaction.
    p = ev.pipeline(transaction=True)
    p.incr("counter")
    with pytest.raises(redis.ResponseError):
        p.execute()
    ev.config_set("maxmemory", 0)
    assert ev.get("counter") is None


@pytest.mark.threads
def test_eviction_before_a_write_reaches_every_shard(ev):
    # Over the limit with noeviction, nothing goes; switching the policy
    # lets the next command evict, first from its own shard, then from the
    # others.
    fill(ev, 30, 0)
    ev.config_set("maxmemory", 1)
    assert ev.dbsize() == 30
    ev.config_set("maxmemory-policy", "allkeys-random")
    with pytest.raises(redis.ResponseError, match="OOM command not allowed"):
        ev.set("x", "y")
    assert ev.dbsize() == 0


def restore(c, key, **opts):
    c.set("__src", "value")
    payload = c.dump("__src")
    c.delete("__src")
    args = ["RESTORE", key, 0, payload]
    for name, value in opts.items():
        args += [name.upper(), value]
    c.execute_command(*args)


@pytest.mark.threads
def test_lru_evicts_the_idlest_first(ev):
    ps = listen_evicted(ev)
    for idle in (100, 5000, 10, 700, 3000):
        restore(ev, f"idle{idle}", idletime=idle)
    ev.config_set("maxmemory-policy", "allkeys-lru")
    ev.config_set("maxmemory", 1)
    assert take_evicted(ps, 5) == ["idle5000", "idle3000", "idle700", "idle100", "idle10"]
    ps.close()


@pytest.mark.threads
def test_lfu_evicts_the_least_used_first(ev):
    ev.config_set("maxmemory-policy", "allkeys-lfu")
    ps = listen_evicted(ev)
    for freq in (40, 2, 200, 9, 120):
        restore(ev, f"freq{freq}", freq=freq)
    ev.config_set("maxmemory", 1)
    assert take_evicted(ps, 5) == ["freq2", "freq9", "freq40", "freq120", "freq200"]
    ps.close()


@pytest.mark.threads
def test_volatile_ttl_evicts_the_nearest_expiry_first(ev):
    ps = listen_evicted(ev)
    ev.set("persistent", "v")
    for ttl in (500, 90, 3000, 1000):
        ev.set(f"ttl{ttl}", "v", ex=ttl)
    ev.config_set("maxmemory-policy", "volatile-ttl")
    ev.config_set("maxmemory", 1)
    assert take_evicted(ps, 4) == ["ttl90", "ttl500", "ttl1000", "ttl3000"]
    assert ev.keys() == ["persistent"]
    ps.close()


@pytest.mark.threads
def test_evicted_keyspace_notification(ev):
    # Redis's "Keyspace notifications: evicted events".
    ev.config_set("notify-keyspace-events", "Ee")
    ev.config_set("maxmemory-policy", "allkeys-lru")
    ps = ev.pubsub()
    ps.psubscribe("*")
    assert ps.get_message(timeout=2)["type"] == "psubscribe"
    ev.set("foo", "bar")
    ev.config_set("maxmemory", 1)
    m = ps.get_message(timeout=3)
    assert m["type"] == "pmessage"
    assert (m["channel"], m["data"]) == ("__keyevent@0__:evicted", "foo")
    ps.close()


@pytest.mark.threads
def test_eviction_touches_watched_keys(ev, server_threads):
    ev.set("w", "1")
    other = server_threads.client()
    p = ev.pipeline(transaction=True)
    p.watch("w")
    other.config_set("maxmemory-policy", "allkeys-random")
    other.config_set("maxmemory", 1)
    other.config_set("maxmemory", 0)
    p.multi()
    p.set("w", "2")
    with pytest.raises(redis.WatchError):
        p.execute()
    assert ev.get("w") is None
    other.close()


@pytest.mark.threads
def test_new_keys_under_lfu_start_at_five(ev):
    ev.config_set("maxmemory-policy", "allkeys-lfu")
    ev.set("foo", "a")
    assert ev.object("freq", "foo") == 5
    for _ in range(20):
        ev.get("foo")
    assert ev.object("freq", "foo") > 5
    ev.config_set("maxmemory-policy", "allkeys-lru")
    ev.set("bar", "1")
    ev.get("bar")
    assert ev.object("idletime", "bar") <= 2


@pytest.mark.threads
def test_info_fields(ev):
    ev.config_set("maxmemory-policy", "volatile-lfu")
    ev.config_set("maxmemory", 10 * 1024 * 1024 * 1024)
    mem = ev.info("memory")
    assert mem["maxmemory"] == 10 * 1024 * 1024 * 1024
    assert mem["maxmemory_human"] == "10.00G"
    assert mem["maxmemory_policy"] == "volatile-lfu"
    assert mem["mem_not_counted_for_evict"] == 0
    stats = ev.info("stats")
    for field in ("evicted_keys", "evicted_clients", "total_eviction_exceeded_time",
                  "current_eviction_exceeded_time"):
        assert field in stats
    assert stats["current_eviction_exceeded_time"] == 0
    ev.config_resetstat()
    assert evicted_keys(ev) == 0
