package io.streamdrz.inference;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchingChunkRunnerTest {

    /** Answers each input with a chunk whose nPrompted echoes the input's, and records batch sizes. */
    private static final class EchoRunner implements ChunkRunner {
        final List<Integer> batches = new ArrayList<>();
        final CountDownLatch firstRunStarted = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public synchronized List<DecodedChunk> run(List<ModelInput> inputs) {
            batches.add(inputs.size());
            firstRunStarted.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<DecodedChunk> out = new ArrayList<>();
            for (ModelInput in : inputs) {
                out.add(new DecodedChunk(new int[0], new double[0], in.nPrompted(), List.of()));
            }
            return out;
        }
    }

    @Test
    void requestsThatWaitWhileTheModelRunsShareTheNextRunAndGetTheirOwnResults() throws Exception {
        EchoRunner echo = new EchoRunner();
        ExecutorService threads = Executors.newFixedThreadPool(5);
        try (BatchingChunkRunner runner = new BatchingChunkRunner(echo, 8, Duration.ZERO)) {
            Future<List<DecodedChunk>> first = threads.submit(() -> runner.run(List.of(new ModelInput(new float[1], 100))));
            assertTrue(echo.firstRunStarted.await(10, TimeUnit.SECONDS));
            List<Future<List<DecodedChunk>>> waiting = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int id = i;
                waiting.add(threads.submit(() -> runner.run(List.of(new ModelInput(new float[1], id)))));
            }
            Thread.sleep(300);          // all four are queued behind the running batch
            echo.release.countDown();
            assertEquals(100, first.get(10, TimeUnit.SECONDS).get(0).nPrompted());
            for (int i = 0; i < 4; i++) {
                assertEquals(i, waiting.get(i).get(10, TimeUnit.SECONDS).get(0).nPrompted());
            }
            assertEquals(List.of(1, 4), echo.batches);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aFailingRunFailsItsRequestsOnly() {
        ChunkRunner failing = inputs -> {
            throw new IllegalStateException("model broke");
        };
        try (BatchingChunkRunner runner = new BatchingChunkRunner(failing, 4, Duration.ZERO)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> runner.run(List.of(new ModelInput(new float[1], 0))));
            assertEquals("model broke", e.getMessage());
            assertThrows(IllegalStateException.class, () -> runner.run(List.of(new ModelInput(new float[1], 0))));
        }
    }
}
