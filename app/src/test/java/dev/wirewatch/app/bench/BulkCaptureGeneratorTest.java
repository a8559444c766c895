package dev.wirewatch.app.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.sensor.FileEventSource;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's generated capture is valid TCP as tshark reads it, conversation by conversation. */
class BulkCaptureGeneratorTest {
    @Test
    void tsharkSeesTheSameConversationsAndPacketsAsOurDecoder(@TempDir Path temp) throws Exception {
        assertTrue(new File("/usr/bin/tshark").canExecute(), "tshark is needed: run deploy/test-deps.sh");
        Path file = temp.resolve("bulk.pcap");
        long written = BulkCaptureGenerator.write(file, 20_000, 20, 7);
        assertTrue(written >= 20_000);

        Map<String, Long> ours = new TreeMap<>();
        long decoded = 0;
        for (var record : FileEventSource.readAll(file, "h")) {
            PacketEvent packet = (PacketEvent) record;
            String a = Addresses.endpoint(Addresses.bytes(packet.getSrc()), packet.getSrcPort());
            String b = Addresses.endpoint(Addresses.bytes(packet.getDst()), packet.getDstPort());
            ours.merge(a.compareTo(b) < 0 ? a + " " + b : b + " " + a, 1L, Long::sum);
            decoded++;
        }
        assertEquals(written, decoded, "every generated packet decodes as TCP/IPv4");

        Process tshark = new ProcessBuilder("tshark", "-r", file.toString(), "-q", "-z", "conv,tcp").start();
        String output = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, tshark.waitFor());
        Map<String, Long> theirs = new TreeMap<>();
        for (String line : output.lines().toList()) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length > 9 && fields[1].equals("<->")) {
                String a = fields[0];
                String b = fields[2];
                // after the pair: frames and bytes (number and unit) one way, the same the other way, total frames
                long total = Long.parseLong(fields[9].replace(",", ""));
                theirs.put(a.compareTo(b) < 0 ? a + " " + b : b + " " + a, total);
            }
        }
        assertEquals(ours, theirs, "per-conversation packet counts, ours vs tshark -z conv,tcp");
    }
}
