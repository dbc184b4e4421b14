"""Transactions: MULTI/EXEC/DISCARD/WATCH/UNWATCH with Redis's replies and
errors, at --threads 1 and 4. At 4 threads the keys below live on different
shards, so EXEC and WATCH take the cross-shard paths: a transaction over
several shards must be atomic, and a watched key must be invalidated by a
write from a client on another thread, by expiry, FLUSHDB and SWAPDB.
"""
import threading
import time

import pytest
import redis

from conftest import SANITIZED, ServerProcess
from test_protocol import ErrorReply, RawConn, encode


def crc16(data):
    crc = 0
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def shard_of(key, threads=4):
    return (crc16(key.encode()) % 16384) * threads // 16384


def keys_on_distinct_shards(prefix, count=4):
    """`count` keys, each on its own shard at --threads 4."""
    found = {}
    i = 0
    while len(found) < count:
        k = "%s%d" % (prefix, i)
        found.setdefault(shard_of(k), k)
        i += 1
    return [found[s] for s in sorted(found)]


A, B, C, D = keys_on_distinct_shards("tx")


def err(reply):
    """The text of an error reply (None for any other reply)."""
    return reply.text if isinstance(reply, ErrorReply) else None


def raw(server_threads):
    return RawConn(server_threads.port)


# ---- MULTI / EXEC / DISCARD ----------------------------------------------------


def test_exec_runs_queued_commands_across_shards(rt, server_threads):
    with raw(server_threads) as c:
        assert c.call("MULTI") == b"OK"
        assert c.call("SET", A, "1") == b"QUEUED"
        assert c.call("SET", B, "2") == b"QUEUED"
        assert c.call("MSET", C, "3", D, "4") == b"QUEUED"
        assert c.call("INCR", A) == b"QUEUED"
        assert c.call("MGET", A, B, C, D) == b"QUEUED"
        assert c.call("PING") == b"QUEUED"
        assert c.call("EXEC") == [b"OK", b"OK", b"OK", 2, [b"2", b"2", b"3", b"4"], b"PONG"]
    assert rt.mget(A, B, C, D) == ["2", "2", "3", "4"]


def test_runtime_errors_are_returned_inside_the_array(rt, server_threads):
    rt.set(A, "notanumber")
    with raw(server_threads) as c:
        c.call("MULTI")
        c.call("INCR", A)
        c.call("SET", B, "x")
        c.call("LPUSH", A, "v")
        reply = c.call("EXEC")
    assert err(reply[0]).startswith("ERR value is not an integer")
    assert reply[1] == b"OK"
    assert err(reply[2]).startswith("WRONGTYPE")
    assert rt.get(B) == "x"


def test_queueing_errors_abort_exec(rt, server_threads):
    with raw(server_threads) as c:
        c.call("MULTI")
        assert c.call("SET", A, "1") == b"QUEUED"
        assert err(c.call("NOSUCHCOMMAND")).startswith("ERR unknown command")
        assert err(c.call("GET")) == "ERR wrong number of arguments for 'get' command"
        assert c.call("SET", B, "2") == b"QUEUED"
        assert err(c.call("EXEC")) == "EXECABORT Transaction discarded because of previous errors."
        # The client is out of MULTI afterwards.
        assert c.call("PING") == b"PONG"
    assert rt.exists(A, B) == 0


def test_transaction_command_errors(rt, server_threads):
    with raw(server_threads) as c:
        assert err(c.call("EXEC")) == "ERR EXEC without MULTI"
        assert err(c.call("DISCARD")) == "ERR DISCARD without MULTI"
        c.call("MULTI")
        assert err(c.call("MULTI")) == "ERR MULTI calls can not be nested"
        assert err(c.call("WATCH", A)) == "ERR WATCH inside MULTI is not allowed"
        # Neither error flags the transaction.
        assert c.call("SET", A, "v") == b"QUEUED"
        assert c.call("EXEC") == [b"OK"]
        assert err(c.call("EXEC")) == "ERR EXEC without MULTI"


