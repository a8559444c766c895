package dev.wirewatch.sensor.emit;

import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.record.PacketEvent;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Address-to-MAC bindings seen in IP traffic, for the ARP stage: an IPv4 or IPv6 packet's source address and source
 * MAC, sent as an ArpEvent with operation {@link #IP_TRAFFIC} when the pair is new on its interface or was last sent
 * {@link #REPEAT_MICROS} ago. The ARP stage counts it only when the topology puts the address on the capturing
 * interface's subnet (otherwise the MAC is a router's). Only packets sent in full are looked at: a flow's first
 * packets carry its endpoints' MACs, and a summary adds nothing a binding needs.
 */
final class AddressSightings {
    /** ArpEvent.operation of a binding seen in IP traffic rather than in an ARP packet. */
    static final int IP_TRAFFIC = 0;
    static final long REPEAT_MICROS = 10_000_000;
    private static final int MAX_PAIRS = 4096;
    private static final ByteBuffer NO_MAC = ByteBuffer.wrap(new byte[6]).asReadOnlyBuffer();

    /** Plain values, not the records' buffers: a buffer's position can move after the key was hashed. */
    private record Pair(String iface, long addressHigh, long addressLow, long mac) {}

    private final Consumer<ArpEvent> out;
    private final Map<Pair, Long> lastSent = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Pair, Long> eldest) {
            return size() > MAX_PAIRS;
        }
    };

    AddressSightings(Consumer<ArpEvent> out) {
        this.out = out;
    }

    void saw(PacketEvent packet) {
        if (packet.getSrcMac() == null || packet.getIpVersion() != 4 && packet.getIpVersion() != 6) {
            return;
        }
        ByteBuffer mac = packet.getSrcMac();
        ByteBuffer src = packet.getSrc();
        int at = src.position();
        if (mac.remaining() != 6 || src.remaining() != (packet.getIpVersion() == 4 ? 4 : 16)) {
            return;
        }
        // Absolute reads: no copies on the packet path, and the buffers' positions stay where they are.
        long high = src.remaining() == 4 ? 0 : src.getLong(at);
        long low = src.remaining() == 4 ? src.getInt(at) & 0xffffffffL : src.getLong(at + 8);
        if (src.remaining() == 16 && high == 0 && low == 0) {
            return; // IPv6's unspecified source (duplicate address detection, MLD before it): nobody's address
        }
        long macValue = (mac.getShort(mac.position()) & 0xffffL) << 32 | (mac.getInt(mac.position() + 2) & 0xffffffffL);
        Pair pair = new Pair(packet.getIface(), high, low, macValue);
        Long last = lastSent.get(pair);
        if (last != null && packet.getTsMicros() - last < REPEAT_MICROS && packet.getTsMicros() >= last) {
            return;
        }
        lastSent.put(pair, packet.getTsMicros());
        out.accept(ArpEvent.newBuilder().setHost(packet.getHost()).setIface(packet.getIface())
                .setTsMicros(packet.getTsMicros()).setSrcMac(packet.getSrcMac()).setDstMac(packet.getDstMac())
                .setVlan(packet.getVlan()).setOperation(IP_TRAFFIC).setSenderMac(packet.getSrcMac())
                .setSenderIp(packet.getSrc()).setTargetMac(packet.getDstMac() == null ? NO_MAC : packet.getDstMac())
                .setTargetIp(packet.getDst()).build());
    }
}
