"""Server commands: DBSIZE, FLUSHALL, TIME, LASTSAVE, SHUTDOWN, CONFIG, DEBUG, LOLWUT.

Keys are spread over shards ("a".."z" hash to different slots) so that the
commands that must see every shard are checked across threads.
"""
import os
import socket
import time

import pytest
import redis

from conftest import RedisProcess, ServerProcess


def raw(client, *args):
    conn = client.connection_pool.get_connection("_")
    try:
        conn.send_command(*args)
        return conn.read_response()
    finally:
        client.connection_pool.release(conn)


def err(client, *args):
    with pytest.raises(redis.ResponseError) as info:
        raw(client, *args)
    return str(info.value)


def resp(port, payload, expect_bytes_until=b"\r\n", timeout=5):
    """Sends raw protocol on a fresh connection and returns what comes back."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(payload)
    buf = b""
    while not buf.endswith(expect_bytes_until):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    s.close()
    return buf


LETTERS = "abcdefghijklmnopqrstuvwxyz"


# ---- DBSIZE / FLUSHALL ---------------------------------------------------------------

def test_dbsize_counts_every_shard(rt):
    assert rt.dbsize() == 0
    for k in LETTERS:
        rt.set(k, 1)
    assert rt.dbsize() == 26
    rt.execute_command("SELECT", 5)
    assert rt.dbsize() == 0
    rt.set("x", 1)
    assert rt.dbsize() == 1
    rt.execute_command("SELECT", 0)
    assert rt.dbsize() == 26
    assert err(rt, "DBSIZE", "x") == "wrong number of arguments for 'dbsize' command"


def test_flushall_clears_every_db_and_shard(rt):
    for k in LETTERS:
        rt.set(k, 1)
    rt.execute_command("SELECT", 2)
    rt.set("other", 1)
    rt.execute_command("SELECT", 0)
    assert rt.flushall() is True
    assert rt.dbsize() == 0
    rt.execute_command("SELECT", 2)
    assert rt.dbsize() == 0
    rt.execute_command("SELECT", 0)
    for opt in ("ASYNC", "sync"):
        rt.set("a", 1)
        assert raw(rt, "FLUSHALL", opt) == "OK"
        assert rt.dbsize() == 0
    assert err(rt, "FLUSHALL", "LAZY") == "syntax error"
    assert err(rt, "FLUSHALL", "SYNC", "ASYNC") == "syntax error"


def test_flushall_counts_changes(r):
    for k in LETTERS[:5]:
        r.set(k, 1)
    before = int(r.info("persistence")["rdb_changes_since_last_save"])
    r.flushall()
    after = int(r.info("persistence")["rdb_changes_since_last_save"])
    assert after == before + 6


# ---- TIME / LASTSAVE / LOLWUT ------------------------------------------------------

def test_time(r):
    secs, usecs = raw(r, "TIME")
    assert abs(int(secs) - time.time()) < 5
    assert 0 <= int(usecs) < 1000000
    assert err(r, "TIME", "x") == "wrong number of arguments for 'time' command"


def test_lastsave(server, r):
    ts = raw(r, "LASTSAVE")
    assert isinstance(ts, int)
    assert ts <= time.time() + 1
    assert ts >= int(r.info("server")["uptime_in_seconds"]) * 0  # an integer timestamp
    assert abs(ts - (time.time() - int(r.info("server")["uptime_in_seconds"]))) < 5


def test_lolwut(r):
    assert raw(r, "LOLWUT") == "Redis ver. 7.4.0\n"
    assert raw(r, "LOLWUT", "VERSION", "5") == "Redis ver. 7.4.0\n"
    assert err(r, "LOLWUT", "VERSION", "x") == "value is not an integer or out of range"


# ---- CONFIG ----------------------------------------------------------------------

def test_config_get_shapes(r):
    got = raw(r, "CONFIG", "GET", "maxmemory")
    assert got == ["maxmemory", "0"]
    got = raw(r, "CONFIG", "GET", "maxmemory*")
    names = got[0::2]
    assert "maxmemory" in names and "maxmemory-policy" in names
    assert raw(r, "CONFIG", "GET", "nosuchparam") == []
    two = raw(r, "CONFIG", "GET", "hz", "databases")
    assert dict(zip(two[0::2], two[1::2])) == {"hz": "10", "databases": "16"}
    assert err(r, "CONFIG", "GET") == "wrong number of arguments for 'config|get' command"


def test_config_set_round_trip(rt):
    assert raw(rt, "CONFIG", "SET", "maxmemory-samples", "7") == "OK"
    assert rt.config_get("maxmemory-samples") == {"maxmemory-samples": "7"}
    assert raw(rt, "CONFIG", "SET", "maxmemory-samples", "5", "hz", "20") == "OK"
    assert rt.config_get("hz") == {"hz": "20"}
    assert int(rt.info("server")["hz"]) == 20
    rt.config_set("hz", 10)


def test_config_set_is_atomic(r):
    r.config_set("maxmemory-samples", 5)
    e = err(r, "CONFIG", "SET", "maxmemory-samples", "9", "port", "notaport")
    assert e.startswith("CONFIG SET failed (possibly related to argument 'port')")
    assert r.config_get("maxmemory-samples") == {"maxmemory-samples": "5"}
    assert err(r, "CONFIG", "SET", "nosuchparam", "1") == \
        "Unknown option or number of arguments for CONFIG SET - 'nosuchparam'"
    assert err(r, "CONFIG", "SET", "hz", "10", "maxmemory") == "syntax error"
    assert err(r, "CONFIG", "SET", "hz") == "wrong number of arguments for 'config|set' command"


def test_config_set_loglevel_applies(server, r):
    r.config_set("loglevel", "debug")
    try:
        assert r.config_get("loglevel") == {"loglevel": "debug"}
        raw(r, "DEBUG", "LOG", "marker-after-debug-level")
        with open(server.log_path) as f:
            assert "DEBUG LOG: marker-after-debug-level" in f.read()
    finally:
        r.config_set("loglevel", "notice")


def test_config_rewrite_and_help(r):
    assert err(r, "CONFIG", "REWRITE") == "The server is running without a config file"
    lines = raw(r, "CONFIG", "HELP")
    assert lines[0] == "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert "RESETSTAT" in lines and lines[-1] == "    Print this help."
    assert err(r, "CONFIG", "FOO") == "unknown subcommand 'FOO'. Try CONFIG HELP."
    assert err(r, "CONFIG") == "wrong number of arguments for 'config' command"


def test_config_rewrite_with_file():
    s = ServerProcess(threads=2, config_text="# my config\nmaxmemory-samples 5\n")
    try:
        c = s.client()
        c.config_set("maxmemory-samples", 8)
        assert raw(c, "CONFIG", "REWRITE") == "OK"
        with open(os.path.join(s.dir, "test.conf")) as f:
            text = f.read()
        assert "maxmemory-samples 8" in text
        assert "# my config" in text
        c.close()
    finally:
        s.stop()


def test_config_resetstat(r):
    r.get("nokey")
    assert raw(r, "CONFIG", "RESETSTAT") == "OK"
    assert int(r.info("stats")["keyspace_misses"]) == 0


# ---- DEBUG -----------------------------------------------------------------------

def test_debug_sleep_blocks_and_replies(server, r):
    start = time.time()
    assert raw(r, "DEBUG", "SLEEP", "0.2") == "OK"
    assert time.time() - start >= 0.19
    assert raw(r, "DEBUG", "SLEEP", "0") == "OK"


def test_debug_sleep_stalls_other_threads(server):
    """DEBUG SLEEP stops the whole server, as in single-threaded Redis."""
    a, b = server.client(), server.client()
    import threading
    t = threading.Thread(target=lambda: raw(a, "DEBUG", "SLEEP", "0.3"))
    t.start()
    time.sleep(0.05)
    start = time.time()
    b.ping()
    b.set("stall:%s" % LETTERS[5], 1)
    assert time.time() - start >= 0.15
    t.join()
    a.close()
    b.close()


def test_debug_object(r):
    r.set("int", 12345)
    r.set("emb", "hello world")
    r.set("raw", "x" * 100)
    for key, enc in (("int", "int"), ("emb", "embstr"), ("raw", "raw")):
        line = raw(r, "DEBUG", "OBJECT", key)
        assert line.startswith("Value at:0x")
        assert " refcount:1 encoding:%s serializedlength:" % enc in line
        assert " lru:" in line and " lru_seconds_idle:" in line
    assert "serializedlength:3 " in raw(r, "DEBUG", "OBJECT", "int")
    assert "serializedlength:12 " in raw(r, "DEBUG", "OBJECT", "emb")
    assert err(r, "DEBUG", "OBJECT", "nokey") == "no such key"


def test_debug_object_matches_reference_lengths(r):
    reference = RedisProcess(args=["--enable-debug-command", "yes"])
    ref = reference.client()
    for value in ("1", "-100", "300", "70000", "5000000000", "hello", "y" * 15):
        r.set("k", value)
        ref.set("k", value)
        mine = raw(r, "DEBUG", "OBJECT", "k").split()
        theirs = raw(ref, "DEBUG", "OBJECT", "k").split()
        assert [f for f in mine if f.startswith(("encoding", "serializedlength"))] == \
            [f for f in theirs if f.startswith(("encoding", "serializedlength"))], value
    reference.stop()


def test_debug_set_active_expire(r):
    try:
        assert raw(r, "DEBUG", "SET-ACTIVE-EXPIRE", "0") == "OK"
        for k in LETTERS[:8]:
            r.set(k, 1, px=1)
        time.sleep(0.35)
        assert r.dbsize() == 8  # nothing expired in the background
        assert r.get("a") is None  # lazily expired on access
    finally:
        raw(r, "DEBUG", "SET-ACTIVE-EXPIRE", "1")
    deadline = time.time() + 3
    while r.dbsize() > 0:
        assert time.time() < deadline
        time.sleep(0.05)


def test_debug_protocol_resp2(r):
    assert raw(r, "DEBUG", "PROTOCOL", "string") == "Hello World"
    assert raw(r, "DEBUG", "PROTOCOL", "integer") == 12345
    assert raw(r, "DEBUG", "PROTOCOL", "double") == "3.141"
    assert raw(r, "DEBUG", "PROTOCOL", "bignum") == "1234567999999999999999999999999999999"
    assert raw(r, "DEBUG", "PROTOCOL", "null") is None
    assert raw(r, "DEBUG", "PROTOCOL", "array") == [0, 1, 2]
    assert raw(r, "DEBUG", "PROTOCOL", "set") == [0, 1, 2]
    assert raw(r, "DEBUG", "PROTOCOL", "map") == [0, 0, 1, 1, 2, 0]
    assert raw(r, "DEBUG", "PROTOCOL", "true") == 1
    assert raw(r, "DEBUG", "PROTOCOL", "false") == 0
    assert raw(r, "DEBUG", "PROTOCOL", "attrib") == "Some real reply following the attribute"
    assert raw(r, "DEBUG", "PROTOCOL", "verbatim") == "This is a verbatim\nstring"
    assert err(r, "DEBUG", "PROTOCOL", "push") == "RESP2 is not supported by this command"
    assert err(r, "DEBUG", "PROTOCOL", "nope").startswith("Wrong protocol type name.")


def test_debug_protocol_wire_bytes(server):
    assert resp(server.port, b"DEBUG PROTOCOL double\r\n", b"3.141\r\n") == b"$5\r\n3.141\r\n"
    assert resp(server.port, b"DEBUG PROTOCOL null\r\n") == b"$-1\r\n"
    hello = resp(server.port, b"HELLO 3\r\nDEBUG PROTOCOL true\r\n", b"#t\r\n")
    if not hello.startswith(b"%"):
        pytest.skip("HELLO 3 not available")
    assert hello.endswith(b"#t\r\n")
    out = resp(server.port, b"HELLO 3\r\nDEBUG PROTOCOL attrib\r\n",
               b"attribute\r\n")
    assert out.endswith(b"|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n"
                        b"$39\r\nSome real reply following the attribute\r\n")
    out = resp(server.port, b"HELLO 3\r\nDEBUG PROTOCOL push\r\n", b"reply\r\n")
    assert out.endswith(b">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n"
                        b"$40\r\nSome real reply following the push reply\r\n")
    out = resp(server.port, b"HELLO 3\r\nDEBUG PROTOCOL map\r\n", b"#f\r\n")
    assert out.endswith(b"%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n")


def test_debug_populate(rt):
    assert raw(rt, "DEBUG", "POPULATE", "100") == "OK"
    assert rt.dbsize() == 100
    assert rt.get("key:42") == "value:42"
    raw(rt, "DEBUG", "POPULATE", "10", "p", "20")
    assert rt.get("p:3") == "value:3" + "\x00" * 13
    raw(rt, "DEBUG", "POPULATE", "5", "q", "3")
    assert rt.get("q:4") == "val"
    rt.set("key:1", "mine")
    raw(rt, "DEBUG", "POPULATE", "3")
    assert rt.get("key:1") == "mine"
    assert err(rt, "DEBUG", "POPULATE", "-1") == "value is out of range, must be positive"
    assert err(rt, "DEBUG", "POPULATE", "x") == "value is not an integer or out of range"


def test_debug_misc(r):
    for args in (["CHANGE-REPL-ID"], ["JMAP"], ["RELOAD"], ["RELOAD", "NOSAVE", "NOFLUSH"],
                 ["QUICKLIST-PACKED-THRESHOLD", "100"], ["QUICKLIST-PACKED-THRESHOLD", "1gb"],
                 ["LOG", "hello"]):
        assert raw(r, "DEBUG", *args) == "OK", args
    r.set("kept", 1)
    raw(r, "DEBUG", "RELOAD")
    assert r.get("kept") == "1"
    before = r.info("replication")["master_replid"]
    raw(r, "DEBUG", "CHANGE-REPL-ID")
    assert r.info("replication")["master_replid"] != before
    assert err(r, "DEBUG", "RELOAD", "BAD") == \
        "DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."
    assert err(r, "DEBUG", "QUICKLIST-PACKED-THRESHOLD", "abc") == \
        "argument must be a memory value bigger than 1 and smaller than 4gb"
    assert err(r, "DEBUG", "ERROR", "MYERR custom text") == "MYERR custom text"
    assert err(r, "DEBUG", "NOSUCH") == \
        "unknown subcommand or wrong number of arguments for 'NOSUCH'. Try DEBUG HELP."
    assert err(r, "DEBUG", "SLEEP") == \
        "unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG HELP."
    lines = raw(r, "DEBUG", "HELP")
    assert lines[0] == "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert "SLEEP <seconds>" in lines


# ---- SHUTDOWN --------------------------------------------------------------------

def test_shutdown_errors(r):
    assert err(r, "SHUTDOWN", "ABORT") == "No shutdown in progress."
    assert err(r, "SHUTDOWN", "NOSAVE", "SAVE") == "syntax error"
    assert err(r, "SHUTDOWN", "ABORT", "NOW") == "syntax error"
    assert err(r, "SHUTDOWN", "BOGUS") == "syntax error"
    r.ping()


@pytest.mark.parametrize("args", [[], ["NOSAVE"], ["NOW", "FORCE"]])
def test_shutdown_stops_the_server(args):
    s = ServerProcess(threads=4)
    try:
        other = s.client()
        other.ping()
        sock = socket.create_connection(("127.0.0.1", s.port), timeout=5)
        sock.sendall(b"*%d\r\n" % (1 + len(args)) + b"$8\r\nSHUTDOWN\r\n" +
                     b"".join(b"$%d\r\n%s\r\n" % (len(a), a.encode()) for a in args))
        # No reply: the connection just closes.
        assert sock.recv(100) == b""
        sock.close()
        assert s.proc.wait(timeout=10) == 0
        with pytest.raises(redis.ConnectionError):
            other.ping()
    finally:
        s.stop()
