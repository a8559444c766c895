package dev.wirewatch.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real-scale captures of deploy/captures/long-idle are their kernel-recorded sources with idle stretched
 * (deploy/captures/stretch.py): every frame the same bytes, only later, and tshark reads every connection as it reads
 * it in the source. Checked per set against its stretch.json (the command, the cuts, the kept frames): the file
 * header and every record byte for byte but the timestamp; each timestamp moved by the shifts of the cuts before it;
 * the silence after each cut as long as stretch.json and the set's name say; and by tshark, the same frames in each
 * TCP stream (tcp.stream), the same keep-alives and keep-alive ACKs, and the same echo requests paired with the same
 * replies (icmp.resp_in, icmp.resp_not_found).
 */
class LongIdleCapturesMatchSourcesTest {
    private static final Path CAPTURES = Path.of(System.getProperty("wirewatch.captures", "../deploy/captures"));
    private static final Path ROOT = CAPTURES.toAbsolutePath().getParent().getParent();
    private static final BigDecimal MICROS = BigDecimal.valueOf(1_000_000);

    static Stream<Path> sets() throws IOException {
        try (Stream<Path> dirs = Files.list(CAPTURES.resolve("long-idle"))) {
            List<Path> sets = dirs.filter(dir -> Files.isRegularFile(dir.resolve("stretch.json"))).sorted().toList();
            assertTrue(sets.size() >= 3, "sets in deploy/captures/long-idle: " + sets);
            return sets.stream();
        }
    }

    /** One cut of stretch.json, in microseconds of the source's clock. */
    private record Cut(long afterMicros, long silenceMicros, long shiftMicros, long silenceNowMicros) {}

    private static long micros(JsonNode node) {
        return new BigDecimal(node.asText()).multiply(MICROS).longValueExact();
    }

    private static List<Cut> cuts(JsonNode manifest) {
        List<Cut> cuts = new ArrayList<>();
        manifest.get("cuts").forEach(cut -> cuts.add(new Cut(micros(cut.get("after_epoch")), micros(cut.get("silence_s")),
                micros(cut.get("shift_s")), micros(cut.get("silence_now_s")))));
        assertFalse(cuts.isEmpty());
        return cuts;
    }

    /** stretch.py's rule: a packet moves by the shift of every cut it comes after. */
    private static long stretched(long sourceMicros, List<Cut> cuts) {
        return sourceMicros + cuts.stream().filter(cut -> sourceMicros > cut.afterMicros()).mapToLong(Cut::shiftMicros).sum();
    }

    /** "1-3,7" -> [1, 2, 3, 7] */
    private static List<Integer> frameNumbers(String compact) {
        List<Integer> numbers = new ArrayList<>();
        for (String run : compact.split(",")) {
            String[] ends = run.split("-");
            for (int n = Integer.parseInt(ends[0]); n <= Integer.parseInt(ends[ends.length - 1]); n++) {
                numbers.add(n);
            }
        }
        return numbers;
    }

    /** A classic pcap (little-endian, microseconds: what the samples are): its header and records. */
    private record Pcap(byte[] header, List<byte[]> records) {
        static Pcap read(Path file) throws IOException {
            ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0xa1b2c3d4, data.getInt(0), file + " is a little-endian microsecond pcap");
            byte[] header = Arrays.copyOf(data.array(), 24);
            List<byte[]> records = new ArrayList<>();
            int pos = 24;
            while (pos < data.limit()) {
                int length = 16 + data.getInt(pos + 8);
                records.add(Arrays.copyOfRange(data.array(), pos, pos + length));
                pos += length;
            }
            assertEquals(data.limit(), pos, file + " ends with a whole record");
            return new Pcap(header, records);
        }

