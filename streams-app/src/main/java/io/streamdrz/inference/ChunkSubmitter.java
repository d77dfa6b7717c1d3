package io.streamdrz.inference;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs one model input when it can, without making the caller wait: {@link ChunkBatcher}
 * queues it to share a run with other callers' inputs. Live windows go this way, so a
 * stream thread hands a window over and goes on with its frames.
 */
@FunctionalInterface
public interface ChunkSubmitter {

    /** The future completes with the input's result, or with the run's failure. */
    CompletableFuture<DecodedChunk> submit(ModelInput input);

    /** Runs each input at once on the caller's thread (tests, and engines without a batcher). */
    static ChunkSubmitter direct(ChunkRunner runner) {
        return input -> {
            try {
                return CompletableFuture.completedFuture(runner.run(List.of(input)).get(0));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        };
    }
}
