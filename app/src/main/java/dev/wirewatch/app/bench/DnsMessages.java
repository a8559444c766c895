package dev.wirewatch.app.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Small, real DNS messages (a question for A or AAAA, and its answer or NXDOMAIN), short enough that a query and
 * its response over IPv6 fit the 128-byte snaplen whole, so tshark decodes them and pairs each answer with its query.
 */
final class DnsMessages {
    static final String[] NAMES = {"api.example.com", "cdn.example.net", "db1.example.com", "auth.example.org",
        "mail.example.net", "img.example.com", "ws.example.org", "pay.example.com"};
    private static final int TYPE_A = 1;
    private static final int TYPE_AAAA = 28;

    private DnsMessages() {}

    static byte[] query(int id, String name, boolean aaaa) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        header(out, id, 0x0100, 0); // recursion desired
        question(out, name, aaaa);
        return out.toByteArray();
    }

    /** The response to {@link #query}: one address (TEST-NET-3 or 2001:db8:3::/64), or NXDOMAIN with none. */
    static byte[] response(int id, String name, boolean aaaa, boolean nxdomain, Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(96);
        header(out, id, nxdomain ? 0x8183 : 0x8180, nxdomain ? 0 : 1);
        question(out, name, aaaa);
        if (!nxdomain) {
            short16(out, 0xc00c); // the name, pointing back at the question
            short16(out, aaaa ? TYPE_AAAA : TYPE_A);
            short16(out, 1);
            short16(out, 0);
            short16(out, 60 + random.nextInt(3_540)); // TTL
            int host = 1 + random.nextInt(254);
            if (aaaa) {
                short16(out, 16);
                out.writeBytes(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) host});
            } else {
                short16(out, 4);
                out.writeBytes(new byte[] {(byte) 203, 0, 113, (byte) host});
            }
        }
        return out.toByteArray();
    }

    private static void header(ByteArrayOutputStream out, int id, int flags, int answers) {
        short16(out, id);
        short16(out, flags);
        short16(out, 1);
        short16(out, answers);
        short16(out, 0);
        short16(out, 0);
    }

    private static void question(ByteArrayOutputStream out, String name, boolean aaaa) {
        for (String label : name.split("\\.")) {
            byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            out.write(bytes.length);
            out.writeBytes(bytes);
        }
        out.write(0);
        short16(out, aaaa ? TYPE_AAAA : TYPE_A);
        short16(out, 1); // IN
    }

    private static void short16(ByteArrayOutputStream out, int value) {
        out.write(value >> 8);
        out.write(value);
    }
}
