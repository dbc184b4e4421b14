"""INFO: sections, field names and values that must move with the server's state.

Field names are those of Redis 7.4; the section selection rules (default,
all, everything, several names, case-insensitivity) are Redis's.
"""
import gc
import time

import pytest
import redis


def info_text(client, *sections):
    conn = client.connection_pool.get_connection("_")
    try:
        conn.send_command("INFO", *sections)
        text = conn.read_response()
    finally:
        client.connection_pool.release(conn)
    return text.decode() if isinstance(text, bytes) else text


def fields(text):
    out = {}
    for line in text.split("\r\n"):
        if line and not line.startswith("#"):
            name, _, value = line.partition(":")
            out[name] = value
    return out


def headers(text):
    return [line[2:] for line in text.split("\r\n") if line.startswith("# ")]


DEFAULT_SECTIONS = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU",
                    "Modules", "Errorstats", "Cluster", "Keyspace"]


def test_default_sections_and_format(r):
    text = info_text(r)
    assert headers(text) == DEFAULT_SECTIONS
    assert text.endswith("\r\n") and not text.endswith("\r\n\r\n")
    assert "\r\n\r\n# Clients\r\n" in text
    assert "\n" not in text.replace("\r\n", "")
    assert headers(info_text(r, "default")) == DEFAULT_SECTIONS


def test_all_and_everything(r):
    for arg in ("all", "everything"):
        h = headers(info_text(r, arg))
        assert "Commandstats" in h and "Latencystats" in h
        assert h.index("Commandstats") < h.index("Errorstats") < h.index("Keyspace")
    assert "rejected_calls" not in info_text(r)
    assert "rejected_calls" in info_text(r, "all")


def test_section_selection(r):
    assert headers(info_text(r, "cpu")) == ["CPU"]
    assert headers(info_text(r, "CPU", "keyspace")) == ["CPU", "Keyspace"]
    assert headers(info_text(r, "commandSTATS")) == ["Commandstats"]
    assert headers(info_text(r, "nosuchsection")) == []
    assert info_text(r, "nosuchsection") == ""
    text = info_text(r, "cpu", "default")
    assert text.count("used_cpu_user_children") == 1
    assert "used_memory" in text and "rejected_calls" not in text
    text = info_text(r, "cpu", "all")
    assert text.count("used_cpu_user_children") == 1 and "rejected_calls" in text
    assert headers(info_text(r, "modules")) == ["Modules"]


def test_server_fields(server, r):
    f = fields(info_text(r, "server"))
    assert f["redis_version"] == "7.4.0"
    assert f["redis_mode"] == "standalone"
    assert int(f["process_id"]) == server.proc.pid
    assert int(f["tcp_port"]) == server.port
    assert f["threads"] == "4"
    assert f["lodestone_version"]
    assert len(f["run_id"]) == 40
    assert int(f["uptime_in_seconds"]) >= 0
    assert f["hz"] == "10"
    assert f["executable"].endswith("lodestone-server")
    assert abs(int(f["server_time_usec"]) / 1e6 - time.time()) < 10
    assert f["listener0"] == "name=tcp,bind=127.0.0.1,port=%d" % server.port
    for name in ("arch_bits", "multiplexing_api", "gcc_version", "os", "config_file"):
        assert name in f


def test_clients_fields(server, r):
    def connected():
        return int(fields(info_text(r, "clients"))["connected_clients"])
    # Connections of earlier tests' clients may still be going away (clients
    # in reference cycles are closed whenever the garbage collector runs).
    gc.collect()
    before = connected()
    time.sleep(0.05)
    while connected() != before:
        before = connected()
        time.sleep(0.05)
    extra = [server.client() for _ in range(3)]
    for c in extra:
        c.ping()
    assert int(fields(info_text(r, "clients"))["connected_clients"]) == before + 3
    for c in extra:
        c.connection_pool.disconnect()
    deadline = time.time() + 5
    while int(fields(info_text(r, "clients"))["connected_clients"]) != before:
        assert time.time() < deadline
        time.sleep(0.02)
    f = fields(info_text(r, "clients"))
    assert f["blocked_clients"] == "0"
    assert f["maxclients"] == "10000"


def test_memory_fields(r):
    f = fields(info_text(r, "memory"))
    for name in ("used_memory", "used_memory_rss", "used_memory_peak", "maxmemory",
                 "total_system_memory"):
        assert int(f[name]) >= 0, name
    assert int(f["used_memory"]) > 0
    assert int(f["used_memory_rss"]) > 0
    assert f["used_memory_human"][-1] in "BKMGT"
    assert f["maxmemory_policy"] == "noeviction"
    assert f["mem_allocator"].startswith(("mimalloc", "libc"))
    r.config_set("maxmemory", "10mb")
    try:
        f = fields(info_text(r, "memory"))
        assert f["maxmemory"] == str(10 * 1024 * 1024)
        assert f["maxmemory_human"] == "10.00M"
    finally:
        r.config_set("maxmemory", 0)


def test_persistence_and_dirty(r):
    before = int(fields(info_text(r, "persistence"))["rdb_changes_since_last_save"])
    r.set("dirty1", "x")
    r.set("dirty2", "y")
    f = fields(info_text(r, "persistence"))
    assert int(f["rdb_changes_since_last_save"]) == before + 2
    assert f["aof_enabled"] == "0"
    assert f["loading"] == "0"
    assert abs(int(f["rdb_last_save_time"]) - time.time()) < 3600


