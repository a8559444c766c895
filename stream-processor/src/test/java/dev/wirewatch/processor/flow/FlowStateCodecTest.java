package dev.wirewatch.processor.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.Packets;
import dev.wirewatch.processor.TestCaptures;
import dev.wirewatch.processor.detect.HalfOpenSessionDetector;
import dev.wirewatch.processor.detect.IcmpRedirectIgnoredDetector;
import dev.wirewatch.processor.detect.InjectedRstDetector;
import dev.wirewatch.processor.detect.KeepAliveUnansweredDetector;
import dev.wirewatch.processor.detect.UnansweredSynDetector;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.sensor.emit.EmissionMode;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The flow store's codec: every state of every test capture comes back exactly, and every field at every value
 * that means something; garbage is refused; an idle established connection, the state production keeps most of,
 * fits issue 17's 300 bytes. {@link EarlierFlowStateVersionsTest} reads what earlier versions stored.
 */
class FlowStateCodecTest {
    private static FlowState roundTrip(FlowState state) {
        return FlowStateCodec.decode(FlowStateCodec.encode(state));
    }

    /** Encoded, decoded and encoded again: the same bytes, the same fields, the same answers to the detectors. */
    private static void assertRoundTrips(FlowState state, String where) {
        assertRoundTrips(state, where, FlowStateDump::of);
    }

    private static void assertRoundTrips(FlowState state, String where, Function<FlowState, String> describe) {
        byte[] bytes = FlowStateCodec.encode(state);
        FlowState copy = FlowStateCodec.decode(bytes);
        assertEquals(describe.apply(state), describe.apply(copy), where);
        assertArrayEquals(bytes, FlowStateCodec.encode(copy), where);
    }

    /** What the real states of the test captures hold, so a capture that stops showing one is noticed. */
    private enum Shape { TWO_VANTAGES, IPV6, UDP, ICMP, REDIRECT, SETTLED, CLOSED, RESET, PROBES, RETRANSMISSIONS }

    /**
     * Every state of every flow after every record, as sensors in full mode send the captures, and in control mode
     * (steady traffic as summaries) for the multi-host cases and deploy/captures. Every capture once more in
     * control mode would double the test's time and reach no field the others do not.
     */
    @Test
    void everyStateOfEveryTestCaptureComesBackExactly() throws IOException {
        Set<Shape> seen = new TreeSet<>();
        for (TestCaptures.Case testCase : TestCaptures.all().toList()) {
            List<EmissionMode> modes = testCase.topology() == null ? List.of(EmissionMode.FULL)
                    : List.of(EmissionMode.FULL, EmissionMode.CONTROL);
            for (EmissionMode mode : modes) {
                int[] record = {0};
                StoredFlowStates.replay(testCase, mode, state -> {
                    assertRoundTrips(state, testCase + " in " + mode + " mode, record " + record[0]++);
                    seen.addAll(shapes(state));
                });
            }
        }
        assertEquals(Set.of(Shape.values()), seen, "the captures show every shape of state");
    }

    private static Set<Shape> shapes(FlowState state) {
        Set<Shape> shapes = new TreeSet<>();
        for (FlowState.Seen seen : state.views()) {
            ConnectionView view = seen.view();
            add(shapes, Shape.TWO_VANTAGES, state.views().size() > 1);
            add(shapes, Shape.IPV6, view.originatorAddress().length == 16);
            add(shapes, Shape.UDP, view.protocol() == 17);
            add(shapes, Shape.ICMP, view.protocol() == 1);
            add(shapes, Shape.CLOSED, view.closed());
            add(shapes, Shape.RESET, view.reset());
            add(shapes, Shape.PROBES, view.sentByEachSide().stream().anyMatch(sent -> sent.probeRun() > 0));
            add(shapes, Shape.RETRANSMISSIONS, view.sentByEachSide().stream().anyMatch(sent -> sent.retransmissions() > 0));
        }
        add(shapes, Shape.REDIRECT, state.redirect().isPresent());
        add(shapes, Shape.SETTLED, !state.settledTypes().isEmpty());
        return shapes;
    }

    private static void add(Set<Shape> shapes, Shape shape, boolean present) {
        if (present) {
            shapes.add(shape);
        }
    }

