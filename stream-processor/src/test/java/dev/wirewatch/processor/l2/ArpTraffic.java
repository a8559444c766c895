package dev.wirewatch.processor.l2;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.record.IcmpHeader;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.sensor.emit.SensorEmitter;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * ARP on one segment as the sensors of several hosts see it, with their ticks in capture-time order: crafted for
 * the detectors' traps (FailoverCaptureTest replays what real kernels sent).
 */
final class ArpTraffic {
    static final long T0 = 1_700_000_000_000_000L;
    static final long S = 1_000_000;
    static final String VIP = "192.0.2.100";
    static final String NODE1_MAC = "02:00:00:00:07:01";
    static final String NODE2_MAC = "02:00:00:00:07:02";
    static final String OTHER_MAC = "02:00:00:00:07:99";
    static final String BROADCAST = "ff:ff:ff:ff:ff:ff";
    static final String TOPOLOGY = """
            hosts:
              node1: {interfaces: {eth0: {addresses: [192.0.2.11/24], mac: "02:00:00:00:07:01"}}}
              node2: {interfaces: {eth0: {addresses: [192.0.2.12/24], mac: "02:00:00:00:07:02"}}}
              peer: {interfaces: {eth0: {addresses: [192.0.2.20/24], mac: "02:00:00:00:07:20"}}}
            """;

    private final ProcessorDriver driver;
    private final List<String> sensors;
    private long tickedUntil = T0 - S;

    ArpTraffic(ProcessorDriver driver, String... sensors) {
        this.driver = driver;
        this.sensors = List.of(sensors);
    }

    /** A gratuitous ARP (request, as `arping -U` sends) from {@code mac} for {@code ip}, seen by {@code seenBy}. */
    ArpTraffic announce(long ts, String mac, String ip, String... seenBy) {
        return arp(ts, 1, mac, BROADCAST, ip, ip, seenBy);
    }

    /** A reply for {@code ip} from {@code mac} to a requester (unicast). */
    ArpTraffic reply(long ts, String mac, String ip, String... seenBy) {
        return arp(ts, 2, mac, "02:00:00:00:07:20", ip, "192.0.2.20", seenBy);
    }

    ArpTraffic arp(long ts, int operation, String mac, String dstMac, String senderIp, String targetIp,
                   String... seenBy) {
        return send(ts, operation, null, mac, dstMac, senderIp, targetIp, seenBy);
    }

    /** A Neighbor Solicitation (135) or Advertisement (136) as the sensors ship it (ArpEvent.avsc). */
    ArpTraffic nd(long ts, int operation, int flags, String mac, String dstMac, String senderIp, String targetIp,
                  String... seenBy) {
        return send(ts, operation, flags, mac, dstMac, senderIp, targetIp, seenBy);
    }

    private ArpTraffic send(long ts, int operation, Integer ndFlags, String mac, String dstMac, String senderIp,
                            String targetIp, String... seenBy) {
        tickUntil(ts);
        boolean request = operation == 1 || operation == 135;
        for (String host : seenBy) {
            driver.send(ArpEvent.newBuilder().setHost(host).setIface("eth0").setTsMicros(ts)
                    .setSrcMac(mac(mac)).setDstMac(mac(dstMac)).setOperation(operation)
                    .setSenderMac(mac(mac)).setSenderIp(ByteBuffer.wrap(Addresses.parse(senderIp)))
                    .setTargetMac(mac(request ? "00:00:00:00:00:00" : dstMac))
                    .setTargetIp(ByteBuffer.wrap(Addresses.parse(targetIp))).setNdFlags(ndFlags).build());
        }
        return this;
    }

    /** Echo replies from {@code srcIp} captured by {@code sensor}: 20 s from node1's MAC, then 40 s from node2's. */
    ArpTraffic movingFromNode1ToNode2(SensorEmitter sensor, String srcIp) {
        for (long t = T0; t < T0 + 20 * S; t += S) {
            ipPacket(t, sensor, NODE1_MAC, srcIp);
        }
        for (long t = T0 + 20 * S; t < T0 + 60 * S; t += S) {
            ipPacket(t, sensor, NODE2_MAC, srcIp);
        }
        return this;
    }

    /**
     * An ICMP (ICMPv6 for an IPv6 source) echo reply from {@code srcIp} with source MAC {@code mac}, captured by {@code sensor}'s eth0 and sent
     * through that sensor's emitter, which reports the binding its header shows.
     */
    ArpTraffic ipPacket(long ts, SensorEmitter sensor, String mac, String srcIp) {
        tickUntil(ts);
        boolean v6 = srcIp.contains(":");
        sensor.emit(PacketEvent.newBuilder().setHost(sensor.host()).setIface("eth0").setTsMicros(ts)
                .setSrcMac(mac(mac)).setDstMac(mac("02:00:00:00:07:20")).setIpVersion(v6 ? 6 : 4)
                .setSrc(ByteBuffer.wrap(Addresses.parse(srcIp)))
                .setDst(ByteBuffer.wrap(Addresses.parse(v6 ? "2001:db8:7::20" : "192.0.2.20")))
                .setProtocol(v6 ? 58 : 1).setTtl(64).setIpLength(84)
                .setIcmp(IcmpHeader.newBuilder().setType(v6 ? 129 : 0).setCode(0).setIdentifier(7).build()).build());
        return this;
    }

    /** The driver has ticked every sensor up to {@code ts} already (hours of idle, in fewer ticks). */
    ArpTraffic tickedUntil(long ts) {
        tickedUntil = ts;
        return this;
    }

    /** Ticks from every live sensor, once a second, up to {@code ts}. */
    ArpTraffic tickUntil(long ts) {
        for (long t = tickedUntil + S; t <= ts; t += S) {
            for (String host : sensors) {
                driver.tick(t, t, host);
            }
            tickedUntil = t;
        }
        return this;
    }

    void end(long ts) {
        tickUntil(ts);
        driver.endOfInput(ts, sensors.toArray(String[]::new));
    }

    private static ByteBuffer mac(String text) {
        byte[] bytes = new byte[6];
        String[] parts = text.split(":");
        for (int i = 0; i < 6; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return ByteBuffer.wrap(bytes);
    }
}
