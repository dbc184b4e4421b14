"""Cross-thread behaviour under concurrent load: many clients spread over the
server's threads, cross-shard commands racing each other (atomicity: no torn
MGET, RENAME/COPY never lose or duplicate a value), pipelines from several
clients, replies always in order, clients killed while their commands are away
on other shards, and a clean shutdown under load.

These tests also run against TSan builds, so loads are modest and each test
stays well under 10 seconds.
"""
import random
import signal
import threading
import time

import pytest

from conftest import SANITIZED, ServerProcess
from test_protocol import Closed, ErrorReply, RawConn, encode

pytestmark = pytest.mark.threads

# Keys on different shards (at --threads 4 "a".."h" spread over all four).
SPREAD = ["a", "b", "c", "d", "e", "f", "g", "h", "k1", "k2", "k3", "k4"]
SCALE = 1 if not SANITIZED else 0.3


def n(count):
    return max(1, int(count * SCALE))


class Workers:
    """Runs functions in threads and re-raises the first failure."""

    def __init__(self):
        self.threads = []
        self.errors = []
        self.stop = threading.Event()

    def start(self, fn, *args):
        def run():
            try:
                fn(*args)
            except BaseException as e:  # noqa: BLE001 - reported in join()
                self.errors.append(e)
                self.stop.set()
        t = threading.Thread(target=run, daemon=True)
        t.start()
        self.threads.append(t)

    def join(self, timeout=30):
        deadline = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0.1, deadline - time.monotonic()))
        assert not any(t.is_alive() for t in self.threads), "workers did not finish"
        if self.errors:
            raise self.errors[0]


@pytest.fixture(scope="module")
def srv():
    s = ServerProcess(threads=4)
    yield s
    assert s.stop() == 0, "server did not shut down cleanly"


@pytest.fixture
def port(srv):
    with RawConn(srv.port) as c:
        assert c.call("FLUSHALL") == b"OK"
    return srv.port


def test_many_clients_set_get(port):
    """64 connections (spread round robin over the 4 threads) each write and
    read back their own keys, which live on every shard."""
    conns = [RawConn(port) for _ in range(64)]
    rounds = n(20)

    def worker(group):
        for r in range(rounds):
            for cid, c in group:
                keys = ["u%d:%d:%d" % (cid, r, j) for j in range(8)]
                payload = b"".join(encode("SET", k, k + "v") for k in keys)
                payload += b"".join(encode("GET", k) for k in keys)
                c.send(payload)
                assert [c.read() for _ in keys] == [b"OK"] * len(keys)
                assert [c.read() for _ in keys] == [(k + "v").encode() for k in keys]

    w = Workers()
    try:
        # Keys are named by the connection's index, unique by construction.
        indexed = list(enumerate(conns))
        for i in range(8):
            w.start(worker, indexed[i::8])
        w.join()
        total = conns[0].call("DBSIZE")
        assert total == 64 * rounds * 8
    finally:
        for c in conns:
            c.close()


def test_cross_shard_mset_mget_never_torn(port):
    keys = SPREAD
    with RawConn(port) as c:
        c.call("MSET", *[x for k in keys for x in (k, "init")])
    w = Workers()
    deadline = time.monotonic() + (1.5 if not SANITIZED else 3)

    def writer(wid):
        with RawConn(port) as c:
            i = 0
            while time.monotonic() < deadline and not w.stop.is_set():
                value = "w%d-%d" % (wid, i)
                assert c.call("MSET", *[x for k in keys for x in (k, value)]) == b"OK"
                i += 1

    def reader():
        with RawConn(port) as c:
            reads = 0
            while time.monotonic() < deadline and not w.stop.is_set():
                values = c.call("MGET", *keys)
                assert len(set(values)) == 1, "torn read: %r" % values
                # The same through DEL-free EXISTS: every key is always there.
                assert c.call("EXISTS", *keys) == len(keys)
                reads += 1
            assert reads > 0

    for i in range(3):
        w.start(writer, i)
    for _ in range(3):
        w.start(reader)
    w.join()


