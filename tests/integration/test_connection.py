"""Connection commands: PING, ECHO, QUIT, SELECT, AUTH, HELLO, RESET and CLIENT
with every subcommand, checked for exact replies and error texts (Redis 7.4's,
see src/networking.c and src/server.c in the Redis source).

Replies that depend on the wire (RESP3, CLIENT REPLY, closed connections) are
read from raw sockets (RawConn, from test_protocol); the rest uses redis-py.
"""
import re
import socket
import threading
import time

import pytest
import redis

from conftest import RedisProcess, ServerProcess
from test_protocol import ErrorReply, RawConn, Verbatim, encode

E = ErrorReply

CLIENT_LIST_FIELDS = [
    "id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub", "psub", "ssub",
    "multi", "watch", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll",
    "omem", "tot-mem", "events", "cmd", "user", "redir", "resp", "lib-name", "lib-ver",
]


def parse_client_line(line):
    if isinstance(line, bytes):
        line = line.decode()
    fields = []
    for part in line.split(" "):
        key, _, value = part.partition("=")
        fields.append((key, value))
    return fields


def client_list(conn, *args):
    text = conn.call("CLIENT", "LIST", *args)
    assert isinstance(text, bytes), text
    assert text == b"" or text.endswith(b"\n")
    return [dict(parse_client_line(l)) for l in text.decode().split("\n") if l]


@pytest.fixture
def port(server, r):
    return server.port


# ---- PING / ECHO ---------------------------------------------------------------

def test_ping_and_echo(port):
    with RawConn(port) as c:
        c.call("PING")
        assert c.last_raw == b"+PONG\r\n"
        c.call("PING", "hello world")
        assert c.last_raw == b"$11\r\nhello world\r\n"
        c.call("ping", "")
        assert c.last_raw == b"$0\r\n\r\n"
        assert c.call("PING", "a", "b") == E("ERR wrong number of arguments for 'ping' command")
        assert c.call("ECHO", b"bin\x00\r\n") == b"bin\x00\r\n"
        assert c.call("ECHO") == E("ERR wrong number of arguments for 'echo' command")
        assert c.call("ECHO", "a", "b") == E("ERR wrong number of arguments for 'echo' command")
        # In RESP3 PING still answers a simple string.
        c.call("HELLO", "3")
        c.call("PING")
        assert c.last_raw == b"+PONG\r\n"


# ---- QUIT ------------------------------------------------------------------------

def test_quit_replies_ok_and_closes(port):
    with RawConn(port) as c:
        c.send(encode("SET", "q", "1") + encode("QUIT") + encode("SET", "q", "2"))
        assert c.read_until_closed() == b"+OK\r\n+OK\r\n"
    with RawConn(port) as c:
        assert c.call("GET", "q") == b"1"  # nothing after QUIT ran
        c.send(encode("QUIT", "extra", "args"))
        assert c.read_until_closed() == b"+OK\r\n"


# ---- SELECT ----------------------------------------------------------------------

def test_select_isolates_databases(server, r):
    keys = ["a", "b", "c", "d", "{t}x", "{t}y"]
    with RawConn(server.port) as c:
        for k in keys:
            assert c.call("SET", k, "db0-" + k) == b"OK"
        assert c.call("SELECT", "5") == b"OK"
        for k in keys:
            assert c.call("GET", k) is None
            assert c.call("SET", k, "db5-" + k) == b"OK"
        assert c.call("DBSIZE") == len(keys)
        assert c.call("MGET", *keys) == [("db5-" + k).encode() for k in keys]
        assert c.call("SELECT", "0") == b"OK"
        assert c.call("MGET", *keys) == [("db0-" + k).encode() for k in keys]
        c.call("SELECT", "15")
        assert c.call("DBSIZE") == 0
        c.call("CLIENT", "INFO")
        assert b" db=15 " in c.last_raw
    # The selected db belongs to the connection.
    other = server.client(db=5)
    assert other.get("a") == "db5-a"
    assert r.get("a") == "db0-a"
    other.close()


def test_select_errors(port):
    with RawConn(port) as c:
        assert c.call("SELECT", "16") == E("ERR DB index is out of range")
        assert c.call("SELECT", "-1") == E("ERR DB index is out of range")
        assert c.call("SELECT", "abc") == E("ERR value is not an integer or out of range")
        assert c.call("SELECT", "1.0") == E("ERR value is not an integer or out of range")
        assert c.call("SELECT") == E("ERR wrong number of arguments for 'select' command")
        assert c.call("SELECT", "1", "2") == E("ERR wrong number of arguments for 'select' command")


