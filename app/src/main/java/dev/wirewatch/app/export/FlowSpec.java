package dev.wirewatch.app.export;

import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.FlowKey;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text form of a flow on the command line: {@code [PROTO:]A-B} where A and B are endpoints as alerts print
 * them ({@code ip:port}, {@code [v6]:port}), in either order, PROTO one of tcp (the default), udp, icmp, icmp6.
 * {@code A,B} and {@code A <-> B} (the flow key's own printing, with a space after the protocol) are read too, so an
 * alert's {@code client} and {@code server} can be pasted as they are.
 */
public final class FlowSpec {
    public static final String SYNTAX = "[tcp|udp|icmp|icmp6:]IP:PORT-IP:PORT (IPv6 in brackets: [2001:db8::1]:443)";

    private static final Map<String, Integer> PROTOCOLS =
            Map.of("tcp", FlowKey.TCP, "udp", FlowKey.UDP, "icmp", FlowKey.ICMP, "icmp6", FlowKey.ICMPV6);
    private static final String ENDPOINT = "(\\[[0-9a-fA-F:.]+\\]|[0-9.]+):(\\d{1,5})";
    private static final Pattern FORM = Pattern.compile(
            "(?:(tcp|udp|icmp|icmp6)[: ]\\s*)?" + ENDPOINT + "\\s*(?:-|,|<->)\\s*" + ENDPOINT, Pattern.CASE_INSENSITIVE);

    private FlowSpec() {}

    /** @throws IllegalArgumentException naming the syntax */
    public static FlowKey parse(String text) {
        Matcher match = FORM.matcher(text == null ? "" : text.trim());
        if (!match.matches()) {
            throw new IllegalArgumentException("--flow '" + text + "' is not a flow: expected " + SYNTAX);
        }
        int protocol = match.group(1) == null ? FlowKey.TCP : PROTOCOLS.get(match.group(1).toLowerCase(Locale.ROOT));
        byte[] a = address(match.group(2), text);
        byte[] b = address(match.group(4), text);
        if (a.length != b.length) {
            throw new IllegalArgumentException("--flow '" + text + "': both ends must be IPv4 or both IPv6");
        }
        return FlowKey.of(protocol, a, port(match.group(3), text), b, port(match.group(5), text));
    }

    /** An alert's {@code ip:port} or {@code [v6]:port}, as address bytes and port. */
    static Endpoint endpoint(String text) {
        Matcher match = Pattern.compile(ENDPOINT).matcher(text.trim());
        if (!match.matches()) {
            throw new IllegalArgumentException("not an endpoint: " + text);
        }
        return new Endpoint(address(match.group(1), text), port(match.group(2), text));
    }

    /** An address and port as an alert names one end of a flow. */
    record Endpoint(byte[] address, int port) {}

    private static byte[] address(String text, String whole) {
        String literal = text.startsWith("[") ? text.substring(1, text.length() - 1) : text;
        try {
            return Addresses.parse(literal);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--flow '" + whole + "': '" + literal + "' is not an IP address");
        }
    }

    private static int port(String text, String whole) {
        int port = Integer.parseInt(text);
        if (port > 65535) {
            throw new IllegalArgumentException("--flow '" + whole + "': port " + port + " is out of range");
        }
        return port;
    }
}
