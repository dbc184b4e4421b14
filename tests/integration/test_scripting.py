"""Lua scripting: EVAL family, SCRIPT, type conversions, sandbox, errors,
routing of undeclared keys across shards (abort, undo, retry over every
shard), busy scripts and SCRIPT KILL, and a job-queue workload."""
import threading
import time

import pytest
import redis

from conftest import ServerProcess
from test_protocol import RawConn


def err(client, *args):
    with pytest.raises(redis.ResponseError) as e:
        client.execute_command(*args)
    return str(e.value)


# --- conversions -------------------------------------------------------------

def test_lua_to_resp2(rt):
    assert rt.eval("return 1", 0) == 1
    assert rt.eval("return 3.99", 0) == 3
    assert rt.eval("return 'x'", 0) == "x"
    assert rt.eval("return true", 0) == 1
    assert rt.eval("return false", 0) is None
    assert rt.eval("return nil", 0) is None
    assert rt.eval("return {1,2,{3,'x'},false,5}", 0) == [1, 2, [3, "x"], None, 5]
    assert rt.eval("return {1,nil,3}", 0) == [1]
    assert rt.eval("return {ok='FINE'}", 0) == "FINE"
    assert rt.eval("return redis.status_reply('FINE')", 0) == "FINE"
    assert rt.eval("return {double=3.5}", 0) == "3.5"
    assert "My Error" in err(rt, "EVAL", "return {err='My Error'}", 0)
    assert err(rt, "EVAL", "return redis.error_reply('MY oops')", 0) == "MY oops"


def test_resp_to_lua(rt):
    rt.set("s", "v")
    rt.rpush("l", "a", "")
    assert rt.eval("return redis.call('get', KEYS[1])", 1, "s") == "v"
    assert rt.eval("return redis.call('get', 'nosuch') == false", 0) == 1
    assert rt.eval("return redis.call('lrange', KEYS[1], 0, -1)", 1, "l") == ["a", ""]
    assert rt.eval("return redis.call('set', KEYS[1], 'x').ok", 1, "s") == "OK"
    assert rt.eval("return type(redis.call('incr', 'n'))", 0) == "number"
    assert rt.eval("return redis.pcall('incr', KEYS[1]).err", 1, "s") == \
        "ERR value is not an integer or out of range"


def test_resp3_conversions(rt):
    rt.hset("h", mapping={"f": "v"})
    # RESP3 replies inside the script become tables with type fields.
    assert rt.eval("redis.setresp(3); return redis.call('hgetall', KEYS[1]).map.f", 1, "h") == "v"
    assert rt.eval("redis.setresp(3); return redis.call('get', 'nosuch') == nil", 0) == 1
    assert rt.eval("redis.setresp(3); return redis.call('exists', 'nosuch')", 0) == 0
    assert err(rt, "EVAL", "redis.setresp(4)", 0).startswith("RESP version must be 2 or 3.")
    with RawConn(rt.connection_pool.connection_kwargs["port"]) as c:
        c.call("HELLO", "3")
        assert c.call("EVAL", "redis.setresp(3); return {double=1.5}", 0) == ("double", b"1.5")
        assert c.call("EVAL", "redis.setresp(3); return true", 0) is True
        assert c.call("EVAL", "return {map={a=1}}", 0) == {"map": [(b"a", 1)]}
        assert c.call("EVAL", "return {set={a=true}}", 0) == ("set", [b"a"])
        assert c.call("EVAL", "return {big_number='123'}", 0) == ("bignum", b"123")
        # RESP2 scripts return booleans as 1 / null whatever the client speaks.
        assert c.call("EVAL", "return true", 0) == 1


def test_number_arguments(rt):
    assert rt.eval("redis.call('set', KEYS[1], 100000000); return redis.call('get', KEYS[1])",
                   1, "n") == "100000000"
    assert rt.eval("redis.call('set', KEYS[1], 1.5); return redis.call('get', KEYS[1])",
                   1, "n") == "1.5"
    assert "must be strings or integers" in err(rt, "EVAL", "redis.call('set', 'a', {})", 0)


