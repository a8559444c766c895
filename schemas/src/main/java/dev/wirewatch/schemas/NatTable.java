package dev.wirewatch.schemas;

import dev.wirewatch.record.FlowActivity;
import dev.wirewatch.record.FlowBatch;
import dev.wirewatch.record.KernelDrop;
import dev.wirewatch.record.PacketEvent;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Static address translations (topology {@code nat}): the endpoint clients reach (public) and the one the server
 * holds (private). A translated flow is named by its public side everywhere, so the client's capture (public
 * address) and the server's (private address) share one canonical key, one partition and one flow.
 *
 * <p>The key is made where the record is produced (sensor, analyze): normalising in the processor instead would
 * need a repartition step, and a repartition interleaves the sensors' records out of capture-time order, which
 * every stream-time timer downstream relies on. Records keep the addresses their sensor saw; the processor
 * renames them with the same table when it builds the views.
 */
public record NatTable(List<Translation> translations) {
    public static final NatTable NONE = new NatTable(List.of());

    /**
     * One rule. Port 0 on both sides translates the whole address, every port to itself (1:1 NAT); otherwise the
     * rule is one TCP or UDP port forward.
     */
    public record Translation(byte[] publicAddress, int publicPort, byte[] privateAddress, int privatePort) {
        boolean wholeAddress() {
            return publicPort == 0;
        }
    }

    /** An address and port, as a flow key holds it. */
    public record Endpoint(byte[] address, int port) {}

    public NatTable {
        translations = List.copyOf(translations);
    }

    /**
     * A rule from its text form: {@code ip:port} on both sides (a port forward, {@code [v6]:port} for IPv6) or a
     * bare address on both sides (1:1 NAT).
     *
     * @throws IllegalArgumentException with what is wrong
     */
    public static Translation parse(String publicEndpoint, String privateEndpoint) {
        Endpoint outside = parseEndpoint(publicEndpoint);
        Endpoint inside = parseEndpoint(privateEndpoint);
        if ((outside.port() == 0) != (inside.port() == 0)) {
            throw new IllegalArgumentException("'" + publicEndpoint + "' and '" + privateEndpoint
                    + "': give a port on both sides (port forward) or on neither (whole address)");
        }
        if (outside.address().length != inside.address().length) {
            throw new IllegalArgumentException("'" + publicEndpoint + "' and '" + privateEndpoint
                    + "': both sides must be IPv4 or both IPv6");
        }
        return new Translation(outside.address(), outside.port(), inside.address(), inside.port());
    }

