package dev.wirewatch.sensor.emit;

import dev.wirewatch.record.KernelDrop;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.schemas.FlowKey;
import org.apache.avro.specific.SpecificRecord;

/**
 * One sensor host's output: packets through its {@link EmissionPolicy} (with the address bindings their headers show,
 * {@link AddressSightings}), ARP as it is, and each Tick only after the batches of the second it closes, so that a
 * Tick never claims a time whose packets are still held back. A held packet can still trail other sensors' records in
 * its partition by up to the flush interval (one second) plus the phase between the sensors' flushes: the processor's
 * clock-skew allowance (1 s by default) covers the first part only; answers in the last moment before a deadline may
 * be judged late (noted for the real-time-scales issue).
 * Thread-safe: capture threads and the sensor's clock call it concurrently.
 */
public final class SensorEmitter {
    private final String host;
    private final EmissionPolicy policy;
    private final RecordSink sink;

    public SensorEmitter(String host, EmissionMode mode, int maxFlows, RecordSink sink) {
        this.host = host;
        this.sink = sink;
        AddressSightings sightings = new AddressSightings(sink::publish);
        this.policy = new EmissionPolicy(mode, maxFlows, EmissionPolicy.DEFAULT_MAX_HELD, sink::publish,
                sightings::saw);
    }

    /** A PacketEvent (through the policy), a KernelDrop (after what its flow holds) or an ArpEvent. */
    public synchronized void emit(SpecificRecord record) {
        if (record instanceof PacketEvent packet) {
            policy.accept(packet);
        } else if (record instanceof KernelDrop drop) {
            policy.releaseFlowOf(drop.getIface(), FlowKey.of(drop));
            sink.publish(record);
        } else {
            sink.publish(record);
        }
    }

    /** Sends what the policy holds (see {@link EmissionPolicy#flush}); {@link #tick} does so too. */
    public synchronized void flush(long tsMicros) {
        policy.flush(tsMicros);
    }

    public synchronized void tick(long tsMicros, boolean endOfInput) {
        policy.flush(tsMicros);
        sink.tick(host, tsMicros, endOfInput);
    }

    /** See {@link EmissionPolicy#forgetFlows()}. */
    public synchronized void forgetFlows() {
        policy.forgetFlows();
    }

    public String host() {
        return host;
    }

    public synchronized long packets() {
        return policy.packets();
    }

    /** Records shipped for packets: in full plus summaries (ARP and Ticks not included). */
    public synchronized long packetRecords() {
        return policy.records();
    }

    public synchronized long evictedFlows() {
        return policy.evicted();
    }

    public synchronized int activeFlows() {
        return policy.activeFlows();
    }
}
