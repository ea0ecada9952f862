#!/usr/bin/env python3
"""Observability with stock DPDK tools: dpdk-dumpcap captures on a vhost-user port of
the running switch while it forwards."""
import os
import subprocess
import time

import json

import pcap
from sydtest import Dataplane, Peer, Workspace, run, sydctl, wait_for

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


def telemetry(prefix, *cmds):
    """Ask the switch through DPDK's own dpdk-telemetry.py; {command as sent: answer}."""
    r = subprocess.run(["dpdk-telemetry.py", "-f", prefix], input="\n".join(cmds) + "\n",
                       capture_output=True, text=True, timeout=30)
    answers = []
    for line in r.stdout.splitlines():
        line = line.strip().lstrip("-->").strip()
        if line.startswith("{"):
            answers.append(list(json.loads(line).values())[0])
    assert len(answers) == len(cmds), r.stdout + r.stderr
    return dict(zip(cmds, answers))


def test_telemetry_matches_sydctl():
    with Workspace("telemetry") as ws:
        ctl = ws.path("dp.sock")
        dp = Dataplane(ws, [("server", ws.path("vm1.sock"), "vm1"),
                            ("server", ws.path("vm2.sock"), "vm-2")], extra=["--control", ctl])
        p1 = Peer(ws, "peer1", ws.path("vm1.sock"), MAC[1])
        p2 = Peer(ws, "peer2", ws.path("vm2.sock"), MAC[2])
        dp.wait_link("vm1", up=True)
        dp.wait_link("vm-2", up=True)
        assert p1.send(BCAST, count=9) == 9
        assert p2.send(MAC[1], count=4) == 4
        assert p2.send(MAC[1], count=3, size=8) == 3     # too short: short_eth
        assert p1.recv()[1] == 4 and p2.recv()[1] == 9

        t = telemetry(ws.prefix + "-dataplane", "/syd/ports", "/syd/port,vm1", "/syd/port,vm-2",
                      "/syd/drops", "/syd/drops,vm-2", "/syd/workers", "/syd/info")
        assert t["/syd/ports"] == ["vm1", "vm-2"], t
        stats = {p["name"]: p for p in sydctl(ctl, "-o", "json", "show", "stats")[1]["ports"]}
        ports = {p["name"]: p for p in sydctl(ctl, "-o", "json", "show", "ports")[1]["ports"]}
        # One telemetry answer per port holds what show ports and show stats give for it.
        for name in ("vm1", "vm-2"):
            answer = t["/syd/port," + name]
            want = dict(ports[name])
            want.update(stats[name])
            assert answer == want, (answer, want)
        assert stats["vm1"]["rx_packets"] == 9 and stats["vm-2"]["rx_packets"] == 7
        assert t["/syd/drops"]["short_eth"] == 3 and sum(t["/syd/drops"].values()) == 3
        assert stats["vm-2"]["drops"] == {"short_eth": 3}
        assert t["/syd/drops,vm-2"]["short_eth"] == 3 and sum(t["/syd/drops,vm-2"].values()) == 3
        w = sydctl(ctl, "-o", "json", "show", "workers")[1]["workers"][0]
        tw = t["/syd/workers"]["0"]
        assert (tw["id"], tw["lcore"], tw["packets"]) == (w["id"], w["lcore"], w["packets"]) == (0, 1, 16)
        info = sydctl(ctl, "-o", "json", "show", "info")[1]["info"]
        for k in ("software", "file_prefix", "main_lcore", "worker_lcores", "mbufs_total",
                  "mac_entries", "mac_capacity", "ports", "networks"):
            assert t["/syd/info"][k] == info[k], k


if __name__ == "__main__":
    run([test_dumpcap_captures_a_vhost_port, test_telemetry_matches_sydctl])
