"""The switches syd-bench-run measures, each started on core 1 and stopped by PID:
dpdk-testpmd io-forwarding (the ceiling), Switchyard's syd-dataplane, and Open vSwitch
with DPDK (ovsdb-server and ovs-vswitchd-dpdk in a private run directory).

Each class: Switch(run_dir, tag, nports) starts it with nports vhost-user ports;
.socks are the paths for syd-bench (.bench_server says whether syd-bench must create
them), .clear() zeroes the cycle counters, .cycles() reads busy cycles per packet,
.add_flows(path) installs rules, .stop() ends every process it started.
"""
import json
import os
import re
import signal
import subprocess
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("SYD_BUILD", os.path.join(TOP, "build"))
OVS_VSWITCHD = "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"
OVS_SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"


class SwitchError(RuntimeError):
    pass


# A switch whose worker was busy this share of the time or more was the bottleneck of
# its run; below, syd-bench was (a 2-core VM often lands there).
BOUND_SHARE = 0.9


def wait_for(what, cond, proc=None, timeout=30):
    deadline = time.monotonic() + timeout
    while not cond():
        if proc is not None and proc.poll() is not None:
            raise SwitchError("%s: the process exited (%d)" % (what, proc.returncode))
        if time.monotonic() > deadline:
            raise SwitchError("timed out waiting for " + what)
        time.sleep(0.05)


def stop_proc(proc, sig=signal.SIGTERM):
    if proc is not None and proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run(argv, env=None, check=True):
    r = subprocess.run(argv, capture_output=True, text=True, env=env)
    if check and r.returncode != 0:
        raise SwitchError("%s: %s" % (" ".join(argv), (r.stderr or r.stdout).strip()))
    return r


class Testpmd:
    name = "testpmd"
    label = "dpdk-testpmd io (ceiling)"
    bench_server = False

    def __init__(self, d, tag, nports=2):
        self.socks = [os.path.join(d, "tp%d.sock" % i) for i in range(nports)]
        for s in self.socks:
            if os.path.exists(s):
                os.unlink(s)
        self.logp = os.path.join(d, "testpmd.log")
        self.log = open(self.logp, "w")
        argv = ["dpdk-testpmd", "-l", "0,1", "--main-lcore", "0", "--file-prefix",
                tag + "-tp", "--no-pci", "-m", "256"]
        for i, s in enumerate(self.socks):
            argv += ["--vdev", "net_vhost%d,iface=%s,queues=1" % (i, s)]
        argv += ["--", "--forward-mode=io", "--nb-cores=1", "--record-core-cycles",
                 "--stats-period", "3600"]
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        self._cycles = float("nan")
        for s in self.socks:
            wait_for("testpmd's socket " + s, lambda: os.path.exists(s), self.proc)

    def clear(self):
        pass  # testpmd counts from its start; it sees nothing before syd-bench runs

    def cycles(self):
        return self._cycles  # known once stopped: see stop()

    def add_flows(self, path):
        raise SwitchError("testpmd io-forwarding has no flow table")

    def flow_hits(self):
        return None

    def stop(self):
        stop_proc(self.proc)
        self.log.close()
        with open(self.logp) as f:
            m = re.search(r"CPU cycles/packet=([\d.]+)", f.read())
        self._cycles = float(m.group(1)) if m else float("nan")


class Switchyard:
    name = "switchyard"
    label = "Switchyard"
    bench_server = False

    def __init__(self, d, tag, nports=2):
        self.socks = [os.path.join(d, "sw%d.sock" % i) for i in range(nports)]
        self.ctl = os.path.join(d, "sw.ctl")
        self.log = open(os.path.join(d, "dataplane.log"), "w")
        argv = [os.path.join(BUILD, "dataplane/syd-dataplane"), "--file-prefix", tag + "-sw",
                "--main-core", "0", "--workers", "1", "--control", self.ctl]
        for s in self.socks:
            argv += ["--vhost-server", s]
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        for s in self.socks + [self.ctl]:
            wait_for("the dataplane's socket " + s, lambda: os.path.exists(s), self.proc)

    def sydctl(self, *args, check=True):
        return run([os.path.join(BUILD, "tools/sydctl"), "--socket", self.ctl] + list(args),
                   check=check)

    def clear(self):
        self.sydctl("clear-stats", "workers")

    def cycles(self):
        return float(self.worker()["busy_cycles_per_packet"])

    def switching(self):
        """Of the busy cycles per packet, those the worker spent switching (parsing, flow
        tables, L2 switch), not in the ports' rx and tx."""
        w = self.worker()
        return w["switch_cycles"] / w["packets"] if w["packets"] else float("nan")

    def worker(self):
        """Worker 0's counters since the last clear (sydctl show workers)."""
        out = self.sydctl("-o", "json", "show", "workers").stdout
        return json.loads(out)["workers"][0]

    def add_flows(self, path):
        r = self.sydctl("add-flows", path, check=False)
        if r.returncode != 0:
            raise SwitchError("the dataplane refused the flow rules (sydctl add-flows: %s)"
                              % (r.stderr or r.stdout).strip())

    def flow_hits(self):
        out = self.sydctl("dump-flows", check=False).stdout
        return sum(int(n) for n in re.findall(r"n_packets=(\d+)", out))

    def stop(self):
        stop_proc(self.proc)
        self.log.close()


