package dev.wirewatch.processor;

import dev.wirewatch.processor.alert.AlertRevisions;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.detect.Detectors;
import dev.wirewatch.processor.flow.ConnectionBudget;
import dev.wirewatch.processor.flow.ConnectionTimeouts;
import dev.wirewatch.processor.flow.FlowProcessor;
import dev.wirewatch.processor.flow.FlowStateCodec;
import dev.wirewatch.processor.health.SensorHealthDetector;
import dev.wirewatch.processor.health.SensorSilenceWatch;
import dev.wirewatch.processor.health.SensorStatusStage;
import dev.wirewatch.processor.input.InputRecords;
import dev.wirewatch.processor.input.SequenceCheck;
import dev.wirewatch.processor.l2.ArpProcessor;
import dev.wirewatch.processor.metrics.ProcessorMetrics;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.processor.service.ServiceDetector;
import dev.wirewatch.processor.service.ServiceStage;
import dev.wirewatch.processor.state.WriteBehindStore;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.record.FlowActivity;
import dev.wirewatch.record.FlowBatch;
import dev.wirewatch.record.FlowFinding;
import dev.wirewatch.record.FlowRecord;
import dev.wirewatch.record.KernelDrop;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.SensorStatus;
import dev.wirewatch.record.Tick;
import dev.wirewatch.record.VrrpAdvertisement;
import dev.wirewatch.schemas.AvroSerde;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.Stores;

/**
 * The whole path from ww.packets to ww.alerts, top to bottom:
 * <pre>
 *   ww.packets ─▶ flow (per flow, per-vantage TCP state; findings          ─┬─▶ ww.flows
 *                  UNANSWERED_SYN, INJECTED_RST, KEEPALIVE_UNANSWERED,      ├─▶ ww.alerts
 *                  HALF_OPEN_SESSION, ICMP_REDIRECT_IGNORED;                └─▶ &lt;app&gt;-by-server (closed flows and
 *                  SENSOR_COVERAGE_GAP per flow)                                findings keyed by server address;
 *                                                                               progress marks partition-N)
 *   ww.l2 ──────▶ addresses (per IP address, every sensor's ARP;           ───▶ ww.alerts
 *                  ticks from flow; ARP_IP_MOVED, ARP_CONFLICT,
 *                  ANNOUNCEMENT_NOT_PROPAGATED; per VRRP virtual router:
 *                  VRRP_SPLIT_BRAIN, ANNOUNCEMENT_NOT_PROPAGATED)
 *                 sensor-silence (ticks from flow; SENSOR_DEGRADED:        ───▶ ww.alerts
 *                  silent; SENSOR_NOT_IN_TOPOLOGY, HOST_NOT_MONITORED)
 *   ww.sensors ─▶ sensor-status (each sensor's counters; SENSOR_DEGRADED)  ───▶ ww.alerts
 *   &lt;app&gt;-by-server ─▶ service stage (per server address:            ─┬─▶ ww.alerts
 *                  CONNECTION_REFUSED per service and window;               └─▶ &lt;app&gt;-progress (progress marks
 *                  HALF_OPEN_SESSION with reconnected;                          services-N: input judged to its end)
 *                  PAWS_SYN_DROP per source address;
 *                  ROUTE_MISMATCH per host and destination;
 *                  SENSOR_COVERAGE_GAP per host and address;
 *                  one alert per fault: UNANSWERED_SYN held for PAWS, or explained
 *                  by it or by a route mismatch; HALF_OPEN_SESSION explained by
 *                  KEEPALIVE_UNANSWERED or INJECTED_RST)
 * </pre>
 * Each sensor topic's first step (SequenceCheck) drops a record its sensor's producer delivered twice.
 * Serdes are passed explicitly at every source and sink; each source takes only the record types its topic carries
 * (InputRecords), anything else is skipped, counted and copied to the dead letters (SkippedInput).
 */
public final class TopologyFactory {
    private static final String PACKETS_IN = "packets-in";
    private static final String PACKETS_ONCE = "packets-once";
    private static final String L2_ONCE = "l2-once";
    private static final String FLOW = "flow";
    private static final String L2_IN = "l2-in";
    // The node names stay as they were: they tag the stage's metrics.
    private static final String SERVICE_STAGE_IN = "by-server-in";
    private static final String SERVICE_STAGE = "services";
    private static final String SENSORS_IN = "sensors-in";
    private static final String SENSOR_STATUS = "sensor-status";
    private static final String SINK = "-sink";
    private static final String FLOW_REVISIONS = "alert-revisions";
    private static final String SERVICE_REVISIONS = "service-alert-revisions";
    private static final String SENSOR_REVISIONS = "sensor-alert-revisions";

    private TopologyFactory() {}

    /**
     * The internal topic that carries closed flows and findings, keyed by server address, to the service stage; as many
     * partitions as ww.packets. Named "by-server" since its first release: existing deployments keep their topic.
     */
    public static String serviceStageTopic(String applicationId) {
        return applicationId + "-by-server";
    }

