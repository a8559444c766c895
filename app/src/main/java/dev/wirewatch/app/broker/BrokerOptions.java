package dev.wirewatch.app.broker;

import java.nio.file.Path;

/**
 * @param dataDir           log directory kept across runs; null for a temporary one deleted on close
 * @param port              client port; 0 picks a free one
 * @param defaultPartitions partitions of topics created without a count
 */
public record BrokerOptions(Path dataDir, int port, int defaultPartitions) {}
