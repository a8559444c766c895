package dev.wirewatch.app.bench;

import dev.wirewatch.schemas.Addresses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The topology of the two-sided mix: the server side's capture is host {@code server}, holding every server and
 * resolver address, so the processor can tell a SYN dropped at the server host from one lost before it. The
 * clients (16,000 addresses behind one capture point) are left out: an unlisted client is judged by its own view.
 */
public final class MixTopology {
    private MixTopology() {}

    public static void write(Path file) throws IOException {
        AddressPlan plan = new AddressPlan(new java.util.Random(0));
        List<String> addresses = new ArrayList<>();
        for (boolean v6 : new boolean[] {false, true}) {
            for (int server = 0; server < AddressPlan.SERVERS; server++) {
                addresses.add(Addresses.ip(plan.server(v6, server)));
            }
            addresses.add(Addresses.ip(plan.resolver(v6)));
        }
        String yaml = "# bench generate --profile mix --server-out: the server side's capture point\n"
                + "hosts:\n  server:\n    interfaces:\n      eth0: {addresses: [" + String.join(", ", addresses) + "]}\n"
                + "    capture: [eth0]\n";
        Files.writeString(file, yaml);
    }
}
