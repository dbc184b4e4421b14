"""The hot path allocates nothing per command: GET, and SET of a small value
over an existing key, run with zero calls to malloc/realloc beyond the
connection's own set-up (counted by an LD_PRELOAD shim)."""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import BIN, SANITIZED, free_port, wait_for_port

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def counted_server():
    if SANITIZED:
        pytest.skip("sanitizer runtimes replace malloc themselves")
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler for the malloc counter")
    tmp = tempfile.mkdtemp(prefix="hotpath-")
    shim = os.path.join(tmp, "malloc_counter.so")
    subprocess.check_call([cc, "-shared", "-fPIC", "-O2",
                           os.path.join(HERE, "support", "malloc_counter.c"), "-o", shim, "-ldl"])
    port = free_port()
    err_path = os.path.join(tmp, "stderr.log")
    err = open(err_path, "w")
    env = dict(os.environ, LD_PRELOAD=shim)
    proc = subprocess.Popen([BIN, "--port", str(port), "--bind", "127.0.0.1", "--threads", "1"],
                            stdout=subprocess.DEVNULL, stderr=err, env=env)
    wait_for_port(port, proc)

    def mallocs():
        proc.send_signal(signal.SIGUSR1)
        for _ in range(100):
            time.sleep(0.02)
            counts = re.findall(r"mallocs=(\d+)", open(err_path).read())
            if counts and len(counts) > mallocs.calls:
                mallocs.calls = len(counts)
                return int(counts[-1])
        raise AssertionError("no count from the malloc shim")
    mallocs.calls = 0

    yield port, mallocs
    proc.terminate()
    proc.wait(timeout=10)
    err.close()
    shutil.rmtree(tmp, ignore_errors=True)


def pipeline(sock, payload, replies):
    sock.sendall(payload)
    data = b""
    while data.count(b"\r\n") < replies:
        chunk = sock.recv(1 << 16)
        assert chunk, "connection closed"
        data += chunk
    return data


def test_get_and_set_allocate_nothing(counted_server):
    port, mallocs = counted_server
    sock = socket.create_connection(("127.0.0.1", port))
    set_cmd = b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nhello\r\n"
    get_cmd = b"*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"
    batch = 200
    # Warm up: the connection's buffers reach their working size.
    for _ in range(20):
        pipeline(sock, (set_cmd + get_cmd) * batch, 3 * batch)
    before = mallocs()
    for _ in range(100):
        pipeline(sock, (set_cmd + get_cmd) * batch, 3 * batch)
    after = mallocs()
    sock.close()
    # 40,000 commands; a per-command allocation would show tens of thousands.
    assert after - before <= 5, "hot path allocated %d times" % (after - before)
