package dev.wirewatch.app.broker;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Why a node cannot join its quorum, when the other voters say so: they were formatted with another cluster id
 * (another voters list, or another --cluster-id). Kafka itself only logs INCONSISTENT_CLUSTER_ID on the other nodes
 * and lets this one wait forever.
 */
final class QuorumCheck {
    private QuorumCheck() {}

    /**
     * Starts a quorum member's server, which blocks until the quorum has let it catch up, and meanwhile asks the
     * other voters every few seconds whether they are of its cluster. Throws {@link IllegalStateException} saying why
     * when they are not (the caller then stops the server), or when the start fails.
     */
    static void startup(KafkaRaftServer server, Quorum quorum) {
        CompletableFuture<Void> started = new CompletableFuture<>();
        Thread starter = new Thread(() -> {
            try {
                server.startup();
                started.complete(null);
            } catch (Throwable e) {
                started.completeExceptionally(e);
            }
        }, "wirewatch-broker-startup");
        starter.setDaemon(true);
        starter.start();
        while (true) {
            try {
                started.get(5, TimeUnit.SECONDS);
                return;
            } catch (TimeoutException e) {
                disagreement(quorum).ifPresent(why -> {
                    throw new IllegalStateException(why);
                });
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException runtime ? runtime
                        : new IllegalStateException(e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the broker", e);
            }
        }
    }

    /** A message naming the first other voter whose controller reports a different cluster id; empty if none does. */
    static Optional<String> disagreement(Quorum quorum) {
        for (Quorum.Voter voter : quorum.voters()) {
            if (voter.id() == quorum.nodeId()) {
                continue;
            }
            Optional<String> theirs = clusterIdOf(voter);
            if (theirs.isPresent() && !theirs.get().equals(quorum.clusterId())) {
                return Optional.of("node " + quorum.nodeId() + " cannot join the quorum: its voters "
                        + quorum.votersProperty() + " give cluster id " + quorum.clusterId() + ", but the controller "
                        + voter + " belongs to cluster " + theirs.get() + ". Start every node with the same "
                        + "--quorum-voters (or the same --cluster-id).");
            }
        }
        return Optional.empty();
    }

    /** The cluster id the controller at {@code voter} reports; empty if it does not answer within a few seconds. */
    private static Optional<String> clusterIdOf(Quorum.Voter voter) {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_CONTROLLERS_CONFIG, voter.host() + ":" + voter.port(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000,
                AdminClientConfig.CLIENT_ID_CONFIG, "wirewatch-quorum-check"))) {
            return Optional.ofNullable(admin.describeCluster().clusterId().get(3, TimeUnit.SECONDS));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return Optional.empty(); // not running (yet), or not a controller: nothing to compare
        }
    }
}
