"""SORT and SORT_RO: numeric and ALPHA order, ASC/DESC, LIMIT, BY and GET
patterns ('*', '->field', '#') reaching keys on other shards, STORE, the
errors, at both thread counts, and a differential run against redis-server.
Expected replies and error texts are Redis 7.4's (sort.c)."""
import random

import pytest
import redis


def err(r, *args):
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command(*args)
    return str(e.value)


def sort(r, *args):
    return r.execute_command("SORT", *args)


def test_numeric_default_and_desc(rt):
    rt.rpush("l", 3, 10, -1, "2.5", 1e3, 7)
    assert sort(rt, "l") == ["-1", "2.5", "3", "7", "10", "1000.0"]
    assert sort(rt, "l", "DESC") == ["1000.0", "10", "7", "3", "2.5", "-1"]
    assert sort(rt, "l", "desc", "asc") == sort(rt, "l")
    rt.sadd("s", 5, 1, 3)
    assert sort(rt, "s") == ["1", "3", "5"]
    rt.zadd("z", {"9": 1, "4": 2, "6": 3})
    assert sort(rt, "z") == ["4", "6", "9"]
    # Equal scores tie-break by the element's bytes.
    rt.rpush("t", "1.0", "1", "01")
    assert sort(rt, "t") == ["01", "1", "1.0"]
    assert sort(rt, "t", "DESC") == ["1.0", "1", "01"]


def test_not_numeric_error(rt):
    rt.rpush("l", 1, "abc", 2)
    assert err(rt, "SORT", "l") == "One or more scores can't be converted into double"
    assert err(rt, "SORT", "l", "STORE", "dst") == \
        "One or more scores can't be converted into double"
    assert not rt.exists("dst")
    rt.rpush("n", "nan")
    assert "converted" in err(rt, "SORT", "n")


def test_alpha(rt):
    rt.rpush("l", "banana", "Apple", "cherry", "10", "9", "apple")
    assert sort(rt, "l", "ALPHA") == ["10", "9", "Apple", "apple", "banana", "cherry"]
    assert sort(rt, "l", "ALPHA", "DESC") == ["cherry", "banana", "apple", "Apple", "9", "10"]


def test_limit(rt):
    rt.rpush("l", *range(10))
    assert sort(rt, "l", "LIMIT", 2, 3) == ["2", "3", "4"]
    assert sort(rt, "l", "LIMIT", 8, 10) == ["8", "9"]
    assert sort(rt, "l", "LIMIT", 10, 5) == []
    assert sort(rt, "l", "LIMIT", -5, 2) == ["0", "1"]
    assert sort(rt, "l", "LIMIT", 0, -1) == [str(i) for i in range(10)]
    assert sort(rt, "l", "LIMIT", 0, 0) == []
    assert sort(rt, "l", "DESC", "LIMIT", 1, 2) == ["8", "7"]
    assert err(rt, "SORT", "l", "LIMIT", "x", 1) == "value is not an integer or out of range"
    assert err(rt, "SORT", "l", "LIMIT", 1) == "syntax error"


def test_by_and_get_across_shards(rt):
    rt.rpush("l", "a", "b", "c", "d")
    rt.mset({"w_a": 30, "w_b": 10, "w_c": 20})   # w_d missing: weight 0
    rt.mset({"v_a": "A", "v_c": "C", "v_d": "D"})  # v_b missing: nil
    rt.hset("h_a", mapping={"f": "x3", "n": 3})
    rt.hset("h_b", mapping={"f": "x1", "n": 1})
    rt.hset("h_c", mapping={"f": "x2", "n": 2})
    rt.set("h_d", "not a hash")
    assert sort(rt, "l", "BY", "w_*") == ["d", "b", "c", "a"]
    assert sort(rt, "l", "BY", "w_*", "DESC") == ["a", "c", "b", "d"]
    assert sort(rt, "l", "BY", "w_*", "GET", "v_*") == ["D", None, "C", "A"]
    assert sort(rt, "l", "BY", "w_*", "GET", "#", "GET", "h_*->f") == \
        ["d", None, "b", "x1", "c", "x2", "a", "x3"]
    assert sort(rt, "l", "BY", "h_*->n", "GET", "#") == ["d", "b", "c", "a"]
    assert sort(rt, "l", "BY", "h_*->f", "ALPHA", "DESC", "LIMIT", 0, 3) == ["a", "c", "b"]
    # GET of a constant pattern is always nil; a '->' without field is a key name.
    assert sort(rt, "l", "ALPHA", "LIMIT", 0, 2, "GET", "const") == [None, None]
    rt.set("x_a->", "k")
    assert sort(rt, "l", "ALPHA", "LIMIT", 0, 1, "GET", "x_*->") == ["k"]
    # The pattern's '*' may sit anywhere.
    rt.set("pre_b_post", "bb")
    assert sort(rt, "l", "ALPHA", "GET", "pre_*_post") == [None, "bb", None, None]


