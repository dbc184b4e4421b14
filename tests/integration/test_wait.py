"""WAIT and WAITAOF with no replicas and no AOF: immediate answers when
nothing needs acknowledging, a wait until the timeout otherwise, and never a
wait inside MULTI or a script."""
import time

import pytest
import redis

from test_protocol import RawConn, encode


def test_wait_answers_at_once_when_nothing_is_asked(r):
    assert r.execute_command("WAIT", 0, 0) == 0
    assert r.execute_command("WAITAOF", 0, 0, 0) == [0, 0]


def test_wait_blocks_until_the_timeout(r):
    start = time.monotonic()
    assert r.execute_command("WAIT", 1, 200) == 0
    assert r.execute_command("WAITAOF", 0, 1, 200) == [0, 0]
    assert time.monotonic() - start >= 0.35


def test_wait_errors(r):
    for args, text in [(("WAIT", "x", 0), "value is not an integer or out of range"),
                       (("WAIT", 0, -1), "timeout is negative"),
                       (("WAITAOF", 2, 0, 0), "value is out of range, value must between 0 and 1"),
                       (("WAITAOF", 0, -1, 0), "value is out of range, must be positive"),
                       (("WAITAOF", 1, 0, 0),
                        "WAITAOF cannot be used when numlocal is set but appendonly is disabled.")]:
        with pytest.raises(redis.ResponseError) as e:
            r.execute_command(*args)
        assert str(e.value) == text


def test_wait_never_blocks_in_scripts_and_transactions(r):
    assert r.eval("return redis.pcall('wait','1','0')", 0) == 0
    assert r.eval("redis.call('incr','x') return redis.pcall('waitaof','0','1','0')", 0) == [0, 0]
    p = r.pipeline(transaction=True)
    p.execute_command("WAIT", 1, 0)
    assert p.execute() == [0]


def test_wait_forever_ends_with_client_unblock(r, server):
    c = RawConn(server.port)
    try:
        client_id = c.call("CLIENT", "ID")
        c.send(encode("WAIT", "1", "0"))
        deadline = time.time() + 5
        while r.execute_command("CLIENT", "UNBLOCK", client_id) != 1:
            assert time.time() < deadline
            time.sleep(0.01)
        assert c.read() == 0
    finally:
        c.close()
