package dev.wirewatch.processor.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.TopologyFactory;
import dev.wirewatch.processor.config.ConfigKeys;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.health.SensorHealthDetector;
import dev.wirewatch.processor.health.SensorStatusStage;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.processor.service.ServiceDetector;
import dev.wirewatch.processor.service.ServiceStage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/** The registry (Detectors) against the alert contract, the topology and the package structure. */
class DetectorRegistryTest {
    private static final Path ALERTS_MD = Path.of("../docs/ALERTS.md");
    private static final Path MAIN_SOURCES = Path.of("src/main/java/dev/wirewatch/processor");
    private static final Pattern TYPE_ROW = Pattern.compile("^\\| `([A-Z_]+)` \\|", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import dev\\.wirewatch\\.processor\\.([a-z0-9]+)\\.",
            Pattern.MULTILINE);

    @Test
    void everyDocumentedAlertTypeHasExactlyOneDetectorInTheRegistryAndEveryRegisteredTypeIsDocumented() throws IOException {
        Set<String> documented = new TreeSet<>();
        Matcher row = TYPE_ROW.matcher(Files.readString(ALERTS_MD));
        while (row.find()) {
            documented.add(row.group(1));
        }
        assertTrue(documented.size() >= 15, "the Types table of docs/ALERTS.md: " + documented);

        Map<String, Set<String>> finders = Detectors.findersByType(NetworkTopology.EMPTY, ProcessorConfig.DEFAULTS);
        assertEquals(documented, finders.keySet(), "alert types in docs/ALERTS.md vs types the registry's detectors find");
        Map<String, Set<String>> shared = new TreeMap<>(finders);
        shared.values().removeIf(classes -> classes.size() == 1);
        assertEquals(Map.of(), shared, "alert types found by more than one detector class");
    }

    /** ProcessorConfig.severity(type) answers for every type a detector finds: a {@code *-severity} key or a fixed one. */
    @Test
    void everyRegisteredTypeHasExactlyOneSeverityConfigurableOrFixed() {
        Set<String> registered = Detectors.findersByType(NetworkTopology.EMPTY, ProcessorConfig.DEFAULTS).keySet();
        Set<String> configurable = ConfigKeys.severityByAlertType().keySet();
        Set<String> withSeverity = new TreeSet<>(configurable);
        withSeverity.addAll(ConfigKeys.FIXED_SEVERITIES.keySet());
        assertEquals(registered, withSeverity, "registered alert types vs those with a severity in ConfigKeys");
        assertTrue(ConfigKeys.FIXED_SEVERITIES.keySet().stream().noneMatch(configurable::contains),
                "a type both configurable and fixed: " + ConfigKeys.FIXED_SEVERITIES.keySet());
        registered.forEach(type -> ProcessorConfig.DEFAULTS.severity(type));
    }

    @Test
    void theServiceStageHasEveryStoreItsRegisteredDetectorsNameAndNoOther() {
        Set<String> stageStores = storesOf("services");
        Set<String> named = new TreeSet<>();
        for (ServiceDetector detector : Detectors.serviceStage(NetworkTopology.EMPTY, ProcessorConfig.DEFAULTS)) {
            detector.stores().forEach(store -> named.add(store.name()));
        }
        named.add(ServiceStage.UPSTREAM_PROGRESS_STORE);
        assertEquals(named, stageStores);
        // the stores existing state was written to keep their names
        assertTrue(stageStores.containsAll(Set.of("services", "half-open-pending", "latest-connections",
                "half-open-explanations", "route-mismatch-reported", "coverage-gap-reported", "paws-sources", "paws-due",
                "paws-held-findings", "services-upstream-progress")), stageStores::toString);
    }

    @Test
    void theSensorStatusStageHasEveryStoreItsRegisteredHealthDetectorsNameAndItsOwn() {
        Set<String> named = new TreeSet<>(Set.of(SensorStatusStage.STATUS_STORE));
        for (SensorHealthDetector detector : Detectors.sensorHealthStage(NetworkTopology.EMPTY, ProcessorConfig.DEFAULTS)) {
            detector.stores().forEach(store -> named.add(store.name()));
        }
        Set<String> stageStores = storesOf("sensor-status");
        assertEquals(named, stageStores);
        // the stores existing state was written to keep their names
        assertEquals(Set.of("sensor-status", "sensor-degraded-reported"), stageStores);
    }

    private static Set<String> storesOf(String processor) {
        TopologyDescription description = TopologyFactory.build(NetworkTopology.EMPTY, ProcessorConfig.DEFAULTS,
                "registry-test", 2).describe();
        return description.subtopologies().stream().flatMap(sub -> sub.nodes().stream())
                .filter(node -> node instanceof TopologyDescription.Processor && node.name().equals(processor))
                .flatMap(node -> ((TopologyDescription.Processor) node).stores().stream())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Stages depend on the contracts they call; detectors on the stages' data; never the other way round. */
    @Test
    void processorPackagesImportEachOtherWithoutCycles() throws IOException {
        Map<String, Set<String>> imports = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN_SOURCES)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
                Path relative = MAIN_SOURCES.relativize(file);
                String from = relative.getNameCount() == 1 ? "(root)" : relative.getName(0).toString();
                Matcher imported = IMPORT.matcher(Files.readString(file));
                while (imported.find()) {
                    if (!imported.group(1).equals(from)) {
                        imports.computeIfAbsent(from, key -> new TreeSet<>()).add(imported.group(1));
                    }
                }
            }
        }
        assertTrue(imports.getOrDefault("detect", Set.of()).containsAll(Set.of("flow", "l2", "service", "health")),
                "the detectors implement the stages' contracts: " + imports);
        List<String> cycles = new ArrayList<>();
        for (String start : imports.keySet()) {
            findCycle(start, start, imports, new ArrayList<>(List.of(start)), new HashSet<>(), cycles);
        }
        assertEquals(List.of(), cycles, "package cycles (imports: " + imports + ")");
    }

    private static void findCycle(String start, String at, Map<String, Set<String>> imports, List<String> path,
                                  Set<String> seen, List<String> cycles) {
        for (String next : imports.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                cycles.add(String.join(" -> ", path) + " -> " + start);
            } else if (seen.add(next)) {
                path.add(next);
                findCycle(start, next, imports, path, seen, cycles);
                path.remove(path.size() - 1);
            }
        }
    }

}
