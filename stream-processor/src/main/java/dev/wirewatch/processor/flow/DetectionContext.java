package dev.wirewatch.processor.flow;

import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import java.util.function.Function;

/**
 * What a detector may consult besides the flow itself.
 *
 * @param nowMicros     stream time
 * @param inputEnded    every sensor's input has ended: judge with what there is, as Zeek does at the end of a trace
 * @param captureEndMicros the last capture time any sensor reported (meaningful when {@code inputEnded})
 */
public record DetectionContext(NetworkTopology topology, ProcessorConfig config,
                               Function<String, SensorLiveness> liveness, long nowMicros, boolean inputEnded,
                               long captureEndMicros) {}
