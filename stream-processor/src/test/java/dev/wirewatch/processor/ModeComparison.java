package dev.wirewatch.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.FlowRecord;
import dev.wirewatch.record.VantageView;
import dev.wirewatch.sensor.CaptureMerge;
import dev.wirewatch.sensor.FileEventSource;
import dev.wirewatch.sensor.emit.EmissionMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * docs/architecture.md, "Sensor emission": detections are the same in both modes. Captures (host name = file name
 * without extension) go through the real topology twice, once as sensors in --mode full would send them and once in
 * --mode control; alerts and every vantage's conn_state, history, packet and byte counts must be equal.
 */
public final class ModeComparison {
    /** What one mode gave: alerts and flow records described for comparison, and what the sensors sent. */
    public record Outcome(List<String> alerts, List<String> flows, CaptureMerge.Totals totals) {}

    private ModeComparison() {}

    /** Runs both modes, asserts they agree, prints and returns control mode's outcome. */
    public static Outcome assertModesAgree(String name, List<Path> captures, Path topology) {
        Outcome full = run(captures, topology, EmissionMode.FULL);
        Outcome control = run(captures, topology, EmissionMode.CONTROL);
        assertEquals(full.totals().packets(), full.totals().packetRecords(), "full mode ships every header");
        assertEquals(full.alerts(), control.alerts(), "alerts");
        assertEquals(full.flows(), control.flows(), "flow records: conn_state, history, packets and bytes per vantage");
        System.out.printf(Locale.ROOT, "%-50s %7d packets: full %7d records, control %7d (%.3f per packet)%n",
                name, full.totals().packets(), full.totals().packetRecords(), control.totals().packetRecords(),
                control.totals().packetRecords() / (double) Math.max(1, control.totals().packets()));
        return control;
    }

    public static Outcome run(List<Path> captures, Path topology, EmissionMode mode) {
        List<CaptureMerge.NamedSource> sources = sources(captures);
        try (ProcessorDriver driver = new ProcessorDriver(network(topology), ProcessorConfig.DEFAULTS)) {
            CaptureMerge.Totals totals = CaptureMerge.replay(sources, driver.sink(), mode, count -> { });
            List<String> alerts = driver.alerts().stream().map(Object::toString).sorted().toList();
            List<String> flows = driver.flows().stream().map(ModeComparison::describe).sorted().toList();
            return new Outcome(alerts, flows, totals);
        } finally {
            sources.forEach(source -> source.events().close());
        }
    }

    /** A case's topology: its file, if it has one. */
    public static NetworkTopology network(Path topology) {
        return topology != null && Files.exists(topology) ? NetworkTopology.load(topology) : NetworkTopology.EMPTY;
    }

    /** Each capture as its host's sensor would read it (host name = file name without extension); close them. */
    public static List<CaptureMerge.NamedSource> sources(List<Path> captures) {
        List<CaptureMerge.NamedSource> sources = new ArrayList<>();
        for (Path capture : captures) {
            String host = capture.getFileName().toString().replaceFirst("\\.pcap(ng)?$", "");
            sources.add(new CaptureMerge.NamedSource(host, new FileEventSource(capture, host, null)));
        }
        return sources;
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
