package dev.wirewatch.schemas;

import static dev.wirewatch.schemas.FlowKey.ICMP;
import static dev.wirewatch.schemas.FlowKey.ICMPV6;
import static dev.wirewatch.schemas.FlowKey.TCP;
import static dev.wirewatch.schemas.FlowKey.UDP;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

/**
 * Community ID v1 (corelight/community-id-spec): the same flow hash Zeek and Suricata log, so an alert can be
 * looked up in their logs. For ICMP and ICMPv6 the ports are the type and the code; request/reply types map to
 * each other so both directions hash alike, other types are one-way.
 */
public final class CommunityId {
    private static final int SCTP = 132;

    /** ICMP type to the type of its counterpart (echo request and reply, and the like). */
    private static final Map<Integer, Integer> ICMP_COUNTERPART = Map.of(8, 0, 0, 8, 13, 14, 14, 13, 15, 16, 16, 15,
            10, 9, 9, 10, 17, 18, 18, 17);
    private static final Map<Integer, Integer> ICMPV6_COUNTERPART = Map.ofEntries(Map.entry(128, 129),
            Map.entry(129, 128), Map.entry(133, 134), Map.entry(134, 133), Map.entry(135, 136), Map.entry(136, 135),
            Map.entry(130, 131), Map.entry(131, 130), Map.entry(139, 140), Map.entry(140, 139), Map.entry(144, 145),
            Map.entry(145, 144));

    private CommunityId() {}

    public static String v1(byte[] src, byte[] dst, int protocol, int srcPort, int dstPort) {
        return v1(0, src, dst, protocol, srcPort, dstPort);
    }

    public static String v1(int seed, byte[] src, byte[] dst, int protocol, int srcPort, int dstPort) {
        boolean oneWay = false;
        if (protocol == ICMP || protocol == ICMPV6) {
            Integer counterpart = (protocol == ICMP ? ICMP_COUNTERPART : ICMPV6_COUNTERPART).get(srcPort);
            if (counterpart != null) {
                dstPort = counterpart;
            } else {
                oneWay = true;
            }
        }
        int order = Arrays.compareUnsigned(src, dst);
        if (!oneWay && (order > 0 || (order == 0 && srcPort > dstPort))) {
            byte[] address = src;
            src = dst;
            dst = address;
            int port = srcPort;
            srcPort = dstPort;
            dstPort = port;
        }
        boolean hasPorts = protocol == TCP || protocol == UDP || protocol == SCTP || protocol == ICMP || protocol == ICMPV6;
        ByteBuffer input = ByteBuffer.allocate(2 + src.length + dst.length + 2 + (hasPorts ? 4 : 0));
        input.putShort((short) seed).put(src).put(dst).put((byte) protocol).put((byte) 0);
        if (hasPorts) {
            input.putShort((short) srcPort).putShort((short) dstPort);
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(input.array());
            return "1:" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JRE", e);
        }
    }
}