def test_select_with_databases_directive():
    s = ServerProcess(threads=2, args=["--databases", "3"])
    try:
        with RawConn(s.port) as c:
            assert c.call("SELECT", "2") == b"OK"
            assert c.call("SELECT", "3") == E("ERR DB index is out of range")
    finally:
        assert s.stop() == 0


# ---- AUTH / HELLO / RESET with requirepass ---------------------------------------

@pytest.fixture(scope="module")
def authserver():
    s = ServerProcess(threads=2, args=["--requirepass", "s3cret"])
    yield s
    assert s.stop() == 0


NOAUTH = E("NOAUTH Authentication required.")
WRONGPASS = E("WRONGPASS invalid username-password pair or user is disabled.")
HELLO_NOAUTH = E(
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
    "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
    "select the RESP protocol version at the same time")


def test_noauth_before_auth(authserver):
    with RawConn(authserver.port) as c:
        assert c.call("GET", "k") == NOAUTH
        assert c.call("PING") == NOAUTH
        assert c.call("CLIENT", "ID") == NOAUTH
        assert c.call("SELECT", "1") == NOAUTH
        assert c.call("HELLO") == HELLO_NOAUTH
        assert c.call("HELLO", "3") == HELLO_NOAUTH
        # Unknown commands and arity errors come before the auth check.
        assert c.call("NOSUCH") == E("ERR unknown command 'NOSUCH', with args beginning with: ")
        assert c.call("GET") == E("ERR wrong number of arguments for 'get' command")
        assert c.call("AUTH", "wrong") == WRONGPASS
        assert c.call("AUTH", "default", "wrong") == WRONGPASS
        assert c.call("AUTH", "nobody", "s3cret") == WRONGPASS
        assert c.call("AUTH", "a", "b", "c") == E("ERR syntax error")
        assert c.call("GET", "k") == NOAUTH
        assert c.call("AUTH", "s3cret") == b"OK"
        assert c.call("PING") == b"PONG"
        assert c.call("SET", "k", "v") == b"OK"
        c.call("CLIENT", "INFO")
        assert b" user=default " in c.last_raw
        # A failed AUTH later does not log the connection out.
        assert c.call("AUTH", "nope") == WRONGPASS
        assert c.call("GET", "k") == b"v"
        # RESET does.
        assert c.call("RESET") == b"RESET"
        assert c.call("GET", "k") == NOAUTH
        assert c.call("AUTH", "default", "s3cret") == b"OK"
        assert c.call("GET", "k") == b"v"
    with RawConn(authserver.port) as c:
        # QUIT needs no authentication.
        c.send(encode("QUIT"))
        assert c.read_until_closed() == b"+OK\r\n"


