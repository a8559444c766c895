package dev.wirewatch.sink.delivery;

import org.apache.kafka.common.TopicPartition;

/**
 * Where an alert was read from: what the sink commits once it is delivered. {@code generation} counts how often this
 * sink has been given the partition, so a delivery still in flight from before a rebalance cannot finish the same
 * offset read again since.
 */
public record AlertPosition(TopicPartition partition, long offset, int generation) {}