def test_rejected_exec_discards_the_transaction(rt, server_threads):
    with raw(server_threads) as c:
        c.call("MULTI")
        c.call("SET", A, "1")
        assert err(c.call("EXEC", "extra")) == (
            "EXECABORT Transaction discarded because of: "
            "wrong number of arguments for 'exec' command")
        assert err(c.call("DISCARD")) == "ERR DISCARD without MULTI"
    assert rt.exists(A) == 0


def test_no_multi_commands_are_rejected_and_flag(rt, server_threads):
    with raw(server_threads) as c:
        c.call("MULTI")
        assert err(c.call("SHUTDOWN")) == "ERR Command not allowed inside a transaction"
        c.call("PING")
        assert err(c.call("EXEC")).startswith("EXECABORT")


def test_discard(rt, server_threads):
    rt.set(A, "1")
    with raw(server_threads) as c:
        c.call("MULTI")
        c.call("DEL", A)
        assert c.call("DISCARD") == b"OK"
        assert err(c.call("EXEC")) == "ERR EXEC without MULTI"
    assert rt.get(A) == "1"


def test_empty_transaction(rt, server_threads):
    with raw(server_threads) as c:
        c.call("MULTI")
        assert c.call("EXEC") == []


def test_select_inside_multi_changes_later_commands(rt, server_threads):
    with raw(server_threads) as c:
        c.call("MULTI")
        c.call("SET", A, "db0")
        c.call("SELECT", "3")
        c.call("SET", A, "db3")
        c.call("SET", B, "db3")
        assert c.call("EXEC") == [b"OK", b"OK", b"OK", b"OK"]
        assert c.call("GET", A) == b"db3"  # still in db 3
    assert rt.get(A) == "db0"
    rt.select(3)
    assert rt.mget(A, B) == ["db3", "db3"]
    rt.flushall()


def test_blocking_commands_do_not_block_inside_multi(rt, server_threads):
    with raw(server_threads) as c:
        c.call("MULTI")
        c.call("BLPOP", A, "0")
        c.call("BLMOVE", A, B, "LEFT", "LEFT", "0")
        c.call("BZPOPMIN", C, "0")
        assert c.call("EXEC") == [None, None, None]


def test_all_shard_commands_inside_multi(rt, server_threads):
    rt.mset({A: 1, B: 2, C: 3})
    with raw(server_threads) as c:
        c.call("MULTI")
        c.call("DBSIZE")
        c.call("SET", D, "4")
        c.call("DBSIZE")
        c.call("FLUSHDB")
        c.call("DBSIZE")
        assert c.call("EXEC") == [3, b"OK", 4, b"OK", 0]


def test_pipelined_transaction_after_remote_writes(rt, server_threads):
    # Commands before EXEC that went to other shards are done before it runs.
    payload = b"".join(encode(*cmd) for cmd in (
        ("SET", A, "1"), ("SET", B, "2"), ("MULTI",), ("GET", A), ("GET", B),
        ("INCR", C), ("EXEC",), ("GET", C)))
    with raw(server_threads) as c:
        c.send(payload)
        replies = [c.read() for _ in range(8)]
    assert replies == [b"OK", b"OK", b"OK", b"QUEUED", b"QUEUED", b"QUEUED",
                       [b"1", b"2", 1], b"1"]


def test_pipelined_watch_after_remote_write(rt, server_threads):
    # The SET before WATCH has run when WATCH registers: it dirties nothing.
    # The SET after it (sent before EXEC in the same pipeline) does.
    for key in (A, B, C, D):
        cmds = [("SET", key, "1"), ("WATCH", key), ("MULTI",), ("PING",), ("EXEC",)]
        with raw(server_threads) as c:
            c.send(b"".join(encode(*cmd) for cmd in cmds))
            assert [c.read() for _ in cmds][-1] == [b"PONG"]
        cmds = [("WATCH", key), ("SET", key, "2"), ("MULTI",), ("PING",), ("EXEC",)]
        with raw(server_threads) as c:
            c.send(b"".join(encode(*cmd) for cmd in cmds))
            assert [c.read() for _ in cmds][-1] is None