# --- sandbox -----------------------------------------------------------------

@pytest.mark.parametrize("script,text", [
    ("return a", "Script attempted to access nonexistent global variable 'a'"),
    ("a = 1", "Attempt to modify a readonly table"),
    ("redis = 1", "Attempt to modify a readonly table"),
    ("redis.call = function() return 1 end", "Attempt to modify a readonly table"),
    ("cjson.encode = 1", "Attempt to modify a readonly table"),
    ("setmetatable(_G, {})", "Attempt to modify a readonly table"),
    ("local g = getmetatable(_G); g.__index = {}", "Attempt to modify a readonly table"),
    ("_G = {}", "Attempt to modify a readonly table"),
    ("print('x')", "nonexistent global variable 'print'"),
    ("loadfile('/etc/passwd')", "nonexistent global variable 'loadfile'"),
    ("dofile('/etc/passwd')", "nonexistent global variable 'dofile'"),
    ("os.exit()", "attempt to call field 'exit'"),
    ("io.open('/tmp/x')", "nonexistent global variable 'io'"),
])
def test_sandbox(r, script, text):
    assert text in err(r, "EVAL", script, 0)


def test_libraries(r):
    assert r.eval("return cjson.encode({1,2})", 0) == "[1,2]"
    assert r.eval("return cjson.decode('[1,2,3]')[3]", 0) == 3
    assert r.eval("return bit.band(7, 3)", 0) == 3
    assert r.eval("return string.format('%d', 5)", 0) == "5"
    assert r.eval("return table.concat({'a','b'}, '-')", 0) == "a-b"
    assert r.eval("return redis.sha1hex('')", 0) == "da39a3ee5e6b4b0d3255bfef95601890afd80709"
    assert r.eval("return redis.REDIS_VERSION_NUM > 0", 0) == 1
    assert r.eval("redis.log(redis.LOG_WARNING, 'hello from lua'); return 1", 0) == 1
    assert r.eval("return redis.replicate_commands()", 0) == 1
    assert r.eval("redis.set_repl(redis.REPL_ALL); return 1", 0) == 1
    assert r.eval("return redis.acl_check_cmd('get', 'x')", 0) == 1
    n = r.eval("return math.random(1, 10)", 0)
    assert 1 <= n <= 10


# --- commands and errors -----------------------------------------------------

def test_evalsha_and_script_commands(r):
    sha = r.script_load("return 'loaded'")
    assert sha == "b534286061d4b9e4026607613b95c06c06015ae8"
    assert r.evalsha(sha, 0) == "loaded"
    assert r.evalsha(sha.upper(), 0) == "loaded"
    assert r.script_exists(sha, "0" * 40) == [True, False]
    assert r.execute_command("EVALSHA_RO", sha, 0) == "loaded"
    assert r.script_flush() is True
    assert r.script_exists(sha) == [False]
    assert err(r, "EVALSHA", sha, 0) == "No matching script. Please use EVAL."
    assert err(r, "EVALSHA", "abc", 0) == "No matching script. Please use EVAL."
    # EVAL caches its script.
    r.eval("return 2", 0)
    assert r.script_exists("7f923f79fe76194c868d7e1d0820de36700eb649") == [True]
    assert err(r, "SCRIPT", "FLUSH", "BAD") == "SCRIPT FLUSH only support SYNC|ASYNC option"
    assert len(r.execute_command("SCRIPT", "HELP")) > 5
    assert "No scripts in execution right now." in err(r, "SCRIPT", "KILL")