def test_hello_auth(authserver):
    with RawConn(authserver.port) as c:
        assert c.call("HELLO", "3", "AUTH", "default", "bad") == WRONGPASS
        assert c.call("GET", "k") == NOAUTH
        reply = c.call("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "conn1")
        fields = dict(reply["map"])
        assert fields[b"proto"] == 3
        assert c.call("CLIENT", "GETNAME") == b"conn1"
        c.call("GET", "missing")
        assert c.last_raw == b"_\r\n"
    with RawConn(authserver.port) as c:
        # AUTH without a protocol version is a syntax error in HELLO's eyes.
        assert c.call("HELLO", "AUTH", "default", "s3cret") == E(
            "ERR Protocol version is not an integer or out of range")
        assert c.call("HELLO", "2", "AUTH", "default") == E(
            "ERR Syntax error in HELLO option 'AUTH'")
        reply = c.call("HELLO", "2", "AUTH", "default", "s3cret")
        assert reply[4:6] == [b"proto", 2]
        assert c.call("PING") == b"PONG"


def test_unauthenticated_protocol_limits(authserver):
    with RawConn(authserver.port) as c:
        c.send(b"*11\r\n")
        assert c.read_until_closed() == \
            b"-ERR Protocol error: unauthenticated multibulk length\r\n"
    with RawConn(authserver.port) as c:
        c.send(b"*2\r\n$4\r\nECHO\r\n$16385\r\n")
        assert c.read_until_closed() == b"-ERR Protocol error: unauthenticated bulk length\r\n"
    with RawConn(authserver.port) as c:
        # Exactly at the limits is fine (and answered NOAUTH).
        assert c.call(*(["DEL"] + ["x"] * 9)) == NOAUTH
        assert c.call("ECHO", "y" * 16384) == NOAUTH
        # Once authenticated, the limits are lifted.
        assert c.call("AUTH", "s3cret") == b"OK"
        assert c.call("ECHO", "y" * 100_000) == b"y" * 100_000
        assert c.call("DEL", *["k%d" % i for i in range(20)]) >= 0


AUTH_SCRIPT = [
    ("GET", "k"), ("PING",), ("HELLO",), ("HELLO", "3"), ("AUTH", "x"), ("AUTH", "default", "x"),
    ("AUTH", "u", "p", "q"), ("HELLO", "2", "AUTH", "default", "x"), ("NOSUCH", "a"),
    ("AUTH", "s3cret"), ("SET", "k", "v"), ("GET", "k"), ("RESET",), ("GET", "k"),
    ("HELLO", "2", "AUTH", "default", "s3cret", "SETNAME", "n"), ("CLIENT", "GETNAME"),
]


def test_auth_sequence_matches_reference(authserver):
    ref = RedisProcess(args=["--requirepass", "s3cret"])
    try:
        replies = []
        for port in (authserver.port, ref.port):
            with RawConn(port) as c:
                got = []
                for cmd in AUTH_SCRIPT:
                    value = c.call(*cmd)
                    if isinstance(value, list) and value[:2] == [b"server", b"redis"]:
                        value = value[4:6]  # HELLO: version and id differ
                    if isinstance(value, ErrorReply):
                        # Redis 7.4 added "<proto>" to this text (7.0 has not).
                        value = ErrorReply(value.text.replace("HELLO <proto> AUTH", "HELLO AUTH"))
                    got.append(value)
                replies.append(got)
        assert replies[0] == replies[1]
    finally:
        ref.stop()


def test_auth_without_password_configured(port):
    with RawConn(port) as c:
        assert c.call("AUTH", "x") == E(
            "ERR AUTH <password> called without any password configured for the default "
            "user. Are you sure your configuration is correct?")
        # The default user has no password: any password works for it.
        assert c.call("AUTH", "default", "anything") == b"OK"
        assert c.call("AUTH", "someone", "anything") == WRONGPASS
        assert c.call("AUTH") == E("ERR wrong number of arguments for 'auth' command")


# ---- HELLO -----------------------------------------------------------------------

def test_hello_replies(port):
    with RawConn(port) as c:
        my_id = c.call("CLIENT", "ID")
        reply = c.call("HELLO")
        assert c.last_raw.startswith(b"*14\r\n")
        assert reply[0::2] == [b"server", b"version", b"proto", b"id", b"mode", b"role",
                               b"modules"]
        assert reply[1] == b"redis"
        assert re.fullmatch(rb"\d+\.\d+\.\d+", reply[3])
        assert reply[5] == 2 and reply[7] == my_id
        assert reply[9] == b"standalone" and reply[11] == b"master" and reply[13] == []
        reply = c.call("HELLO", "3")
        assert c.last_raw.startswith(b"%7\r\n")
        assert [k for k, _ in reply["map"]] == [b"server", b"version", b"proto", b"id", b"mode",
                                                 b"role", b"modules"]
        assert dict(reply["map"])[b"proto"] == 3
        c.call("HELLO", "2")
        assert c.last_raw.startswith(b"*14\r\n")


def test_hello_errors(port):
    with RawConn(port) as c:
        assert c.call("HELLO", "1") == E("NOPROTO unsupported protocol version")
        assert c.call("HELLO", "4") == E("NOPROTO unsupported protocol version")
        assert c.call("HELLO", "abc") == E(
            "ERR Protocol version is not an integer or out of range")
        assert c.call("HELLO", "3", "FOO") == E("ERR Syntax error in HELLO option 'FOO'")
        assert c.call("HELLO", "3", "SETNAME") == E("ERR Syntax error in HELLO option 'SETNAME'")
        assert c.call("HELLO", "3", "AUTH", "u") == E("ERR Syntax error in HELLO option 'AUTH'")
        assert c.call("HELLO", "3", "SETNAME", "a b") == E(
            "ERR Client names cannot contain spaces, newlines or special characters.")
        # A failed HELLO changes nothing.
        c.call("GET", "x")
        assert c.last_raw == b"$-1\r\n"
        assert c.call("CLIENT", "GETNAME") is None
        # SETNAME, then an empty name clears it.
        c.call("HELLO", "2", "SETNAME", "named")
        assert c.call("CLIENT", "GETNAME") == b"named"
        c.call("HELLO", "2", "SETNAME", "")
        assert c.call("CLIENT", "GETNAME") is None
        assert c.call("HELLO", "3", "AUTH", "default", "x", "SETNAME", "z") != WRONGPASS


# ---- RESET -----------------------------------------------------------------------

def test_reset_restores_connection_state(port):
    with RawConn(port) as c:
        my_id = c.call("CLIENT", "ID")
        c.call("HELLO", "3", "SETNAME", "before")
        c.call("SELECT", "4")
        c.call("SET", "k", "db4")
        c.call("CLIENT", "SETINFO", "LIB-NAME", "mylib")
        c.call("CLIENT", "NO-EVICT", "on")
        c.call("CLIENT", "NO-TOUCH", "on")
        c.call("RESET")
        assert c.last_raw == b"+RESET\r\n"
        assert c.call("CLIENT", "ID") == my_id
        assert c.call("CLIENT", "GETNAME") is None
        assert c.call("GET", "k") is None  # back in db 0
        assert c.last_raw == b"$-1\r\n"    # and RESP2
        info = dict(parse_client_line(c.call("CLIENT", "INFO").strip()))
        assert info["db"] == "0" and info["resp"] == "2" and info["flags"] == "N"
        assert info["lib-name"] == "mylib"  # the library does not change
        assert c.call("RESET", "x") == E("ERR wrong number of arguments for 'reset' command")


def test_reset_turns_replies_back_on(port):
    with RawConn(port) as c:
        c.send(encode("CLIENT", "REPLY", "OFF") + encode("PING") + encode("RESET")
               + encode("PING"))
        assert c.read() == b"RESET"
        assert c.read() == b"PONG"
        # A RESET whose reply is skipped stays silent.
        c.send(encode("CLIENT", "REPLY", "SKIP") + encode("RESET") + encode("ECHO", "after"))
        assert c.read() == b"after"


# ---- CLIENT ID / INFO / LIST ----------------------------------------------------

def test_client_id_is_unique_and_increasing(port):
    # Each connection is used before the next one is made, so its id must be
    # larger than every earlier one's.
    ids = []
    conns = []
    try:
        for _ in range(8):
            conns.append(RawConn(port))
            ids.append(conns[-1].call("CLIENT", "ID"))
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        assert all(isinstance(i, int) and i > 0 for i in ids)
        assert conns[0].call("CLIENT", "ID") == ids[0]
    finally:
        for c in conns:
            c.close()


def test_client_info_and_list_fields(port):
    with RawConn(port) as c:
        c.call("CLIENT", "SETNAME", "lister")
        c.call("CLIENT", "SETINFO", "lib-name", "rawpy")
        c.call("CLIENT", "SETINFO", "lib-ver", "1.2.3")
        c.call("SELECT", "3")
        info = c.call("CLIENT", "INFO")
        assert c.last_raw.startswith(b"$") and info.endswith(b"\n") and info.count(b"\n") == 1
        fields = parse_client_line(info.strip())
        assert [k for k, _ in fields] == CLIENT_LIST_FIELDS
        f = dict(fields)
        local = c.sock.getsockname()
        assert f["id"] == str(c.call("CLIENT", "ID"))
        assert f["addr"] == "%s:%d" % local
        assert f["laddr"] == "127.0.0.1:%d" % port
        assert int(f["fd"]) > 0
        assert f["name"] == "lister"
        assert int(f["age"]) >= 0 and int(f["idle"]) >= 0
        assert f["flags"] == "N" and f["db"] == "3"
        assert f["sub"] == f["psub"] == f["ssub"] == "0"
        assert f["multi"] == "-1" and f["watch"] == "0"
        assert f["cmd"] == "client|info"
        assert f["user"] == "default" and f["redir"] == "-1" and f["resp"] == "2"
        assert f["lib-name"] == "rawpy" and f["lib-ver"] == "1.2.3"
        for k in ("qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll",
                  "omem", "tot-mem"):
            assert int(f[k]) >= 0, k

        with RawConn(port) as other:
            other_id = other.call("CLIENT", "ID")
            other.call("SET", "x", "1")
            clients = client_list(c)
            by_id = {int(cl["id"]): cl for cl in clients}
            me = by_id[int(f["id"])]
            assert me["cmd"] == "client|list" and me["name"] == "lister"
            assert by_id[other_id]["cmd"] == "set"
            assert by_id[other_id]["addr"] == "%s:%d" % other.sock.getsockname()
            for cl in clients:
                assert list(cl) == CLIENT_LIST_FIELDS

            assert {int(cl["id"]) for cl in client_list(c, "TYPE", "normal")} >= {
                int(f["id"]), other_id}
            assert client_list(c, "TYPE", "pubsub") == []
            assert client_list(c, "TYPE", "replica") == []
            assert client_list(c, "TYPE", "MASTER") == []
            only = client_list(c, "ID", str(other_id), "999999999", f["id"])
            assert [int(cl["id"]) for cl in only] == [other_id, int(f["id"])]
            assert client_list(c, "ID", "999999999") == []


def test_client_list_across_threads(rt, server_threads):
    """Clients accepted by every thread show up in one CLIENT LIST."""
    conns = [RawConn(server_threads.port) for _ in range(9)]
    try:
        ids = {c.call("CLIENT", "ID") for c in conns}
        listed = {int(cl["id"]) for cl in client_list(conns[0])}
        assert ids <= listed
    finally:
        for c in conns:
            c.close()


def test_client_info_resp3_is_verbatim(port):
    with RawConn(port) as c:
        c.call("HELLO", "3")
        info = c.call("CLIENT", "INFO")
        assert c.last_raw.startswith(b"=") and b"\r\ntxt:id=" in c.last_raw
        assert isinstance(info, Verbatim) and b" resp=3 " in info
        listing = c.call("CLIENT", "LIST")
        assert isinstance(listing, Verbatim)


def test_client_list_errors(port):
    with RawConn(port) as c:
        assert c.call("CLIENT", "LIST", "TYPE", "foo") == E("ERR Unknown client type 'foo'")
        assert c.call("CLIENT", "LIST", "ID", "abc") == E("ERR Invalid client ID")
        assert c.call("CLIENT", "LIST", "FOO") == E("ERR syntax error")
        assert c.call("CLIENT", "LIST", "TYPE") == E("ERR syntax error")
        assert c.call("CLIENT", "LIST", "ID") == E("ERR syntax error")
        assert c.call("CLIENT", "LIST", "TYPE", "normal", "x") == E("ERR syntax error")
        assert c.call("CLIENT", "INFO", "x") == E(
            "ERR wrong number of arguments for 'client|info' command")
        assert c.call("CLIENT", "ID", "x") == E(
            "ERR wrong number of arguments for 'client|id' command")


# ---- CLIENT KILL -----------------------------------------------------------------

def test_client_kill_by_id(port):
    with RawConn(port) as killer, RawConn(port) as victim:
        vid = victim.call("CLIENT", "ID")
        assert killer.call("CLIENT", "KILL", "ID", str(vid)) == 1
        assert victim.is_closed()
        assert killer.call("CLIENT", "KILL", "ID", str(vid)) == 0
        ids = {int(cl["id"]) for cl in client_list(killer)}
        assert vid not in ids


def test_client_kill_by_addr_old_and_new_form(port):
    with RawConn(port) as killer, RawConn(port) as v1, RawConn(port) as v2:
        v1.call("PING")
        v2.call("PING")
        addr1 = "%s:%d" % v1.sock.getsockname()
        addr2 = "%s:%d" % v2.sock.getsockname()
        assert killer.call("CLIENT", "KILL", addr1) == b"OK"
        assert v1.is_closed()
        assert killer.call("CLIENT", "KILL", addr1) == E("ERR No such client")
        assert killer.call("CLIENT", "KILL", "ADDR", addr2) == 1
        assert v2.is_closed()
        assert killer.call("CLIENT", "KILL", "ADDR", addr2) == 0
        assert killer.call("PING") == b"PONG"


def test_client_kill_self(port):
    with RawConn(port) as c:
        me = "%s:%d" % c.sock.getsockname()
        my_id = c.call("CLIENT", "ID")
        # SKIPME defaults to yes in the new form.
        assert c.call("CLIENT", "KILL", "ID", str(my_id)) == 0
        assert c.call("CLIENT", "KILL", "ADDR", me, "SKIPME", "yes") == 0
        assert c.call("PING") == b"PONG"
        c.send(encode("CLIENT", "KILL", "ID", str(my_id), "SKIPME", "no") + encode("PING"))
        assert c.read_until_closed() == b":1\r\n"
    with RawConn(port) as c:
        # The old form kills the caller too, after the reply.
        me = "%s:%d" % c.sock.getsockname()
        c.send(encode("CLIENT", "KILL", me) + encode("PING"))
        assert c.read_until_closed() == b"+OK\r\n"


def test_client_kill_filters(port):
    with RawConn(port) as killer:
        others = [RawConn(port) for _ in range(5)]
        try:
            for o in others:
                o.call("PING")
            # LADDR: every connection to this listener but the caller.
            n = killer.call("CLIENT", "KILL", "LADDR", "127.0.0.1:%d" % port,
                            "TYPE", "normal", "USER", "default")
            assert n >= len(others)
            for o in others:
                assert o.is_closed()
            assert killer.call("PING") == b"PONG"
            assert killer.call("CLIENT", "KILL", "LADDR", "1.2.3.4:5") == 0
            assert killer.call("CLIENT", "KILL", "TYPE", "pubsub") == 0
            assert killer.call("CLIENT", "KILL", "MAXAGE", "100000") == 0
        finally:
            for o in others:
                o.close()


def test_client_kill_errors(port):
    with RawConn(port) as c:
        assert c.call("CLIENT", "KILL", "ID", "0") == E("ERR client-id should be greater than 0")
        assert c.call("CLIENT", "KILL", "ID", "-3") == E("ERR client-id should be greater than 0")
        assert c.call("CLIENT", "KILL", "ID", "x") == E("ERR client-id should be greater than 0")
        assert c.call("CLIENT", "KILL", "TYPE", "foo") == E("ERR Unknown client type 'foo'")
        assert c.call("CLIENT", "KILL", "USER", "nobody") == E("ERR No such user 'nobody'")
        assert c.call("CLIENT", "KILL", "SKIPME", "maybe") == E("ERR syntax error")
        assert c.call("CLIENT", "KILL", "FOO", "bar") == E("ERR syntax error")
        assert c.call("CLIENT", "KILL", "ID", "1", "ADDR") == E("ERR syntax error")
        assert c.call("CLIENT", "KILL", "MAXAGE", "0") == E("ERR maxage should be greater than 0")
        assert c.call("CLIENT", "KILL", "MAXAGE", "x") == E(
            "ERR maxage is not an integer or out of range")
        assert c.call("CLIENT", "KILL", "1.2.3.4:5") == E("ERR No such client")
        assert c.call("CLIENT", "KILL") == E(
            "ERR wrong number of arguments for 'client|kill' command")


# ---- CLIENT SETNAME / GETNAME / SETINFO -----------------------------------------

def test_client_setname_getname(port):
    with RawConn(port) as c:
        assert c.call("CLIENT", "GETNAME") is None
        assert c.call("CLIENT", "SETNAME", "my-conn_1") == b"OK"
        assert c.call("CLIENT", "GETNAME") == b"my-conn_1"
        for bad in ["a b", "a\nb", "caf\xe9", "tab\t", "\x7f"]:
            assert c.call("CLIENT", "SETNAME", bad) == E(
                "ERR Client names cannot contain spaces, newlines or special characters.")
        assert c.call("CLIENT", "GETNAME") == b"my-conn_1"
        assert c.call("CLIENT", "SETNAME", "") == b"OK"
        assert c.call("CLIENT", "GETNAME") is None
        assert c.call("CLIENT", "SETNAME") == E(
            "ERR wrong number of arguments for 'client|setname' command")
        assert c.call("CLIENT", "GETNAME", "x") == E(
            "ERR wrong number of arguments for 'client|getname' command")


def test_client_setinfo(port):
    with RawConn(port) as c:
        assert c.call("CLIENT", "SETINFO", "LIB-NAME", "redis-py") == b"OK"
        assert c.call("CLIENT", "SETINFO", "lib-ver", "4.3.4") == b"OK"
        f = dict(parse_client_line(c.call("CLIENT", "INFO").strip()))
        assert f["lib-name"] == "redis-py" and f["lib-ver"] == "4.3.4"
        assert c.call("CLIENT", "SETINFO", "lib-name", "a b") == E(
            "ERR lib-name cannot contain spaces, newlines or special characters.")
        assert c.call("CLIENT", "SETINFO", "LIB-VER", "1\n") == E(
            "ERR LIB-VER cannot contain spaces, newlines or special characters.")
        assert c.call("CLIENT", "SETINFO", "other", "x") == E("ERR Unrecognized option 'other'")
        assert c.call("CLIENT", "SETINFO", "lib-name") == E(
            "ERR wrong number of arguments for 'client|setinfo' command")
        assert c.call("CLIENT", "SETINFO", "lib-name", "") == b"OK"
        f = dict(parse_client_line(c.call("CLIENT", "INFO").strip()))
        assert f["lib-name"] == "" and f["lib-ver"] == "4.3.4"


# ---- CLIENT REPLY ----------------------------------------------------------------

def test_client_reply_off_on(port):
    keys = ["a", "b", "c", "d", "e", "f", "g", "h"]  # several shards
    with RawConn(port) as c:
        payload = encode("CLIENT", "REPLY", "OFF")
        for k in keys:
            payload += encode("SET", k, k) + encode("GET", k)
        payload += encode("NOSUCHCMD") + encode("GET") + encode("MSET", "a", "1", "b", "2")
        payload += encode("CLIENT", "REPLY", "ON") + encode("MGET", *keys)
        c.send(payload)
        assert c.read() == b"OK"  # CLIENT REPLY ON answers
        assert c.read() == [b"1", b"2"] + [k.encode() for k in keys[2:]]


def test_client_reply_skip(port):
    with RawConn(port) as c:
        c.send(encode("CLIENT", "REPLY", "SKIP") + encode("SET", "a", "1")
               + encode("INCR", "a") + encode("CLIENT", "REPLY", "SKIP") + encode("INCR", "b")
               + encode("MGET", "a", "b"))
        assert c.read() == 2
        assert c.read() == [b"2", b"1"]
        # SKIP then ON: ON's own reply is sent.
        c.send(encode("CLIENT", "REPLY", "SKIP") + encode("CLIENT", "REPLY", "ON")
               + encode("PING"))
        assert c.read() == b"OK"
        assert c.read() == b"PONG"
        # SKIP while OFF does nothing.
        c.send(encode("CLIENT", "REPLY", "OFF") + encode("CLIENT", "REPLY", "SKIP")
               + encode("PING") + encode("CLIENT", "REPLY", "ON") + encode("ECHO", "x"))
        assert c.read() == b"OK"
        assert c.read() == b"x"
        # Errors in CLIENT REPLY itself.
        assert c.call("CLIENT", "REPLY", "MAYBE") == E("ERR syntax error")
        assert c.call("CLIENT", "REPLY") == E(
            "ERR wrong number of arguments for 'client|reply' command")


# ---- CLIENT PAUSE / UNPAUSE -----------------------------------------------------

def _timed(fn):
    start = time.monotonic()
    value = fn()
    return value, time.monotonic() - start


def test_client_pause_write_delays_writes_only(server, r):
    r.set("k", "v")
    admin = server.client()
    other = server.client()
    try:
        other.ping()
        assert admin.client_pause(600, all=False) is True
        value, took = _timed(lambda: other.get("k"))
        assert value == "v" and took < 0.3
        _, took = _timed(lambda: other.exists("k", "a", "b"))
        assert took < 0.3
        ok, took = _timed(lambda: other.set("k", "w"))
        assert ok and took >= 0.4
        assert other.get("k") == "w"
    finally:
        admin.client_unpause()
        admin.close()
        other.close()


def test_client_pause_all_delays_reads(server, r):
    admin = server.client()
    other = server.client()
    try:
        other.ping()
        admin.execute_command("CLIENT", "PAUSE", "500", "ALL")
        value, took = _timed(lambda: other.get("k"))
        assert value is None and took >= 0.35
    finally:
        admin.close()
        other.close()


def test_client_unpause_releases_waiting_writes(server, r):
    admin = server.client()
    other = server.client()
    try:
        other.ping()
        admin.execute_command("CLIENT", "PAUSE", "5000", "WRITE")
        result = {}

        def writer():
            result["v"], result["took"] = _timed(lambda: other.incr("counter"))

        t = threading.Thread(target=writer)
        t.start()
        time.sleep(0.3)
        assert t.is_alive()  # the INCR waits
        assert admin.execute_command("CLIENT", "UNPAUSE") in (True, "OK")
        t.join(5)
        assert not t.is_alive()
        assert result["v"] == 1 and 0.25 <= result["took"] < 2
    finally:
        admin.execute_command("CLIENT", "UNPAUSE")
        admin.close()
        other.close()


def test_client_pause_errors(port):
    with RawConn(port) as c:
        assert c.call("CLIENT", "PAUSE", "abc") == E(
            "ERR timeout is not an integer or out of range")
        assert c.call("CLIENT", "PAUSE", "-1") == E("ERR timeout is negative")
        assert c.call("CLIENT", "PAUSE", "10", "SOME") == E(
            "ERR CLIENT PAUSE mode must be WRITE or ALL")
        assert c.call("CLIENT", "PAUSE", "10", "WRITE", "x") == E(
            "ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.")
        assert c.call("CLIENT", "pause", "10", "ALL", "x") == E(
            "ERR unknown subcommand or wrong number of arguments for 'pause'. Try CLIENT HELP.")
        assert c.call("CLIENT", "PAUSE") == E(
            "ERR wrong number of arguments for 'client|pause' command")
        assert c.call("CLIENT", "UNPAUSE", "x") == E(
            "ERR wrong number of arguments for 'client|unpause' command")
        assert c.call("CLIENT", "PAUSE", "0") == b"OK"
        assert c.call("CLIENT", "UNPAUSE") == b"OK"


# ---- Other CLIENT subcommands ---------------------------------------------------

def test_client_no_evict_no_touch_flags(port):
    with RawConn(port) as c:
        def flags():
            return dict(parse_client_line(c.call("CLIENT", "INFO").strip()))["flags"]
        assert c.call("CLIENT", "NO-EVICT", "on") == b"OK"
        assert flags() == "e"
        assert c.call("CLIENT", "NO-TOUCH", "ON") == b"OK"
        assert flags() == "eT"
        assert c.call("CLIENT", "NO-EVICT", "off") == b"OK"
        assert c.call("CLIENT", "NO-TOUCH", "Off") == b"OK"
        assert flags() == "N"
        assert c.call("CLIENT", "NO-EVICT", "maybe") == E("ERR syntax error")
        assert c.call("CLIENT", "NO-TOUCH", "maybe") == E("ERR syntax error")
        assert c.call("CLIENT", "NO-EVICT") == E(
            "ERR wrong number of arguments for 'client|no-evict' command")


def test_client_unblock_getredir_help(port):
    with RawConn(port) as c:
        other_id = c.call("CLIENT", "ID") + 0
        assert c.call("CLIENT", "UNBLOCK", str(other_id)) == 0
        assert c.call("CLIENT", "UNBLOCK", "999999", "TIMEOUT") == 0
        assert c.call("CLIENT", "UNBLOCK", "999999", "error") == 0
        assert c.call("CLIENT", "UNBLOCK", "abc") == E(
            "ERR value is not an integer or out of range")
        assert c.call("CLIENT", "UNBLOCK", "1", "FOO") == E(
            "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
        assert c.call("CLIENT", "UNBLOCK", "1", "TIMEOUT", "x") == E(
            "ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.")
        assert c.call("CLIENT", "GETREDIR") == -1
        help_lines = c.call("CLIENT", "HELP")
        assert c.last_raw.startswith(b"*58\r\n+CLIENT <subcommand>")
        assert help_lines[0] == b"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
        assert help_lines[-2:] == [b"HELP", b"    Print this help."]
        assert b"NO-TOUCH (ON|OFF)" in help_lines and b"SETINFO <option> <value>" in help_lines
        assert c.call("CLIENT") == E("ERR wrong number of arguments for 'client' command")
        assert c.call("CLIENT", "NOSUCH") == E(
            "ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.")


def test_client_kill_then_list_consistent_under_threads(rt, server_threads):
    """Killing clients owned by other threads: they disappear from CLIENT LIST."""
    conns = [RawConn(server_threads.port) for _ in range(12)]
    try:
        ids = [c.call("CLIENT", "ID") for c in conns]
        killer = conns[0]
        for vid in ids[1:]:
            assert killer.call("CLIENT", "KILL", "ID", str(vid)) == 1
        for c in conns[1:]:
            assert c.is_closed()
        listed = {int(cl["id"]) for cl in client_list(killer)}
        assert listed.isdisjoint(ids[1:]) and ids[0] in listed
    finally:
        for c in conns:
            c.close()


def test_redis_py_connection_helpers(r):
    """redis-py's own helpers parse our replies."""
    assert r.ping() is True
    assert r.echo("hi") == "hi"
    assert r.client_setname("py") is True
    assert r.client_getname() == "py"
    me = r.client_info()
    assert me["name"] == "py" and int(me["id"]) == r.client_id()
    assert any(c["name"] == "py" for c in r.client_list())
    assert r.client_list(_type="pubsub") == []
    with pytest.raises(redis.ResponseError, match="DB index is out of range"):
        r.execute_command("SELECT", "99")