def test_resp3_null_array_on_watch_failure(rt, server_threads):
    with raw(server_threads) as c:
        c.call("HELLO", "3")
        c.call("WATCH", A)
        rt.set(A, "x")
        c.call("MULTI")
        c.call("PING")
        c.send(encode("EXEC"))
        assert c.sock.recv(16) == b"_\r\n"
    with raw(server_threads) as c:
        c.call("WATCH", A)
        rt.set(A, "y")
        c.call("MULTI")
        c.send(encode("EXEC"))
        assert c.sock.recv(16) == b"*-1\r\n"


def test_reset_and_disconnect_discard_the_transaction(rt, server_threads):
    with raw(server_threads) as c:
        c.call("WATCH", A, B)
        c.call("MULTI")
        c.call("SET", A, "1")
        assert c.call("RESET") == b"RESET"
        assert err(c.call("EXEC")) == "ERR EXEC without MULTI"
        rt.set(A, "changed")
        c.call("MULTI")
        c.call("GET", A)
        assert c.call("EXEC") == [b"changed"]  # RESET also unwatched
    with raw(server_threads) as c:
        c.call("WATCH", C)
        c.call("MULTI")
        c.call("SET", C, "never")
    time.sleep(0.1)
    assert rt.get(C) is None
    assert rt.info("clients")["watching_clients"] == 0
    assert rt.info("clients")["total_watched_keys"] == 0


def test_client_list_and_info_fields(rt, server_threads):
    c = server_threads.client()
    try:
        cid = c.client_id()
        assert "multi=-1 watch=0" in c.execute_command("CLIENT", "INFO")
        c.execute_command("WATCH", A, B, A)
        assert " watch=2 " in c.execute_command("CLIENT", "INFO")
        info = rt.info("clients")
        assert info["watching_clients"] == 1
        assert info["total_watched_keys"] == 2
        rt.execute_command("WATCH", A)
        assert rt.info("clients")["total_watched_keys"] == 2
        rt.execute_command("UNWATCH")
        c.execute_command("MULTI")
        c.execute_command("SET", A, "1")
        c.execute_command("GET", A)
        # Other tests' clients may still be connected: find this one by id.
        line = [l for l in rt.execute_command("CLIENT", "LIST").splitlines()
                if l.startswith("id=%d " % cid)][0]
        assert " flags=x " in line and " multi=2 " in line and " cmd=get " in line
        c.execute_command("DISCARD")
        assert rt.info("clients")["watching_clients"] == 0
        assert rt.info("clients")["total_watched_keys"] == 0
    finally:
        c.close()


def test_maxmemory_rejections(rt, server_threads):
    time.sleep(0.25)  # used memory is sampled by the cron
    rt.config_set("maxmemory", 1)
    try:
        with raw(server_threads) as c:
            # A rejected command flags the transaction.
            c.call("MULTI")
            assert err(c.call("SET", A, "1")).startswith("OOM command not allowed")
            assert c.call("GET", A) == b"QUEUED"
            assert err(c.call("EXEC")).startswith("EXECABORT Transaction discarded because of previous")
            # Reads still run; DISCARD works.
            c.call("MULTI")
            c.call("GET", A)
            c.call("PING")
            assert c.call("EXEC") == [None, b"PONG"]
            c.call("MULTI")
            assert c.call("DISCARD") == b"OK"
            # Queued before the limit, refused at EXEC.
            rt.config_set("maxmemory", 0)
            c.call("MULTI")
            c.call("SET", A, "1")
            rt.config_set("maxmemory", 1)
            assert err(c.call("EXEC")) == ("EXECABORT Transaction discarded because of: OOM "
                                           "command not allowed when used memory > 'maxmemory'.")
            assert err(c.call("EXEC")) == "ERR EXEC without MULTI"
    finally:
        rt.config_set("maxmemory", 0)
    assert rt.exists(A) == 0


