"""The server process: command line and configuration file, fatal
configuration errors (Redis's format, exit code 1), signals and SHUTDOWN
(clean exit code 0), listening on a Unix socket and on chosen addresses,
maxclients, and the idle client timeout.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import redis

from conftest import BIN, ServerProcess, free_port, wait_for_port
from test_protocol import RawConn, encode


def run_server(args, timeout=10):
    """Runs the binary to completion (for options that make it exit)."""
    return subprocess.run([BIN] + list(args), capture_output=True, text=True, timeout=timeout)


def run_reference(args, timeout=10):
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server is not installed")
    return subprocess.run([exe] + list(args), capture_output=True, text=True, timeout=timeout)


def fatal_text(proc):
    """The fatal configuration error block, with the version normalised."""
    out = proc.stdout + proc.stderr
    return re.sub(r"\(Redis [0-9.]+\)", "(Redis X)", out).strip()


@pytest.fixture
def tmpdir_path():
    d = tempfile.mkdtemp(prefix="lodestone-proc-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


# ---- Version and configuration errors -----------------------------------------

def test_version():
    for flag in ("--version", "-v"):
        p = run_server([flag])
        assert p.returncode == 0
        assert re.search(r"v=\d+\.\d+\.\d+", p.stdout)
        assert "bits=64" in p.stdout


def test_unknown_directive_in_config_file(tmpdir_path):
    path = os.path.join(tmpdir_path, "bad.conf")
    with open(path, "w") as f:
        f.write("# a comment\nport 0\n\nnosuch-directive yes\nmaxclients 10\n")
    p = run_server([path])
    assert p.returncode == 1
    text = fatal_text(p)
    assert text == ("*** FATAL CONFIG FILE ERROR (Redis X) ***\n"
                    "Reading the configuration file, at line 4\n"
                    ">>> 'nosuch-directive yes'\n"
                    "Bad directive or wrong number of arguments")
    ref = run_reference([path])
    assert ref.returncode == 1 and fatal_text(ref) == text


def test_unknown_directive_on_command_line():
    p = run_server(["--port", str(free_port()), "--no-such-thing", "1"])
    assert p.returncode == 1
    text = fatal_text(p)
    assert text.startswith("*** FATAL CONFIG FILE ERROR (Redis X) ***\n"
                           "Reading the configuration file, at line ")
    assert ">>> 'no-such-thing \"1\"'" in text
    assert text.endswith("Bad directive or wrong number of arguments")
    ref = run_reference(["--port", "0", "--no-such-thing", "1"])
    assert ref.returncode == 1
    assert fatal_text(ref).split("\n")[2:] == text.split("\n")[2:]


@pytest.mark.parametrize("args", [
    ["--port", "notanumber"],
    ["--maxclients", "-5"],
    ["--appendonly", "maybe"],
    ["--maxmemory-policy", "nosuch"],
    ["--databases"],
], ids=["port", "maxclients", "appendonly", "policy", "missing-arg"])
def test_bad_values_match_reference(args):
    p = run_server(args)
    ref = run_reference(args)
    assert p.returncode == 1 and ref.returncode == 1
    assert fatal_text(p) == fatal_text(ref)


def test_config_file_and_command_line_together():
    # The command line comes after the file and wins.
    s = ServerProcess(threads=2, config_text="port 1\ndatabases 4\nmaxclients 77\n",
                      args=["--maxclients", "88"])
    try:
        c = s.client()
        assert c.config_get("port")["port"] == str(s.port)
        assert c.config_get("databases")["databases"] == "4"
        assert c.config_get("maxclients")["maxclients"] == "88"
        assert c.execute_command("SELECT", "3")
        with pytest.raises(redis.ResponseError, match="DB index is out of range"):
            c.execute_command("SELECT", "4")
        assert c.config_get("dir")["dir"] == os.path.realpath(s.dir)
        c.close()
    finally:
        assert s.stop() == 0


# ---- Shutting down ----------------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_clean_exit(sig):
    s = ServerProcess(threads=4)
    conns = [RawConn(s.port) for _ in range(4)]
    for i, c in enumerate(conns):
        c.call("SET", "k%d" % i, "v")
    s.proc.send_signal(sig)
    assert s.proc.wait(timeout=10) == 0
    for c in conns:
        assert c.is_closed()
        c.close()
    assert s.stop() == 0


def test_shutdown_nosave():
    s = ServerProcess(threads=4)
    try:
        with RawConn(s.port) as other, RawConn(s.port) as c:
            other.call("PING")
            c.send(encode("SHUTDOWN", "NOSAVE"))
            # No reply: the connection just closes, and so do the others.
            assert c.read_until_closed() == b""
            assert other.is_closed()
        assert s.proc.wait(timeout=10) == 0
    finally:
        s.stop()


def test_shutdown_from_redis_py():
    s = ServerProcess(threads=2)
    try:
        c = s.client()
        c.shutdown(nosave=True)  # redis-py treats the closed connection as success
        assert s.proc.wait(timeout=10) == 0
    finally:
        s.stop()


# ---- Listeners --------------------------------------------------------------------

def test_unixsocket(tmpdir_path):
    path = os.path.join(tmpdir_path, "lodestone.sock")
    s = ServerProcess(threads=2, args=["--unixsocket", path, "--unixsocketperm", "700"])
    try:
        assert os.path.exists(path)
        assert oct(os.stat(path).st_mode & 0o777) == "0o700"
        c = redis.Redis(unix_socket_path=path, decode_responses=True)
        assert c.set("k", "over unix") is True
        assert c.get("k") == "over unix"
        info = c.client_info()
        assert info["addr"] == path + ":0" and info["laddr"] == path + ":0"
        assert "U" in info["flags"]
        # The TCP listener still serves the same data.
        assert s.client().get("k") == "over unix"
        c.close()
        with RawConn(None, unix_path=path) as raw:
            raw.send(b"*1\r\n$4\r\nPING\r\nPING\r\n")
            assert raw.read() == b"PONG" and raw.read() == b"PONG"
    finally:
        assert s.stop() == 0
    assert not os.path.exists(path)  # removed on exit


def test_bind_address(tmpdir_path):
    port = free_port()
    proc = subprocess.Popen([BIN, "--port", str(port), "--bind", "127.0.0.2", "--threads", "2",
                             "--dir", tmpdir_path],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.2", port), timeout=0.5).close()
                break
            except OSError:
                assert time.time() < deadline and proc.poll() is None
                time.sleep(0.02)
        with RawConn(port, host="127.0.0.2") as c:
            assert c.call("PING") == b"PONG"
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=1)
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_bind_busy_port_fails():
    s = ServerProcess(threads=1)
    try:
        p = run_server(["--port", str(s.port), "--bind", "127.0.0.1"])
        assert p.returncode == 1
        assert "Could not create server TCP listening socket" in p.stdout + p.stderr
    finally:
        assert s.stop() == 0


# ---- Client limits -----------------------------------------------------------------

def test_maxclients_reached():
    s = ServerProcess(threads=2, args=["--maxclients", "3"])
    try:
        first = RawConn(s.port)
        # Wait until the server has seen the start-up probe connection go.
        deadline = time.time() + 5
        while b"connected_clients:1\r\n" not in first.call("INFO", "clients"):
            assert time.time() < deadline
            time.sleep(0.02)
        conns = [first, RawConn(s.port), RawConn(s.port)]
        for c in conns:
            assert c.call("PING") == b"PONG"
        with RawConn(s.port) as extra:
            assert extra.read_until_closed() == b"-ERR max number of clients reached\r\n"
        # A slot frees up when a client leaves.
        conns.pop().close()
        deadline = time.time() + 5
        while True:
            with RawConn(s.port) as again:
                try:
                    assert again.call("PING") == b"PONG"
                    break
                except Exception:
                    assert time.time() < deadline
                    time.sleep(0.05)
        info = s.client().info("stats")
        assert info["rejected_connections"] >= 1
        for c in conns:
            c.close()
    finally:
        assert s.stop() == 0


def test_idle_timeout_closes_clients():
    s = ServerProcess(threads=2, args=["--timeout", "1", "--hz", "50"])
    try:
        idle = RawConn(s.port)
        busy = RawConn(s.port)
        assert idle.call("PING") == b"PONG"
        deadline = time.time() + 2.5
        while time.time() < deadline:
            assert busy.call("PING") == b"PONG"
            time.sleep(0.2)
        assert idle.is_closed(timeout=1)
        assert busy.call("PING") == b"PONG"
        idle.close()
        busy.close()
    finally:
        assert s.stop() == 0
