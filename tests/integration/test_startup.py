#!/usr/bin/env python3
"""Start-up errors: each bad set-up gets one clear sentence and a non-zero exit,
and leaves nothing behind."""
import os
import subprocess

from sydtest import DATAPLANE, Dataplane, Workspace, run


def start(ws, *args, timeout=60):
    r = subprocess.run([DATAPLANE, "--file-prefix", ws.prefix, "--mem", "64"] + list(args),
                       capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout + r.stderr


def test_bad_options_exit_2():
    with Workspace("opts") as ws:
        sock = ws.path("a.sock")
        cases = [
            (["--no-such-option"], "unknown option"),
            (["--workers", "x"], "--workers"),
            (["--workers", "0"], "both the main core and a worker"),
            (["--mac-age", "0"], "--mac-age"),
            (["--vhost-server", sock + ",colour=red"], "unknown setting"),
            (["--vhost-server", sock, "--vhost-server", sock + ",name=b"], "already used"),
            (["--vhost-server", "/tmp/" + "x" * 120 + ".sock"], "at most 107"),
            (["stray"], "unexpected argument"),
        ]
        for args, words in cases:
            code, out = start(ws, *args)
            assert code == 2, "%s: exit %d, expected 2: %s" % (args, code, out)
            assert words in out, "%s: %r does not say %r" % (args, out, words)


def test_help_exits_0():
    with Workspace("help") as ws:
        code, out = start(ws, "--help")
        assert code == 0 and "--vhost-client" in out


def test_missing_core_named():
    with Workspace("core") as ws:
        code, out = start(ws, "--workers", "1000")
        assert code == 1 and "worker core 1000 is not available" in out, out


def test_not_enough_hugepages_named():
    with Workspace("huge") as ws:
        code, out = start(ws, "--mem", "1000000")
        assert code == 1 and "not enough free hugepage memory" in out, out


def test_socket_directory_problems_named():
    with Workspace("dir") as ws:
        code, out = start(ws, "--vhost-server", ws.path("nodir", "a.sock"))
        assert code == 1 and "does not exist" in out, out
        ro = ws.path("ro")
        os.mkdir(ro)
        # Root ignores permission bits; a read-only mount stops even root.
        subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "syd-ro", ro], check=True)
        try:
            code, out = start(ws, "--vhost-server", os.path.join(ro, "a.sock"))
        finally:
            subprocess.run(["umount", ro], check=True)
        assert code == 1 and "not writable" in out, out


def test_socket_in_use_named_and_stale_one_replaced():
    with Workspace("inuse") as ws:
        sock = ws.path("a.sock")
        first = Dataplane(ws, [("server", sock, "a")], name="first")
        code, out = start(ws, "--file-prefix", ws.prefix + "-second", "--vhost-server", sock)
        assert code == 1 and "in use by another process" in out, out
        assert first.alive() and os.path.exists(sock), "the first switch was disturbed"
        first.stop()
        # A socket file nobody listens on (a crash's leftover) is replaced.
        import socket
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(sock)
        s.close()
        second = Dataplane(ws, [("server", sock, "a")], name="second")
        assert "removed stale socket" in second.text()
        assert second.stop() == 0 and not os.path.exists(sock)


if __name__ == "__main__":
    run([test_bad_options_exit_2, test_help_exits_0, test_missing_core_named,
         test_not_enough_hugepages_named, test_socket_directory_problems_named,
         test_socket_in_use_named_and_stale_one_replaced])