def test_errors(r):
    assert err(r, "EVAL", "return 1", -1) == "Number of keys can't be negative"
    assert err(r, "EVAL", "return 1", 2, "a") == \
        "Number of keys can't be greater than number of args"
    assert err(r, "EVAL", "return 1", "x") == "value is not an integer or out of range"
    assert err(r, "EVAL", "return syntax error", 0).startswith(
        "Error compiling script (new function): user_script:1:")
    assert "Unknown Redis command called from script" in err(r, "EVAL", "redis.call('nosuch')", 0)
    assert "Wrong number of args calling Redis command from script" in \
        err(r, "EVAL", "redis.call('get')", 0)
    assert "This Redis command is not allowed from script" in \
        err(r, "EVAL", "redis.call('eval', 'return 1', 0)", 0)
    e = err(r, "EVAL", "return redis.call('incr', KEYS[1])", 1, "s") if r.set("s", "x") else ""
    assert e.startswith("value is not an integer or out of range script: ")
    assert e.endswith(", on @user_script:1.")
    assert "user_script:1: boom" in err(r, "EVAL", "error('boom')", 0)
    assert err(r, "EVAL", "error({err='XCODE custom'})", 0).startswith("XCODE custom script:")


def test_read_only_scripts(r):
    assert "Write commands are not allowed from read-only scripts." in \
        err(r, "EVAL_RO", "return redis.call('set', 'a', 'b')", 0)
    assert r.execute_command("EVAL_RO", "return redis.call('get', KEYS[1])", 1, "a") is None
    assert "Write commands are not allowed from read-only scripts." in \
        err(r, "EVAL", "#!lua flags=no-writes\nreturn redis.call('set','a','b')", 0)
    assert err(r, "EVAL", "#!lua flags=foo\nreturn 1", 0) == \
        "Unexpected flag in script shebang: foo"
    assert err(r, "EVAL", "#!lua xyz=1\nreturn 1", 0) == "Unknown lua shebang option: xyz=1"
    assert err(r, "EVAL", "#!python\nreturn 1", 0) == \
        "Unexpected engine in script shebang: #!python"
    assert err(r, "EVAL", "#!lua", 0) == "Invalid script shebang"
    assert err(r, "EVAL_RO", "#!lua\nreturn 1", 0) == \
        "Can not execute a script with write flag using *_ro command."
    assert r.eval("#!lua flags=no-writes,allow-oom\nreturn 7", 0) == 7


def test_time_is_frozen_inside_a_script(rt):
    # Keys do not expire in the middle of a script, and TIME does not move.
    script = ("redis.call('set', KEYS[1], 'v', 'px', 1) local t = os.clock() "
              "while os.clock() - t < 0.05 do end "
              "local a = redis.call('time') local b = redis.call('time') "
              "return {redis.call('exists', KEYS[1]), a[1] == b[1] and a[2] == b[2]}")
    assert rt.eval(script, 1, "frozen") == [1, 1]
    time.sleep(0.01)
    assert rt.exists("frozen") == 0


def test_select_inside_script_is_local(r):
    r.set("k", "db0")
    assert r.eval("redis.call('select', 9); redis.call('set', KEYS[1], 'db9'); "
                  "return redis.call('get', KEYS[1])", 1, "k") == "db9"
    assert r.get("k") == "db0"
    r.select(9)
    assert r.get("k") == "db9"
    r.flushdb()
    r.select(0)


# --- routing across shards ---------------------------------------------------

def keys_on_other_shards(n=8):
    # With 4 shards, plain names spread over every shard.
    return ["k%d" % i for i in range(n)]


def test_declared_keys_on_several_shards(rt):
    keys = keys_on_other_shards()
    script = "for i, k in ipairs(KEYS) do redis.call('set', k, ARGV[1]) end return #KEYS"
    assert rt.eval(script, len(keys), *keys, "v") == len(keys)
    assert rt.mget(keys) == ["v"] * len(keys)


def test_undeclared_keys_rerun_over_all_shards(rt):
    keys = keys_on_other_shards()
    script = ("local n = 0 for i = 1, tonumber(ARGV[1]) do "
              "n = n + redis.call('incr', 'u' .. i) end return n")
    assert rt.eval(script, 0, 8) == 8
    assert rt.eval(script, 0, 8) == 16
    assert [int(v) for v in rt.mget(["u%d" % i for i in range(1, 9)])] == [2] * 8
    assert sorted(rt.eval("return redis.call('keys', 'u*')", 0)) == \
        sorted("u%d" % i for i in range(1, 9))
    assert rt.eval("return redis.call('dbsize')", 0) == 8
    del keys


