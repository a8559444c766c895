package dev.wirewatch.processor.detect;

import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.flow.FlowDetector;
import dev.wirewatch.processor.health.SensorHealthDetector;
import dev.wirewatch.processor.l2.AddressDetector;
import dev.wirewatch.processor.l2.VirtualRouterDetector;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.processor.service.ServiceDetector;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every detector, one list per stage, in the order the stage asks them. The stages and the topology's store
 * registration read these lists: a new detector is its class, its test, its config keys and its row in
 * docs/ALERTS.md, and one line here (docs/adding-a-detector.md). Each call builds new instances: one per task.
 */
public final class Detectors {
    private Detectors() {}

    /** Per flow, at its deadlines and when it closes (FlowProcessor). UNANSWERED_SYN first: its handoff carries the flow as it stood. */
    public static List<FlowDetector> flowStage(ProcessorConfig config) {
        return List.of(new UnansweredSynDetector(), new InjectedRstDetector(), new KeepAliveUnansweredDetector(),
                new HalfOpenSessionDetector(), new IcmpRedirectIgnoredDetector(), new SensorCoverageGapDetector(config));
    }

    /**
     * Per server address, at the stage's low watermark (ServiceStage). Route mismatch before PAWS: a SYN that left by
     * the wrong interface is the route's, whatever its TSval.
     */
    public static List<ServiceDetector> serviceStage(NetworkTopology topology, ProcessorConfig config) {
        return List.of(new RouteMismatchDetector(topology, config), new ConnectionRefusedDetector(topology, config),
                new HalfOpenSessionReport(config), new PawsSynDropDetector(topology, config),
                new SensorCoverageGapDetector(config));
    }

    /** Per IP address, from every sensor's ARP (ArpProcessor). */
    public static List<AddressDetector> addressStage() {
        return List.of(new ArpConflictDetector(), new ArpIpMovedDetector(), new AnnouncementNotPropagatedDetector());
    }

    /** Per VRRP virtual router, from every sensor's advertisements (ArpProcessor, VirtualRouters). */
    public static List<VirtualRouterDetector> virtualRouterStage() {
        return List.of(new VrrpSplitBrainDetector(), new AnnouncementNotPropagatedDetector());
    }

    /** Per sensor: its status counters (SensorStatusStage) and its ticks (SensorSilenceWatch). */
    public static List<SensorHealthDetector> sensorHealthStage(NetworkTopology topology, ProcessorConfig config) {
        return List.of(new SensorDegradedDetector(config), new SensorTopologyMismatchDetector(topology, config));
    }

    /** Every alert type a stage finds, with the detector classes that find it (one each, if the lists are right). */
    public static Map<String, Set<String>> findersByType(NetworkTopology topology, ProcessorConfig config) {
        Map<String, Set<String>> finders = new TreeMap<>();
        flowStage(config).forEach(detector -> found(finders, detector.type(), detector));
        serviceStage(topology, config).forEach(detector -> detector.types().forEach(type -> found(finders, type, detector)));
        addressStage().forEach(detector -> found(finders, detector.type(), detector));
        virtualRouterStage().forEach(detector -> found(finders, detector.type(), detector));
        sensorHealthStage(topology, config).forEach(detector -> detector.types().forEach(type -> found(finders, type, detector)));
        return finders;
    }

    private static void found(Map<String, Set<String>> finders, String type, Object detector) {
        finders.computeIfAbsent(type, key -> new TreeSet<>()).add(detector.getClass().getSimpleName());
    }
}