def test_by_nosort(rt):
    rt.rpush("l", 3, 1, 2)
    assert sort(rt, "l", "BY", "nosort") == ["3", "1", "2"]
    assert sort(rt, "l", "BY", "nosort", "DESC") == ["2", "1", "3"]
    assert sort(rt, "l", "BY", "nosort", "LIMIT", 1, 5) == ["1", "2"]
    rt.zadd("z", {"c": 1, "a": 2, "b": 3, "d": 4})
    assert sort(rt, "z", "BY", "nosort") == ["c", "a", "b", "d"]
    assert sort(rt, "z", "BY", "nosort", "DESC") == ["d", "b", "a", "c"]
    assert sort(rt, "z", "BY", "nosort", "LIMIT", 1, 2) == ["a", "b"]
    assert sort(rt, "z", "BY", "nosort", "DESC", "LIMIT", 1, 2) == ["b", "a"]
    # Elements that are not numbers are fine when nothing is sorted.
    rt.sadd("s", "x", "y")
    assert sorted(sort(rt, "s", "BY", "nosort")) == ["x", "y"]
    # A set sorted BY a constant into STORE is sorted ALPHA for determinism.
    rt.sadd("s2", "b", "c", "a")
    assert sort(rt, "s2", "BY", "nosort", "STORE", "out") == 3
    assert rt.lrange("out", 0, -1) == ["a", "b", "c"]


def test_store(rt):
    rt.rpush("src", 3, 1, 2)
    rt.set("dst", "old")
    rt.expire("dst", 100)
    assert sort(rt, "src", "STORE", "dst") == 3
    assert rt.type("dst") == "list"
    assert rt.ttl("dst") == -1
    assert rt.lrange("dst", 0, -1) == ["1", "2", "3"]
    assert rt.object("encoding", "dst") == "listpack"
    # GET values, missing ones stored as empty strings.
    rt.mset({"g_1": "one", "g_3": "three"})
    assert sort(rt, "src", "GET", "g_*", "GET", "#", "STORE", "dst") == 6
    assert rt.lrange("dst", 0, -1) == ["one", "1", "", "2", "three", "3"]
    # An empty result deletes the destination.
    assert sort(rt, "src", "LIMIT", 5, 5, "STORE", "dst") == 0
    assert not rt.exists("dst")
    assert sort(rt, "missing", "STORE", "dst") == 0
    # Storing onto the source key itself.
    assert sort(rt, "src", "DESC", "STORE", "src") == 3
    assert rt.lrange("src", 0, -1) == ["3", "2", "1"]
    # A long result becomes a quicklist.
    rt.rpush("big", *[f"{i:04d}" + "x" * 60 for i in range(300)])
    assert sort(rt, "big", "ALPHA", "STORE", "dst2") == 300
    assert rt.object("encoding", "dst2") == "quicklist"
    assert rt.lrange("dst2", 0, 0) == ["0000" + "x" * 60]


def test_sort_ro(rt):
    rt.rpush("l", 2, 1)
    rt.set("w_1", 5)
    assert rt.execute_command("SORT_RO", "l") == ["1", "2"]
    assert rt.execute_command("SORT_RO", "l", "BY", "w_*", "GET", "#", "DESC") == ["1", "2"]
    assert err(rt, "SORT_RO", "l", "STORE", "dst") == "syntax error"
    assert not rt.exists("dst")


