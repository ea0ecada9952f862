#!/usr/bin/env python3
"""The L2 learning switch between vhost-user ports, with real virtio-user peers.

Three ports, three peers: what is flooded reaches every other port and never the
sender; a learned station gets unicast only; the counters equal what was sent; a peer
that leaves is link-down (drops counted) and is switched to again when it returns;
stations age out; client-mode ports connect to a peer that is the server.
"""
import os

from sydtest import Dataplane, Peer, Workspace, run, wait_for

BCAST = "ff:ff:ff:ff:ff:ff"
MAC = {1: "02:00:00:00:00:01", 2: "02:00:00:00:00:02", 3: "02:00:00:00:00:03"}


def start_three(ws, extra=()):
    ports = [("server", ws.path("p%d.sock" % i), "p%d" % i) for i in (1, 2, 3)]
    dp = Dataplane(ws, ports, extra)
    peers = {i: Peer(ws, "peer%d" % i, ws.path("p%d.sock" % i), MAC[i]) for i in (1, 2, 3)}
    for i in (1, 2, 3):
        dp.wait_link("p%d" % i, up=True)
    return dp, peers


def test_flood_learn_unicast_and_counters():
    with Workspace("l2") as ws:
        dp, peer = start_three(ws)

        # A broadcast from 1 reaches 2 and 3, and not 1.
        assert peer[1].send(BCAST, count=10) == 10
        for i, want in ((1, 0), (2, 10), (3, 10)):
            frames, n = peer[i].recv()
            assert n == want, "peer%d got %d broadcast frames, expected %d" % (i, n, want)
            if want:
                assert frames == {(MAC[1], BCAST): want}, frames

        # 1 was learned on p1: a unicast from 2 to 1 reaches only 1.
        for i in (1, 2, 3):
            peer[i].clear()
        assert peer[2].send(MAC[1], count=5) == 5
        frames, n = peer[1].recv()
        assert frames == {(MAC[2], MAC[1]): 5}, frames
        assert peer[2].recv()[1] == 0
        assert peer[3].recv()[1] == 0, "unicast to a learned station was flooded"

        c = dp.counters()
        p = c["ports"]
        assert (p["p1"]["rx_packets"], p["p1"]["tx_packets"]) == (10, 5), p["p1"]
        assert (p["p2"]["rx_packets"], p["p2"]["tx_packets"]) == (5, 10), p["p2"]
        assert (p["p3"]["rx_packets"], p["p3"]["tx_packets"]) == (0, 10), p["p3"]
        assert p["p1"]["rx_bytes"] == 10 * 60 and p["p2"]["tx_bytes"] == 10 * 60
        assert all(v["drops"] == 0 for v in p.values()), p
        assert c["mac"]["entries"] == 2 and c["mac"]["learned"] == 2, c["mac"]
        assert c["workers"][0]["packets"] == 15, c["workers"]

        dp.stop()
        assert dp.proc.returncode == 0, "dataplane exit code %s" % dp.proc.returncode
        for i in (1, 2, 3):
            sock = ws.path("p%d.sock" % i)
            assert not os.path.exists(sock), "%s left behind" % sock


def test_peer_leaves_and_returns():
    with Workspace("relink") as ws:
        dp, peer = start_three(ws)
        assert peer[3].send(MAC[1]) == 1          # the switch learns 3 on p3
        assert peer[1].send(MAC[3]) == 1          # and 1 on p1; 3 gets it as unicast
        assert peer[3].recv()[0] == {(MAC[1], MAC[3]): 1}

        peer[3].quit()
        dp.wait_link("p3", up=False)
        before = dp.counters()["ports"]["p3"]
        assert before["link"] == "down"

        # Unicast to the departed station: dropped as link_down, counted on p3.
        peer[2].clear()
        assert peer[1].send(MAC[3], count=4) == 4
        # A broadcast still reaches 2, and is not counted as a drop on p3.
        assert peer[1].send(BCAST, count=6) == 6
        assert peer[2].recv()[0] == {(MAC[1], BCAST): 6}
        after = wait_for("link_down drops on p3",
                         lambda: (lambda p: p if p["drop_reasons"].get("link_down") == 4 else None)(
                             dp.counters()["ports"]["p3"]))
        assert after["tx_packets"] == before["tx_packets"]

        # The VM comes back on the same socket: switched to again.
        peer[3] = Peer(ws, "peer3-again", ws.path("p3.sock"), MAC[3])
        dp.wait_link("p3", up=True)
        assert peer[1].send(MAC[3], count=3) == 3
        assert peer[3].recv()[0] == {(MAC[1], MAC[3]): 3}
        assert peer[2].recv()[0].get((MAC[1], MAC[3]), 0) == 0


