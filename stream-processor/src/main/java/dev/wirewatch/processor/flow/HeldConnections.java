package dev.wirewatch.processor.flow;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A connection held open for a lagging sensor ({@link LaggingVantages}) whose addresses and ports a new connection
 * takes (a client port reused within the wait, common behind NAT and on busy clients) moves aside: stored under its
 * key plus its first-seen time, it keeps waiting there, and the lagging sensor's late records of it join it rather
 * than the new connection, which lists the connections held aside before it ({@link FlowState#heldAside}). At most
 * {@link #MAX_HELD} per key; their flow records still go out under the flow's own key.
 */
final class HeldConnections {
    static final int MAX_HELD = 8;

    private HeldConnections() {
    }

    /** Where the connection first seen at {@code firstSeenMicros}, held aside from {@code key}, is stored. */
    static Bytes asideKey(Bytes key, long firstSeenMicros) {
        byte[] flowKey = key.get();
        return Bytes.wrap(ByteBuffer.allocate(flowKey.length + 8).put(flowKey).putLong(firstSeenMicros).array());
    }

    /** A flow key has 2 + 2 × (address + port) bytes; a key held aside has a first-seen time after it. */
    static boolean isAside(Bytes stored) {
        return stored.get().length >= 2 && stored.get().length == flowKeyLength(stored.get()) + 8;
    }

    /** The flow key a stored key stands for. */
    static Bytes flowKey(Bytes stored) {
        return isAside(stored) ? Bytes.wrap(Arrays.copyOf(stored.get(), flowKeyLength(stored.get()))) : stored;
    }

    private static int flowKeyLength(byte[] bytes) {
        return 2 + 2 * ((bytes[1] & 0xff) + 2);
    }

    /**
     * The stored key a record of {@code vantage} at {@code tsMicros} belongs to. Only where the current connection
     * has no view from the vantage yet and holds earlier ones aside: the held one whose view from the vantage the
     * record continues, else the newest held one that started by the record's time while the current one had not
     * (within {@code skewMicros} of clock difference between the sensors); else the current one, {@code key}.
     */
    static Bytes route(KeyValueStore<Bytes, FlowState> flows, Bytes key, FlowState current, Vantage vantage,
                       long tsMicros, long skewMicros, Predicate<ConnectionView> startsNewConnection) {
        if (current == null || current.heldAside().isEmpty() || current.view(vantage).isPresent()) {
            return key;
        }
        boolean beforeCurrent = tsMicros + skewMicros < current.firstSeenMicros();
        List<Long> held = current.heldAside();
        for (int i = held.size() - 1; i >= 0; i--) {
            Bytes aside = asideKey(key, held.get(i));
            FlowState connection = flows.get(aside);
            if (connection == null) {
                continue; // closed since
            }
            Optional<ConnectionView> view = connection.view(vantage);
            if (view.isPresent()) {
                return startsNewConnection.test(view.get()) ? key : aside;
            }
            if (beforeCurrent && tsMicros + skewMicros >= held.get(i)) {
                return aside;
            }
        }
        return key;
    }
}
