# A bounded burst of varied frames for the capture tests: sent on argv[1], argv[2] rounds of the set below.
# TCP with Linux's SYN options, IPv6, UDP/DNS, ICMP and ICMPv6, ARP, VLAN-tagged segments (short, and longer than
# the snaplen), and a full-size segment that the snaplen cuts. Deterministic: the same frames every run.
import sys
from scapy.all import Ether, Dot1Q, IP, IPv6, TCP, UDP, ICMP, ICMPv6EchoRequest, ARP, DNS, DNSQR, Raw, sendp

iface, rounds = sys.argv[1], int(sys.argv[2])
a, b = "02:00:00:00:00:0a", "02:00:00:00:00:0b"
frames = []
for i in range(rounds):
    sport = 20000 + i % 40000
    frames += [
        Ether(src=a, dst=b) / IP(src="10.77.0.1", dst="10.77.0.2") / TCP(sport=sport, dport=443, flags="S", seq=i,
            options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (i, 0)), ("NOP", None), ("WScale", 7)]),
        Ether(src=b, dst=a) / IPv6(src="2001:db8::2", dst="2001:db8::1") / TCP(sport=443, dport=sport, flags="SA", seq=7, ack=i + 1),
        Ether(src=a, dst=b) / IP(src="10.77.0.1", dst="10.77.0.53") / UDP(sport=sport, dport=53) / DNS(qd=DNSQR(qname="example.org")),
        Ether(src=a, dst=b) / IP(src="10.77.0.1", dst="10.77.0.2") / ICMP(id=i % 65536, seq=1),
        Ether(src=a, dst=b) / IPv6(src="2001:db8::1", dst="2001:db8::2") / ICMPv6EchoRequest(id=i % 65536),
        Ether(src=a, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=a, psrc="10.77.0.1", pdst="10.77.0.%d" % (i % 250 + 3)),
        Ether(src=a, dst=b) / Dot1Q(vlan=42) / IP(src="10.77.0.1", dst="10.77.0.2") / TCP(sport=sport, dport=80, flags="PA") / Raw(b"x" * (20 if i % 2 else 400)),
        Ether(src=a, dst=b) / IP(src="10.77.0.1", dst="10.77.0.2") / TCP(sport=sport, dport=443, flags="A") / Raw(b"y" * 1400),
    ]
sendp(frames, iface=iface, verbose=False)
print(len(frames))