def test_retry_after_write_undoes_writes(rt):
    # The script writes its declared key, then touches undeclared keys: with
    # several shards it is rolled back and run again, so every write happens
    # exactly once.
    rt.set("decl", 10)
    rt.rpush("list", "x")
    rt.set("ttl", "t", px=100000)
    script = ("redis.call('incr', KEYS[1]) redis.call('rpush', KEYS[2], 'y') "
              "redis.call('set', KEYS[3], 'changed') "
              "for i = 1, 8 do redis.call('incr', 'other' .. i) end "
              "return redis.call('get', KEYS[1])")
    assert rt.eval(script, 3, "decl", "list", "ttl") == "11"
    assert rt.get("decl") == "11"
    assert rt.lrange("list", 0, -1) == ["x", "y"]
    assert rt.get("ttl") == "changed"
    assert [int(v) for v in rt.mget(["other%d" % i for i in range(1, 9)])] == [1] * 8
    # A created key and a deleted key are restored too.
    script2 = ("redis.call('set', KEYS[1], 'new') redis.call('del', KEYS[2]) "
               "for i = 1, 8 do redis.call('incr', 'again' .. i) end return 1")
    rt.set("gone", "here")
    assert rt.eval(script2, 2, "fresh", "gone") == 1
    assert rt.get("fresh") == "new"
    assert rt.get("gone") is None


def test_pcall_cannot_swallow_the_retry(rt):
    script = ("local ok = pcall(redis.call, 'incr', 'p1') "
              "redis.pcall('incr', 'p2') redis.pcall('incr', 'p3') redis.pcall('incr', 'p4') "
              "redis.call('incr', KEYS[1]) return 1")
    assert rt.eval(script, 1, "pc") == 1
    assert rt.mget("p1", "p2", "p3", "p4", "pc") == ["1"] * 5


def test_error_after_writes_keeps_them(rt):
    # No rollback on errors: as Redis, writes made before an error stay.
    assert "boom" in err(rt, "EVAL", "redis.call('set', KEYS[1], 'v') error('boom')", 1, "ek")
    assert rt.get("ek") == "v"


# --- busy scripts ------------------------------------------------------------

@pytest.mark.threads
@pytest.mark.parametrize("threads", [1, 4])
def test_busy_script_and_kill(threads):
    s = ServerProcess(threads=threads, args=["--busy-reply-threshold", "100"])
    try:
        runner = s.client()
        other = s.client()
        result = {}

        def run():
            try:
                runner.eval("local i = 0 while true do i = i + 1 end", 0)
            except redis.ResponseError as e:
                result["err"] = str(e)

        t = threading.Thread(target=run)
        t.start()
        time.sleep(0.4)
        # Every connection, whatever its thread, sees BUSY.
        for _ in range(4):
            c = s.client()
            assert "Redis is busy running a script" in err(c, "GET", "x")
            c.close()
        assert other.execute_command("SCRIPT", "KILL") == "OK"
        t.join(5)
        assert not t.is_alive()
        assert "Script killed by user with SCRIPT KILL" in result["err"]
        assert other.ping()
        assert "No scripts in execution right now." in err(other, "SCRIPT", "KILL")
    finally:
        s.stop()


@pytest.mark.threads
def test_busy_script_that_wrote_is_unkillable():
    s = ServerProcess(threads=4, args=["--busy-reply-threshold", "100"])
    try:
        runner = s.client()
        other = s.client()
        done = threading.Event()

        def run():
            # TIME is frozen inside a script: spin on CPU time instead.
            runner.eval("redis.call('set', KEYS[1], 1) local t = os.clock() "
                        "while os.clock() - t < 1 do end return 1", 1, "w")
            done.set()

        t = threading.Thread(target=run)
        t.start()
        time.sleep(0.4)
        assert "Sorry the script already executed" in err(other, "SCRIPT", "KILL")
        t.join(5)
        assert done.is_set()
        assert other.get("w") == "1"
    finally:
        s.stop()


# --- a job queue (BullMQ-style) ----------------------------------------------

ADD_JOB = """
local id = redis.call('incr', KEYS[1])
redis.call('hset', KEYS[2] .. id, 'data', ARGV[1])
redis.call('lpush', KEYS[3], id)
return id
"""

