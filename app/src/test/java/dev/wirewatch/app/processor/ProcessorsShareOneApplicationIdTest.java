package dev.wirewatch.app.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.app.kafka.StaticMembership;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.processor.ProcessorService;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21, item 2: two processors of one application id (each its own state directory and static member id, as the
 * processor command gives them) split the tasks between them, and each keeps a standby of the other's tasks
 * (num.standby.replicas, default 1), so either can take over the other's flow state warm.
 */
class ProcessorsShareOneApplicationIdTest {
    private static final String APP = "share-one-application-id";

    @TempDir
    Path temp;

    @Test
    void twoInstancesSplitTheTasksAndEachHoldsTheOthersAsStandby() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 1))) {
            Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            int partitions;
            try (Admin admin = Admin.create(client)) {
                partitions = TopicSetup.ensureForProcessor(admin, APP);
            }
            try (KafkaStreams first = start(client, "a", partitions); KafkaStreams second = start(client, "b", partitions)) {
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (!settled(first, second)) {
                    assertTrue(System.nanoTime() < deadline, "no stable split within 3 min: " + describe(first, second));
                    Thread.sleep(200);
                }
                Set<TaskId> activeFirst = tasks(first, true);
                Set<TaskId> activeSecond = tasks(second, true);
                assertFalse(activeFirst.isEmpty(), "the first instance has work: " + describe(first, second));
                assertFalse(activeSecond.isEmpty(), "the second instance has work: " + describe(first, second));
                Set<TaskId> overlap = new HashSet<>(activeFirst);
                overlap.retainAll(activeSecond);
                assertEquals(Set.of(), overlap, "no task runs twice");
                assertTrue(activeSecond.containsAll(tasks(first, false)), "the first's standbys are the second's tasks: "
                        + describe(first, second));
                assertTrue(activeFirst.containsAll(tasks(second, false)), "the second's standbys are the first's tasks: "
                        + describe(first, second));
                assertFalse(tasks(first, false).isEmpty() || tasks(second, false).isEmpty(),
                        "each holds a warm copy of the other's flow state: " + describe(first, second));
            }
        }
    }

    private KafkaStreams start(Map<String, Object> client, String name, int partitions) {
        Map<String, Object> config = new HashMap<>(client);
        StaticMembership.configure(config, "test-" + name, temp.resolve(name));
        KafkaStreams streams = ProcessorService.create(config, APP, temp.resolve(name), NetworkTopology.load(null),
                ProcessorConfig.DEFAULTS, partitions);
        streams.start();
        return streams;
    }

    /** Both running, every task active exactly once between them, and the standbys placed. */
    private static boolean settled(KafkaStreams first, KafkaStreams second) {
        if (first.state() != KafkaStreams.State.RUNNING || second.state() != KafkaStreams.State.RUNNING) {
            return false;
        }
        Set<TaskId> active = new HashSet<>(tasks(first, true));
        active.addAll(tasks(second, true));
        return !tasks(first, true).isEmpty() && !tasks(second, true).isEmpty()
                && active.size() == tasks(first, true).size() + tasks(second, true).size()
                && !(tasks(first, false).isEmpty() && tasks(second, false).isEmpty());
    }

    private static Set<TaskId> tasks(KafkaStreams streams, boolean active) {
        Set<TaskId> tasks = new HashSet<>();
        for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
            for (TaskMetadata task : active ? thread.activeTasks() : thread.standbyTasks()) {
                tasks.add(task.taskId());
            }
        }
        return tasks;
    }

    private static String describe(KafkaStreams first, KafkaStreams second) {
        return List.of(first.state() + " active " + tasks(first, true) + " standby " + tasks(first, false),
                second.state() + " active " + tasks(second, true) + " standby " + tasks(second, false)).toString();
    }
}
