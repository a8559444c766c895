package dev.wirewatch.processor.state;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds what the processor's RocksDB stores take off the heap, all together. Kafka Streams gives each store its own
 * block cache (50 MiB) and memtables (3 × 16 MiB); a processor holds some 15 stores per task over 9 or more tasks
 * and their standbys, so in the soak its RSS grew ~400 MiB an hour while the heap stayed flat (RELIABILITY.md). Here
 * every store of the JVM shares one LRU cache of {@link #MEMORY_CONFIG} bytes for data, index and filter blocks,
 * and its memtables count against the same cache (a write buffer manager), as the Kafka Streams memory guide does.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {
    /** Total bytes for every store's blocks and memtables in this JVM (a Streams property; set by ProcessorService). */
    public static final String MEMORY_CONFIG = "wirewatch.state.memory.bytes";
    private static final double MEMTABLE_SHARE = 0.5;
    private static final double INDEX_AND_FILTER_SHARE = 0.1;
    private static final long MEMTABLE_BYTES = 8L << 20;

    // Shared by every store of the JVM: made on the first store's configuration, never closed (the JVM's lifetime).
    private static Cache cache;
    private static WriteBufferManager writeBuffers;

    private static synchronized void open(long bytes) {
        if (cache == null) {
            cache = new LRUCache(bytes, -1, false, INDEX_AND_FILTER_SHARE);
            writeBuffers = new WriteBufferManager((long) (bytes * MEMTABLE_SHARE), cache);
        }
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Object configured = configs.get(MEMORY_CONFIG);
        open(configured == null ? 256L << 20 : Long.parseLong(configured.toString()));
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(cache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(writeBuffers);
        options.setWriteBufferSize(MEMTABLE_BYTES);
        options.setMaxWriteBufferNumber(2);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // the cache and the write buffer manager are shared: they outlive any one store
    }
}
