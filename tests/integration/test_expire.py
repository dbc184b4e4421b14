"""Expiry: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (NX/XX/GT/LT), TTL, PTTL,
EXPIRETIME, PEXPIRETIME, PERSIST, and the lazy and active deletion of expired
keys, which must never be visible to any command.
"""
import time

import pytest
import redis

INT64_MAX = 2**63 - 1
INT64_MIN = -2**63


def err(r, *args):
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command(*args)
    return str(e.value)


def wait_until(pred, timeout=3.0, step=0.01):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


# ---- Setting and reading TTLs --------------------------------------------------

def test_expire_variants_and_ttl_reads(r):
    now_ms = int(time.time() * 1000)
    r.set("a", 1)
    assert r.expire("a", 100) is True
    assert 99 <= r.ttl("a") <= 100
    assert 99000 <= r.pttl("a") <= 100000
    assert r.pexpire("a", 200000) is True
    assert 199 <= r.ttl("a") <= 200
    at = now_ms // 1000 + 500
    assert r.expireat("a", at) is True
    assert r.expiretime("a") == at
    assert r.pexpiretime("a") == at * 1000
    assert r.pexpireat("a", at * 1000 + 123) is True
    assert r.pexpiretime("a") == at * 1000 + 123
    assert r.expiretime("a") == at
    assert r.expire("nosuch", 100) is False
    assert r.pexpire("nosuch", 100) is False
    assert r.expireat("nosuch", at) is False
    assert r.pexpireat("nosuch", at * 1000) is False


def test_ttl_rounds_to_nearest_second(r):
    r.set("a", 1)
    r.pexpire("a", 1600)
    assert r.ttl("a") == 2
    r.pexpire("a", 1400)
    assert r.ttl("a") == 1


def test_ttl_family_without_ttl_or_key(r):
    r.set("a", 1)
    for cmd in ("TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"):
        assert r.execute_command(cmd, "a") == -1
        assert r.execute_command(cmd, "nosuch") == -2
        assert err(r, cmd) == "wrong number of arguments for '%s' command" % cmd.lower()


def test_persist(r):
    r.set("a", 1, ex=100)
    assert r.persist("a") is True
    assert r.ttl("a") == -1
    assert r.persist("a") is False
    assert r.persist("nosuch") is False
    assert r.get("a") == "1"


def test_set_overwrite_removes_ttl_expire_keeps_value(r):
    r.set("a", "v", ex=100)
    r.set("a", "w")
    assert r.ttl("a") == -1
    r.expire("a", 100)
    r.append("a", "x")
    assert r.ttl("a") > 0


# ---- NX / XX / GT / LT -----------------------------------------------------

def test_expire_nx_xx_gt_lt(r):
    r.set("k", 1)
    # NX: only without a TTL.
    assert r.expire("k", 100, nx=True) is True
    assert r.expire("k", 200, nx=True) is False
    assert r.ttl("k") == 100
    # XX: only with a TTL.
    assert r.expire("k", 200, xx=True) is True
    assert r.ttl("k") == 200
    r.set("nottl", 1)
    assert r.expire("nottl", 100, xx=True) is False
    assert r.ttl("nottl") == -1
    # GT: only when greater; no TTL counts as infinite.
    assert r.expire("k", 100, gt=True) is False
    assert r.expire("k", 300, gt=True) is True
    assert r.ttl("k") == 300
    assert r.expire("nottl", 100, gt=True) is False
    # LT: only when smaller; no TTL counts as infinite, so LT sets it.
    assert r.expire("k", 400, lt=True) is False
    assert r.expire("k", 50, lt=True) is True
    assert r.ttl("k") == 50
    assert r.expire("nottl", 100, lt=True) is True
    assert r.ttl("nottl") == 100
    # LT XX together.
    r.set("n2", 1)
    assert r.execute_command("EXPIRE", "n2", 100, "LT", "XX") == 0
    assert r.execute_command("EXPIRE", "k", 10, "lt", "xx") == 1
    # Equal is neither greater nor less.
    assert r.execute_command("PEXPIREAT", "k", r.pexpiretime("k"), "GT") == 0
    assert r.execute_command("PEXPIREAT", "k", r.pexpiretime("k"), "LT") == 0