    /** The list is the wire format: a type's bit must never move, and every flow detector's type must be on it. */
    @Test
    void settledTypesAreBitsInAFixedOrderAndOthersAreKeptByName() {
        assertEquals(List.of(UnansweredSynDetector.TYPE, InjectedRstDetector.TYPE, KeepAliveUnansweredDetector.TYPE,
                HalfOpenSessionDetector.TYPE, IcmpRedirectIgnoredDetector.TYPE), FlowStateCodec.SETTLED_TYPES);
        FlowState state = IdleConnections.of(IdleConnections.Family.IPV4, IdleConnections.CLIENT_HOST);
        int withOneBit = FlowStateCodec.encode(state).length;
        FlowStateCodec.SETTLED_TYPES.forEach(state::markSettled);
        assertEquals(withOneBit, FlowStateCodec.encode(state).length, "known types cost no byte");
        state.markSettled("A_DETECTOR_FROM_A_LATER_VERSION");
        assertRoundTrips(state, "an unknown type");
        assertTrue(roundTrip(state).settled("A_DETECTOR_FROM_A_LATER_VERSION"));
    }

    /**
     * Every number of every object at the values that mean something (the sentinels, 0, -1, 1) and at large ones,
     * one field at a time on a state that has everything: a field the codec drops, truncates or reads into another
     * shows here even where the captures never set it.
     */
    @Test
    void everyFieldKeepsEveryValue() throws ReflectiveOperationException {
        FlowState state = IdleConnections.of(IdleConnections.Family.IPV6, IdleConnections.CLIENT_HOST,
                IdleConnections.SERVER_HOST);
        RedirectWatch watch = new RedirectWatch(IdleConnections.CLIENT_HOST, Addresses.parse("10.0.0.1"),
                Addresses.parse("10.0.0.2"), "02:00:00:00:00:01", "10.0.0.254", "10.0.0.253", IdleConnections.T0);
        state = new FlowState(state.views(), Set.of("UNANSWERED_SYN", "LATER"), state.deadlineMicros(),
                state.timerMicros(), watch, Map.of("app-client-01", "NETFILTER_DROP"));
        ConnectionView view = state.views().get(1).view();
        List<Object> objects = List.of(state, view, view.orig, view.resp, state.views().get(0).view().resp, view.history,
                view.timers, watch);
        int checked = 0;
        for (Object object : objects) {
            for (Field field : object.getClass().getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                field.setAccessible(true);
                Object original = field.get(object);
                for (Object value : valuesFor(field)) {
                    field.set(object, value);
                    assertRoundTrips(state, object.getClass().getSimpleName() + "." + field.getName() + " = " + value,
                            FlowStateDump::fieldsOf); // the addresses tried are not all addresses
                    checked++;
                }
                field.set(object, original);
            }
            for (long[] array : object instanceof TcpEndpoint end ? List.of(end.scaledCount, end.scaledThreshold)
                    : List.<long[]>of()) {
                for (int i = 0; i < array.length; i++) {
                    long original = array[i];
                    for (long value : new long[] {Long.MIN_VALUE, -1, 0, 1, 9, 10, 99, 1_000_000_000_000L, Long.MAX_VALUE}) {
                        array[i] = value;
                        assertRoundTrips(state, "scaled[" + i + "] = " + value, FlowStateDump::fieldsOf);
                    }
                    array[i] = original;
                }
            }
        }
        assertTrue(checked > 300, checked + " values checked");
    }

    private static List<?> valuesFor(Field field) {
        Class<?> type = field.getType();
        if (field.getName().equals("heldAside")) { // connections on the same port held aside
            return List.of(List.of(), List.of(IdleConnections.T0), List.of(-1L, IdleConnections.T0 + 1, Long.MAX_VALUE));
        }
        if (type == long.class) {
            return List.of(Long.MIN_VALUE, Long.MIN_VALUE + 1, -1L, 0L, 1L, 4_294_967_295L, 4_294_967_296L,
                    IdleConnections.T0, -IdleConnections.T0, Long.MAX_VALUE - 1, Long.MAX_VALUE);
        }
        if (type == EndpointState.class) {
            return List.of(EndpointState.values());
        }
        if (type == int.class) {
            return List.of(Integer.MIN_VALUE, -1, 0, 1, 65_535, 65_536, Integer.MAX_VALUE);
        }
        if (type == boolean.class) {
            return List.of(true, false);
        }
        if (type == byte[].class) {
            return List.of(new byte[0], new byte[] {1}, Addresses.parse("10.0.0.9"), Addresses.parse("10.20.0.9"),
                    Addresses.parse("2001:db8::9"), Addresses.parse("fe80::1"));
        }
        if (type == String.class) {
            return Arrays.asList(null, "", "x", "02:00:00:00:00:09", "ünïcødé-host");
        }
        if (type == StringBuilder.class) {
            return List.of(new StringBuilder(), new StringBuilder("^hADadFfTtGgWwRrIiQq"), new StringBuilder("ShADd"));
        }
        return List.of(); // objects and collections: their own fields are checked
    }

