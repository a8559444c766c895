package dev.wirewatch.app.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.kafka.ClusterSizing;
import org.junit.jupiter.api.Test;

class QuorumTest {
    private static final String VOTERS = "1@10.0.0.1:9093,2@10.0.0.2:9093,3@10.0.0.3:9093";

    @Test
    void nodesStartedSeparatelyWithTheSameVotersAgreeOnTheClusterIdInAnyOrder() {
        String id = Quorum.of(1, 0, VOTERS, null).clusterId();
        assertEquals(id, Quorum.of(3, 0, "3@10.0.0.3:9093,1@10.0.0.1:9093,2@10.0.0.2:9093", null).clusterId());
        assertNotEquals(id, Quorum.of(1, 0, "1@10.0.0.1:9093,2@10.0.0.2:9093,3@10.0.0.4:9093", null).clusterId());
        assertEquals(22, id.length());
    }

    /** Kafka's storage tool takes an id starting with '-' for an option: about one derived id in 64 did, at random. */
    @Test
    void noDerivedClusterIdStartsWithADash() {
        for (int port = 20_000; port < 22_000; port++) {
            String voters = "1@127.0.0.1:" + port + ",2@127.0.0.1:" + (port + 1) + ",3@127.0.0.1:" + (port + 2);
            String id = Quorum.of(1, 0, voters, null).clusterId();
            assertTrue(!id.startsWith("-"), voters + " gave " + id);
        }
    }

    @Test
    void aGivenClusterIdWins() {
        assertEquals("MkU3OEVBNTcwNTJENDM2Qk", Quorum.of(2, 0, VOTERS, "MkU3OEVBNTcwNTJENDM2Qk").clusterId());
    }

    @Test
    void wrongNodeIdOrControllerPortOrVotersAreRefusedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Quorum.of(4, 0, VOTERS, null)).getMessage()
                .contains("node id 4 is not among the quorum voters"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Quorum.of(1, 9094, VOTERS, null)).getMessage()
                .contains("--controller-port 9094 differs"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Quorum.of(1, 0, "1@a:1,1@b:2", null))
                .getMessage().contains("appears twice"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Quorum.of(1, 0, "1@a", null))
                .getMessage().contains("is not ID@HOST:PORT"));
    }

    @Test
    void replicationFollowsTheNumberOfVoters() {
        Quorum three = Quorum.of(1, 0, VOTERS, null);
        assertEquals(3, three.replicationFactor());
        assertEquals(2, three.minInsyncReplicas());
        Quorum two = Quorum.of(1, 0, "1@a:1,2@a:2", null);
        assertEquals(2, two.replicationFactor());
        assertEquals(1, two.minInsyncReplicas());
    }

    @Test
    void topicsAreSizedForTheClusterFound() {
        assertEquals(new ClusterSizing(1, 1, 1, 3), ClusterSizing.forBrokers(1));
        assertEquals(new ClusterSizing(2, 2, 1, 6), ClusterSizing.forBrokers(2));
        assertEquals(new ClusterSizing(3, 3, 2, 6), ClusterSizing.forBrokers(3));
        assertEquals(new ClusterSizing(5, 3, 2, 10), ClusterSizing.forBrokers(5));
    }
}
