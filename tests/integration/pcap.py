"""Read the packets of a pcap or pcapng file (little-endian, as DPDK and tcpdump write
them here): a list of (interface id, bytes)."""
import struct


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):  # classic pcap
        out, off = [], 24
        while off + 16 <= len(data):
            incl = struct.unpack_from("<I", data, off + 8)[0]
            out.append((0, data[off + 16:off + 16 + incl]))
            off += 16 + incl
        return out
    out, off = [], 0
    while off + 12 <= len(data):
        btype, blen = struct.unpack_from("<II", data, off)
        if blen < 12:
            raise ValueError("bad pcapng block at %d" % off)
        if btype == 6:  # enhanced packet block
            iface, _, _, caplen, _ = struct.unpack_from("<IIIII", data, off + 8)
            out.append((iface, data[off + 28:off + 28 + caplen]))
        elif btype == 3:  # simple packet block
            out.append((0, data[off + 12:off + blen - 4]))
        off += blen
    return out
