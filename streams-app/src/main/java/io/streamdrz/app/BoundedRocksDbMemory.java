package io.streamdrz.app;

import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBufferManager;

import java.util.Map;

/**
 * Bounds the native memory of every RocksDB store of the instance together
 * ({@code rocksdb.config.setter}). By default each store of each task has its own block
 * cache (50 MB in Kafka Streams) and up to three 16 MB memtables, outside the JVM heap, so
 * the off-heap use of an instance grows with its tasks and creeps up as caches fill (issue
 * #22: RSS 564 to 678 MB while the heap stayed between 33 and 162 MB).
 *
 * <p>Here all stores share one LRU block cache of {@value #CACHE_BYTES} bytes, and their
 * memtables are charged to that same cache through one write-buffer manager (at most
 * {@value #MEMTABLE_BYTES} bytes of it): RocksDB flushes a memtable early rather than
 * exceed it. Index and filter blocks live in the cache too (with high priority, the top
 * level pinned), so they count against the bound instead of growing beside it. The bound
 * is soft: RocksDB may exceed it briefly while a flush runs.
 *
 * <p>Our stores are written far more than they are read (a call's frames are read once,
 * to cut a chunk), so a small cache costs little; the memtables matter more.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {

    /** Block cache for all stores of the instance, memtables included. */
    static final long CACHE_BYTES = 64L * 1024 * 1024;
    /** The part of {@link #CACHE_BYTES} that memtables may use before RocksDB flushes them. */
    static final long MEMTABLE_BYTES = 32L * 1024 * 1024;
    /** One store's memtable; with two per store, a store flushes at 8 MB of writes. */
    static final long MEMTABLE_BYTES_PER_STORE = 4L * 1024 * 1024;
    /** Share of the cache kept for index and filter blocks. */
    private static final double HIGH_PRIORITY_RATIO = 0.1;

    static {
        // The cache is native: the library must be loaded before it, whoever loads this class first.
        RocksDB.loadLibrary();
    }

    // One cache and one manager for the whole JVM: every store instance is configured with them,
    // so they are never closed by a store.
    private static final Cache CACHE = new LRUCache(CACHE_BYTES, -1, false, HIGH_PRIORITY_RATIO);
    private static final WriteBufferManager MEMTABLES = new WriteBufferManager(MEMTABLE_BYTES, CACHE);

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(CACHE);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setTableFormatConfig(table);
        options.setWriteBufferManager(MEMTABLES);
        options.setWriteBufferSize(MEMTABLE_BYTES_PER_STORE);
        options.setMaxWriteBufferNumber(2);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the manager are shared by every store: closing one store must not free them.
    }

    /** The shared block cache, for tests. */
    static Cache cache() {
        return CACHE;
    }
}
