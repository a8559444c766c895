package dev.wirewatch.processor.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stores and changelogs written before the compact codec still load after an upgrade, with every value. The fixtures
 * {@code flow-states-v5.txt} and {@code flow-states-v4.txt} hold, per state, the bytes that code stored (FlowState
 * version 5 with ConnectionView version 3, as of commit a18281e; version 4 from the FlowState class of 8d81246^ run
 * against the same views) and {@link FlowStateDump} of what that code decoded them to. The states: the richest
 * state of each test capture ({@link StoredFlowStates}, full mode, and control mode for the multi-host cases), an
 * idle IPv6 connection seen from two hosts, and a flow with a detector type this version does not know (and, in
 * version 5, two hosts' kernel drop reasons).
 */
class EarlierFlowStateVersionsTest {
    @ParameterizedTest
    @ValueSource(ints = {5, 4})
    void statesStoredByEarlierVersionsLoadWithEveryValue(int version) throws IOException {
        int states = 0;
        for (String block : resource("flow-states-v" + version + ".txt").split("\n\n")) {
            List<String> lines = List.of(block.split("\n"));
            String name = lines.get(0);
            byte[] bytes = HexFormat.of().parseHex(lines.get(1).substring("bytes ".length()));
            String expected = String.join("\n", lines.subList(2, lines.size())) + "\n";
            assertEquals(version, bytes[0], name);
            FlowState state = FlowStateCodec.decode(bytes);
            assertHolds(expected, FlowStateDump.of(state), name);
            byte[] current = FlowStateCodec.encode(state);
            assertHolds(expected, FlowStateDump.of(FlowStateCodec.decode(current)), name + ", stored again");
            assertTrue(current.length * 2 < bytes.length, name + ": " + current.length + " bytes, were " + bytes.length);
            states++;
        }
        assertTrue(states >= 17, states + " states in the fixture");
    }

    /**
     * The dump as the fixture has it, except that an object's line may hold more fields: fields added after the
     * fixture was written, which the old bytes cannot hold (they read as their start value), and an empty collection
     * added since may have a line of its own.
     */
    private static void assertHolds(String expected, String actual, String name) {
        List<String> wanted = expected.lines().toList();
        List<String> got = actual.lines().filter(line -> !line.endsWith(": 0 items")
                || wanted.stream().anyMatch(old -> old.startsWith(line.substring(0, line.indexOf(':') + 1)))).toList();
        boolean holds = wanted.size() == got.size();
        for (int i = 0; holds && i < wanted.size(); i++) {
            List<String> fields = List.of(wanted.get(i).split(" "));
            List<String> gotFields = List.of(got.get(i).split(" "));
            holds = wanted.get(i).equals(got.get(i)) || wanted.get(i).startsWith("flow")
                    && fields.get(0).equals(gotFields.get(0)) && gotFields.containsAll(fields);
        }
        if (!holds) {
            assertEquals(expected, actual, name);
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = EarlierFlowStateVersionsTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