def test_errors_and_missing(rt):
    assert sort(rt, "nokey") == []
    assert sort(rt, "nokey", "GET", "x_*") == []
    rt.set("str", "v")
    rt.hset("hash", "f", "v")
    assert err(rt, "SORT", "str").startswith("WRONGTYPE")
    assert err(rt, "SORT", "hash").startswith("WRONGTYPE")
    assert err(rt, "SORT_RO", "str").startswith("WRONGTYPE")
    rt.rpush("l", 1)
    assert err(rt, "SORT", "l", "BOGUS") == "syntax error"
    assert err(rt, "SORT", "l", "BY") == "syntax error"
    assert err(rt, "SORT", "l", "GET") == "syntax error"
    assert err(rt, "SORT", "l", "STORE") == "syntax error"
    # Syntax errors win over WRONGTYPE.
    assert err(rt, "SORT", "str", "BOGUS") == "syntax error"
    assert "wrong number of arguments" in err(rt, "SORT")
    assert "wrong number of arguments" in err(rt, "SORT_RO")


def test_command_rows(r):
    info = r.command()
    assert info["sort"]["arity"] == -2
    assert "write" in info["sort"]["flags"] and "denyoom" in info["sort"]["flags"]
    assert info["sort_ro"]["arity"] == -2
    assert "readonly" in info["sort_ro"]["flags"]


def random_sort_args(rng, key):
    args = [key]
    alpha = rng.random() < 0.4
    if rng.random() < 0.5:
        # ALPHA with a BY pattern needs unique, present weights to be deterministic.
        args += ["BY", rng.choice(["w_*", "h_*->n", "nosort"] if not alpha else
                                  ["u_*", "h_*->u", "nosort"])]
    if rng.random() < 0.4:
        args += ["LIMIT", rng.randint(-2, 12), rng.randint(-2, 12)]
    for _ in range(rng.randint(0, 2)):
        args += ["GET", rng.choice(["#", "v_*", "h_*->f", "h_*->nofield", "none"])]
    if rng.random() < 0.5:
        args.append(rng.choice(["ASC", "DESC"]))
    if alpha:
        args.append("ALPHA")
    return args


def fill(c, rng):
    elements = [str(rng.randint(-20, 20)) for _ in range(10)] + ["1.5", "-0.25"]
    c.rpush("list", *elements)
    c.zadd("zset", {e: rng.randint(0, 5) for e in elements})
    for e in set(elements):
        if rng.random() < 0.7:
            c.set(f"w_{e}", rng.randint(-5, 5))
        c.set(f"u_{e}", f"u{rng.random()}")
        if rng.random() < 0.7:
            c.set(f"v_{e}", f"val{e}")
        c.hset(f"h_{e}", mapping={"f": f"hf{e}", "n": rng.randint(0, 3),
                                  "u": f"hu{rng.random()}"})
    c.sadd("set", *elements)


def test_differential(r, reference):
    ref = reference.client()
    ref.flushall()
    rng = random.Random(7)
    fill(r, random.Random(3))
    fill(ref, random.Random(3))
    compared = 0
    for _ in range(400):
        key = rng.choice(["list", "zset", "set", "missing"])
        args = random_sort_args(rng, key)
        if key == "set" and "nosort" in args:
            continue  # unsorted set order is the encoding's, not comparable
        store = rng.random() < 0.2
        cmd = ["SORT"] + args + (["STORE", "dst"] if store else [])
        if not store and rng.random() < 0.3:
            cmd[0] = "SORT_RO"
        results = []
        for c in (r, ref):
            try:
                results.append(("ok", c.execute_command(*cmd),
                                c.lrange("dst", 0, -1) if store else None))
            except redis.ResponseError as e:
                results.append(("err", str(e), None))
        assert results[0] == results[1], cmd
        compared += 1
    assert compared > 300