        static long micros(byte[] record) {
            ByteBuffer buffer = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
            return (buffer.getInt(0) & 0xffffffffL) * 1_000_000 + (buffer.getInt(4) & 0xffffffffL);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sets")
    void everyFrameIsItsSourceFrameMovedByTheShiftsBeforeIt(Path set) throws Exception {
        JsonNode manifest = new ObjectMapper().readTree(set.resolve("stretch.json").toFile());
        List<Cut> cuts = cuts(manifest);
        for (JsonNode file : manifest.get("files")) {
            Pcap source = Pcap.read(ROOT.resolve(file.get("source").asText()));
            Pcap stretched = Pcap.read(set.resolve(file.get("name").asText()));
            List<Integer> kept = frameNumbers(file.get("kept_source_frames").asText());
            assertArrayEquals(source.header(), stretched.header(), "file header (magic, version, snaplen, link type)");
            assertEquals(kept.size(), stretched.records().size(), file.get("name") + ": frames kept");
            for (int i = 0; i < kept.size(); i++) {
                byte[] from = source.records().get(kept.get(i) - 1);
                byte[] to = stretched.records().get(i);
                assertArrayEquals(Arrays.copyOfRange(from, 8, from.length), Arrays.copyOfRange(to, 8, to.length),
                        file.get("name") + " frame " + (i + 1) + ": lengths and bytes");
                assertEquals(stretched(Pcap.micros(from), cuts), Pcap.micros(to), file.get("name") + " frame " + (i + 1));
            }
        }
    }

    /** The silences the set is about: as stretch.json says, and as its name says (06-idle-15m: 15 minutes). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("sets")
    void theSilenceAfterEachCutIsAsLongAsTheSetSays(Path set) throws Exception {
        JsonNode manifest = new ObjectMapper().readTree(set.resolve("stretch.json").toFile());
        Matcher name = Pattern.compile("-(\\d+)([mh])$").matcher(set.getFileName().toString());
        assertTrue(name.find(), "the set's name ends with its silence: " + set);
        long named = Long.parseLong(name.group(1)) * (name.group(2).equals("h") ? 3600 : 60) * 1_000_000;
        String flow = manifest.get("flow").isNull() ? "frame" : manifest.get("flow").asText();
        List<Long> times = new ArrayList<>();
        for (JsonNode file : manifest.get("files")) {
            SampleCase.longIdle(set.getFileName().toString()).tshark(file.get("name").asText(), flow, "frame.time_epoch")
                    .forEach(row -> times.add(new BigDecimal(row[0]).multiply(MICROS).longValueExact()));
        }
        times.sort(null);
        List<Cut> cuts = cuts(manifest);
        for (Cut cut : cuts) {
            assertEquals(named, cut.silenceNowMicros(), "silence after the cut");
            assertEquals(cut.silenceNowMicros(), cut.silenceMicros() + cut.shiftMicros());
            long after = stretched(cut.afterMicros(), cuts);
            long next = times.stream().filter(t -> t > after).findFirst().orElseThrow();
            assertEquals(cut.silenceNowMicros(), next - after, "tshark's silence after " + after);
        }
    }

    /** Per frame (by position among the kept frames): what tshark derives from the frames around it. */
    private static final String[] FIELDS = {"tcp.stream", "tcp.analysis.keep_alive", "tcp.analysis.keep_alive_ack",
            "icmp.resp_in", "icmp.resp_not_found", "frame.number"};

    @ParameterizedTest(name = "{0}")
    @MethodSource("sets")
    void tsharkReadsEveryConnectionAsInTheSource(Path set) throws Exception {
        JsonNode manifest = new ObjectMapper().readTree(set.resolve("stretch.json").toFile());
        SampleCase stretchedSet = SampleCase.longIdle(set.getFileName().toString());
        for (JsonNode file : manifest.get("files")) {
            Path source = ROOT.resolve(file.get("source").asText());
            List<Integer> kept = frameNumbers(file.get("kept_source_frames").asText());
            SampleCase sourceDir = SampleCase.at(source.getParent());
            List<String[]> before = new ArrayList<>();
            Map<Integer, String[]> byNumber = new LinkedHashMap<>();
            sourceDir.tshark(source.getFileName().toString(), "frame", FIELDS)
                    .forEach(row -> byNumber.put(Integer.parseInt(row[5]), row));
            kept.forEach(number -> before.add(byNumber.get(number)));
            List<String[]> after = stretchedSet.tshark(file.get("name").asText(), "frame", FIELDS);
            assertEquals(kept.size(), after.size(), "tshark's frames of " + file.get("name"));
            // Frame numbers change where frames were left out: compare positions among the kept frames.
            Map<Integer, Integer> position = new LinkedHashMap<>();
            for (int i = 0; i < kept.size(); i++) {
                position.put(kept.get(i), i + 1);
            }
            Set<List<Integer>> streamsBefore = partition(before, row -> row[0]);
            Set<List<Integer>> streamsAfter = partition(after, row -> row[0]);
            assertEquals(streamsBefore, streamsAfter, file.get("name") + ": frames per TCP stream (by position)");
            for (int i = 0; i < after.size(); i++) {
                String[] was = before.get(i);
                String[] is = after.get(i);
                String at = file.get("name") + " frame " + (i + 1);
                assertEquals(was[1], is[1], at + ": keep-alive");
                assertEquals(was[2], is[2], at + ": keep-alive ACK");
                assertEquals(was[3].isEmpty() ? "" : String.valueOf(position.get(Integer.parseInt(was[3]))), is[3],
                        at + ": the reply to this request");
                assertEquals(was[4], is[4], at + ": request without a reply");
            }
        }
    }

    /** Positions (1-based) of the rows that share a key, per key; rows without one are left out. */
    private static Set<List<Integer>> partition(List<String[]> rows, Function<String[], String> key) {
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            String value = key.apply(rows.get(i));
            if (!value.isEmpty()) {
                groups.computeIfAbsent(value, k -> new ArrayList<>()).add(i + 1);
            }
        }
        return new HashSet<>(groups.values());
    }
}
