"""MEMORY USAGE / DOCTOR / PURGE / MALLOC-STATS / HELP."""
import pytest
import redis


def test_memory_usage_grows_with_value(r):
    r.set("small", "x")
    r.set("big", "x" * 10000)
    small = r.execute_command("MEMORY", "USAGE", "small")
    big = r.execute_command("MEMORY", "USAGE", "big")
    assert 0 < small < 200
    assert big >= 10000 > small


def test_memory_usage_missing_key_is_null(r):
    assert r.execute_command("MEMORY", "USAGE", "nokey") is None


def test_memory_usage_samples_option(r):
    r.rpush("l", *range(100))
    assert r.execute_command("MEMORY", "USAGE", "l", "SAMPLES", "0") > 100
    with pytest.raises(redis.ResponseError, match="syntax error"):
        r.execute_command("MEMORY", "USAGE", "l", "SAMPLES", "-1")
    with pytest.raises(redis.ResponseError, match="syntax error"):
        r.execute_command("MEMORY", "USAGE", "l", "FOO")
    with pytest.raises(redis.ResponseError, match="not an integer"):
        r.execute_command("MEMORY", "USAGE", "l", "SAMPLES", "x")


def test_memory_usage_of_collections(r):
    r.hset("h", mapping={"f%d" % i: "v%d" % i for i in range(10)})
    r.sadd("s", *range(10))
    assert r.execute_command("MEMORY", "USAGE", "h") > 40
    assert r.execute_command("MEMORY", "USAGE", "s") > 20


def test_memory_other_subcommands(r):
    assert "Hi Sam" in r.execute_command("MEMORY", "DOCTOR")
    assert r.execute_command("MEMORY", "PURGE") in (True, "OK")
    assert r.execute_command("MEMORY", "MALLOC-STATS")
    help_lines = r.execute_command("MEMORY", "HELP")
    assert help_lines[0].startswith("MEMORY <subcommand>")
    assert "USAGE <key> [SAMPLES <count>]" in help_lines
    with pytest.raises(redis.ResponseError, match="unknown subcommand 'NOPE'. Try MEMORY HELP."):
        r.execute_command("MEMORY", "NOPE")
