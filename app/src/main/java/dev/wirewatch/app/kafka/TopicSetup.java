package dev.wirewatch.app.kafka;

import dev.wirewatch.schemas.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the topics wirewatch needs, idempotently: existing topics are left as they are. */
public final class TopicSetup {
    /** Partitions of ww.packets (and of the processor's internal topics) when wirewatch creates them. */
    public static final int DEFAULT_PARTITIONS = 3;

    private TopicSetup() {}

    /** The public topics of DESIGN.md plus {@code extra} (name to partitions). */
    public static void ensure(Admin admin, int partitions, Map<String, Integer> extra) {
        Map<String, Integer> wanted = new HashMap<>(extra);
        for (String topic : Topics.ALL) {
            wanted.put(topic, partitions);
        }
        List<NewTopic> topics = new ArrayList<>();
        wanted.forEach((name, count) -> {
            NewTopic topic = new NewTopic(name, count, (short) -1);
            if (Topics.COMPACTED.contains(name)) {
                topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            }
            topics.add(topic);
        });
        admin.createTopics(topics).values().forEach((name, future) -> {
            try {
                future.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause().getMessage(), e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating topic " + name, e);
            } catch (TimeoutException e) {
                throw new IllegalStateException("Kafka did not create topic " + name + " within 30 s", e);
            }
        });
    }

    /** Deletes topics (those that exist) and waits for it. */
    public static void delete(Admin admin, List<String> names) {
        try {
            var existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<String> present = names.stream().filter(existing::contains).toList();
            if (!present.isEmpty()) {
                admin.deleteTopics(present).all().get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot delete topics " + names + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while deleting topics", e);
        }
    }
}
