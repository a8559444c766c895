package dev.wirewatch.sensor.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.sensor.Traces;
import dev.wirewatch.sensor.capture.TsharkFrames.Frame;
import dev.wirewatch.sensor.capture.TsharkFrames.Reading;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pcapng reader against tshark on files real tools wrote: every pcapng of the shared traces and of deploy/,
 * every pcap there converted by editcap, editcap's nanosecond pcapng, and two sections in one file. Equal means
 * the same count, times to the microsecond, link types, interface names, both lengths and bytes (MD5).
 * Its cases run side by side: each waits about a second for tshark to start, on one core, some 80 times.
 */
@Execution(ExecutionMode.CONCURRENT)
class PcapngMatchesTsharkTest {
    /** The repository's deploy/ folder (captures made by its record scripts). */
    static final Path DEPLOY = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples")).getParent();
    static final Path TWO_INTERFACES = DEPLOY.resolve("captures/two-interfaces/capture.pcapng");

    @TempDir
    Path temp;

    static Stream<Path> pcapngFiles() throws IOException {
        return captures(".pcapng");
    }

    static Stream<Path> pcapFiles() throws IOException {
        return captures(".pcap");
    }

    private static Stream<Path> captures(String suffix) throws IOException {
        List<Path> found = new ArrayList<>();
        for (Path folder : List.of(Traces.folder(), DEPLOY)) {
            try (Stream<Path> files = Files.walk(folder)) {
                files.filter(file -> file.toString().endsWith(suffix)).sorted().forEach(found::add);
            }
        }
        assertTrue(found.size() >= 2, "no " + suffix + " files in the traces and deploy/: " + found);
        return found.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pcapngFiles")
    void everyPcapngReadsAsTsharkReadsIt(Path capture) throws Exception {
        assertReadsAsTshark(capture);
    }

    /** editcap's pcapng of every pcap: as tshark reads it, and as the pcap reader reads the original. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("pcapFiles")
    void everyPcapConvertedByEditcapReadsAsTsharkAndAsTheOriginal(Path capture) throws Exception {
        Path converted = editcap(capture, temp.resolve("converted.pcapng"), "-F", "pcapng");
        assertEquals(TsharkFrames.read(capture).frames(), assertReadsAsTshark(converted), "pcapng vs the original pcap");
    }

    /**
     * editcap writes if_tsresol 9 for a nanosecond pcap; 789 ns added to every time are in the file, and rounded
     * down to the microsecond the times are the original's. Read as microseconds they would be 1000 times too large.
     */
    @Test
    void nanosecondTimestampsFromEditcap() throws Exception {
        Path original = Traces.file("zeek_pop3_REJ.pcap");
        Path nanos = editcap(original, temp.resolve("nanos.pcap"), "-F", "nsecpcap", "-t", "0.000000789");
        Path pcapng = editcap(nanos, temp.resolve("nanos.pcapng"), "-F", "pcapng");
        assertTrue(capinfos(pcapng).contains("Time resolution = 0x09"), "editcap wrote nanosecond resolution");
        assertEquals(TsharkFrames.read(original).frames(), assertReadsAsTshark(pcapng));
    }

    /**
     * dumpcap on two interfaces (deploy/captures/two-interfaces/record.sh): the frames of lo are Ethernet cut to 96
     * bytes, those of any Linux cooked, both in nanoseconds, interleaved, with statistics blocks at the end.
     */
    @Test
    void twoInterfacesOfDifferentNamesAndLinkTypesFromDumpcap() throws Exception {
        List<Frame> frames = assertReadsAsTshark(TWO_INTERFACES);
        Set<String> interfaces = frames.stream().map(f -> f.iface() + "/" + f.linkType()).collect(Collectors.toSet());
        assertEquals(Set.of("lo/1", "any/113"), interfaces, "what the capture is for");
        assertTrue(frames.stream().anyMatch(f -> f.captured() < f.original()), "some frames cut to the snapshot length");
    }

    /**
     * Concatenated pcapng files are one file of several sections; each section describes its own interfaces, so the
     * second file's interface 0 (microseconds, no name, Ethernet) is not the first's (lo, nanoseconds). tshark 4.0
     * reads such a file right but for the interface names of later sections (it looks the section's interface number
     * up among all the file's interfaces): the names are checked against tshark's reading of each file alone.
     */
    @Test
    void twoSectionsEachWithItsOwnInterfaces() throws Exception {
        Path second = editcap(Traces.file("zeek_tcp_syn-synack.pcap"), temp.resolve("second.pcapng"), "-F", "pcapng");
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.writeBytes(Files.readAllBytes(TWO_INTERFACES));
        both.writeBytes(Files.readAllBytes(second));
        Path sections = Files.write(temp.resolve("sections.pcapng"), both.toByteArray());

        List<Frame> expected = new ArrayList<>(TsharkFrames.tshark(TWO_INTERFACES).frames());
        expected.addAll(TsharkFrames.tshark(second).frames());
        TsharkFrames.Read read = TsharkFrames.read(sections);
        assertEquals("", read.damage());
        assertEquals(expected, read.frames(), "each section as tshark reads its file alone");
        Reading whole = TsharkFrames.tshark(sections);
        assertEquals("", whole.errors());
        assertEquals(unnamed(whole.frames()), unnamed(read.frames()), "the whole file as tshark reads it, but the names");
        assertEquals("", read.frames().get(read.frames().size() - 1).iface(), "the second section's interface has no name");
    }

    private static List<Frame> unnamed(List<Frame> frames) {
        return frames.stream().map(Frame::unnamed).toList();
    }

    /** Reads the file both ways; they must agree, cleanly and on at least one frame. Returns the frames. */
    static List<Frame> assertReadsAsTshark(Path capture) throws Exception {
        Reading truth = TsharkFrames.tshark(capture);
        assertEquals("", truth.errors(), "tshark reads " + capture + " cleanly");
        TsharkFrames.Read read = TsharkFrames.read(capture);
        assertEquals("", read.damage());
        assertFalse(truth.frames().isEmpty(), "tshark read frames from " + capture);
        assertEquals(truth.frames(), read.frames(), capture.toString());
        return read.frames();
    }

    static Path editcap(Path in, Path out, String... options) throws Exception {
        assertTrue(new File("/usr/bin/editcap").canExecute(),
                "editcap (tshark's wireshark-common) is needed: run deploy/test-deps.sh");
        List<String> command = new ArrayList<>(List.of("editcap"));
        command.addAll(List.of(options));
        command.addAll(List.of(in.toString(), out.toString()));
        Process editcap = new ProcessBuilder(command).redirectErrorStream(true).start();
        String said = new String(editcap.getInputStream().readAllBytes());
        assertEquals(0, editcap.waitFor(), "editcap: " + said);
        return out;
    }

    private static String capinfos(Path capture) throws Exception {
        Process capinfos = new ProcessBuilder("capinfos", capture.toString()).redirectErrorStream(true).start();
        String said = new String(capinfos.getInputStream().readAllBytes());
        capinfos.waitFor();
        return said;
    }
}
