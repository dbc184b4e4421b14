"""Introspection commands: COMMAND and its subcommands, SLOWLOG, LATENCY, MONITOR.

COMMAND INFO rows of common commands are compared with the reference
redis-server (arity, flags, legacy key positions, categories, key specs).
Replies are read raw (no redis-py response callbacks) so their exact shape is
what is checked.
"""
import socket
import threading
import time

import pytest
import redis

from conftest import ServerProcess


def raw(client, *args):
    """Sends one command and returns the parsed reply without callbacks."""
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


def strip_notes(spec):
    """Key spec notes are documentation that Lodestone does not carry."""
    if spec[:1] == ["notes"]:
        return spec[2:]
    return spec


def row_map(row):
    """A COMMAND INFO row as a dict."""
    name, arity, flags, first, last, step, cats, tips, specs, subs = row
    specs = [strip_notes(s) for s in specs]
    return dict(name=name, arity=arity, flags=set(flags), first=first, last=last, step=step,
                cats=set(cats), tips=set(tips), specs=specs, subs=subs)


def pairs(flat):
    return dict(zip(flat[0::2], flat[1::2]))


# ---- COMMAND ---------------------------------------------------------------------

def test_command_count_and_all_rows(r):
    count = raw(r, "COMMAND", "COUNT")
    assert count > 60
    rows = raw(r, "COMMAND")
    assert len(rows) == count
    names = [row[0] for row in rows]
    assert len(set(names)) == count
    for must in ("get", "set", "command", "info", "config", "debug", "slowlog"):
        assert must in names
    for row in rows:
        assert len(row) == 10
        assert isinstance(row[1], int) and row[1] != 0


@pytest.mark.parametrize("name", ["get", "set", "mset", "del", "dbsize", "command", "info",
                                  "config", "config|get", "config|set", "slowlog|get",
                                  "latency|latest", "debug", "time", "lastsave", "flushall",
                                  "client|kill", "getex", "incr", "ping", "expire"])
def test_command_info_matches_reference(r, reference, name):
    mine = raw(r, "COMMAND", "INFO", name)[0]
    ref = raw(reference.client(), "COMMAND", "INFO", name)[0]
    if ref is None:
        pytest.skip("reference lacks %s" % name)
    if mine is None:
        pytest.skip("%s is not implemented here yet" % name)
    m, e = row_map(mine), row_map(ref)
    for field in ("name", "arity", "flags", "first", "last", "step", "cats", "specs"):
        assert m[field] == e[field], field
    assert sorted(s[0] for s in m["subs"]) == sorted(s[0] for s in e["subs"])


def test_command_info_shape(r):
    row = raw(r, "COMMAND", "INFO", "get")[0]
    assert row[0] == "get"
    assert row[1] == 2
    assert row[2] == ["readonly", "fast"]
    assert row[3:6] == [1, 1, 1]
    assert row[6] == ["@read", "@string", "@fast"]
    assert row[7] == []
    spec = pairs(row[8][0])
    assert spec["flags"] == ["RO", "access"]
    assert pairs(spec["begin_search"]) == {"type": "index", "spec": ["index", 1]}
    find = pairs(spec["find_keys"])
    assert find["type"] == "range"
    assert pairs(find["spec"]) == {"lastkey": 0, "keystep": 1, "limit": 0}
    assert row[9] == []


def test_command_info_unknown_and_subcommands(r):
    assert raw(r, "COMMAND", "INFO", "nosuchcommand", "get")[0] is None
    rows = raw(r, "COMMAND", "INFO", "CONFIG|GET", "config|nosuch")
    assert rows[0][0] == "config|get" and rows[1] is None
    config = raw(r, "COMMAND", "INFO", "config")[0]
    assert config[1] == -2
    subs = {s[0] for s in config[9]}
    assert {"config|get", "config|set", "config|resetstat", "config|rewrite",
            "config|help"} <= subs
    # COMMAND INFO without names lists every command.
    assert len(raw(r, "COMMAND", "INFO")) == raw(r, "COMMAND", "COUNT")


def test_command_info_tips_and_movablekeys(r):
    info = raw(r, "COMMAND", "INFO", "info")[0]
    assert set(info[7]) == {"nondeterministic_output", "request_policy:all_shards",
                            "response_policy:special"}
    assert info[6] == ["@slow", "@dangerous"]
    command = raw(r, "COMMAND", "INFO", "command")[0]
    assert command[2] == ["loading", "stale"]
    assert command[7] == ["nondeterministic_output_order"]


