package dev.wirewatch.processor.service;

import dev.wirewatch.record.Alert;
import dev.wirewatch.record.FlowRecord;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The service stage's detector contract: closed flows and the flow stage's findings, keyed by server address, and
 * the stage's low watermark as the time that has passed. The registry ({@code detect/Detectors}) lists the service
 * stage's detectors in the order they are told; their stores are registered from {@link #stores()}.
 */
public interface ServiceDetector {
    /** The alert types it finds (ALERTS.md); a type the flow stage finds and this detector completes is not one. */
    Set<String> types();

    /** The state stores it keeps; the topology gives them to the service stage. */
    List<StoreBuilder<?>> stores();

    /** Opens its stores; {@code alerts} sends an alert to ww.alerts. */
    void init(ProcessorContext<?, ?> context, Consumer<Alert> alerts);

    /** A closed flow of any protocol, keyed by its server address. */
    default void onFlow(byte[] server, FlowRecord flow) {}

    /** A finding the flow stage handed over (any type: each detector takes the types it completes). */
    default void onFinding(Alert finding) {}

    /**
     * An UNANSWERED_SYN with its flow as it stood: true when this detector takes it over (explains it and reports
     * both, or holds it for its own verdict); false leaves it to the next detector, and the stage reports it when none
     * takes it.
     */
    default boolean claims(Alert unansweredSyn, FlowRecord flow) {
        return false;
    }

    /** Whether it has something due by this watermark, so the stage judges before its once-a-second pace. */
    default boolean dueBy(long watermarkMicros) {
        return false;
    }

    /** A persistent key-value store without a cache, as the service stage's detectors keep them. */
    static <K, V> StoreBuilder<?> store(String name, Serde<K> keys, Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), keys, values);
    }

    /** Time passed: every upstream partition has reached {@code watermarkMicros}, or the input ended. */
    default void judge(long watermarkMicros, boolean inputEnded) {}
}
