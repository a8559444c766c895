package dev.wirewatch.processor.flow;

import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.schemas.Addresses;
import java.util.Arrays;

/**
 * What a host did with a flow after an ICMP redirect about it: the redirect (who sent it, which next hop it named,
 * the MAC of the router the host was using) and, from the host's own vantage, how many of its packets to the
 * destination still went to that MAC once the grace had passed, how many went elsewhere, and how many answers came.
 *
 * <p>A packet through the old next hop is evidence only after the grace that follows the second redirect: Linux
 * drops a redirect whose new next hop it has not resolved yet (it starts resolving it), so a host that follows
 * redirects may send once more the old way after the first one. The watch lasts {@code redirect-observe-window} after
 * the grace of the latest redirect (the kernel keeps a learned redirect that long, and renews it with each), but its
 * evidence is complete {@value #EVIDENCE_SECONDS} s after the first packet that counts: the packets sent until then,
 * and the answers to them within the clock skew after.
 */
public final class RedirectWatch {
    static final long EVIDENCE_SECONDS = 5;
    private static final long EVIDENCE_MICROS = EVIDENCE_SECONDS * 1_000_000;

    // Package-private for FlowStateCodec, which stores them, and LegacyFlowStateReader.
    final Vantage vantage;
    final byte[] src;
    final byte[] dst;
    final String oldMac;
    final String gateway;
    final String suggested;
    final long firstMicros;
    long lastMicros;
    /** When the second redirect came; {@link Absent#NONE} until it has. */
    long secondMicros = Absent.NONE;
    int redirects;
    long viaOld;
    long viaOther;
    /** The first and last packet through the old next hop; {@link Absent#NONE} until one went that way. */
    long firstViaOldMicros = Absent.NONE;
    long lastViaOldMicros = Absent.NONE;
    long answers;
    /**
     * The host sent again after the last packet counted: later answers may be to that packet, so they no longer
     * count (a reply that comes after the next request would otherwise stand in for a lost one).
     */
    boolean sentPastCount;
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
        secondMicros = earliest(secondMicros, Math.max(tsMicros, firstMicros));
        lastMicros = Math.max(lastMicros, tsMicros);
    }

    /**
     * A packet of the flow; counted when the watching vantage saw it after the second redirect's grace, while evidence
     * is gathered.
     */
    void observe(Vantage seenAt, PacketEvent packet, ProcessorConfig config) {
        long ts = packet.getTsMicros();
        if (!seenAt.equals(vantage) || secondMicros == Absent.NONE || ts < secondMicros + config.redirectGraceMicros()) {
            return;
        }
        byte[] from = Addresses.bytes(packet.getSrc());
        byte[] to = Addresses.bytes(packet.getDst());
        boolean sent = Arrays.equals(from, src) && Arrays.equals(to, dst);
        if (sent && ts >= sendingEndsMicros(config)) {
            sentPastCount = true;
            return;
        }
        if (!sent && (sentPastCount || ts >= evidenceDueMicros(config))) {
            return;
        }
        if (sent) {
            if (oldMac != null && oldMac.equals(Addresses.mac(packet.getDstMac()))) {
                viaOld++;
                firstViaOldMicros = earliest(firstViaOldMicros, packet.getTsMicros());
                lastViaOldMicros = Math.max(lastViaOldMicros, packet.getTsMicros());
            } else {
                viaOther++;
            }
        } else if (Arrays.equals(from, dst) && Arrays.equals(to, src)) {
            answers++;
        }
    }

    private static long earliest(long micros, long other) {
        return micros == Absent.NONE ? other : Math.min(micros, other);
    }

    /** When the watch ends without a packet through the old next hop: the latest redirect's grace and window. */
    public long watchEndsMicros(ProcessorConfig config) {
        return lastMicros + config.redirectGraceMicros() + config.redirectObserveWindowMicros();
    }

    /**
     * When the evidence is complete: answers are awaited for the clock skew after the last packet counted. Until a
     * packet went the old way, the end of the watch.
     */
    public long evidenceDueMicros(ProcessorConfig config) {
        return sendingEndsMicros(config) + config.clockSkewMicros();
    }

    private long sendingEndsMicros(ProcessorConfig config) {
        long watchEnds = watchEndsMicros(config);
        return viaOld == 0 ? watchEnds : Math.min(watchEnds, firstViaOldMicros + EVIDENCE_MICROS);
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
