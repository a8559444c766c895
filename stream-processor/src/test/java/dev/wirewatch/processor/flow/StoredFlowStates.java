package dev.wirewatch.processor.flow;

import dev.wirewatch.processor.ModeComparison;
import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.TestCaptures;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.sensor.CaptureMerge;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.sensor.emit.RecordPublisher;
import dev.wirewatch.sensor.emit.RecordSink;
import java.util.List;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;

/** Real flow states: a capture case through the real topology, each flow's state shown after every record it took. */
final class StoredFlowStates {
    private StoredFlowStates() {}

    /** Replays {@code testCase} as sensors in {@code mode} would send it; {@code each} must not change the states. */
    static void replay(TestCaptures.Case testCase, EmissionMode mode, Consumer<FlowState> each) {
        NetworkTopology network = ModeComparison.network(testCase.topology());
        List<CaptureMerge.NamedSource> sources = ModeComparison.sources(testCase.captures());
        try (ProcessorDriver driver = new ProcessorDriver(network, ProcessorConfig.DEFAULTS)) {
            KeyValueStore<Bytes, FlowState> flows = driver.flowStore();
            RecordSink sensors = driver.sink();
            CaptureMerge.replay(sources, new RecordSink() {
                @Override
                public void publish(SpecificRecord record) {
                    sensors.publish(record);
                    if (!(record instanceof ArpEvent)) {
                        FlowState state = flows.get(Bytes.wrap(RecordPublisher.encode(record, network.nat()).key()));
                        if (state != null) {
                            each.accept(state);
                        }
                    }
                }

                @Override
                public void tick(String host, long tsMicros, boolean endOfInput) {
                    sensors.tick(host, tsMicros, endOfInput);
                }
            }, mode, count -> { });
        } finally {
            sources.forEach(source -> source.events().close());
        }
    }
}