def test_rename_moves_one_token_atomically(port):
    """A single token is moved around N keys on different shards by RENAME
    from several clients; EXISTS over all keys always counts exactly one."""
    keys = ["t%d" % i for i in range(8)]
    with RawConn(port) as c:
        c.call("SET", keys[0], "token")
    w = Workers()
    deadline = time.monotonic() + (1.5 if not SANITIZED else 3)
    moves = []

    def mover(seed):
        rng = random.Random(seed)
        ok = 0
        with RawConn(port) as c:
            while time.monotonic() < deadline and not w.stop.is_set():
                src, dst = rng.sample(keys, 2)
                cmd = "RENAME" if rng.random() < 0.7 else "RENAMENX"
                reply = c.call(cmd, src, dst)
                if reply == ErrorReply("ERR no such key"):
                    continue
                assert reply in (b"OK", 1), reply
                ok += 1
        moves.append(ok)

    def checker():
        with RawConn(port) as c:
            while time.monotonic() < deadline and not w.stop.is_set():
                assert c.call("EXISTS", *keys) == 1
                values = c.call("MGET", *keys)
                assert sorted(values, key=lambda v: v is None) == [b"token"] + [None] * 7, values

    for i in range(4):
        w.start(mover, i)
    for _ in range(2):
        w.start(checker)
    w.join()
    assert sum(moves) > 0
    with RawConn(port) as c:
        assert c.call("EXISTS", *keys) == 1


def test_copy_and_mset_keep_all_keys_equal(port):
    """COPY between keys on different shards and MSET over all of them, from
    several clients: every MGET sees all values equal, and no key is lost."""
    keys = ["c%d" % i for i in range(6)]
    with RawConn(port) as c:
        c.call("MSET", *[x for k in keys for x in (k, "v0")])
    w = Workers()
    deadline = time.monotonic() + (1.5 if not SANITIZED else 3)

    def copier(seed):
        rng = random.Random(seed)
        with RawConn(port) as c:
            while time.monotonic() < deadline and not w.stop.is_set():
                src, dst = rng.sample(keys, 2)
                assert c.call("COPY", src, dst, "REPLACE") == 1
                assert c.call("COPY", src, dst) == 0  # dst exists

    def setter():
        with RawConn(port) as c:
            i = 0
            while time.monotonic() < deadline and not w.stop.is_set():
                i += 1
                c.call("MSET", *[x for k in keys for x in (k, "v%d" % i)])

    def checker():
        with RawConn(port) as c:
            while time.monotonic() < deadline and not w.stop.is_set():
                values = c.call("MGET", *keys)
                assert None not in values and len(set(values)) == 1, values

    for i in range(3):
        w.start(copier, i)
    w.start(setter)
    for _ in range(2):
        w.start(checker)
    w.join()


def test_concurrent_pipelines_replies_in_order(port):
    """Several clients each send long pipelines mixing local, remote and
    cross-shard commands; each sees its replies in request order."""
    def worker(wid):
        rng = random.Random(wid)
        counters = {}
        with RawConn(port) as c:
            for _ in range(n(6)):
                cmds, expected = [], []
                for i in range(400):
                    k = "p%d:%s" % (wid, rng.choice(SPREAD))
                    op = rng.random()
                    if op < 0.4:
                        counters[k] = counters.get(k, 0) + 1
                        cmds.append(encode("INCR", k))
                        expected.append(counters[k])
                    elif op < 0.7:
                        cmds.append(encode("GET", k))
                        expected.append(str(counters[k]).encode() if k in counters else None)
                    elif op < 0.85:
                        ks = ["p%d:%s" % (wid, x) for x in SPREAD[:5]]
                        cmds.append(encode("MGET", *ks))
                        expected.append([str(counters[x]).encode() if x in counters else None
                                         for x in ks])
                    else:
                        cmds.append(encode("ECHO", "%d-%d" % (wid, i)))
                        expected.append(("%d-%d" % (wid, i)).encode())
                c.send(b"".join(cmds))
                got = [c.read() for _ in expected]
                assert got == expected

    w = Workers()
    for i in range(8):
        w.start(worker, i)
    w.join()


