package dev.wirewatch.app.kafka;

import dev.wirewatch.processor.StreamTopics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Where a processor application that has never committed starts reading its inputs. */
public final class GroupStart {
    private GroupStart() {}

    /**
     * Starts a new application at the current end of ww.packets, ww.l2 and ww.sensors, so it judges only what sensors
     * send from now on, not the history on the cluster. An application that has committed before keeps its offsets
     * (a restart resumes); returns whether the start was set.
     */
    public static boolean atCurrentEnd(Admin admin, Map<String, Object> clientConfig, String applicationId) {
        return atCurrentEnd(admin, clientConfig, applicationId, StreamTopics.LIVE.inputs());
    }

    /** As {@link #atCurrentEnd(Admin, Map, String)}, for an application that reads {@code inputs}. */
    public static boolean atCurrentEnd(Admin admin, Map<String, Object> clientConfig, String applicationId,
                                       List<String> inputs) {
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReads.consumer(clientConfig)) {
            if (!admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .isEmpty()) {
                return false;
            }
            Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
            for (String input : inputs) {
                TopicReads.endOffsets(consumer, input).forEach((partition, end) -> start.put(partition, new OffsetAndMetadata(end)));
            }
            admin.alterConsumerGroupOffsets(applicationId, start).all().get(30, TimeUnit.SECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting the start offsets of " + applicationId, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot set the start offsets of " + applicationId + ": " + e.getMessage(), e);
        }
    }
}
