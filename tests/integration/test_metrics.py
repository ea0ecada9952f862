#!/usr/bin/env python3
"""Prometheus metrics from syd-control: exact counters, and promtool accepts them."""
import socket
import subprocess
import urllib.error
import urllib.request

from sydtest import Control, Dataplane, Peer, Workspace, run, sydctl, wait_for

BCAST = "ff:ff:ff:ff:ff:ff"
MAC = {1: "02:00:00:00:00:01", 2: "02:00:00:00:00:02"}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def scrape(port, path="/metrics"):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=10) as r:
        return r.read().decode()


def samples(text):
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


def test_metrics_exact_and_valid():
    with Workspace("metrics") as ws:
        dp_sock, sock, port = ws.path("dp.sock"), ws.path("control.sock"), free_port()
        dp = Dataplane(ws, extra=["--control", dp_sock])
        ctl = Control(ws, dp_sock, sock, ws.path("state"), extra=["--metrics", str(port)])
        wait_for("syd-control to connect", lambda: "adopted" in ctl.text())
        sydctl(sock, "add-network", "blue")
        for i in (1, 2):
            sydctl(sock, "add-port", "vm%d" % i, "vhost-server", ws.path("vm%d.sock" % i),
                   "--network", "blue")
        p1 = Peer(ws, "peer1", ws.path("vm1.sock"), MAC[1])
        p2 = Peer(ws, "peer2", ws.path("vm2.sock"), MAC[2])
        dp.wait_link("vm1", up=True)
        dp.wait_link("vm2", up=True)
        assert p1.send(BCAST, count=6) == 6
        assert p2.recv()[1] == 6
        assert p2.send(MAC[1], count=3, size=8) == 3      # short_eth

        text = scrape(port)
        m = samples(text)
        assert m["syd_dataplane_up"] == 1
        assert m['syd_port_rx_packets_total{port="vm1",network="blue"}'] == 6
        assert m['syd_port_tx_packets_total{port="vm2",network="blue"}'] == 6
        assert m['syd_port_rx_bytes_total{port="vm1",network="blue"}'] == 6 * 60
        assert m['syd_port_forwarded_packets_total{port="vm1",network="blue"}'] == 6
        assert m['syd_port_drops_total{port="vm2",network="blue",reason="short_eth"}'] == 3
        assert m['syd_port_up{port="vm1",network="blue",kind="vhost-server"}'] == 1
        assert m['syd_network_ports{network="blue"}'] == 2
        assert m['syd_worker_packets_total{worker="0",lcore="1"}'] == 9
        assert 0 < m['syd_worker_switch_cycles_total{worker="0",lcore="1"}'] < \
            m['syd_worker_busy_cycles_total{worker="0",lcore="1"}']
        assert m["syd_mac_table_capacity"] == 65536

        r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                           text=True, timeout=30)
        assert r.returncode == 0, r.stdout + r.stderr

        try:
            scrape(port, "/other")
            assert False, "a path other than /metrics answered"
        except urllib.error.HTTPError as e:
            assert e.code == 404
        try:
            urllib.request.urlopen(urllib.request.Request(
                "http://127.0.0.1:%d/metrics" % port, data=b"x", method="POST"), timeout=10)
            assert False, "POST /metrics answered"
        except urllib.error.HTTPError as e:
            assert e.code == 405

        dp.stop()
        wait_for("syd-control to notice", lambda: "lost the dataplane" in ctl.text())
        down = scrape(port)
        assert samples(down) == {"syd_dataplane_up": 0.0}, down


def test_metrics_only_on_localhost():
    with Workspace("metrics-addr") as ws:
        r = subprocess.run([__import__("sydtest").CONTROL, "--dataplane", ws.path("x"),
                            "--listen", ws.path("c.sock"), "--state", ws.path("s"),
                            "--metrics", "0.0.0.0:9469"], capture_output=True, text=True,
                           timeout=10)
        assert r.returncode == 1 and "localhost" in r.stderr, r.stderr


if __name__ == "__main__":
    run([test_metrics_exact_and_valid, test_metrics_only_on_localhost])