def test_stats_counters_move(server, r):
    f1 = fields(info_text(r, "stats"))
    r.set("hit", "1")
    r.get("hit")
    r.get("miss")
    c = server.client()
    c.ping()
    c.close()
    f2 = fields(info_text(r, "stats"))
    assert int(f2["keyspace_hits"]) == int(f1["keyspace_hits"]) + 1
    assert int(f2["keyspace_misses"]) == int(f1["keyspace_misses"]) + 1
    assert int(f2["total_commands_processed"]) >= int(f1["total_commands_processed"]) + 4
    assert int(f2["total_connections_received"]) >= int(f1["total_connections_received"]) + 1
    assert int(f2["total_net_input_bytes"]) > int(f1["total_net_input_bytes"])
    assert int(f2["total_net_output_bytes"]) > int(f1["total_net_output_bytes"])
    for name in ("instantaneous_ops_per_sec", "rejected_connections", "expired_keys",
                 "evicted_keys", "total_error_replies"):
        assert name in f2


def test_instantaneous_ops(server):
    c = server.client()
    info_text(c, "stats")
    deadline = time.time() + 0.4
    while time.time() < deadline:
        c.ping()
    ops = int(fields(info_text(c, "stats"))["instantaneous_ops_per_sec"])
    assert ops > 50
    c.close()


def test_expired_keys_counted(r):
    before = int(fields(info_text(r, "stats"))["expired_keys"])
    r.set("shortlived", "1", px=1)
    time.sleep(0.01)
    assert r.get("shortlived") is None
    assert int(fields(info_text(r, "stats"))["expired_keys"]) == before + 1


def test_replication_and_cluster(r):
    f = fields(info_text(r, "replication", "cluster"))
    assert f["role"] == "master"
    assert f["connected_slaves"] == "0"
    assert len(f["master_replid"]) == 40
    assert f["master_repl_offset"] == "0"
    assert f["cluster_enabled"] == "0"


def test_cpu(r):
    f = fields(info_text(r, "cpu"))
    for name in ("used_cpu_sys", "used_cpu_user", "used_cpu_sys_children",
                 "used_cpu_user_children"):
        whole, frac = f[name].split(".")
        assert whole.isdigit() and len(frac) == 6


def test_keyspace_after_set(r):
    assert headers(info_text(r, "keyspace")) == ["Keyspace"]
    assert fields(info_text(r, "keyspace")) == {}
    for k in "abcdefghij":
        r.set(k, 1)
    r.expire("a", 100)
    r.expire("b", 100)
    r.execute_command("SELECT", 3)
    r.set("other", 1)
    r.execute_command("SELECT", 0)
    f = fields(info_text(r, "keyspace"))
    assert f["db0"].startswith("keys=10,expires=2,avg_ttl=")
    assert f["db0"].endswith(",subexpiry=0")
    assert f["db3"] == "keys=1,expires=0,avg_ttl=0,subexpiry=0"
    r.flushall()
    assert fields(info_text(r, "keyspace")) == {}


def test_commandstats(server):
    c = server.client()
    c.config_resetstat()
    c.set("cs", "1")
    c.set("cs", "2")
    c.get("cs")
    with pytest.raises(redis.ResponseError):
        c.execute_command("GET")
    with pytest.raises(redis.ResponseError):
        c.execute_command("SET", "cs", "v", "EX", "bad")
    c.config_get("maxmemory")
    text = info_text(c, "commandstats")
    f = fields(text)
    assert f["cmdstat_set"].startswith("calls=3,usec=")
    assert f["cmdstat_set"].endswith(",rejected_calls=0,failed_calls=1")
    assert f["cmdstat_get"].startswith("calls=1,")
    assert f["cmdstat_get"].endswith(",rejected_calls=1,failed_calls=0")
    assert "usec_per_call=" in f["cmdstat_get"]
    assert f["cmdstat_config|get"].startswith("calls=1,")
    c.close()


def test_errorstats(server):
    c = server.client()
    c.config_resetstat()
    assert fields(info_text(c, "errorstats")) == {}
    c.set("str", "x")
    with pytest.raises(redis.ResponseError):
        c.execute_command("INCR", "str")
    with pytest.raises(redis.ResponseError):
        c.execute_command("NOSUCHCOMMAND")
    # A wrong-type error on a key of another shard (errors counted everywhere).
    for k in ("a", "b", "c", "d"):
        c.set("{%s}v" % k, "notanumber")
        with pytest.raises(redis.ResponseError):
            c.incr("{%s}v" % k)
    f = fields(info_text(c, "errorstats"))
    assert f == {"errorstat_ERR": "count=6"}
    stats = fields(info_text(c, "stats"))
    assert stats["total_error_replies"] == "6"
    c.close()


def test_resetstat(server):
    c = server.client()
    c.set("x", 1)
    c.get("x")
    with pytest.raises(redis.ResponseError):
        c.execute_command("NOSUCHCOMMAND")
    c.config_resetstat()
    assert list(fields(info_text(c, "commandstats"))) == ["cmdstat_config|resetstat"]
    f = fields(info_text(c, "stats"))
    assert int(f["keyspace_hits"]) == 0
    assert int(f["total_commands_processed"]) == 2
    assert f["total_error_replies"] == "0"
    assert fields(info_text(c, "errorstats")) == {}
    assert int(fields(info_text(c, "persistence"))["rdb_changes_since_last_save"]) > 0
    c.close()


def test_info_resp3_is_verbatim(server):
    import socket
    s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    s.sendall(b"HELLO 3\r\n")
    time.sleep(0.1)
    data = s.recv(65536)
    if not data.startswith(b"%"):
        s.close()
        pytest.skip("HELLO 3 not available")
    s.sendall(b"INFO cpu\r\n")
    buf = b""
    while b"used_cpu_user_main_thread" not in buf:
        buf += s.recv(65536)
    assert buf.startswith(b"=")
    assert b"\r\ntxt:# CPU\r\n" in buf
    s.close()