    private static Endpoint parseEndpoint(String text) {
        String trimmed = text.trim();
        String address = trimmed;
        int port = 0;
        if (trimmed.startsWith("[")) {
            int close = trimmed.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("not an endpoint: " + text);
            }
            address = trimmed.substring(1, close);
            port = close + 1 < trimmed.length() ? port(trimmed.substring(close + 1), text) : 0;
        } else if (trimmed.indexOf(':') >= 0 && trimmed.indexOf(':') == trimmed.lastIndexOf(':')) {
            address = trimmed.substring(0, trimmed.indexOf(':'));
            port = port(trimmed.substring(trimmed.indexOf(':')), text);
        }
        return new Endpoint(Addresses.parse(address), port);
    }

    private static int port(String colonAndPort, String text) {
        try {
            int port = colonAndPort.startsWith(":") ? Integer.parseInt(colonAndPort.substring(1)) : -1;
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("not an endpoint (ip:port, port 1-65535): " + text);
    }

    public boolean isEmpty() {
        return translations.isEmpty();
    }

    /** The public name of an endpoint: the rule's public side when it is a rule's private side, else itself. */
    public Endpoint toPublic(int protocol, byte[] address, int port) {
        for (Translation rule : translations) {
            if (matches(rule, protocol, rule.privateAddress(), rule.privatePort(), address, port)) {
                return new Endpoint(rule.publicAddress(), rule.wholeAddress() ? port : rule.publicPort());
            }
        }
        return new Endpoint(address, port);
    }

    /** The endpoint the server holds behind a public one, or the endpoint itself. */
    public Endpoint toPrivate(int protocol, byte[] address, int port) {
        for (Translation rule : translations) {
            if (matches(rule, protocol, rule.publicAddress(), rule.publicPort(), address, port)) {
                return new Endpoint(rule.privateAddress(), rule.wholeAddress() ? port : rule.privatePort());
            }
        }
        return new Endpoint(address, port);
    }

    /** Port forwards apply to TCP and UDP only; for other protocols a "port" is an ICMP identifier. */
    private static boolean matches(Translation rule, int protocol, byte[] ruleAddress, int rulePort, byte[] address,
                                   int port) {
        if (!Arrays.equals(ruleAddress, address)) {
            return false;
        }
        return rule.wholeAddress() || (protocol == FlowKey.TCP || protocol == FlowKey.UDP) && rulePort == port;
    }

    /** The canonical key of a packet: its flow key with both endpoints by their public names. */
    public FlowKey key(PacketEvent packet) {
        return normalise(FlowKey.of(packet));
    }

    public FlowKey key(FlowActivity activity) {
        return normalise(FlowKey.of(activity));
    }

    public FlowKey key(FlowBatch batch) {
        return normalise(FlowKey.of(batch.getProtocol(), Addresses.bytes(batch.getSrc()), batch.getSrcPort(),
                Addresses.bytes(batch.getDst()), batch.getDstPort()));
    }

    public FlowKey key(KernelDrop drop) {
        return normalise(FlowKey.of(drop));
    }

    private FlowKey normalise(FlowKey key) {
        if (isEmpty()) {
            return key;
        }
        Endpoint low = toPublic(key.protocol(), key.lowAddress(), key.lowPort());
        Endpoint high = toPublic(key.protocol(), key.highAddress(), key.highPort());
        return FlowKey.of(key.protocol(), low.address(), low.port(), high.address(), high.port());
    }

    /**
     * The packet with its endpoints by their public names, as every vantage of the flow then names them (the
     * packet itself when no rule applies). ICMP errors keep their addresses: they are keyed by what they quote.
     */
    public PacketEvent normalise(PacketEvent packet) {
        if (isEmpty() || packet.getIcmp() != null && packet.getIcmp().getQuoted() != null) {
            return packet;
        }
        byte[] src = Addresses.bytes(packet.getSrc());
        byte[] dst = Addresses.bytes(packet.getDst());
        Endpoint from = toPublic(packet.getProtocol(), src, packet.getSrcPort());
        Endpoint to = toPublic(packet.getProtocol(), dst, packet.getDstPort());
        if (unchanged(from, src, packet.getSrcPort()) && unchanged(to, dst, packet.getDstPort())) {
            return packet;
        }
        return PacketEvent.newBuilder(packet).setSrc(ByteBuffer.wrap(from.address())).setSrcPort(from.port())
                .setDst(ByteBuffer.wrap(to.address())).setDstPort(to.port()).build();
    }

    private static boolean unchanged(Endpoint translated, byte[] address, int port) {
        return translated.address() == address && translated.port() == port;
    }

    /** A flow summary with its endpoints by their public names. */
    public FlowActivity normalise(FlowActivity activity) {
        if (isEmpty()) {
            return activity;
        }
        byte[] src = Addresses.bytes(activity.getSrc());
        byte[] dst = Addresses.bytes(activity.getDst());
        Endpoint from = toPublic(activity.getProtocol(), src, activity.getSrcPort());
        Endpoint to = toPublic(activity.getProtocol(), dst, activity.getDstPort());
        if (unchanged(from, src, activity.getSrcPort()) && unchanged(to, dst, activity.getDstPort())) {
            return activity;
        }
        return FlowActivity.newBuilder(activity).setSrc(ByteBuffer.wrap(from.address())).setSrcPort(from.port())
                .setDst(ByteBuffer.wrap(to.address())).setDstPort(to.port()).build();
    }
}
