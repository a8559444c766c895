package dev.wirewatch.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.FlowRecord;
import dev.wirewatch.record.VantageView;
import dev.wirewatch.sensor.CaptureMerge;
import dev.wirewatch.sensor.FileEventSource;
import dev.wirewatch.sensor.emit.EmissionMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN.md: "Detections must come out the same in both modes on every test capture." Every capture in
 * ../shared/traces, every two-sided case in deploy/samples and the kernel-made bulk traffic in deploy/captures
 * goes through the real topology twice, once as a
 * sensor in --mode full would send it and once in --mode control; alerts and every vantage's conn_state, history, packet
 * and byte counts must be equal, and control mode must actually have summarised where traffic was steady.
 */
class EmissionModesAgreeTest {
    private static final Path TRACES = Path.of(System.getProperty("wirewatch.traces", "../../shared/traces"));
    private static final Path SAMPLES = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples"));

    /** A case: its captures (host name = file name without extension) and its topology, if any. */
    record Case(String name, List<Path> captures, Path topology) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(TRACES)) {
            files.filter(file -> file.toString().endsWith(".pcap") || file.toString().endsWith(".pcapng")).sorted()
                    .forEach(file -> cases.add(new Case(file.getFileName().toString(), List.of(file), null)));
        }
        try (Stream<Path> dirs = Stream.concat(Files.list(SAMPLES), Files.list(SAMPLES.resolveSibling("captures")))) {
            for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> files = Files.list(dir)) {
                    cases.add(new Case(dir.getFileName().toString(),
                            files.filter(file -> file.toString().endsWith(".pcap")).sorted().toList(),
                            dir.resolve("topology.yaml")));
                }
            }
        }
        assertTrue(cases.size() >= 20, "captures found: " + cases.size());
        return cases.stream();
    }

    private record Outcome(List<String> alerts, List<String> flows, CaptureMerge.Totals totals) {}

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void controlModeFindsWhatFullModeFinds(Case testCase) {
        Outcome full = run(testCase, EmissionMode.FULL);
        Outcome control = run(testCase, EmissionMode.CONTROL);
        assertEquals(full.totals().packets(), full.totals().packetRecords(), "full mode ships every header");
        assertEquals(full.alerts(), control.alerts(), "alerts");
        assertEquals(full.flows(), control.flows(), "flow records: conn_state, history, packets and bytes per vantage");
        System.out.printf(Locale.ROOT, "%-50s %7d packets: full %7d records, control %7d (%.3f per packet)%n",
                testCase.name(), full.totals().packets(), full.totals().packetRecords(),
                control.totals().packetRecords(),
                control.totals().packetRecords() / (double) Math.max(1, control.totals().packets()));
    }

    private static Outcome run(Case testCase, EmissionMode mode) {
        NetworkTopology network = testCase.topology() != null && Files.exists(testCase.topology())
                ? NetworkTopology.load(testCase.topology()) : NetworkTopology.EMPTY;
        List<CaptureMerge.NamedSource> sources = new ArrayList<>();
        try (ProcessorDriver driver = new ProcessorDriver(network, ProcessorConfig.DEFAULTS)) {
            for (Path capture : testCase.captures()) {
                String host = capture.getFileName().toString().replaceFirst("\\.pcap(ng)?$", "");
                sources.add(new CaptureMerge.NamedSource(host, new FileEventSource(capture, host, null)));
            }
            CaptureMerge.Totals totals = CaptureMerge.replay(sources, driver.sink(), mode, count -> { });
            List<String> alerts = driver.alerts().stream().map(EmissionModesAgreeTest::describe).sorted().toList();
            List<String> flows = driver.flows().stream().map(EmissionModesAgreeTest::describe).sorted().toList();
            return new Outcome(alerts, flows, totals);
        } finally {
            sources.forEach(source -> source.events().close());
        }
    }

    private static String describe(Alert alert) {
        return alert.toString();
    }

    private static String describe(FlowRecord flow) {
        StringBuilder text = new StringBuilder(flow.getClient() + ":" + flow.getClientPort() + " > " + flow.getServer()
                + ":" + flow.getServerPort() + "/" + flow.getProtocol());
        for (VantageView vantage : flow.getVantages()) {
            text.append(String.format(Locale.ROOT, " [%s %s %s %s orig %d/%d resp %d/%d syns %d first %d last %d]",
                    vantage.getHost(), vantage.getIface(), vantage.getConnState(), vantage.getHistory(), vantage.getOrigPackets(),
                    vantage.getOrigBytes(), vantage.getRespPackets(), vantage.getRespBytes(), vantage.getSynCount(),
                    vantage.getFirstSeenMicros(), vantage.getLastSeenMicros()));
        }
        return text.toString();
    }
}