def test_error_stats_inside_multi(rt, server_threads):
    rt.config_resetstat()
    with raw(server_threads) as c:
        c.call("MULTI")
        c.call("SET", A, "b")
        c.call("INCR", A)
        reply = c.call("EXEC")
        assert reply[0] == b"OK" and err(reply[1]).startswith("ERR value is not")
        c.call("MULTI")
        c.call("SET")
        c.call("EXEC")
    stats = rt.info("commandstats")
    # The failing command is counted, not EXEC; a queueing error fails EXEC.
    assert stats["cmdstat_incr"]["failed_calls"] == 1
    assert stats["cmdstat_exec"]["calls"] == 2
    assert stats["cmdstat_exec"]["failed_calls"] == 1
    assert stats["cmdstat_set"]["rejected_calls"] == 1
    assert rt.info("errorstats")["errorstat_EXECABORT"] == "count=1"
    assert rt.info("stats")["total_error_replies"] == 3


# ---- WATCH ------------------------------------------------------------------


def exec_with_watch(server_threads, keys, between):
    """WATCH keys, run between(), then MULTI PING EXEC: the EXEC reply."""
    with raw(server_threads) as c:
        assert c.call("WATCH", *keys) == b"OK"
        between()
        c.call("MULTI")
        c.call("PING")
        return c.call("EXEC")


def test_watch_unmodified_key_succeeds(rt, server_threads):
    rt.set(A, "1")
    assert exec_with_watch(server_threads, [A, B, C, D], lambda: rt.get(A)) == [b"PONG"]


def test_watch_write_from_another_client(rt, server_threads):
    # rt's connection may be on another thread than the watcher's: at 4
    # threads, clients are spread round robin, so try several.
    for key in (A, B, C, D):
        assert exec_with_watch(server_threads, [key], lambda: rt.set(key, "x")) is None
        assert exec_with_watch(server_threads, [A, B, C, D],
                               lambda: rt.delete(key)) is None


def test_watch_missing_key_created(rt, server_threads):
    assert exec_with_watch(server_threads, [B], lambda: rt.lpush(B, "x")) is None


def test_watch_delete_of_missing_key_is_no_change(rt, server_threads):
    assert exec_with_watch(server_threads, [B], lambda: rt.delete(B)) == [b"PONG"]


def test_watch_cross_shard_writes(rt, server_threads):
    rt.mset({A: "1", B: "2"})
    assert exec_with_watch(server_threads, [D], lambda: rt.rename(A, D)) is None
    assert exec_with_watch(server_threads, [C], lambda: rt.mset({A: 1, C: 2})) is None


def test_watch_own_write_also_counts(rt, server_threads):
    with raw(server_threads) as c:
        c.call("WATCH", A)
        c.call("SET", A, "mine")
        c.call("MULTI")
        c.call("GET", A)
        assert c.call("EXEC") is None


def test_watch_invalidated_by_expiry(rt, server_threads):
    rt.set(A, "v", px=50)
    # Active expiry deletes the key meanwhile.
    def wait():
        deadline = time.time() + 3
        while rt.dbsize() and time.time() < deadline:
            time.sleep(0.02)
    assert exec_with_watch(server_threads, [A], wait) is None


def test_watch_invalidated_by_lazy_expiry_at_exec(rt, server_threads):
    rt.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    try:
        rt.set(A, "v", px=30)
        assert exec_with_watch(server_threads, [A], lambda: time.sleep(0.06)) is None
        # A key already expired when watched: its deletion is no change.
        rt.set(B, "v", px=1)
        time.sleep(0.01)
        assert exec_with_watch(server_threads, [B], lambda: rt.exists(B)) == [b"PONG"]
    finally:
        rt.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")


def test_watch_flushdb_flushall(rt, server_threads):
    rt.set(A, "1")
    assert exec_with_watch(server_threads, [A, B], lambda: rt.flushdb()) is None
    assert exec_with_watch(server_threads, [A, B], lambda: rt.flushdb()) == [b"PONG"]
    rt.set(C, "1")
    assert exec_with_watch(server_threads, [C], lambda: rt.flushall()) is None


