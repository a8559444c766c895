#!/usr/bin/python3
"""Writes the input of the idle-connection memory benchmark: many TCP connections that open, exchange a little and
then stay open and silent, and a few packets hours later, so that stream time moves far past every idle timeout.
Run the processor on it (`wirewatch analyze --pcap bench@eth0=FILE`) to see what it keeps per idle connection while
they are idle, and what it frees once stream time has passed its TCP idle timeout.

Each connection, as a sensor beside the servers sees it: SYN, SYN-ACK, ACK, a request (PSH/ACK), the response
(PSH/ACK), the client's ACK; Linux-like options (MSS, SACK permitted, timestamps, window scale on the handshake;
timestamps after it); correct checksums; no FIN, no RST. Half the connections are IPv4, half IPv6 (alternating), from
--clients client addresses (10.64.0.0/10 and fd17::/64) to --servers servers (198.18.0.0/24 and 2001:db8:17::/64) on
ports 443, 5432, 6379, 8080 and 22; --rate connections open per second; round trips of 0.2-40 ms; requests of 40-400
bytes, responses of 60-1400. At --tail-after (default 3 h) after the first SYN, one short IPv4 and one short IPv6
connection (10.200.0.1, fd17:0:0:1::1, to the first server on 443) open, exchange and close normally: the few
packets that move stream time on. Ethernet, classic pcap in microseconds, snaplen 128 (headers only, as sensors
capture). Deterministic: the same arguments give the same bytes.

  /usr/bin/python3 deploy/bench/idle-connections.py            # 100,000 connections: /tmp/wirewatch-idle-100k.pcap
  /usr/bin/python3 deploy/bench/idle-connections.py --connections 1000 --out /tmp/idle-1k.pcap
  tshark -r /tmp/wirewatch-idle-100k.pcap -q -z conv,tcp | grep -c '<->'   # 100,002 conversations

The output stays out of the repository (67 MB, 600,018 packets for 100,000 connections).
"""
import argparse
import heapq
import ipaddress
import random
import struct
import sys

SNAPLEN = 128
CLIENT_MAC = bytes.fromhex("020000170001")   # the router the clients come through
SERVER_MAC = bytes.fromhex("020000170002")   # the servers' switch port (one MAC: the sensor's view of its segment)
PORTS = (443, 5432, 6379, 8080, 22)
EPOCH = 1_796_083_200                        # 2026-12-01 00:00:00 UTC
SYN, FIN, PSH, ACK = 0x02, 0x01, 0x08, 0x10


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def tcp_options(syn, tsval, tsecr):
    if syn:   # MSS 1460, SACK permitted, timestamps, NOP, window scale 7: what Linux sends, 20 bytes
        return struct.pack("!BBHBBBBIIBBBB", 2, 4, 1460, 4, 2, 8, 10, tsval, tsecr, 1, 3, 3, 7)
    return struct.pack("!BBBBII", 1, 1, 8, 10, tsval, tsecr)


def frame(src, dst, sport, dport, seq, ack, flags, payload_len, tsval, tsecr, window, ttl, ident, label,
          toward_server):
    """Ethernet, IPv4 (DF, id) or IPv6 (flow label), TCP with options and a zero payload; checksums computed."""
    options = tcp_options(flags & SYN, tsval & 0xffffffff, tsecr & 0xffffffff)
    payload = bytes(payload_len)
    offset = (20 + len(options)) // 4
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff, ack & 0xffffffff, offset << 4, flags, window, 0,
                      0) + options + payload
    if src.version == 4:
        pseudo = src.packed + dst.packed + struct.pack("!BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), ident & 0xffff, 0x4000, ttl, 6, 0, src.packed,
                         dst.packed)
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
        ethertype = 0x0800
    else:
        pseudo = src.packed + dst.packed + struct.pack("!I3xB", len(tcp), 6)
        tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!IHBB16s16s", 0x60000000 | label, len(tcp), 6, ttl, src.packed, dst.packed)
        ethertype = 0x86dd
    macs = SERVER_MAC + CLIENT_MAC if toward_server else CLIENT_MAC + SERVER_MAC
    return macs + struct.pack("!H", ethertype) + ip + tcp