class Ovs:
    """OVS-DPDK: a bridge br0 (datapath netdev) with NORMAL, and dpdkvhostuserclient
    ports whose sockets syd-bench creates."""
    name = "ovs"
    label = "OVS-DPDK"
    bench_server = True

    def __init__(self, d, tag, nports=2, name="ovs", netns=None, socket_mem=512):
        self.dir = os.path.join(d, name)
        os.makedirs(self.dir, exist_ok=True)
        for f in os.listdir(self.dir):
            os.unlink(os.path.join(self.dir, f))
        self.socks = [os.path.join(d, "%s%d.sock" % (name, i)) for i in range(nports)]
        self.name_, self.netns, self.socket_mem = name, netns, socket_mem
        self.env = dict(os.environ, OVS_RUNDIR=self.dir, OVS_LOGDIR=self.dir,
                        OVS_DBDIR=self.dir, OVS_SYSCONFDIR=self.dir)
        self.db = "unix:" + os.path.join(self.dir, "db.sock")
        self.ctl = os.path.join(self.dir, "vswitchd.ctl")
        self.procs = []
        try:
            self._start(tag)
        except Exception:
            self.stop()
            raise

    def _start(self, tag):
        conf = os.path.join(self.dir, "conf.db")
        run(["ovsdb-tool", "create", conf, OVS_SCHEMA])
        self.procs.append(subprocess.Popen(
            ["ovsdb-server", conf, "--remote=p" + self.db, "--unixctl=" +
             os.path.join(self.dir, "ovsdb.ctl"), "--log-file=" +
             os.path.join(self.dir, "ovsdb.log")], env=self.env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL))
        wait_for("ovsdb-server", lambda: os.path.exists(self.db[5:]), self.procs[0])
        self.vsctl("--no-wait", "init")
        self.vsctl("--no-wait", "set", "Open_vSwitch", ".",
                   "other_config:dpdk-init=true",
                   'other_config:dpdk-extra="--no-pci --file-prefix=%s-%s%s"'
                   % (tag, self.name_, self._eal_extra()),
                   "other_config:dpdk-socket-mem=%d" % self.socket_mem,
                   # its mempools otherwise grow into every free hugepage
                   "other_config:dpdk-socket-limit=%d" % self.socket_mem,
                   "other_config:dpdk-lcore-mask=0x1", "other_config:pmd-cpu-mask=0x2")
        # In the host's namespace when there is one: its tap ports, routes and uplink.
        self.procs.append(subprocess.Popen(
            (["ip", "netns", "exec", self.netns] if self.netns else []) + [OVS_VSWITCHD, self.db, "--unixctl=" + self.ctl, "--log-file=" +
             os.path.join(self.dir, "vswitchd.log")], env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL))
        wait_for("ovs-vswitchd", lambda: os.path.exists(self.ctl), self.procs[1], timeout=60)
        self._bridges()

    def _eal_extra(self):
        return ""

    def _bridges(self):
        self.vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev")
        for i, s in enumerate(self.socks):
            self.vsctl("add-port", "br0", "vm%d" % i, "--", "set", "Interface", "vm%d" % i,
                       "type=dpdkvhostuserclient", "options:vhost-server-path=" + s,
                       "ofport_request=%d" % (i + 1))

    def vsctl(self, *args):
        return run(["ovs-vsctl", "--db=" + self.db, "--timeout=60"] + list(args), env=self.env)

    def appctl(self, *args):
        return run(["ovs-appctl", "-t", self.ctl] + list(args), env=self.env)

    def clear(self):
        self.appctl("dpif-netdev/pmd-stats-clear")

    def stats(self):
        return self.appctl("dpif-netdev/pmd-stats-show").stdout

    def cycles(self):
        m = re.search(r"avg processing cycles per packet:\s*([\d.]+)", self.stats())
        return float(m.group(1)) if m else float("nan")

    def add_flows(self, path):
        run(["ovs-ofctl", "add-flows", "br0", path], env=self.env)

    def exact_megaflows(self):
        """newflows: every datapath flow exact (upcall/disable-megaflows), so every new
        5-tuple goes through OVS's slow path (classifier, xlate, flow install).  With
        megaflows on, OVS's classifier un-wildcards only the address and port bits that
        tell its rules apart (prefix and ports tries): new 5-tuples then hit existing
        megaflows and make no upcall at all."""
        self.appctl("upcall/disable-megaflows")

    def flow_hits(self):
        out = run(["ovs-ofctl", "dump-flows", "br0"], env=self.env, check=False).stdout
        return sum(int(n) for n in re.findall(r"n_packets=(\d+)", out))

    def stop(self):
        for p in reversed(self.procs):
            stop_proc(p)
        self.procs = []