def test_command_docs(r):
    docs = pairs(raw(r, "COMMAND", "DOCS", "get", "nosuch", "config"))
    assert set(docs) == {"get", "config"}
    get = pairs(docs["get"])
    assert get["summary"] == "Returns the string value of a key."
    assert get["since"] == "1.0.0"
    assert get["group"] == "string"
    assert get["complexity"] == "O(1)"
    config = pairs(docs["config"])
    assert config["group"] == "server"
    subs = pairs(config["subcommands"])
    assert "config|get" in subs
    assert pairs(subs["config|get"])["since"] == "2.0.0"
    all_docs = raw(r, "COMMAND", "DOCS")
    assert len(all_docs) == 2 * raw(r, "COMMAND", "COUNT")
    assert raw(r, "COMMAND", "DOCS", "nosuch") == []


def test_command_list(r):
    names = raw(r, "COMMAND", "LIST")
    assert "get" in names and "config|get" in names and "command|info" in names
    assert len(names) == len(set(names))
    assert len(names) > raw(r, "COMMAND", "COUNT")
    assert sorted(raw(r, "COMMAND", "LIST", "FILTERBY", "PATTERN", "config|*")) == \
        ["config|get", "config|help", "config|resetstat", "config|rewrite", "config|set"]
    assert "get" in raw(r, "COMMAND", "LIST", "FILTERBY", "PATTERN", "G?T")
    readers = raw(r, "COMMAND", "LIST", "FILTERBY", "ACLCAT", "read")
    assert "get" in readers and "set" not in readers
    assert "set" in raw(r, "COMMAND", "LIST", "FILTERBY", "aclcat", "WRITE")
    assert raw(r, "COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuchcat") == []
    assert raw(r, "COMMAND", "LIST", "FILTERBY", "MODULE", "foo") == []
    assert err(r, "COMMAND", "LIST", "FILTERBY", "BAD", "x") == "syntax error"
    assert err(r, "COMMAND", "LIST", "FILTERBY", "PATTERN") == "syntax error"
    assert err(r, "COMMAND", "LIST", "foo") == "syntax error"


def test_command_getkeys_sort_store(r):
    # SORT's STORE key comes from its own key extraction (the last STORE
    # wins; the argument of GET/BY/LIMIT is never taken for the keyword).
    assert raw(r, "COMMAND", "GETKEYS", "sort", "abc", "store", "def") == ["abc", "def"]
    assert raw(r, "COMMAND", "GETKEYS", "sort_ro", "abc") == ["abc"]
    assert raw(r, "COMMAND", "GETKEYS", "sort", "abc", "store", "x", "store", "y",
               "store", "def") == ["abc", "def"]
    assert raw(r, "COMMAND", "GETKEYS", "sort", "abc", "get", "store", "by", "store") == ["abc"]
    assert raw(r, "COMMAND", "GETKEYSANDFLAGS", "sort", "k1", "store", "k2") == \
        [["k1", ["RO", "access"]], ["k2", ["OW", "update"]]]


def test_command_getkeys(r):
    assert raw(r, "COMMAND", "GETKEYS", "get", "k") == ["k"]
    assert raw(r, "COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2") == ["a", "b"]
    assert raw(r, "COMMAND", "GETKEYS", "set", "k", "v", "EX", "10") == ["k"]
    assert err(r, "COMMAND", "GETKEYS", "nosuch", "k") == "Invalid command specified"
    assert err(r, "COMMAND", "GETKEYS", "ping") == "The command has no key arguments"
    assert err(r, "COMMAND", "GETKEYS", "get") == \
        "Invalid number of arguments specified for command"
    assert err(r, "COMMAND", "GETKEYS", "config", "nosuch") == "Invalid command specified"
    assert err(r, "COMMAND", "GETKEYS") == \
        "wrong number of arguments for 'command|getkeys' command"