class Connection:
    """One connection's packets, as (time in µs, frame), from its SYN on."""

    def __init__(self, rng, start, client, server, sport, dport, request, response, close=False):
        self.client, self.server, self.sport, self.dport = client, server, sport, dport
        self.cts, self.sts = rng.getrandbits(32), rng.getrandbits(32)   # per-connection TSval offsets, as Linux
        self.ident, self.label = rng.getrandbits(16), rng.getrandbits(20)
        rtt = rng.randint(200, 40_000)
        c, s = rng.getrandbits(32), rng.getrandbits(32)                 # the initial sequence numbers
        think = rng.randint(100, 5_000)
        self.packets = []
        self.client_sends(start, c, 0, SYN, 0)
        self.server_sends(start + rtt // 2, s, c + 1, SYN | ACK, 0)
        self.client_sends(start + rtt, c + 1, s + 1, ACK, 0)
        self.client_sends(start + rtt + 50, c + 1, s + 1, PSH | ACK, request)
        self.server_sends(start + rtt + rtt // 2 + 50 + think, s + 1, c + 1 + request, PSH | ACK, response)
        end = start + 2 * rtt + 50 + think
        self.client_sends(end, c + 1 + request, s + 1 + response, ACK, 0)
        if close:   # an orderly close: FIN, FIN, ACK
            c, s = c + 1 + request, s + 1 + response
            self.client_sends(end + 1_000, c, s, FIN | ACK, 0)
            self.server_sends(end + 1_000 + rtt // 2, s, c + 1, FIN | ACK, 0)
            self.client_sends(end + 1_000 + rtt, c + 1, s + 1, ACK, 0)

    def client_sends(self, t, seq, ack, flags, length):
        self.ident += 1
        tsecr = 0 if flags == SYN else self.sts + t // 1000
        self.packets.append((t, frame(self.client, self.server, self.sport, self.dport, seq, ack, flags, length,
                                      self.cts + t // 1000, tsecr, 502, 61, self.ident, self.label, True)))

    def server_sends(self, t, seq, ack, flags, length):
        self.packets.append((t, frame(self.server, self.client, self.dport, self.sport, seq, ack, flags, length,
                                      self.sts + t // 1000, self.cts + t // 1000, 509, 64, 0, self.label ^ 1, False)))


def addresses(rng, count, network):
    net = ipaddress.ip_network(network)
    picked = rng.sample(range(1, min(net.num_addresses - 1, 1 << 24)), count)
    return [net[i] for i in picked]


def duration_us(text):
    unit = {"s": 1, "m": 60, "h": 3600}[text[-1]] if text[-1] in "smh" else 1
    return int(float(text.rstrip("smh")) * unit * 1_000_000)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__.split("\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20_000, help="client addresses (half IPv4, half IPv6)")
    parser.add_argument("--servers", type=int, default=100, help="server addresses (half IPv4, half IPv6)")
    parser.add_argument("--rate", type=int, default=1_000, help="connections opened per second")
    parser.add_argument("--tail-after", default="3h", help="when the last packets come, after the first SYN")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--out", default="/tmp/wirewatch-idle-100k.pcap")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    clients = (addresses(rng, args.clients // 2, "10.64.0.0/10"), addresses(rng, args.clients - args.clients // 2,
                                                                             "fd17::/64"))
    servers = (addresses(rng, args.servers // 2, "198.18.0.0/24"), addresses(rng, args.servers - args.servers // 2,
                                                                              "2001:db8:17::/64"))
    used = set()
    start = EPOCH * 1_000_000
    pending = []   # (time, sequence, frame)
    written = 0
    with open(args.out, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, SNAPLEN, 1))

        def flush(until):
            nonlocal written
            while pending and pending[0][0] < until:
                t, _, data = heapq.heappop(pending)
                out.write(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, min(len(data), SNAPLEN), len(data)))
                out.write(data[:SNAPLEN])
                written += 1

        for n in range(args.connections):
            family = n % 2
            t = start + n * 1_000_000 // args.rate + rng.randint(0, 999_999 // args.rate)
            while True:
                client, server = rng.choice(clients[family]), rng.choice(servers[family])
                sport, dport = rng.randint(32768, 60999), rng.choice(PORTS)
                if (client, server, sport, dport) not in used:
                    used.add((client, server, sport, dport))
                    break
            conn = Connection(rng, t, client, server, sport, dport, rng.randint(40, 400), rng.randint(60, 1400))
            flush(t)
            for i, (ts, data) in enumerate(conn.packets):
                heapq.heappush(pending, (ts, n * 16 + i, data))
        tail = start + duration_us(args.tail_after)
        if tail <= start + (args.connections + 1) * 1_000_000 // args.rate + 1_000_000:
            sys.exit(f"--tail-after {args.tail_after} must come after the last connection has opened")
        for family, client in enumerate((ipaddress.ip_address("10.200.0.1"), ipaddress.ip_address("fd17:0:0:1::1"))):
            conn = Connection(rng, tail + family * 10_000, client, servers[family][0], 40000, 443, 100, 200, close=True)
            for i, (ts, data) in enumerate(conn.packets):
                heapq.heappush(pending, (ts, (args.connections + family) * 16 + i, data))
        flush(float("inf"))
    print(f"{args.out}: {written} packets, {args.connections} idle connections opened over "
          f"{args.connections / args.rate:.0f} s, 2 short connections {args.tail_after} after the first",
          file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
