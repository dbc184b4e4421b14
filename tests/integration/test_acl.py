# ACL: users, rules, AUTH/HELLO with users, NOPERM enforcement (top level,
# MULTI, scripts), the ACL log, ACL SAVE/LOAD, and closing the clients of
# deleted users. Each test gets its own server (users outlive FLUSHALL);
# GETUSER/LIST and error texts are compared with Debian's redis-server.
import os
import time

import pytest
import redis

from conftest import ServerProcess


@pytest.fixture(params=[1, 4], ids=["threads1", "threads4"])
def srv(request):
    s = ServerProcess(threads=request.param)
    yield s
    s.stop()


def call(c, *args):
    """The reply, or the error text, of one command."""
    try:
        return c.execute_command(*args)
    except (redis.ResponseError, redis.AuthenticationError) as e:
        return "ERR! " + str(e)


def normalize(reply):
    """Redis 7.2+ (our target, 7.4) lists the default "sanitize-payload" flag
    that Debian's 7.0 omits: drop it from both sides."""
    if isinstance(reply, list):
        return [normalize(x) for x in reply if x != "sanitize-payload"]
    if isinstance(reply, str):
        return reply.replace(" sanitize-payload", "")
    return reply


def as_user(s, user, password="pw"):
    return s.client(username=user, password=password)


# Rule strings whose ACL GETUSER / ACL LIST / errors must match Redis 7.0.
RULES = [
    ["on", ">pw", "+get", "~k*"],
    ["on", "nopass", "+@all", "-@dangerous", "~*", "&*"],
    ["%R~r*", "%W~w*", "%RW~rw*", "resetchannels", "&ch:*"],
    ["+@all", "-config", "+config|get", "allkeys", "resetkeys", "~a", "~b"],
    ["reset", "on", "#" + "a" * 64, "!" + "a" * 64],
    ["(+get ~x*)", "(+set ~y* &z)", "+ping"],
    ["(+get ~x*)", "clearselectors"],
    ["allcommands", "nocommands", "+@read"],
    ["+nosuchcommand"],
    ["+@nosuchcategory"],
    ["~*", "~foo"],
    ["&*", "&foo"],
    ["<notthere"],
    ["#abc"],
    ["+config|get|x"],
    ["+select|"],
    ["(+get ~x*", "on"],
    ["%X~k"],
    ["badrule"],
]


@pytest.mark.parametrize("rules", RULES, ids=[" ".join(r)[:40] for r in RULES])
def test_setuser_getuser_list_match_redis(rt, reference, rules):
    ref = reference.client()
    ours = rt
    try:
        assert call(ours, "ACL", "SETUSER", "difftest", *rules) == \
            call(ref, "ACL", "SETUSER", "difftest", *rules)
        got = normalize(call(ours, "ACL", "GETUSER", "difftest"))
        assert got == normalize(call(ref, "ACL", "GETUSER", "difftest"))
        mine = [normalize(l) for l in ours.execute_command("ACL", "LIST") if "difftest" in l]
        theirs = [normalize(l) for l in ref.execute_command("ACL", "LIST") if "difftest" in l]
        assert mine == theirs
    finally:
        ours.execute_command("ACL", "DELUSER", "difftest")
        ref.execute_command("ACL", "DELUSER", "difftest")


def test_command_rules_keep_their_order(rt):
    # Redis 7.2+ shows rules as given (minus repeats); Debian's 7.0 derived
    # them from bitmaps, so these are checked against 7.4's answers.
    rt.execute_command("ACL", "SETUSER", "order", "+@string", "-set", "+set", "-@string")
    user = rt.execute_command("ACL", "GETUSER", "order")
    assert user[user.index("commands") + 1] == "-@all +set -@string"
    rt.execute_command("ACL", "SETUSER", "order", "reset", "+config|get", "+client|id",
                       "+select|0", "+select|1", "+config")
    user = rt.execute_command("ACL", "GETUSER", "order")
    assert user[user.index("commands") + 1] == "-@all +client|id +select|0 +select|1 +config"
    rt.execute_command("ACL", "DELUSER", "order")


def test_default_user_and_categories(rt, reference):
    ref = reference.client()
    assert rt.execute_command("ACL", "WHOAMI") == "default"
    assert rt.execute_command("ACL", "USERS") == ["default"]
    assert rt.execute_command("ACL", "CAT") == ref.execute_command("ACL", "CAT")
    assert call(rt, "ACL", "CAT", "nope") == call(ref, "ACL", "CAT", "nope")
    assert "get" in rt.execute_command("ACL", "CAT", "string")
    assert "publish" in rt.execute_command("ACL", "CAT", "pubsub")
    assert call(rt, "ACL", "DELUSER", "default") == "ERR! The 'default' user cannot be removed"
    assert len(rt.execute_command("ACL", "GENPASS")) == 64
    assert len(rt.execute_command("ACL", "GENPASS", "5")) == 2
    assert "must be the number of bits" in call(rt, "ACL", "GENPASS", "5000")