def test_expire_option_errors(r):
    r.set("k", 1)
    nx_msg = "NX and XX, GT or LT options at the same time are not compatible"
    assert err(r, "EXPIRE", "k", 100, "NX", "XX") == nx_msg
    assert err(r, "EXPIRE", "k", 100, "NX", "GT") == nx_msg
    assert err(r, "PEXPIRE", "k", 100, "LT", "NX") == nx_msg
    assert err(r, "EXPIRE", "k", 100, "GT", "LT") == \
        "GT and LT options at the same time are not compatible"
    assert err(r, "EXPIRE", "k", 100, "AB") == "Unsupported option AB"
    assert err(r, "EXPIRE", "k", 100, "XX", "AB") == "Unsupported option AB"
    # Options are checked before the number.
    assert err(r, "EXPIRE", "k", "abc", "FOO") == "Unsupported option FOO"
    assert err(r, "EXPIRE", "k", "abc") == "value is not an integer or out of range"
    assert err(r, "EXPIRE", "k", "") == "value is not an integer or out of range"
    assert err(r, "EXPIRE", "k", "1.5") == "value is not an integer or out of range"
    assert err(r, "EXPIRE", "k") == "wrong number of arguments for 'expire' command"
    assert r.ttl("k") == -1


def test_expire_overflow(r):
    r.set("k", 1)
    assert err(r, "EXPIRE", "k", INT64_MAX // 1000 + 1) == \
        "invalid expire time in 'expire' command"
    assert err(r, "EXPIRE", "k", INT64_MIN // 1000 - 1) == \
        "invalid expire time in 'expire' command"
    assert err(r, "EXPIREAT", "k", INT64_MAX) == "invalid expire time in 'expireat' command"
    assert err(r, "PEXPIRE", "k", INT64_MAX) == "invalid expire time in 'pexpire' command"
    assert err(r, "PEXPIRE", "k", INT64_MAX - 1000) == \
        "invalid expire time in 'pexpire' command"
    # Absolute ms times far away or far in the past are fine.
    assert r.pexpireat("k", INT64_MAX) is True
    assert r.pexpiretime("k") == INT64_MAX
    assert r.execute_command("EXPIRE", "k", INT64_MAX // 1000 - 10**10) == 1
    assert r.pexpireat("k", INT64_MIN) is True
    assert r.exists("k") == 0


def test_expire_in_the_past_deletes(r):
    for cmd, arg in (("EXPIRE", -1), ("PEXPIRE", 0), ("EXPIREAT", 1), ("PEXPIREAT", 100),
                     ("EXPIRE", 0)):
        r.set("k", 1)
        assert r.execute_command(cmd, "k", arg) == 1
        assert r.exists("k") == 0
    # Also when the key had no TTL, and GT on such a key refuses.
    r.set("k", 1)
    assert r.execute_command("EXPIRE", "k", -10, "GT") == 0
    assert r.exists("k") == 1
    assert r.execute_command("EXPIRE", "k", -10, "LT") == 1
    assert r.exists("k") == 0


# ---- Expired keys are gone, everywhere ------------------------------------------

def test_expired_key_invisible_to_every_command(r):
    keys = ["a", "b", "c", "d", "x1", "x2", "x3", "x4"]
    for k in keys:
        r.set(k, "v", px=50)
    r.set("live", "v")
    r.set("{t}one", "v", px=50)
    # Stop the active cycle from racing us: check right after the TTLs pass.
    time.sleep(0.12)
    for k in keys:
        assert r.exists(k) == 0
        assert r.type(k) == "none"
        assert r.ttl(k) == -2
        assert r.pttl(k) == -2
        assert r.get(k) is None
    assert r.keys("*") == ["live"]
    cursor, seen = 0, []
    while True:
        cursor, batch = r.scan(cursor)
        seen.extend(batch)
        if cursor == 0:
            break
    assert seen == ["live"]
    assert {r.randomkey() for _ in range(20)} == {"live"}
    assert r.touch("{t}one") == 0
    assert r.object("encoding", "{t}one") is None


def test_keys_does_not_show_expired_before_deletion(server):
    r = server.client()
    r.flushall()
    for i in range(200):
        r.set("e%d" % i, 1, px=30)
    r.set("keep", 1)
    time.sleep(0.06)
    assert r.keys("*") == ["keep"]
    assert r.randomkey() == "keep"
    r.close()


def test_millisecond_precision(r):
    # Timed from before the writes; the "still there" check only counts when
    # the test itself was not descheduled past the TTL (a loaded CI machine).
    start = time.monotonic()
    r.set("a", 1, px=100)
    r.set("b", 1)
    r.pexpire("b", 100)
    time.sleep(0.08)
    present = r.exists("a", "b")
    if time.monotonic() - start < 0.095:
        assert present == 2
    time.sleep(max(0.0, 0.2 - (time.monotonic() - start)))
    assert r.exists("a", "b") == 0
    assert r.pttl("a") == -2


def test_active_expiry_removes_keys_without_access(rt):
    rt.mset({"k%d" % i: i for i in range(500)})
    pipe = rt.pipeline(transaction=False)
    for i in range(500):
        pipe.pexpire("k%d" % i, 50)
    pipe.execute()
    rt.set("persistent", 1)
    assert rt.dbsize() == 501
    # Nothing reads the keys: only the cron's active cycle can remove them.
    assert wait_until(lambda: rt.dbsize() == 1, timeout=3.0, step=0.05)
    assert rt.keys("*") == ["persistent"]


def test_active_expiry_in_other_databases(r):
    r.execute_command("SELECT", 4)
    try:
        for i in range(50):
            r.set("k%d" % i, 1, px=30)
        assert r.dbsize() == 50
        assert wait_until(lambda: r.dbsize() == 0, timeout=3.0, step=0.05)
    finally:
        r.execute_command("SELECT", 0)


def test_write_after_expiry_creates_fresh_key(r):
    r.set("k", "old", px=30)
    time.sleep(0.05)
    assert r.append("k", "new") == 3
    assert r.get("k") == "new"
    assert r.ttl("k") == -1
    # EXPIRE must not resurrect an expired key.
    r.set("z", "v", px=30)
    time.sleep(0.05)
    assert r.expire("z", 100) is False
    assert r.exists("z") == 0


def test_rename_move_copy_of_expired_key(r):
    r.set("a", 1, px=30)
    r.set("c", 1, px=30)
    time.sleep(0.05)
    assert err(r, "RENAME", "a", "b") == "no such key"
    assert r.move("c", 1) is False
    assert r.copy("c", "d") is False
    assert r.persist("c") is False


def test_replies_match_redis(r, reference):
    ref = reference.client()
    ref.flushall()
    script = [
        ("SET", "a", "1"), ("EXPIRE", "a", "100"), ("TTL", "a"), ("EXPIRE", "a", "50", "GT"),
        ("EXPIRE", "a", "50", "LT"), ("TTL", "a"), ("EXPIRE", "a", "10", "NX"),
        ("PERSIST", "a"), ("PERSIST", "a"), ("TTL", "a"), ("EXPIRE", "a", "10", "XX"),
        ("PEXPIREAT", "a", str(INT64_MAX)), ("PEXPIRETIME", "a"), ("EXPIRETIME", "a"),
        ("EXPIRE", "a", "1", "NX", "XX"), ("EXPIRE", "a", "1", "GT", "LT"),
        ("EXPIRE", "a", "1", "bad"), ("EXPIRE", "a", "x"),
        ("EXPIRE", "a", str(INT64_MAX)), ("PEXPIRE", "a", str(INT64_MAX)),
        ("EXPIRE", "a", "-1"), ("EXISTS", "a"), ("TTL", "a"), ("PTTL", "nosuch"),
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
