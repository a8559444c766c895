package dev.wirewatch.sensor.emit;

import dev.wirewatch.record.KernelDrop;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.Tick;
import dev.wirewatch.schemas.FlowKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.apache.avro.specific.SpecificRecord;

/**
 * One sensor host's output: packets through its {@link EmissionPolicy} (with the address bindings their headers show,
 * {@link AddressSightings}), ARP as it is, and each Tick only after the batches of the second it closes, so that a
 * Tick never claims a time whose packets are still held back. A held packet can still trail other sensors' records in
 * its partition by up to the flush interval (one second) plus the phase between the sensors' flushes: the processor's
 * clock-skew allowance (1 s by default) covers the first part only; answers in the last moment before a deadline may
 * be judged late (noted for the real-time-scales issue). Ticks follow the wall clock, so a capture thread that is
 * behind (the ring's 10 ms block timeout, or a backlog in the ring) delivers packets older than the last Tick.
 * <p>Thread-safe: capture threads and the sensor's clock call it concurrently. The policy's table is guarded by one
 * lock; what it releases is handed to the sink (which encodes it) under a second lock taken before the first is let
 * go, so records keep their order while a second's flush is encoded without stopping capture.
 */
public final class SensorEmitter {
    private final String host;
    private final EmissionPolicy policy;
    private final RecordSink sink;
    private final ReentrantLock table = new ReentrantLock();
    private final ReentrantLock sending = new ReentrantLock();
    private List<SpecificRecord> released = new ArrayList<>();

    public SensorEmitter(String host, EmissionMode mode, int maxFlows, RecordSink sink) {
        this.host = host;
        this.sink = sink;
        AddressSightings sightings = new AddressSightings(this::release);
        this.policy = new EmissionPolicy(mode, maxFlows, EmissionPolicy.DEFAULT_MAX_HELD, this::release,
                sightings::saw);
    }

    private void release(SpecificRecord record) {
        released.add(record);
    }

    /**
     * A PacketEvent (through the policy), a KernelDrop (after what its flow holds), an ArpEvent or a VrrpAdvertisement.
     * Called per packet: locks directly rather than through {@link #change}, so no lambda is allocated for each one.
     */
    public void emit(SpecificRecord record) {
        table.lock();
        try {
            if (record instanceof PacketEvent packet) {
                policy.accept(packet);
            } else if (record instanceof KernelDrop drop) {
                policy.releaseFlowOf(drop.getIface(), FlowKey.of(drop));
                release(record);
            } else {
                release(record);
            }
        } catch (RuntimeException | Error e) {
            table.unlock();
            throw e;
        }
        send(null);
    }

    /** Sends what the policy holds (see {@link EmissionPolicy#flush}); {@link #tick} does so too. */
    public void flush(long tsMicros) {
        change(() -> policy.flush(tsMicros), null);
    }

    /** A live sensor's tick: {@code blind} names interfaces not captured since the last one; {@code stopped} a planned stop. */
    public void tick(long tsMicros, List<String> blind, boolean stopped) {
        Tick tick = Tick.newBuilder().setHost(host).setTsMicros(tsMicros).setBlind(blind).setStopped(stopped).build();
        change(() -> policy.flush(tsMicros), () -> sink.tick(tick));
    }

    public void tick(long tsMicros, boolean endOfInput) {
        change(() -> policy.flush(tsMicros), () -> sink.tick(host, tsMicros, endOfInput));
    }

    /** See {@link EmissionPolicy#forgetFlows()}. */
    public void forgetFlows() {
        change(policy::forgetFlows, null);
    }

    /**
     * Changes the policy's table under its lock, then hands what the policy released to the sink, in order, and runs
     * {@code after}; the table lock is let go once the sending lock is held. Nothing released and nothing after: the
     * table lock is all that was taken.
     */
    private void change(Runnable change, Runnable after) {
        table.lock();
        try {
            change.run();
        } catch (RuntimeException | Error e) {
            table.unlock();
            throw e;
        }
        send(after);
    }

    /** Called holding the table lock, lets it go: see {@link #change}. */
    private void send(Runnable after) {
        if (released.isEmpty() && after == null) {
            table.unlock();
            return;
        }
        List<SpecificRecord> batch = released;
        released = new ArrayList<>();
        sending.lock();
        table.unlock();
        try {
            batch.forEach(sink::publish);
            if (after != null) {
                after.run();
            }
        } finally {
            sending.unlock();
        }
    }

    public String host() {
        return host;
    }

    public long packets() {
        return underTable(policy::packets);
    }

    /** Records shipped for packets: in full plus summaries (ARP and Ticks not included). */
    public long packetRecords() {
        return underTable(policy::records);
    }

    public long evictedFlows() {
        return underTable(policy::evicted);
    }

    public int activeFlows() {
        return (int) underTable(policy::activeFlows);
    }

    private long underTable(LongSupplier read) {
        table.lock();
        try {
            return read.getAsLong();
        } finally {
            table.unlock();
        }
    }
}