def test_auth_and_noperm_texts(srv):
    r = srv.client()
    r.execute_command("ACL", "SETUSER", "bob", "on", ">pw", "+get", "+set", "~k*", "+publish",
                      "&news")
    bob = as_user(srv, "bob")
    assert call(bob, "HSET", "k", "f", "v") == \
        "ERR! User bob has no permissions to run the 'hset' command"
    assert call(bob, "GET", "other") == "ERR! No permissions to access a key"
    assert call(bob, "PUBLISH", "sports", "x") == "ERR! No permissions to access a channel"
    assert bob.set("k1", "v") is True
    assert bob.publish("news", "x") == 0
    c = srv.client()
    assert call(c, "AUTH", "bob", "wrong") == \
        "ERR! WRONGPASS invalid username-password pair or user is disabled."
    assert call(c, "AUTH", "nobody", "pw").startswith("ERR! WRONGPASS invalid username-password")
    assert call(c, "AUTH", "pw").startswith("ERR! AUTH <password> called without any password")
    assert c.execute_command("AUTH", "bob", "pw")
    assert "user=bob" in r.execute_command("CLIENT", "LIST")
    assert call(c, "HELLO", "2", "AUTH", "bob", "bad").startswith("ERR! WRONGPASS")
    hello = c.execute_command("HELLO", "2", "AUTH", "default", "x")
    assert hello[hello.index("proto") + 1] == 2
    log = r.execute_command("ACL", "LOG")
    reasons = {(e["reason"], e["object"]) for e in [dict(zip(l[::2], l[1::2])) for l in log]}
    assert ("command", "hset") in reasons and ("key", "other") in reasons
    assert ("channel", "sports") in reasons and ("auth", "AUTH") in reasons
    info = r.info("stats")
    assert info["acl_access_denied_cmd"] >= 1 and info["acl_access_denied_auth"] >= 2
    assert r.execute_command("ACL", "LOG", "RESET")
    assert r.execute_command("ACL", "LOG") == []


def test_off_user_and_requirepass(srv):
    r = srv.client()
    r.execute_command("ACL", "SETUSER", "off1", ">pw", "+@all")
    assert "invalid username-password" in call(srv.client(), "AUTH", "off1", "pw")
    r.config_set("requirepass", "secret")
    fresh = srv.client()
    assert call(fresh, "PING").startswith("ERR! Authentication required")
    assert fresh.execute_command("AUTH", "secret")
    assert "#" in " ".join(r.execute_command("ACL", "LIST"))
    r.config_set("requirepass", "")
    assert srv.client().ping()


def test_multi_and_scripts(srv):
    r = srv.client()
    r.execute_command("ACL", "SETUSER", "bob", "on", ">pw", "+@scripting", "+set", "+multi",
                      "+exec", "+incr", "~x*")
    bob = as_user(srv, "bob")
    pipe = bob.pipeline(transaction=True)
    pipe.set("x1", "1")
    pipe.get("x1")
    with pytest.raises(redis.RedisError):
        pipe.execute()
    assert bob.eval("return redis.acl_check_cmd('set','xx',1)", 1, "xx") == 1
    assert bob.eval("return redis.acl_check_cmd('hset','xx','f',1)", 1, "xx") is None
    assert bob.eval("return redis.acl_check_cmd('set','yy',1)", 0) is None
    assert "Invalid command passed to redis.acl_check_cmd()" in call(
        bob, "EVAL", "return redis.acl_check_cmd('nope','a')", "0")
    assert "ACL failure in script" in call(bob, "EVAL", "return redis.call('get','x1')", "0")
    # Permissions changed between MULTI and EXEC are checked again at EXEC.
    raw = srv.client()
    raw.execute_command("AUTH", "bob", "pw")
    raw.execute_command("MULTI")
    raw.execute_command("INCR", "x2")
    r.execute_command("ACL", "SETUSER", "bob", "-incr")
    res = raw.execute_command("EXEC")
    assert "has no permissions to run the 'incr' command" in str(res[0])
    contexts = {dict(zip(l[::2], l[1::2]))["context"] for l in r.execute_command("ACL", "LOG")}
    assert {"multi", "lua"} <= contexts


def test_dryrun(rt, reference):
    ref = reference.client()
    try:
        for c in (rt, ref):
            c.execute_command("ACL", "SETUSER", "dry", "+get", "%R~r*", "&c")
        for args in (["get", "r1"], ["get", "w1"], ["set", "r1", "v"], ["publish", "c", "m"],
                     ["nosuch"], ["get"]):
            # Redis 7.0 said "This user", 7.2+ names the user.
            want = call(ref, "ACL", "DRYRUN", "dry", *args).replace("This user", "User dry")
            assert call(rt, "ACL", "DRYRUN", "dry", *args) == want
        assert call(rt, "ACL", "DRYRUN", "nobody", "get", "x") == \
            call(ref, "ACL", "DRYRUN", "nobody", "get", "x")
    finally:
        rt.execute_command("ACL", "DELUSER", "dry")
        ref.execute_command("ACL", "DELUSER", "dry")