def test_command_getkeys_matches_reference(r, reference):
    ref = reference.client()
    for cmd in (["mset", "a", "1", "b", "2"], ["del", "x", "y", "z"], ["getex", "k", "PX", "5"],
                ["expire", "k", "10"], ["rename", "a", "b"], ["set", "k", "v"],
                ["set", "k", "v", "get"], ["bitfield", "k", "get", "u8", "0"],
                ["bitfield", "k", "incrby", "u8", "0", "1"], ["bitop", "and", "d", "s1", "s2"]):
        try:
            mine = raw(r, "COMMAND", "GETKEYS", *cmd)
        except redis.ResponseError as e:
            if "Invalid command" in str(e):
                continue
            raise
        assert mine == raw(ref, "COMMAND", "GETKEYS", *cmd)
        assert raw(r, "COMMAND", "GETKEYSANDFLAGS", *cmd) == \
            raw(ref, "COMMAND", "GETKEYSANDFLAGS", *cmd)


def test_command_getkeysandflags(r):
    assert raw(r, "COMMAND", "GETKEYSANDFLAGS", "set", "k", "v") == \
        [["k", ["OW", "update"]]]
    assert raw(r, "COMMAND", "GETKEYSANDFLAGS", "get", "k") == [["k", ["RO", "access"]]]
    assert raw(r, "COMMAND", "GETKEYSANDFLAGS", "set", "k", "v", "GET") == \
        [["k", ["RW", "access", "update"]]]
    if raw(r, "COMMAND", "INFO", "bitfield")[0] is not None:
        assert raw(r, "COMMAND", "GETKEYSANDFLAGS", "bitfield", "k", "GET", "u8", "0") == \
            [["k", ["RO", "access"]]]
        assert raw(r, "COMMAND", "GETKEYSANDFLAGS", "bitfield", "k", "SET", "u8", "0", "1") == \
            [["k", ["RW", "access", "update"]]]


def test_command_help_and_unknown_subcommand(r):
    help_lines = raw(r, "COMMAND", "HELP")
    assert help_lines[0] == \
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert help_lines[-2:] == ["HELP", "    Print this help."]
    assert "GETKEYSANDFLAGS <full-command>" in help_lines
    assert err(r, "COMMAND", "FOO") == "unknown subcommand 'FOO'. Try COMMAND HELP."
    assert err(r, "COMMAND", "COUNT", "x") == \
        "wrong number of arguments for 'command|count' command"


# Rows whose arity changed after Redis 7.0 (the reference is 7.0.15; we
# follow 7.4): ZRANK/ZREVRANK gained WITHSCORE in 7.2.
ARITY_CHANGED_AFTER_7_0 = {"zrank": -3, "zrevrank": -3}


def test_command_matches_reference_for_every_shared_row(r, reference):
    """Every command both servers know has the same arity and legacy key triple."""
    ref_rows = {row[0]: row for row in raw(reference.client(), "COMMAND")}
    checked = 0
    for row in raw(r, "COMMAND"):
        ref = ref_rows.get(row[0])
        if ref is None:
            continue
        arity = ARITY_CHANGED_AFTER_7_0.get(row[0], ref[1])
        assert (row[1], row[3], row[4], row[5]) == (arity, ref[3], ref[4], ref[5]), row[0]
        checked += 1
    assert checked > 30


# ---- SLOWLOG ---------------------------------------------------------------------

@pytest.fixture
def slow(server):
    c = server.client()
    c.config_set("slowlog-log-slower-than", 0)
    raw(c, "SLOWLOG", "RESET")
    yield c
    c.config_set("slowlog-log-slower-than", 10000)
    c.config_set("slowlog-max-len", 128)
    raw(c, "SLOWLOG", "RESET")
    c.close()


def test_slowlog_records_commands(slow):
    raw(slow, "SET", "foo", "bar")
    entries = raw(slow, "SLOWLOG", "GET", "-1")
    assert len(entries) >= 2
    ids = [e[0] for e in entries]
    assert ids == sorted(ids, reverse=True)
    entry = next(e for e in entries if e[3][:1] == ["SET"])
    assert len(entry) == 6
    assert entry[3] == ["SET", "foo", "bar"]
    assert abs(entry[1] - time.time()) < 10
    assert entry[2] >= 0
    # The peer of a keyless command (commands run on another shard's thread
    # do not know their client yet).
    ping = next(e for e in entries if e[3][:1] == ["SLOWLOG"] or e[3][:1] == ["CONFIG"])
    assert ping[4].startswith("127.0.0.1:")
    assert raw(slow, "SLOWLOG", "LEN") >= 2
    assert len(raw(slow, "SLOWLOG", "GET", "1")) == 1
    assert len(raw(slow, "SLOWLOG", "GET")) <= 10
    assert raw(slow, "SLOWLOG", "RESET") == "OK"
    assert raw(slow, "SLOWLOG", "LEN") <= 1


