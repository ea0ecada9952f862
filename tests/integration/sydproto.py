"""A small Python client of the Switchyard wire protocol (control/proto.h), for tests
and tools that need to send exact, or deliberately broken, messages."""
import socket
import struct

HDR = struct.Struct("=HHHHII")
VERSION = 5
MSG = dict(OK=1, ERROR=2, DONE=3, HELLO=4, BATCH=5, BARRIER=6, DUMP_PORTS=7,
           DUMP_NETWORKS=8, DUMP_MACS=9, GET_PORT_STATS=10, GET_WORKER_STATS=11,
           GET_INFO=12, CLEAR_STATS=13, PORTS=20, NETWORKS=21, MACS=22, PORT_STATS=23,
           WORKER_STATS=24, INFO=25, DUMP_VTEPS=18, GET_UPLINK=19, VTEPS=28, UPLINK=29,
           EVENT_LINK=30)
OP = dict(NET_ADD=1, NET_DEL=2, PORT_ADD=3, PORT_DEL=4, ATTACH=5, DETACH=6, MAC_ADD=7,
          MAC_DEL=8, MAC_FLUSH=9, VTEP_ADD=10, VTEP_DEL=11, NET_VNI=12, UPLINK_SET=13,
          UPLINK_DEL=14)
KIND = {"vhost-server": 1, "vhost-client": 2, "af_packet": 3, "tap": 4}
OP_SIZE = 200
BATCH_MAX = 1200
MSG_MAX = 256 * 1024


def fixed(s, n=32):
    return s.encode().ljust(n, b"\0")


def op(kind_of_op, name="", network="", path="", kind=0, mac=None, udp_port=0, vni=0,
       addr=b"\0\0\0\0", mtu=0):
    """One struct syd_op; addr is 4 bytes in network order (socket.inet_aton)."""
    m = bytes(6) if mac is None else bytes(int(x, 16) for x in mac.split(":"))
    return (struct.pack("=HHI", OP[kind_of_op], kind, 0) + fixed(name) + fixed(network) +
            fixed(path, 108) + m + struct.pack("=HI", udp_port, vni) + addr +
            struct.pack("=HH", mtu, 0))


def batch(ops):
    return struct.pack("=II", len(ops), 0) + b"".join(ops)


def message(mtype, body=b"", xid=1, version=VERSION, length=None):
    length = HDR.size + len(body) if length is None else length
    return HDR.pack(version, mtype, 0, 0, length, xid) + body


class ProtoError(Exception):
    def __init__(self, code, text):
        super().__init__("error %d: %s" % (code, text))
        self.code, self.text = code, text


class Client:
    def __init__(self, path, hello=True, timeout=10):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # Messages of up to MSG_MAX: more than the default send buffer.
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, MSG_MAX)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.xid = 0
        self.events = []
        if hello:
            self.request(MSG["HELLO"], struct.pack("=II", VERSION, VERSION) + fixed("sydproto.py"))

    def send_raw(self, data):
        self.s.send(data)

    def recv(self):
        data = self.s.recv(MSG_MAX + 1)
        if not data:
            raise ConnectionError("connection closed")
        v, t, f, r, ln, xid = HDR.unpack(data[:HDR.size])
        return t, xid, data[HDR.size:]

    def request(self, mtype, body=b""):
        """Send a request; return (final type, [(type, body)...] of every reply part).
        Raises ProtoError on an ERROR reply."""
        self.xid += 1
        self.s.send(message(mtype, body, self.xid))
        parts = []
        while True:
            t, xid, body = self.recv()
            if xid == 0:
                self.events.append((t, body))
                continue
            if t == MSG["ERROR"]:
                code = struct.unpack("=i", body[:4])[0]
                raise ProtoError(code, body[8:].split(b"\0")[0].decode())
            if t in (MSG["OK"], MSG["DONE"], MSG["INFO"], MSG["HELLO"]):
                return t, parts + ([(t, body)] if t in (MSG["INFO"], MSG["HELLO"]) else [])
            parts.append((t, body))

    def batch(self, ops):
        return self.request(MSG["BATCH"], batch(ops))

    def ports(self):
        out = []
        for t, body in self.request(MSG["DUMP_PORTS"])[1]:
            for i in range(0, len(body), 208):
                e = body[i:i + 208]
                out.append({"name": e[:32].split(b"\0")[0].decode(),
                            "network": e[32:64].split(b"\0")[0].decode(),
                            "path": e[64:172].split(b"\0")[0].decode(),
                            "kind": struct.unpack("=H", e[172:174])[0], "up": e[174]})
        return out

    def close(self):
        self.s.close()
