package dev.wirewatch.sensor.capture;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A capture's frames as tshark reads them and as {@link CaptureFile} reads them, in one comparable shape: time in
 * microseconds, link type, interface name, both lengths and an MD5 of the captured bytes (tshark's
 * frame.md5_hash), so that equal lists mean the same bytes at the same times on the same interfaces.
 */
final class TsharkFrames {
    /** Wireshark's encapsulation numbers (frame.encap_type) of the link types the test files use, to their DLTs. */
    private static final Map<Integer, Integer> LINK_TYPES = Map.of(1, 1, 15, 0, 25, 113, 7, 101, 210, 276);

    private TsharkFrames() {}

    record Frame(long tsMicros, int linkType, String iface, int captured, int original, String md5) {
        Frame unnamed() {
            return new Frame(tsMicros, linkType, "", captured, original, md5);
        }

        Frame at(long micros) {
            return new Frame(micros, linkType, iface, captured, original, md5);
        }
    }

    /** What tshark read, and what it said on stderr (empty when the file read cleanly). */
    record Reading(List<Frame> frames, String errors) {}

    static Reading tshark(Path capture) throws IOException, InterruptedException {
        assertTrue(new File("/usr/bin/tshark").canExecute(), "tshark is needed: run deploy/test-deps.sh");
        Process tshark = new ProcessBuilder("tshark", "-r", capture.toString(), "-o", "frame.generate_md5_hash:TRUE",
                "-T", "fields", "-E", "occurrence=f", "-e", "frame.time_epoch", "-e", "frame.encap_type",
                "-e", "frame.interface_name", "-e", "frame.cap_len", "-e", "frame.len", "-e", "frame.md5_hash").start();
        String out = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        byte[] err = tshark.getErrorStream().readAllBytes(); // a few lines: it cannot fill its pipe while stdout drains
        List<Frame> frames = new ArrayList<>();
        long previous = 0;
        for (String line : out.lines().toList()) {
            if (line.isBlank()) {
                continue;
            }
            String[] field = line.split("\t", -1);
            if (field[1].isEmpty()) {
                continue; // not a packet: tshark shows a custom block as a record of its own
            }
            // A simple packet block has no time; the reader gives it the previous frame's.
            long micros = field[0].isEmpty() ? previous
                    : new BigDecimal(field[0]).movePointRight(6).setScale(0, RoundingMode.FLOOR).longValueExact();
            previous = micros;
            Integer linkType = LINK_TYPES.get(Integer.parseInt(field[1]));
            if (linkType == null) {
                throw new IllegalStateException("tshark encapsulation " + field[1] + " has no DLT in TsharkFrames");
            }
            String iface = field[2].equals("unknown") ? "" : field[2]; // tshark's word for an interface without a name
            frames.add(new Frame(micros, linkType, iface, Integer.parseInt(field[3]), Integer.parseInt(field[4]), field[5]));
        }
        tshark.waitFor();
        String errors = new String(err, StandardCharsets.UTF_8).lines()
                .filter(line -> !line.isBlank() && !line.startsWith("Running as user")).reduce("", (a, b) -> a + b + "\n");
        return new Reading(frames, errors);
    }

    /** What {@link CaptureFile} read, and its damage message (empty when none). */
    record Read(List<Frame> frames, String damage) {}

    static Read read(Path capture) {
        List<Frame> frames = new ArrayList<>();
        try (CaptureFile file = CaptureFile.open(capture)) {
            CapturedFrame frame;
            while ((frame = file.next()) != null) {
                frames.add(new Frame(frame.tsMicros(), frame.linkType(), frame.iface(), frame.data().length,
                        frame.originalLength(), md5(frame.data())));
            }
            return new Read(frames, file.damage().orElse(""));
        }
    }

    private static String md5(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