def test_station_moves_and_ages():
    with Workspace("age") as ws:
        dp, peer = start_three(ws, extra=["--mac-age", "2"])
        assert peer[1].send(BCAST) == 1           # learn MAC[1] on p1
        for i in (2, 3):
            assert peer[i].recv()[1] == 1
            peer[i].clear()

        # The station moves: the same MAC now speaks from p3.
        assert peer[3].send(BCAST, src=MAC[1]) == 1
        peer[1].recv()
        peer[2].recv()
        for i in (1, 2):
            peer[i].clear()
        wait_for("the move to be learned", lambda: dp.counters()["mac"]["moved"] == 1)
        assert peer[2].send(MAC[1], count=2) == 2
        assert peer[3].recv()[0] == {(MAC[2], MAC[1]): 2}
        assert peer[1].recv()[1] == 0, "frames went to the station's old port"

        # Silent for longer than --mac-age: forgotten, so unicast to it floods again.
        wait_for("MAC[1] to age out", lambda: dp.counters()["mac"]["aged"] >= 1, timeout=8)
        for i in (1, 2, 3):
            peer[i].clear()
        assert peer[2].send(MAC[1]) == 1
        assert peer[1].recv()[1] == 1 and peer[3].recv()[1] == 1


def test_bad_frames_dropped_by_reason():
    with Workspace("bad") as ws:
        dp, peer = start_three(ws)
        assert peer[1].send(BCAST, count=1) == 1      # p1 learned, peers see 1 frame
        for i in (2, 3):
            peer[i].recv()
            peer[i].clear()
        # Shorter than an Ethernet header; a VLAN tag cut short; a multicast source.
        assert peer[2].send(MAC[1], count=7, size=10) == 7
        assert peer[2].send(MAC[1], count=5, size=16, vlan=5) == 5
        assert peer[2].send(MAC[1], count=3, src="01:00:5e:00:00:01") == 3
        # Unicast to a station learned on the input port itself.
        assert peer[1].send(MAC[1], count=2) == 2
        for i in (1, 2, 3):
            assert peer[i].recv()[1] == 0, "peer%d received a frame that must be dropped" % i
        p = dp.counters()["ports"]
        assert p["p2"]["drop_reasons"] == {"short_eth": 7, "short_vlan": 5,
                                           "src_mac_multicast": 3}, p["p2"]
        assert p["p1"]["drop_reasons"] == {"hairpin": 2}, p["p1"]
        assert p["p2"]["rx_packets"] == 15 and p["p1"]["rx_packets"] == 3
        # Accounting: every frame received was forwarded or dropped with a reason.
        assert p["p1"]["tx_packets"] + p["p2"]["tx_packets"] + p["p3"]["tx_packets"] == 2
        assert p["p2"]["drops"] == 15 and p["p3"]["drops"] == 0


def test_client_mode_port():
    with Workspace("client") as ws:
        a, b = ws.path("a.sock"), ws.path("b.sock")
        # The peers are the vhost-user servers (as QEMU with server=on); the switch
        # connects, and retries until they are there.
        dp = Dataplane(ws, [("client", a, "a"), ("client", b, "b")])
        pa = Peer(ws, "peer-a", a, MAC[1], server=True)
        pb = Peer(ws, "peer-b", b, MAC[2], server=True)
        dp.wait_link("a", up=True)
        dp.wait_link("b", up=True)
        assert pa.send(BCAST, count=3) == 3
        assert pb.recv()[0] == {(MAC[1], BCAST): 3}
        assert pb.send(MAC[1], count=2) == 2
        assert pa.recv()[0] == {(MAC[2], MAC[1]): 2}

        # The VM side restarts: the switch reconnects by itself.
        pb.quit()
        dp.wait_link("b", up=False)
        pb = Peer(ws, "peer-b2", b, MAC[2], server=True)
        dp.wait_link("b", up=True, timeout=20)
        pa.clear()
        assert pb.send(MAC[1], count=2) == 2
        assert pa.recv()[0] == {(MAC[2], MAC[1]): 2}


if __name__ == "__main__":
    run([test_flood_learn_unicast_and_counters, test_peer_leaves_and_returns,
         test_station_moves_and_ages, test_bad_frames_dropped_by_reason,
         test_client_mode_port])