    /** Where the service stage marks that it has judged everything up to the end of the input (ProgressMarks). */
    public static String progressTopic(String applicationId) {
        return applicationId + "-progress";
    }

    public static Topology build(NetworkTopology network, ProcessorConfig config, String applicationId,
                                 int packetPartitions) {
        return build(network, config, applicationId, packetPartitions, StreamTopics.LIVE);
    }

    public static Topology build(NetworkTopology network, ProcessorConfig config, String applicationId,
                                 int packetPartitions, StreamTopics topics) {
        return build(network, config, applicationId, packetPartitions, topics, ProcessorMetrics.unexported());
    }

    public static Topology build(NetworkTopology network, ProcessorConfig config, String applicationId,
                                 int packetPartitions, StreamTopics topics, ProcessorMetrics metrics) {
        AvroSerde<SpecificRecord> anyRecord = AvroSerde.anyRecord();
        AvroSerde<FlowRecord> flowRecord = AvroSerde.of(FlowRecord.class);
        AvroSerde<Alert> alert = AvroSerde.of(Alert.class);
        // Every alert reaches ww.alerts through this serializer: counted there, by type, whichever stage found it.
        Serializer<Alert> alertOut = (topic, value) -> {
            if (value != null) {
                metrics.alert(value.getType());
            }
            return alert.serializer().serialize(topic, value);
        };
        String serviceStageTopic = serviceStageTopic(applicationId);
        // One topology per Kafka Streams instance: its flow tasks share the connection budget.
        ConnectionBudget budget = new ConnectionBudget(config.connectionBudget());
        metrics.trackFlows(budget::kept);

        // A record a sensor's producer delivered twice is counted once: checked before any stage sees it.
        Duration forgetRunsAfter = Duration.ofMillis(ConnectionTimeouts.from(config).longestMicros() / 1000);

        Topology topology = new Topology();
        topology.addSource(PACKETS_IN, InputRecords.requiredKey(), InputRecords.oneOf(PacketEvent.class, Tick.class,
                        FlowActivity.class, FlowBatch.class, KernelDrop.class), topics.packets())
                .addProcessor(PACKETS_ONCE, () -> new SequenceCheck(metrics, forgetRunsAfter), PACKETS_IN)
                .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SequenceCheck.STORE),
                        Serdes.String(), Serdes.ByteArray()).withCachingEnabled(), PACKETS_ONCE)
                .addProcessor(FLOW, () -> new FlowProcessor(network, config, Detectors.flowStage(config), budget,
                        metrics), PACKETS_ONCE)
                .addStateStore(WriteBehindStore.builder(Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(FlowProcessor.FLOWS_STORE), Serdes.Bytes(), Serdes.ByteArray()),
                        FlowStateCodec::encode, FlowStateCodec::decode), FLOW)
                .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FlowProcessor.TIMERS_STORE),
                        Serdes.Bytes(), Serdes.ByteArray()).withCachingEnabled(), FLOW)
                .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FlowProcessor.SENSORS_STORE),
                        Serdes.String(), Serdes.ByteArray()).withCachingEnabled(), FLOW)
                .addSource(L2_IN, InputRecords.requiredKey(), InputRecords.oneOf(ArpEvent.class,
                        VrrpAdvertisement.class), topics.l2())
                .addProcessor(L2_ONCE, () -> new SequenceCheck(metrics, forgetRunsAfter), L2_IN)
                .connectProcessorAndStateStores(L2_ONCE, SequenceCheck.STORE)
                .addProcessor(FlowProcessor.TO_ADDRESSES, () -> new ArpProcessor(network, config, Detectors.addressStage(),
                        Detectors.virtualRouterStage()), L2_ONCE, FLOW)
                .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ArpProcessor.ADDRESSES_STORE),
                        Serdes.String(), Serdes.ByteArray()).withCachingEnabled(), FlowProcessor.TO_ADDRESSES)
                .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ArpProcessor.DUE_STORE),
                        Serdes.String(), Serdes.Long()).withCachingEnabled(), FlowProcessor.TO_ADDRESSES)
                .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ArpProcessor.VRRP_STORE),
                        Serdes.String(), Serdes.ByteArray()).withCachingEnabled(), FlowProcessor.TO_ADDRESSES)
                .connectProcessorAndStateStores(FlowProcessor.TO_ADDRESSES, FlowProcessor.SENSORS_STORE)
                .addProcessor(ArpProcessor.TO_ALERTS, () -> new AlertRevisions(FLOW_REVISIONS), FlowProcessor.TO_ADDRESSES)
                .addSink(ArpProcessor.TO_ALERTS + SINK, topics.alerts(), Serdes.String().serializer(), alertOut,
                        ArpProcessor.TO_ALERTS)
                .addProcessor(FlowProcessor.TO_SILENCE_WATCH, () -> new SensorSilenceWatch(network,
                        Detectors.sensorHealthStage(network, config), packetPartitions), FLOW)
                .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SensorSilenceWatch.REPORTED_STORE),
                        Serdes.String(), Serdes.Long()), FlowProcessor.TO_SILENCE_WATCH)
                .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SensorSilenceWatch.MISMATCH_STORE),
                        Serdes.String(), Serdes.Long()), FlowProcessor.TO_SILENCE_WATCH)
                .connectProcessorAndStateStores(FlowProcessor.TO_SILENCE_WATCH, FlowProcessor.SENSORS_STORE)
                .addProcessor(SensorSilenceWatch.TO_ALERTS, () -> new AlertRevisions(FLOW_REVISIONS), FlowProcessor.TO_SILENCE_WATCH)
                .addSink(SensorSilenceWatch.TO_ALERTS + SINK, topics.alerts(), Serdes.String().serializer(), alertOut,
                        SensorSilenceWatch.TO_ALERTS)
                .addSink(FlowProcessor.TO_FLOWS, topics.flows(), Serdes.ByteArray().serializer(),
                        flowRecord.serializer(), FLOW)
                .addProcessor(FlowProcessor.TO_ALERTS, () -> new AlertRevisions(FLOW_REVISIONS), FLOW)
                .addSink(FlowProcessor.TO_ALERTS + SINK, topics.alerts(), Serdes.String().serializer(), alertOut,
                        FlowProcessor.TO_ALERTS)
                .addSink(FlowProcessor.TO_SERVICE_STAGE, serviceStageTopic, Serdes.ByteArray().serializer(),
                        anyRecord.serializer(), new TicksToEveryPartition(), FLOW)

                .addSource(SERVICE_STAGE_IN, InputRecords.requiredKey(), InputRecords.oneOf(FlowRecord.class,
                        FlowFinding.class, Alert.class, Tick.class), serviceStageTopic)
                .addProcessor(SERVICE_STAGE, () -> new ServiceStage(Detectors.serviceStage(network, config),
                        packetPartitions), SERVICE_STAGE_IN)
                .addStateStore(Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(ServiceStage.UPSTREAM_PROGRESS_STORE),
                        Serdes.String(), Serdes.Long()), SERVICE_STAGE)
                .addProcessor(ServiceStage.TO_ALERTS, () -> new AlertRevisions(SERVICE_REVISIONS), SERVICE_STAGE)
                .addSink(ServiceStage.TO_ALERTS + SINK, topics.alerts(), Serdes.String().serializer(), alertOut,
                        ServiceStage.TO_ALERTS)
                .addSink(ServiceStage.TO_PROGRESS, progressTopic(applicationId),
                        Serdes.String().serializer(), anyRecord.serializer(), SERVICE_STAGE)

                .addSource(SENSORS_IN, InputRecords.requiredKey(), InputRecords.oneOf(SensorStatus.class), topics.sensors())
                .addProcessor(SENSOR_STATUS, () -> new SensorStatusStage(Detectors.sensorHealthStage(network, config)),
                        SENSORS_IN)
                .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SensorStatusStage.STATUS_STORE),
                        Serdes.String(), AvroSerde.of(SensorStatus.class)), SENSOR_STATUS)
                .addProcessor(SensorStatusStage.TO_ALERTS, () -> new AlertRevisions(SENSOR_REVISIONS), SENSOR_STATUS)
                .addSink(SensorStatusStage.TO_ALERTS + SINK, topics.alerts(), Serdes.String().serializer(), alertOut,
                        SensorStatusStage.TO_ALERTS);
        // The service stage's detectors name their stores (the registry's instances here only describe them).
        for (ServiceDetector detector : Detectors.serviceStage(network, config)) {
            detector.stores().forEach(store -> topology.addStateStore(store, SERVICE_STAGE));
        }
        // The sensor health detectors' stores are the status stage's (it opens them).
        for (SensorHealthDetector detector : Detectors.sensorHealthStage(network, config)) {
            detector.stores().forEach(store -> topology.addStateStore(store, SENSOR_STATUS));
        }
        // Each sub-topology's alert outputs number the revisions of the ids they send (AlertRevisions).
        topology.addStateStore(AlertRevisions.store(FLOW_REVISIONS), ArpProcessor.TO_ALERTS, SensorSilenceWatch.TO_ALERTS,
                        FlowProcessor.TO_ALERTS)
                .addStateStore(AlertRevisions.store(SERVICE_REVISIONS), ServiceStage.TO_ALERTS)
                .addStateStore(AlertRevisions.store(SENSOR_REVISIONS), SensorStatusStage.TO_ALERTS);
        return topology;
    }

    /** Ticks go to every partition, so stream time moves in each; everything else by key. */
    static final class TicksToEveryPartition implements StreamPartitioner<Object, SpecificRecord> {
        @Override
        public Optional<Set<Integer>> partitions(String topic, Object key, SpecificRecord value, int numPartitions) {
            if (value instanceof Tick) {
                return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toSet()));
            }
            return Optional.empty();
        }
    }
}