def test_contending_cross_shard_coordinators(port):
    """Many clients on different threads start cross-shard executions at the
    same time (MSET over random shards, DBSIZE, KEYS): none deadlocks."""
    def worker(seed):
        rng = random.Random(seed)
        with RawConn(port) as c:
            for i in range(n(150)):
                ks = rng.sample(SPREAD, 3)
                op = i % 5
                if op == 3:
                    assert isinstance(c.call("DBSIZE"), int)
                elif op == 4:
                    assert isinstance(c.call("KEYS", "*"), list)
                else:
                    assert c.call("MSET", *[x for k in ks for x in (k, seed)]) == b"OK"

    w = Workers()
    for i in range(12):
        w.start(worker, i)
    w.join(timeout=60)


def test_shared_counter_at_both_thread_counts(rt, server_threads):
    """INCR on one key from many connections: no increment is lost."""
    per_thread = n(300)

    def worker():
        with RawConn(server_threads.port) as c:
            for _ in range(per_thread // 50):
                c.send(encode("INCR", "shared") * 50 + encode("INCRBY", "b-shared", 2) * 50)
                for _ in range(100):
                    c.read()

    w = Workers()
    for _ in range(8):
        w.start(worker)
    w.join()
    total = 8 * (per_thread // 50) * 50
    assert rt.get("shared") == str(total)
    assert rt.get("b-shared") == str(2 * total)


def test_kill_clients_with_commands_in_flight(port):
    """Clients whose pipelines are away on other shards are killed from
    another thread; the server keeps serving and the killed clients close."""
    w = Workers()
    deadline = time.monotonic() + (1.2 if not SANITIZED else 2.5)

    def busy(wid):
        payload = b"".join(encode("SET", k, "x" * 100) + encode("GET", k) for k in SPREAD) * 20
        while time.monotonic() < deadline and not w.stop.is_set():
            try:
                with RawConn(port, timeout=5) as c:
                    while time.monotonic() < deadline:
                        c.send(payload)
                        for _ in range(2 * len(SPREAD) * 20):
                            c.read()
            except (Closed, ConnectionResetError, BrokenPipeError):
                pass

    def killer():
        with RawConn(port) as c:
            while time.monotonic() < deadline and not w.stop.is_set():
                assert isinstance(c.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"), int)
                time.sleep(0.02)

    for i in range(6):
        w.start(busy, i)
    w.start(killer)
    w.join()
    with RawConn(port) as c:
        assert c.call("PING") == b"PONG"
        assert c.call("MGET", *SPREAD) == [b"x" * 100] * len(SPREAD)


def test_flushall_races_with_writers(port):
    w = Workers()
    deadline = time.monotonic() + 1.0

    def writer(wid):
        with RawConn(port) as c:
            i = 0
            while time.monotonic() < deadline and not w.stop.is_set():
                c.send(b"".join(encode("SET", "%s:%d:%d" % (k, wid, i), "v") for k in SPREAD))
                assert [c.read() for _ in SPREAD] == [b"OK"] * len(SPREAD)
                i += 1

    def flusher():
        with RawConn(port) as c:
            while time.monotonic() < deadline and not w.stop.is_set():
                assert c.call("FLUSHALL") == b"OK"
                assert isinstance(c.call("DBSIZE"), int)
                time.sleep(0.01)

    for i in range(4):
        w.start(writer, i)
    w.start(flusher)
    w.join()
    with RawConn(port) as c:
        assert c.call("FLUSHALL") == b"OK"
        assert c.call("DBSIZE") == 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_clean_shutdown_under_load(sig):
    s = ServerProcess(threads=4)
    w = Workers()
    started = threading.Barrier(7)

    def load(wid):
        payload = b"".join(encode("SET", k, wid) + encode("MGET", *SPREAD[:4]) for k in SPREAD)
        try:
            with RawConn(s.port, timeout=5) as c:
                started.wait(5)
                while True:
                    c.send(payload)
                    for _ in range(2 * len(SPREAD)):
                        c.read()
        except (Closed, ConnectionResetError, BrokenPipeError, OSError):
            pass

    try:
        for i in range(6):
            w.start(load, i)
        started.wait(5)
        time.sleep(0.3)
        s.proc.send_signal(sig)
        assert s.proc.wait(timeout=15) == 0
        w.join(timeout=15)
    finally:
        assert s.stop() == 0