    /** A sensor that started mid-connection takes the first sender it saw for the originator. */
    @Test
    void aVantageThatSawTheServerFirstKeepsItsOwnRoles() {
        FlowState state = IdleConnections.of(IdleConnections.Family.IPV4, IdleConnections.CLIENT_HOST);
        ConnectionView client = state.views().get(0).view();
        ConnectionView server = ConnectionView.start(Packets.tcp("app-server-01",
                client.lastSeenMicros() + 60_000_000, client.responderIp(), client.responderPort(), client.originatorIp(),
                client.originatorPort(), Packets.ACK, 77, 88, 0));
        state.add(IdleConnections.SERVER_HOST, server);
        assertEquals(client.responderPort(), server.originatorPort());
        assertRoundTrips(state, "roles swapped between the vantages");
        assertEquals(client.originatorIp(), roundTrip(state).views().get(1).view().responderIp());
    }

    @Test
    void aFlowWithoutViewsOrAnythingSetComesBackExactly() {
        assertRoundTrips(new FlowState(), "a new flow");
        assertEquals(4, FlowStateCodec.encode(new FlowState()).length, "version, no views, no flags, no settled bits");
    }

    @Test
    void anUnknownVersionEmptyTruncatedOrOverlongStateIsRefused() {
        byte[] bytes = FlowStateCodec.encode(IdleConnections.of(IdleConnections.Family.IPV4,
                IdleConnections.CLIENT_HOST, IdleConnections.SERVER_HOST));
        assertThrows(IllegalStateException.class, () -> FlowStateCodec.decode(new byte[0]));
        byte[] otherVersion = bytes.clone();
        otherVersion[0] = 8;
        assertThrows(IllegalStateException.class, () -> FlowStateCodec.decode(otherVersion));
        byte[] beforeHeldAside = bytes.clone();
        beforeHeldAside[0] = 6; // the same layout, without connections held aside: still read
        assertRoundTrips(FlowStateCodec.decode(beforeHeldAside), "version 6");
        for (int length = 1; length < bytes.length; length++) {
            byte[] truncated = Arrays.copyOf(bytes, length);
            assertThrows(IllegalStateException.class, () -> FlowStateCodec.decode(truncated), length + " bytes");
        }
        assertThrows(IllegalStateException.class, () -> FlowStateCodec.decode(Arrays.copyOf(bytes, bytes.length + 1)));
        byte[] legacyTruncated = {5, 0, 0, 0, 0}; // version 5, no settled types, a deadline cut short
        assertThrows(IllegalStateException.class, () -> FlowStateCodec.decode(legacyTruncated));
    }

    /**
     * Issue 17: an established connection idle for hours (handshake, two request / response exchanges) costs at
     * most 300 bytes of stored value, seen from one host or from both ends. The store's key (the canonical flow key)
     * and the timer index entry (its deadline and the flow key, empty value: FlowProcessor.timerKey) come on top.
     */
    @Test
    void anIdleEstablishedConnectionFitsIn300Bytes() {
        StringBuilder table = new StringBuilder("idle established connection: stored bytes\n");
        for (IdleConnections.Family family : IdleConnections.Family.values()) {
            FlowState one = IdleConnections.of(family, IdleConnections.CLIENT_HOST);
            FlowState two = IdleConnections.of(family, IdleConnections.CLIENT_HOST, IdleConnections.SERVER_HOST);
            assertEquals("S1", one.primary().connState());
            assertEquals("ShADd", two.views().get(1).view().history());
            assertFalse(two.views().get(1).view().closed());
            int oneBytes = FlowStateCodec.encode(one).length;
            int twoBytes = FlowStateCodec.encode(two).length;
            int key = IdleConnections.flowKey(family).length;
            table.append(String.format("%s: value %d (one vantage), %d (two); key %d; timer entry %d%n", family,
                    oneBytes, twoBytes, key, Long.BYTES + key));
            assertTrue(oneBytes <= 300, family + " one vantage: " + oneBytes);
            assertTrue(twoBytes <= 300, family + " two vantages: " + twoBytes);
            assertRoundTrips(one, family + " one vantage");
            assertRoundTrips(two, family + " two vantages");
        }
        System.out.print(table);
    }
}
