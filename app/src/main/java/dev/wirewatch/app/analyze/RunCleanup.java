package dev.wirewatch.app.analyze;

import dev.wirewatch.app.kafka.TopicSetup;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;

/**
 * Removes an analysis's own topics when it ends: normally, by an exception, or by Ctrl-C (a shutdown hook; the
 * run's Kafka clients are stopped first, so none of them re-creates a deleted topic). Best effort: what cannot be
 * deleted is named, with the reason, and the command that deletes it.
 */
final class RunCleanup implements AutoCloseable {
    private final Map<String, Object> clientConfig;
    private final RunTopics topics;
    private final PrintStream progress;
    private final List<AutoCloseable> clients = new ArrayList<>();
    private final Thread hook;
    private boolean done;

    RunCleanup(Map<String, Object> clientConfig, RunTopics topics, PrintStream progress) {
        this.clientConfig = clientConfig;
        this.topics = topics;
        this.progress = progress;
        this.hook = new Thread(this::interrupted, "wirewatch-analyze-cleanup");
        if (topics.deletedAfter()) {
            Runtime.getRuntime().addShutdownHook(hook);
        }
    }

    /** A client of the run's topics, stopped before they are deleted when the run is interrupted. */
    synchronized <T extends AutoCloseable> T using(T client) {
        clients.add(client);
        return client;
    }

    synchronized void released(AutoCloseable client) {
        clients.remove(client);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // shutting down already (the hook runs or ran), or never registered
        }
        cleanUp();
    }

    private void interrupted() {
        List<AutoCloseable> running;
        synchronized (this) {
            running = new ArrayList<>(clients);
        }
        for (AutoCloseable client : running) {
            try {
                client.close();
            } catch (Exception e) {
                // stopping on the way out: the deletion below is what matters
            }
        }
        cleanUp();
    }

    /**
     * A deletion is acknowledged before every broker has forgotten the topics: done when none lists them. One asked
     * while a stopping processor's last transaction was still being written was once still listed 30 s later (CI,
     * 2026-12-07): what is still listed is asked for again every 5 s, within 60 s.
     */
    private void awaitGone(Admin admin) {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(60);
        long nextAsk = start + TimeUnit.SECONDS.toNanos(5);
        List<String> left = TopicSetup.named(admin, topics.prefix());
        while (!left.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("still listed 60 s after their deletion: " + left);
            }
            if (System.nanoTime() > nextAsk) {
                nextAsk += TimeUnit.SECONDS.toNanos(5);
                try {
                    TopicSetup.delete(admin, left);
                } catch (IllegalStateException e) {
                    // already being deleted (the broker says it no longer knows them): keep waiting for the listing
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the deletion of " + left, e);
            }
            left = TopicSetup.named(admin, topics.prefix());
        }
    }

    /** The processor's consumer group (its committed offsets) goes with its topics. */
    private void deleteGroups(Admin admin) {
        try {
            List<String> own = admin.listConsumerGroups().all().get(30, TimeUnit.SECONDS).stream()
                    .map(ConsumerGroupListing::groupId).filter(group -> group.startsWith(topics.prefix())).toList();
            if (!own.isEmpty()) {
                admin.deleteConsumerGroups(own).all().get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            progress.printf("analyze: could not delete this run's consumer group (%s*): %s%n", topics.prefix(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void cleanUp() {
        if (done) {
            return;
        }
        done = true;
        if (topics.prefix().isEmpty()) {
            return;
        }
        if (topics.keep()) {
            progress.printf("analyze: kept this run's topics %s* (its alerts: %sww.alerts)%n", topics.prefix(), topics.prefix());
            return;
        }
        try (Admin admin = Admin.create(clientConfig)) {
            List<String> own = TopicSetup.named(admin, topics.prefix());
            TopicSetup.delete(admin, own);
            deleteGroups(admin);
            awaitGone(admin);
            progress.printf("analyze: deleted this run's %d topics (%s*)%n", own.size(), topics.prefix());
        } catch (RuntimeException e) {
            progress.printf("analyze: could not delete this run's topics (%s*): %s; delete them with "
                    + "kafka-topics.sh --bootstrap-server HOST:PORT --delete --topic '%s.*'%n",
                    topics.prefix(), e.getMessage(), topics.prefix().replace(".", "\\."));
        }
    }
}
