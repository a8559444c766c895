package dev.wirewatch.processor;

import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.input.SkippedInput;
import dev.wirewatch.processor.metrics.ProcessorMetrics;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.processor.state.BoundedRocksDbMemory;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The processor as a running Kafka Streams application: the settings it always runs with live here.
 * Exactly-once, so a restart neither loses nor repeats an alert; records that are not what their topic carries are
 * skipped, counted, logged once per topic and copied to ww.deadletter (SkippedInput).
 */
public final class ProcessorService {
    /**
     * Warm copies of every task's state on another instance (num.standby.replicas), so a task of an instance that
     * dies resumes on a survivor without restoring its changelog first. One costs nothing while a processor runs
     * alone: Streams places a standby only on a different instance than its task's active copy.
     */
    public static final int DEFAULT_STANDBY_REPLICAS = 1;

    private ProcessorService() {}

    /**
     * @param clientConfig  Kafka client properties (bootstrap servers, TLS, SASL) passed through as given
     * @param applicationId the Kafka Streams application id: state, internal topics and consumer group
     */
    public static KafkaStreams create(Map<String, Object> clientConfig, String applicationId, Path stateDir,
                                      NetworkTopology network, ProcessorConfig config, int packetPartitions) {
        return create(clientConfig, applicationId, stateDir, network, config, packetPartitions, StreamTopics.LIVE);
    }

    /** A processor on {@code topics} instead of the public topics (a replay). */
    public static KafkaStreams create(Map<String, Object> clientConfig, String applicationId, Path stateDir,
                                      NetworkTopology network, ProcessorConfig config, int packetPartitions,
                                      StreamTopics topics) {
        return create(clientConfig, applicationId, stateDir, network, config, packetPartitions, topics,
                ProcessorMetrics.unexported());
    }

    /** A processor that counts into {@code metrics} (what its /metrics shows). */
    public static KafkaStreams create(Map<String, Object> clientConfig, String applicationId, Path stateDir,
                                      NetworkTopology network, ProcessorConfig config, int packetPartitions,
                                      StreamTopics topics, ProcessorMetrics metrics) {
        Properties properties = new Properties();
        properties.putAll(clientConfig);
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        properties.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        properties.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        properties.putIfAbsent(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, DEFAULT_STANDBY_REPLICAS);
        properties.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, SkippedInput.class);
        properties.put(ProcessorMetrics.CONFIG_KEY, metrics);
        metrics.trackStateDirectory(stateDir.resolve(applicationId)); // Kafka Streams keeps its state in DIR/ID
        properties.putIfAbsent(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);
        properties.put(BoundedRocksDbMemory.MEMORY_CONFIG, config.stateMemoryBytes());
        properties.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, topics.deadletter());
        return new KafkaStreams(TopologyFactory.build(network, config, applicationId, packetPartitions, topics,
                metrics), properties);
    }

    /** Internal topics the topology reads besides ww.packets; create them with {@code packetPartitions} partitions. */
    public static Map<String, Integer> internalTopics(String applicationId, int packetPartitions) {
        return Map.of(TopologyFactory.serviceStageTopic(applicationId), packetPartitions,
                TopologyFactory.progressTopic(applicationId), 1);
    }
}
