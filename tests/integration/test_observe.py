#!/usr/bin/env python3
"""Observability with stock DPDK tools: dpdk-dumpcap captures on a vhost-user port of
the running switch while it forwards."""
import os
import subprocess
import time

import pcap
from sydtest import Dataplane, Peer, Workspace, run, wait_for

BCAST = "ff:ff:ff:ff:ff:ff"
MAC = {1: "02:00:00:00:00:01", 2: "02:00:00:00:00:02"}


def test_dumpcap_captures_a_vhost_port():
    with Workspace("dumpcap") as ws:
        dp = Dataplane(ws, [("server", ws.path("vm1.sock"), "vm1"),
                            ("server", ws.path("vm2.sock"), "vm2")])
        p1 = Peer(ws, "peer1", ws.path("vm1.sock"), MAC[1])
        p2 = Peer(ws, "peer2", ws.path("vm2.sock"), MAC[2])
        dp.wait_link("vm1", up=True)
        dp.wait_link("vm2", up=True)
        out = ws.path("vm1.pcapng")
        log = open(ws.path("dumpcap.log"), "w")
        cap = subprocess.Popen(["dpdk-dumpcap", "--file-prefix", ws.prefix + "-dataplane",
                                "-i", "net_vhost_vm1", "-w", out, "-c", "12"],
                               stdout=log, stderr=subprocess.STDOUT)
        try:
            # dumpcap writes the file's header once it has attached to the switch.
            wait_for("dumpcap to attach", lambda: (os.path.exists(out) and os.path.getsize(out) > 0)
                     or cap.poll() is not None, 30)
            time.sleep(0.5)
            # 7 frames in on vm1 (rx), then 5 out of vm1 (tx), each of a size of its own.
            for size in range(100, 107):
                assert p1.send(BCAST, size=size) == 1
            assert p2.recv()[1] == 7
            for size in range(200, 205):
                assert p2.send(MAC[1], size=size) == 1
            assert p1.recv()[1] == 5
            cap.wait(30)
        finally:
            if cap.poll() is None:
                cap.terminate()
                cap.wait(10)
        assert cap.returncode == 0, open(ws.path("dumpcap.log")).read()
        frames = [f for _, f in pcap.read(out)]
        assert len(frames) == 12, "captured %d frames" % len(frames)
        assert sorted(len(f) for f in frames) == list(range(100, 107)) + list(range(200, 205))
        for f in frames:
            if len(f) < 200:
                assert f[:6] == b"\xff" * 6 and f[6:12] == bytes.fromhex("020000000001")
            else:
                assert f[:6] == bytes.fromhex("020000000001") and f[6:12] == bytes.fromhex("020000000002")
        assert dp.alive()


if __name__ == "__main__":
    run([test_dumpcap_captures_a_vhost_port])