@pytest.mark.threads
def test_deluser_and_revoked_channels_close_clients_on_every_thread():
    s = ServerProcess(threads=4)
    try:
        r = s.client()
        r.execute_command("ACL", "SETUSER", "eve", "on", ">pw", "+@all", "~*", "&ch*")
        clients = [as_user(s, "eve") for _ in range(8)]
        for c in clients:
            assert c.ping()
        subs = []
        for _ in range(4):
            p = as_user(s, "eve").pubsub()
            p.subscribe("ch1")
            p.get_message(timeout=1)
            subs.append(p)
        # Losing the channel closes the subscribers, not the other clients.
        r.execute_command("ACL", "SETUSER", "eve", "resetchannels", "&other")
        assert all(c.ping() for c in clients)
        listing = r.execute_command("CLIENT", "LIST")
        assert listing.count("user=eve") == 8
        assert r.execute_command("ACL", "DELUSER", "eve") == 1
        for c in clients:
            # Closed; redis-py's reconnect then fails to authenticate.
            with pytest.raises(redis.RedisError):
                c.ping()
        assert "user=eve" not in r.execute_command("CLIENT", "LIST")
        # CLIENT KILL USER knows users now.
        r.execute_command("ACL", "SETUSER", "kim", "on", ">pw", "+@all", "~*")
        k = as_user(s, "kim")
        k.ping()
        assert r.execute_command("CLIENT", "KILL", "USER", "kim") == 1
        assert "No such user" in call(r, "CLIENT", "KILL", "USER", "zed")
    finally:
        s.stop()


def test_acl_file_save_and_load(tmp_path):
    d = str(tmp_path)
    path = os.path.join(d, "users.acl")
    with open(path, "w") as f:
        f.write("user alice on >pw ~* +@all\nuser default on nopass ~* &* +@all\n")
    s = ServerProcess(threads=2, args=["--aclfile", path])
    try:
        r = s.client()
        assert sorted(r.execute_command("ACL", "USERS")) == ["alice", "default"]
        r.execute_command("ACL", "SETUSER", "bob", "on", ">x", "+get")
        assert r.execute_command("ACL", "SAVE")
        text = open(path).read()
        assert "user bob on" in text and "user alice on" in text
        with open(path, "w") as f:
            f.write("user carol on nopass +@all ~*\nuser carol off\n")
        assert "Duplicate user 'carol'" in call(r, "ACL", "LOAD")
        assert "bob" in r.execute_command("ACL", "USERS")
        with open(path, "w") as f:
            f.write("user carol on nopass +@all ~*\n")
        assert r.execute_command("ACL", "LOAD")
        assert sorted(r.execute_command("ACL", "USERS")) == ["carol", "default"]
    finally:
        s.stop()


def test_users_from_config_file():
    s = ServerProcess(threads=2, config_text="user default on nopass ~* &* +@all -flushdb\n"
                                             "user ann on >pw +get ~a*\n")
    try:
        r = s.client()
        assert "ann" in r.execute_command("ACL", "USERS")
        assert "no permissions to run the 'flushdb'" in call(r, "FLUSHDB")
    finally:
        s.stop()


@pytest.mark.threads
def test_blocked_command_is_rechecked_when_served(server_threads, rt):
    """A blocked BLPOP whose user lost the key meanwhile is refused when
    served, and counted as a rejected call (as Redis reprocesses it)."""
    rt.execute_command("CONFIG", "RESETSTAT")
    rt.execute_command("ACL", "SETUSER", "blk", "reset", "on", "nopass", "+@all", "allkeys")
    c = server_threads.client()
    try:
        c.execute_command("AUTH", "blk", "x")
        pool = c.connection_pool
        conn = pool.get_connection("BLPOP")
        conn.send_command("BLPOP", "blk-list", "0")
        for _ in range(100):
            if int(rt.info("clients")["blocked_clients"]) == 1:
                break
            time.sleep(0.01)
        rt.execute_command("ACL", "SETUSER", "blk", "resetkeys")
        rt.lpush("blk-list", "foo")
        with pytest.raises(redis.exceptions.ResponseError, match="No permissions to access a key"):
            conn.read_response()
        pool.release(conn)
        stats = rt.info("commandstats")["cmdstat_blpop"]
        assert stats["calls"] == 0 and stats["rejected_calls"] == 1
        assert rt.llen("blk-list") == 1
    finally:
        c.close()
        rt.execute_command("ACL", "DELUSER", "blk")
