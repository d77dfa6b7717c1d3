package io.streamdrz.app;

import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BoundedRocksDbMemoryTest {

    @Test
    void everyStoreGetsSmallMemtablesAndIndexesInTheSharedCache() {
        BoundedRocksDbMemory setter = new BoundedRocksDbMemory();
        try (Options options = new Options()) {
            options.setTableFormatConfig(new BlockBasedTableConfig());
            setter.setConfig("audio-buffer", options, Map.of());
            assertEquals(BoundedRocksDbMemory.MEMTABLE_BYTES_PER_STORE, options.writeBufferSize());
            assertEquals(2, options.maxWriteBufferNumber());
            BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
            assertTrue(table.cacheIndexAndFilterBlocks(), "index and filter blocks count against the cache");
            setter.close("audio-buffer", options);
        }
        assertTrue(BoundedRocksDbMemory.cache().isOwningHandle(),
                "one cache for the whole instance, still open after a store closed");
    }

    @Test
    void theAppUsesIt() {
        assertEquals(BoundedRocksDbMemory.class.getName(),
                StreamdrzConfig.of(Map.of()).streamsProperties().get("rocksdb.config.setter"));
    }
}
