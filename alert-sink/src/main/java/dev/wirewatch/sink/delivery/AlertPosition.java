package dev.wirewatch.sink.delivery;

import org.apache.kafka.common.TopicPartition;

/** Where an alert was read from: what the sink commits once it is delivered. */
public record AlertPosition(TopicPartition partition, long offset) {}