class OvsVtep(Ovs):
    """One host of the overlay in OVS-DPDK (userspace tunnelling, as its documentation
    sets it up): br-int (NORMAL) holds the VM's dpdkvhostuserclient port and a vxlan port
    (remote_ip, key); br-phy (NORMAL) holds the underlay as a DPDK port and has the VTEP
    address on its local (tap) port, so OVS routes the tunnel out of br-phy.  The other
    VTEP's MAC is given with tnl/arp/set (neighbor()).  underlay is (kind, where), the
    drivers Switchyard's uplink uses: ("vhost-server", SOCK) DPDK's net_vhost listening on
    SOCK; ("virtio-user", SOCK) net_virtio_user connecting to it; ("af_xdp", IFNAME)
    net_af_xdp on the host's end of a veth pair."""

    def __init__(self, d, tag, name, netns, underlay, vtep_ip, remote_ip, vni, mac):
        self.underlay, self.vtep_ip, self.remote_ip = underlay, vtep_ip, remote_ip
        self.vni, self.mac = vni, mac
        super().__init__(d, tag, 1, name=name, netns=netns, socket_mem=256)

    def _eal_extra(self):
        # virtio-user: the vhost-user server maps our memory in at most 8 regions
        return " --single-file-segments" if self.underlay[0] == "virtio-user" else ""

    def _bridges(self):
        kind, where = self.underlay
        # vdev names are unique per OVS instance (its name)
        devargs = {"vhost-server": "net_vhost_%s,iface=%s,queues=1",
                   "virtio-user": "net_virtio_user_%s,path=%s,queues=1,queue_size=1024",
                   "af_xdp": "net_af_xdp_%s,iface=%s,start_queue=0,queue_count=1"}[kind]
        self.vsctl("add-br", "br-phy", "--", "set", "bridge", "br-phy", "datapath_type=netdev",
                   "other-config:hwaddr=" + self.mac)
        self.vsctl("add-port", "br-phy", "up", "--", "set", "Interface", "up", "type=dpdk",
                   "options:dpdk-devargs=" + devargs % (self.name_.replace("-", "_"), where),
                   "mtu_request=1600")
        ns = ["ip", "-n", self.netns]
        run(ns + ["addr", "replace", self.vtep_ip + "/24", "dev", "br-phy"])
        run(ns + ["link", "set", "br-phy", "up"])
        self.vsctl("add-br", "br-int", "--", "set", "bridge", "br-int", "datapath_type=netdev")
        self.vsctl("add-port", "br-int", "vm0", "--", "set", "Interface", "vm0",
                   "type=dpdkvhostuserclient", "options:vhost-server-path=" + self.socks[0])
        self.vsctl("add-port", "br-int", "vx", "--", "set", "Interface", "vx", "type=vxlan",
                   "options:remote_ip=" + self.remote_ip, "options:key=%d" % self.vni)
        self.appctl("ovs/route/add", self.remote_ip + "/32", "br-phy")

    def neighbor(self, ip, mac):
        self.appctl("tnl/arp/set", "br-phy", ip, mac)

    def stop(self):
        """Also remove what a plain exit leaves in the namespace: the bridges' tap ports
        and an XDP program on the veth (the next run's uplink could not attach its own)."""
        if self.procs and self.procs[-1].poll() is None and os.path.exists(self.ctl):
            run(["ovs-appctl", "-t", self.ctl, "--timeout=10", "exit", "--cleanup"],
                env=self.env, check=False)
            try:
                self.procs[-1].wait(10)
            except subprocess.TimeoutExpired:
                pass
        super().stop()
        ns = ["ip", "-n", self.netns]
        for tap in ("br-phy", "br-int"):
            run(ns + ["link", "del", tap], check=False)
        if self.underlay[0] == "af_xdp":
            run(ns + ["link", "set", "dev", self.underlay[1], "xdp", "off"], check=False)


SWITCHES = {c.name: c for c in (Testpmd, Switchyard, Ovs)}
