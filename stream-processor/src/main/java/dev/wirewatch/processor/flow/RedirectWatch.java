package dev.wirewatch.processor.flow;

import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.schemas.Addresses;
import java.util.Arrays;

/**
 * What a host did with a flow after an ICMP redirect about it: the redirect (who sent it, which next hop it named,
 * the MAC of the router the host was using) and, from the host's own vantage, how many of its packets to the
 * destination still went to that MAC once the grace had passed, how many went elsewhere, and how many answers came.
 */
public final class RedirectWatch {
    // Package-private for FlowStateCodec, which stores them, and LegacyFlowStateReader.
    final Vantage vantage;
    final byte[] src;
    final byte[] dst;
    final String oldMac;
    final String gateway;
    final String suggested;
    final long firstMicros;
    long lastMicros;
    int redirects;
    long viaOld;
    long viaOther;
    long firstViaOldMicros = Long.MAX_VALUE;
    long lastViaOldMicros = Long.MIN_VALUE;
    long answers;
    boolean retransmittedBefore;

    RedirectWatch(Vantage vantage, byte[] src, byte[] dst, String oldMac, String gateway, String suggested,
                  long firstMicros) {
        this.vantage = vantage;
        this.src = src;
        this.dst = dst;
        this.oldMac = oldMac;
        this.gateway = gateway;
        this.suggested = suggested;
        this.firstMicros = firstMicros;
        this.lastMicros = firstMicros;
    }

    /** Starts watching after {@code redirect} (an ICMP redirect seen at {@code vantage}) about the host's flow. */
    static RedirectWatch start(Vantage vantage, PacketEvent redirect, boolean retransmittedBefore) {
        RedirectWatch watch = new RedirectWatch(vantage, Addresses.bytes(redirect.getIcmp().getQuoted().getSrc()),
                Addresses.bytes(redirect.getIcmp().getQuoted().getDst()), Addresses.mac(redirect.getSrcMac()),
                Addresses.ip(redirect.getSrc()), Addresses.ip(redirect.getIcmp().getGateway()), redirect.getTsMicros());
        watch.redirects = 1;
        watch.retransmittedBefore = retransmittedBefore;
        return watch;
    }

    void redirectedAgain(long tsMicros) {
        redirects++;
        lastMicros = Math.max(lastMicros, tsMicros);
    }

    /** A packet of the flow; counted when the watching vantage saw it in the observation window after the grace. */
    void observe(Vantage seenAt, PacketEvent packet, long graceMicros, long windowMicros) {
        long ts = packet.getTsMicros();
        if (!seenAt.equals(vantage) || ts < firstMicros + graceMicros || ts >= firstMicros + graceMicros + windowMicros) {
            return;
        }
        byte[] from = Addresses.bytes(packet.getSrc());
        byte[] to = Addresses.bytes(packet.getDst());
        if (Arrays.equals(from, src) && Arrays.equals(to, dst)) {
            if (oldMac != null && oldMac.equals(Addresses.mac(packet.getDstMac()))) {
                viaOld++;
                firstViaOldMicros = Math.min(firstViaOldMicros, packet.getTsMicros());
                lastViaOldMicros = Math.max(lastViaOldMicros, packet.getTsMicros());
            } else {
                viaOther++;
            }
        } else if (Arrays.equals(from, dst) && Arrays.equals(to, src)) {
            answers++;
        }
    }

    public Vantage vantage() {
        return vantage;
    }

    public String host() {
        return Addresses.ip(src);
    }

    public String destination() {
        return Addresses.ip(dst);
    }

    public String oldMac() {
        return oldMac;
    }

    public String gateway() {
        return gateway;
    }

    public String suggested() {
        return suggested;
    }

    public long firstMicros() {
        return firstMicros;
    }

    public long lastMicros() {
        return lastMicros;
    }

    public int redirects() {
        return redirects;
    }

    /** Packets to the destination that still went to the old next hop's MAC after the grace. */
    public long viaOld() {
        return viaOld;
    }

    public long viaOther() {
        return viaOther;
    }

    public long firstViaOldMicros() {
        return firstViaOldMicros;
    }

    public long lastViaOldMicros() {
        return lastViaOldMicros;
    }

    /** Packets back from the destination after the grace. */
    public long answers() {
        return answers;
    }

    public boolean retransmittedBefore() {
        return retransmittedBefore;
    }
}
