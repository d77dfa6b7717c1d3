package io.streamdrz.inference;

import io.streamdrz.audio.WavReader;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkBatcherTest {

    /** Answers each input with its nPrompted in the result, and records batch sizes. */
    private static final class EchoRunner implements ChunkRunner {
        final List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());

        @Override
        public List<DecodedChunk> run(List<ModelInput> inputs) {
            sizes.add(inputs.size());
            List<DecodedChunk> out = new ArrayList<>();
            for (ModelInput in : inputs) {
                out.add(new DecodedChunk(new int[]{in.nPrompted()}, new double[]{1}, in.nPrompted(), List.of(), new float[0]));
            }
            return out;
        }
    }

    @Test
    void backgroundRequestsWaitForEveryChunkAndNeverShareItsBatch() throws Exception {
        List<List<Integer>> order = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ChunkRunner blocking = inputs -> {
            order.add(inputs.stream().map(ModelInput::nPrompted).toList());
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new EchoRunner().run(inputs);
        };
        try (ChunkBatcher batcher = new ChunkBatcher(blocking, 8, 8, Duration.ZERO, (c, n, f) -> { },
                (c, n, f) -> { })) {
            var first = batcher.submit(new ModelInput(new float[0], 0));
            running.await();                                   // the model thread is busy with chunk 0
            var windows = List.of(batcher.background().submit(new ModelInput(new float[0], 10)),
                    batcher.background().submit(new ModelInput(new float[0], 11)));
            var chunk = batcher.submit(new ModelInput(new float[0], 1));
            release.countDown();
            assertEquals(0, first.get().nPrompted());
            assertEquals(1, chunk.get().nPrompted());
            assertEquals(11, windows.get(1).get().nPrompted());
            assertEquals(List.of(List.of(0), List.of(1), List.of(10, 11)), order,
                    "the chunk that came after the windows ran before them, alone");
            assertEquals(2, batcher.chunks(), "background runs are not counted as chunks");
        }
    }

    @Test
    void requestsFromManyThreadsShareBatchesAndGetTheirOwnResults() throws Exception {
        EchoRunner echo = new EchoRunner();
        int threads = 8;
        try (ChunkBatcher batcher = new ChunkBatcher(echo, 4, Duration.ofMillis(50))) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < threads * 5; i++) {
                int id = i;
                results.add(pool.submit(() -> {
                    start.await();
                    return batcher.run(List.of(new ModelInput(new float[0], id))).get(0).nPrompted();
                }));
            }
            start.countDown();
            for (int i = 0; i < results.size(); i++) {
                assertEquals(i, results.get(i).get(), "request " + i + " got another's result");
            }
            pool.shutdown();
            assertEquals(threads * 5, batcher.chunks());
            assertTrue(batcher.batches() < threads * 5, "some requests were batched: " + echo.sizes);
            assertTrue(echo.sizes.stream().allMatch(s -> s <= 4), "never beyond maxBatch: " + echo.sizes);
        }
    }

    @Test
    void aLoneRequestWaitsAtMostMaxWait() throws Exception {
        try (ChunkBatcher batcher = new ChunkBatcher(new EchoRunner(), 64, Duration.ofMillis(20))) {
            long t0 = System.nanoTime();
            batcher.run(List.of(new ModelInput(new float[0], 1)));
            assertTrue(System.nanoTime() - t0 < 2_000_000_000L);
        }
    }

    @Test
    void aFailingRunFailsItsRequestsOnly() {
        ChunkRunner failing = inputs -> {
            throw new IllegalStateException("boom");
        };
        try (ChunkBatcher batcher = new ChunkBatcher(failing, 4, Duration.ofMillis(1))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> batcher.run(List.of(new ModelInput(new float[0], 0))));
            assertEquals("boom", e.getMessage());
        }
        ChunkBatcher closed = new ChunkBatcher(new EchoRunner(), 4, Duration.ofMillis(1));
        closed.close();
        assertThrows(ExecutionException.class, () -> closed.submit(new ModelInput(new float[0], 0)).get());
    }

    @Test
    void withTheRealModelBatchedResultsEqualDirectOnes() throws Exception {
        ChunkDiarizer engine = ModelFixtures.engine();
        List<ModelInput> inputs = new ArrayList<>();
        for (ModelFixtures.Input in : ModelFixtures.inputs()) {
            inputs.add(new ModelInput(WavReader.read(ModelFixtures.file(in.wav())).samples(), in.nPrompted()));
        }
        try (ChunkBatcher batcher = new ChunkBatcher(engine, 8, Duration.ofMillis(20))) {
            ExecutorService pool = Executors.newFixedThreadPool(inputs.size());
            List<Future<DecodedChunk>> futures = new ArrayList<>();
            for (ModelInput in : inputs) {
                futures.add(pool.submit(() -> batcher.run(List.of(in)).get(0)));
            }
            for (int i = 0; i < inputs.size(); i++) {
                assertArrayEquals(engine.run(List.of(inputs.get(i))).get(0).tokens(), futures.get(i).get().tokens());
            }
            pool.shutdown();
        }
    }
}
