package io.streamdrz.inference;

import java.util.List;

/**
 * Runs the model on a batch of fixed-layout inputs. {@link ChunkDiarizer} is the real
 * one; the streaming recipe ({@link CallDiarizer}) only needs this, so a batching
 * layer or a test double can stand in.
 */
@FunctionalInterface
public interface ChunkRunner {

    /** One result per input, in order. */
    List<DecodedChunk> run(List<ModelInput> inputs);
}