TAKE_JOB = """
local id = redis.call('rpoplpush', KEYS[1], KEYS[2])
if not id then return false end
redis.call('hset', KEYS[3] .. id, 'owner', ARGV[1])
return id
"""

# Undeclared keys: the done set and a per-worker counter live on any shard.
FINISH_JOB = """
local removed = redis.call('lrem', KEYS[1], 1, ARGV[1])
if removed == 0 then return 0 end
redis.call('sadd', 'done-jobs', ARGV[1])
redis.call('incr', 'finished-by:' .. ARGV[2])
return 1
"""


@pytest.mark.threads
def test_job_queue_no_job_lost_or_duplicated(rt):
    port = rt.connection_pool.connection_kwargs["port"]
    jobs, workers = 300, 4
    base = {"seq": "{q}:seq", "job": "{q}:job:", "wait": "{q}:wait", "active": "{q}:active"}
    producer = redis.Redis(host="127.0.0.1", port=port)
    add = producer.register_script(ADD_JOB)
    for i in range(jobs):
        add(keys=[base["seq"], base["job"], base["wait"]], args=["payload%d" % i])
    taken = [[] for _ in range(workers)]
    errors = []

    def worker(n):
        c = redis.Redis(host="127.0.0.1", port=port)
        try:
            take = c.register_script(TAKE_JOB)
            finish = c.register_script(FINISH_JOB)
            while True:
                job = take(keys=[base["wait"], base["active"], base["job"]], args=["w%d" % n])
                if job is None:
                    break
                taken[n].append(int(job))
                assert finish(keys=[base["active"]], args=[job, "w%d" % n]) == 1
        except Exception as e:  # reported below
            errors.append(e)
        finally:
            c.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    all_taken = sorted(j for w in taken for j in w)
    assert all_taken == list(range(1, jobs + 1))
    assert rt.scard("done-jobs") == jobs
    assert rt.llen(base["active"]) == 0
    finished = sum(int(rt.get("finished-by:w%d" % n) or 0) for n in range(workers))
    assert finished == jobs
    producer.close()


def test_info_memory_fields(r):
    r.eval("return 1", 0)
    info = r.info("memory")
    assert "used_memory_lua" in info
    assert "used_memory_scripts" in info
    assert r.info("memory")["number_of_cached_scripts"] >= 1


ERROR_STAT_CASES = [
    (True, "return redis.call('set','x','y')", 1),
    (True, "local t = redis.pcall('set','x','y') return 1", 1),
    (True, "return redis.pcall('set','x','y')", 1),
    (False, "return redis.call('select',99)", 0),
    (False, "local t = redis.pcall('select',99) return 1", 0),
    (False, "return redis.call('incr','s')", 0),
    (False, "return redis.error_reply('My Error')", 0),
    (False, "return {err='ERR My Error'}", 0),
]


@pytest.mark.parametrize("oom,script,numkeys", ERROR_STAT_CASES)
def test_error_statistics_of_scripts_as_redis(r, reference, oom, script, numkeys):
    """An error met inside a script is counted once, where it arises (the
    called command's failure or rejection), whether the script passes it on
    or catches it with pcall; the script's own errors count at its reply."""
    ref = reference.client()

    def stats(c):
        cs = c.info("commandstats")
        picked = {k: (v["calls"], v["rejected_calls"], v["failed_calls"]) for k, v in cs.items()
                  if k in ("cmdstat_set", "cmdstat_eval", "cmdstat_select", "cmdstat_incr")}
        return c.info("errorstats"), c.info("stats")["total_error_replies"], picked

    try:
        results = []
        for c in (r, ref):
            c.set("s", "not a number")
            c.config_set("maxmemory", 1 if oom else 0)
            c.config_resetstat()
            try:
                c.eval(script, numkeys, *(["x"] * numkeys))
            except redis.exceptions.ResponseError:
                pass
            c.config_set("maxmemory", 0)
            results.append(stats(c))
        assert results[0] == results[1]
    finally:
        ref.close()