def test_watch_swapdb(rt, server_threads):
    rt.set(A, "1")
    assert exec_with_watch(server_threads, [A], lambda: rt.swapdb(0, 1)) is None
    # Now A is missing in db 0 and present in db 1: swapping creates it.
    assert exec_with_watch(server_threads, [A], lambda: rt.swapdb(0, 1)) is None
    # Neither database has D: no change.
    assert exec_with_watch(server_threads, [D], lambda: rt.swapdb(0, 1)) == [b"PONG"]
    rt.flushall()


def test_watch_remembers_db(rt, server_threads):
    with raw(server_threads) as c:
        c.call("SELECT", "5")
        c.call("WATCH", A)
        rt.set(A, "other db")  # db 0
        c.call("MULTI")
        c.call("PING")
        assert c.call("EXEC") == [b"PONG"]


def test_unwatch_and_exec_release_watches(rt, server_threads):
    with raw(server_threads) as c:
        c.call("WATCH", A, B, C, D)
        rt.set(A, "x")
        assert c.call("UNWATCH") == b"OK"
        c.call("MULTI")
        c.call("PING")
        assert c.call("EXEC") == [b"PONG"]
        c.call("WATCH", A)
        c.call("MULTI")
        c.call("PING")
        assert c.call("EXEC") == [b"PONG"]
        rt.set(A, "y")  # no longer watched
        c.call("MULTI")
        c.call("PING")
        assert c.call("EXEC") == [b"PONG"]
    time.sleep(0.1)
    info = rt.info("clients")
    assert info["watching_clients"] == 0 and info["total_watched_keys"] == 0


def test_watch_rewatch_after_unwatch_many_times(rt, server_threads):
    # Removal of old registrations on other shards is posted; a new WATCH of
    # the same keys must not be lost to a late removal.
    with raw(server_threads) as c:
        for i in range(50):
            c.call("WATCH", A, B, C, D)
            c.call("UNWATCH")
        c.call("WATCH", A, B, C, D)
        rt.set(D, "x")
        c.call("MULTI")
        c.call("PING")
        assert c.call("EXEC") is None


# ---- atomicity across shards --------------------------------------------------


@pytest.mark.threads
def test_concurrent_transfers_keep_the_total(rt, server_threads):
    accounts = [A, B, C, D]
    for k in accounts:
        rt.set(k, 1000)
    total = 1000 * len(accounts)
    stop = threading.Event()
    errors = []
    rounds = 60 if SANITIZED else 300

    def transfer(seed):
        try:
            c = server_threads.client()
            for i in range(rounds):
                src = accounts[(seed + i) % 4]
                dst = accounts[(seed + i * 3 + 1) % 4]
                p = c.pipeline(transaction=True)
                p.decrby(src, 7)
                p.incrby(dst, 7)
                p.execute()
            c.close()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def check():
        try:
            c = server_threads.client()
            while not stop.is_set():
                p = c.pipeline(transaction=True)
                for k in accounts:
                    p.get(k)
                values = p.execute()
                s = sum(int(v) for v in values)
                if s != total:
                    errors.append(AssertionError("torn read: %r" % values))
                    return
            c.close()
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    readers = [threading.Thread(target=check) for _ in range(2)]
    writers = [threading.Thread(target=transfer, args=(s,)) for s in range(4)]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join(60)
    stop.set()
    for t in readers:
        t.join(10)
    assert not errors, errors[0]
    assert sum(int(v) for v in rt.mget(accounts)) == total


@pytest.mark.threads
def test_optimistic_locking_counter(rt, server_threads):
    """WATCH/GET/MULTI/SET/EXEC retried until it succeeds: no lost updates
    between clients on different threads."""
    rt.set(B, 0)
    per_client = 20 if SANITIZED else 60

    def worker():
        c = server_threads.client()
        done = 0
        while done < per_client:
            with c.pipeline(transaction=True) as p:
                try:
                    p.watch(B)
                    v = int(p.get(B))
                    p.multi()
                    p.set(B, v + 1)
                    p.execute()
                    done += 1
                except redis.WatchError:
                    pass
        c.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert int(rt.get(B)) == 4 * per_client
