package dev.wirewatch.app.broker;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;

/**
 * A node's place in a static KRaft quorum: every node is broker and controller, the voters are all nodes.
 *
 * @param nodeId    this node's id, one of the voters
 * @param voters    every voter, sorted by id
 * @param clusterId the id every node formats its log directory with
 */
public record Quorum(int nodeId, List<Voter> voters, String clusterId) {
    /** One entry of {@code --quorum-voters}: {@code ID@HOST:PORT}, PORT being that node's controller port. */
    public record Voter(int id, String host, int port) {
        @Override
        public String toString() {
            return id + "@" + host + ":" + port;
        }
    }

    /**
     * Parses and checks the quorum options. {@code controllerPort} 0 takes this node's port from its voter entry;
     * {@code clusterId} null derives one from the voters, so nodes started separately with the same voters agree.
     */
    public static Quorum of(int nodeId, int controllerPort, String voters, String clusterId) {
        List<Voter> parsed = parse(voters);
        Voter self = parsed.stream().filter(voter -> voter.id() == nodeId).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("node id " + nodeId + " is not among the quorum voters "
                        + voters + ": give --node-id one of " + parsed.stream().map(v -> String.valueOf(v.id()))
                        .collect(Collectors.joining(", "))));
        if (controllerPort != 0 && controllerPort != self.port()) {
            throw new IllegalArgumentException("--controller-port " + controllerPort + " differs from node " + nodeId
                    + "'s entry " + self + " in the quorum voters");
        }
        String id = clusterId == null || clusterId.isBlank() ? derivedClusterId(parsed) : clusterId;
        try {
            Uuid.fromString(id);
            if (id.startsWith("-")) {
                throw new IllegalArgumentException("it starts with '-', which Kafka's storage tool reads as an option");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cluster id " + id + " is not a Kafka cluster id (22 characters of "
                    + "base64url, e.g. from kafka-storage random-uuid)", e);
        }
        return new Quorum(nodeId, parsed, id);
    }

    /** This node's own voter entry. */
    public Voter self() {
        return voters.stream().filter(voter -> voter.id() == nodeId).findFirst().orElseThrow();
    }

    /** The voters as Kafka's {@code controller.quorum.voters} wants them. */
    public String votersProperty() {
        return voters.stream().map(Voter::toString).collect(Collectors.joining(","));
    }

    /** The voters' controller endpoints, for {@code bootstrap.controllers}. */
    public String controllerEndpoints() {
        return voters.stream().map(voter -> voter.host() + ":" + voter.port()).collect(Collectors.joining(","));
    }

    /**
     * Replicas of the internal topics and the broker's default for new topics: 3 (min.insync.replicas 2) from three
     * voters on, so one broker may fail without losing an acknowledged write or blocking writers; 2 (min isr 1) with
     * two voters.
     */
    public int replicationFactor() {
        return Math.min(3, voters.size());
    }

    public int minInsyncReplicas() {
        return replicationFactor() >= 3 ? 2 : 1;
    }

    /** A cluster id from a hash of the voters (order does not matter), the same on every node given the same. */
    static String derivedClusterId(List<Voter> voters) {
        String canonical = voters.stream().sorted(Comparator.comparingInt(Voter::id)).map(Voter::toString)
                .collect(Collectors.joining(","));
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha256.digest(("wirewatch-quorum:" + canonical).getBytes(StandardCharsets.UTF_8));
            while (true) {
                ByteBuffer hash = ByteBuffer.wrap(digest);
                String id = new Uuid(hash.getLong(), hash.getLong()).toString();
                // Kafka's storage tool reads an id starting with '-' as an option (its own random ids never do)
                if (!id.startsWith("-")) {
                    return id;
                }
                digest = sha256.digest(digest);
            }
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Voter> parse(String voters) {
        if (voters == null || voters.isBlank()) {
            throw new IllegalArgumentException("--quorum-voters is empty: give ID@HOST:PORT,... for every node");
        }
        List<Voter> parsed = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        for (String entry : voters.split(",")) {
            String text = entry.trim();
            int at = text.indexOf('@');
            int colon = text.lastIndexOf(':');
            if (at < 1 || colon < at + 2 || colon == text.length() - 1) {
                throw new IllegalArgumentException("quorum voter '" + text + "' is not ID@HOST:PORT");
            }
            try {
                Voter voter = new Voter(Integer.parseInt(text.substring(0, at)),
                        text.substring(at + 1, colon),
                        Integer.parseInt(text.substring(colon + 1)));
                if (voter.id() < 0 || voter.port() < 1 || voter.port() > 65535) {
                    throw new NumberFormatException();
                }
                if (!ids.add(voter.id())) {
                    throw new IllegalArgumentException("node id " + voter.id() + " appears twice in the quorum voters " + voters);
                }
                parsed.add(voter);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("quorum voter '" + text + "' is not ID@HOST:PORT with a node id >= 0 "
                        + "and a port 1-65535", e);
            }
        }
        parsed.sort(Comparator.comparingInt(Voter::id));
        return List.copyOf(parsed);
    }
}