def test_slowlog_argument_trimming_and_max_len(slow):
    raw(slow, "SET", "big", "x" * 200)
    entry = next(e for e in raw(slow, "SLOWLOG", "GET", "-1") if e[3][:2] == ["SET", "big"])
    assert entry[3][2] == "x" * 128 + "... (72 more bytes)"
    raw(slow, "DEL", *["k%d" % i for i in range(40)])
    entry = next(e for e in raw(slow, "SLOWLOG", "GET", "-1") if e[3][:1] == ["DEL"])
    assert len(entry[3]) == 32
    assert entry[3][-1] == "... (10 more arguments)"
    slow.config_set("slowlog-max-len", 3)
    for i in range(10):
        raw(slow, "PING")
    assert raw(slow, "SLOWLOG", "LEN") == 3


def test_slowlog_errors(r):
    assert err(r, "SLOWLOG", "GET", "-2") == "count should be greater than or equal to -1"
    assert err(r, "SLOWLOG", "GET", "abc") == "count should be greater than or equal to -1"
    assert err(r, "SLOWLOG", "GET", "1", "2") == \
        "unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP."
    assert err(r, "SLOWLOG", "NOPE") == "unknown subcommand 'NOPE'. Try SLOWLOG HELP."
    assert err(r, "SLOWLOG", "LEN", "x") == "wrong number of arguments for 'slowlog|len' command"
    assert err(r, "SLOWLOG") == "wrong number of arguments for 'slowlog' command"
    lines = raw(r, "SLOWLOG", "HELP")
    assert lines[0].startswith("SLOWLOG <subcommand>")
    assert "LEN" in lines and "RESET" in lines


def test_slowlog_off_by_default_threshold(r):
    raw(r, "SLOWLOG", "RESET")
    raw(r, "SET", "quick", "1")
    assert all(e[3][:2] != ["SET", "quick"] for e in raw(r, "SLOWLOG", "GET", "-1"))


# ---- LATENCY ---------------------------------------------------------------------

def test_latency_commands(r):
    assert raw(r, "LATENCY", "RESET") >= 0
    assert raw(r, "LATENCY", "LATEST") == []
    assert raw(r, "LATENCY", "HISTORY", "command") == []
    assert raw(r, "LATENCY", "RESET", "nosuch") == 0
    assert err(r, "LATENCY", "GRAPH", "nosuch") == "No samples available for event 'nosuch'"
    assert "no latency spike" in raw(r, "LATENCY", "DOCTOR")
    assert raw(r, "LATENCY", "HISTOGRAM") == []
    lines = raw(r, "LATENCY", "HELP")
    assert lines[0].startswith("LATENCY <subcommand>")
    assert err(r, "LATENCY", "FOO") == "unknown subcommand 'FOO'. Try LATENCY HELP."
    assert err(r, "LATENCY", "HISTORY") == \
        "wrong number of arguments for 'latency|history' command"


# ---- MONITOR ---------------------------------------------------------------------

def _read_line(sock, buf):
    while b"\r\n" not in buf[0]:
        chunk = sock.recv(4096)
        if not chunk:
            raise EOFError
        buf[0] += chunk
    line, buf[0] = buf[0].split(b"\r\n", 1)
    return line


def test_monitor_sees_commands_from_other_clients_and_threads(server):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    buf = [b""]
    sock.sendall(b"MONITOR\r\n")
    assert _read_line(sock, buf) == b"+OK"
    # Several clients: connections are spread round robin over the threads.
    clients = [server.client() for _ in range(4)]
    for i, c in enumerate(clients):
        c.set("mon:%d" % i, "v\n%d" % i)
    seen = [_read_line(sock, buf) for _ in range(4)]
    for i in range(4):
        assert any(b'"SET" "mon:%d" "v\\n%d"' % (i, i) in line for line in seen), seen
    line = seen[0]
    assert line.startswith(b"+")
    stamp, rest = line[1:].split(b" ", 1)
    assert abs(float(stamp) - time.time()) < 10
    assert rest.startswith(b"[0 127.0.0.1:")
    # Admin commands are not shown; MONITOR a second time gets no reply.
    clients[0].config_get("maxclients")
    clients[0].get("mon:after")
    assert b'"get" "mon:after"' in _read_line(sock, buf).lower()
    sock.close()
    for c in clients:
        c.close()
