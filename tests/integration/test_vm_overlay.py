#!/usr/bin/env python3
"""Real VMs across the overlay: a QEMU guest behind switch A reaches a guest behind
switch B over VXLAN.

Hosts A and B are network namespaces, each with its own syd-dataplane, joined by a veth
pair that carries VXLAN between their AF_XDP uplinks (underlay MTU 1600, so the guests'
1500-byte frames fit once encapsulated). Each guest is on network blue (VNI 5001): they
ping each other, and move 2 MiB each way over TCP with matching md5sums.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from sydtest import Dataplane, Netns, Workspace, run, sh, sydctl, wait_for  # noqa: E402
from test_vm import transfer  # noqa: E402
from vm import Guest, check_hugepages  # noqa: E402

WORKER_CORE = 1


def test_guests_across_vxlan():
    with Workspace("vm-overlay") as ws:
        check_hugepages(guests=2, dataplane_mb=512)
        nets = Netns(ws, "v")
        ns = {"a": nets.ns("a"), "b": nets.ns("b")}
        nets.veth(ns["a"], "vupa", ns["b"], "vupb")
        for side in "ab":
            sh("ip -n %s link set vup%s mtu 1600" % (ns[side], side))
        socks = {}
        for side, me, other in (("a", "198.18.0.1", "198.18.0.2"),
                                ("b", "198.18.0.2", "198.18.0.1")):
            dp_sock = ws.path("dp-%s.sock" % side)
            Dataplane(ws, extra=["--control", dp_sock], netns=ns[side], name="dp-" + side,
                      worker=WORKER_CORE)
            socks[side] = dp_sock
            sydctl(dp_sock, "add-network", "blue", "--vni", "5001")
            sydctl(dp_sock, "add-vtep", "blue", other)
            sydctl(dp_sock, "set-uplink", "vup" + side, "--vtep", me, "--mtu", "1600")
            sydctl(dp_sock, "add-port", "vm", "vhost-server", ws.path("vm-%s.sock" % side),
                   "--network", "blue")
        cpus = ",".join(str(c) for c in sorted(os.sched_getaffinity(0) - {WORKER_CORE})) or "0"
        ga = Guest(ws, "vma", ws.path("vm-a.sock"), "server", "02:5e:00:00:0a:01",
                   "198.18.9.1/24", cpus)
        gb = Guest(ws, "vmb", ws.path("vm-b.sock"), "server", "02:5e:00:00:0b:01",
                   "198.18.9.2/24", cpus)
        start = time.monotonic()
        for g in (ga, gb):
            g.wait_ready(150)
        print("     guests up in %.1f s" % (time.monotonic() - start))
        for side in "ab":
            wait_for("switch %s: next hop resolved" % side,
                     lambda: all(v["resolved"] for v in
                                 sydctl(socks[side], "show", "vteps", "-o", "json")[1]["vteps"]),
                     10)
        wait_for("ping from the guest on A to the guest on B", lambda: ga.ping(gb.ip), 30, 0.5)
        assert gb.ping(ga.ip, count=3), "B cannot ping A"
        for src, dst, port in ((ga, gb, 5001), (gb, ga, 5002)):
            sent, got = transfer(src, dst, port, kib=2048)
            assert sent == got, "%s -> %s: md5 %s sent, %s received" % (src.name, dst.name,
                                                                       sent, got)
        # it went through the tunnel: A's uplink sent and received it, nothing was dropped
        st = {p["name"]: p for p in sydctl(socks["a"], "show", "stats", "-o", "json")[1]["ports"]}
        assert st["uplink"]["tx_packets"] > 2 * 2**20 // 1514, st["uplink"]
        assert st["uplink"]["rx_packets"] > 2 * 2**20 // 1514, st["uplink"]
        macs = sydctl(socks["a"], "show", "macs", "-o", "json")[1]["macs"]
        assert any(m["mac"] == "02:5e:00:00:0b:01" and m["port"] == "198.18.0.2"
                   for m in macs), macs


if __name__ == "__main__":
    run([test_guests_across_vxlan])
