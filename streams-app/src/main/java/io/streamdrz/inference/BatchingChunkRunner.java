package io.streamdrz.inference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Batches chunks that different threads (the stream threads of the app, each on its
 * own calls) ask for at the same time into one model run: a {@link ChunkRunner} in
 * front of another.
 *
 * <p>One worker thread runs the model. A request that finds it idle runs at once, with
 * whatever else is already queued, up to {@code maxBatch} inputs; requests that arrive
 * while it runs wait for the next run and share it. {@code maxWait} (0 by default at
 * the app level) lets a run wait that long for more requests before it starts, which
 * trades latency for throughput where a model run costs the same for 1 and for 8
 * inputs (a GPU).
 */
public final class BatchingChunkRunner implements ChunkRunner, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BatchingChunkRunner.class);

    private final ChunkRunner delegate;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Thread worker;
    private volatile boolean closed;

    private record Request(List<ModelInput> inputs, CompletableFuture<List<DecodedChunk>> result) {
    }

    public BatchingChunkRunner(ChunkRunner delegate, int maxBatch, java.time.Duration maxWait) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, not " + maxBatch);
        }
        this.delegate = delegate;
        this.maxBatch = maxBatch;
        this.maxWaitNanos = maxWait.toNanos();
        this.worker = new Thread(this::work, "streamdrz-inference");
        this.worker.setDaemon(true);
        this.worker.start();
    }

    @Override
    public List<DecodedChunk> run(List<ModelInput> inputs) {
        if (closed) {
            throw new IllegalStateException("the inference runner is closed");
        }
        Request request = new Request(List.copyOf(inputs), new CompletableFuture<>());
        queue.add(request);
        try {
            return request.result().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for inference", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("inference failed: " + cause, cause);
        }
    }

    private void work() {
        while (!closed) {
            List<Request> batch = new ArrayList<>();
            try {
                Request first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                int size = first.inputs().size();
                long deadline = System.nanoTime() + maxWaitNanos;
                while (size < maxBatch) {
                    long left = deadline - System.nanoTime();
                    Request next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                    size += next.inputs().size();
                }
                runBatch(batch);
            } catch (InterruptedException e) {
                batch.forEach(r -> r.result().completeExceptionally(e));
                break;
            }
        }
        for (Request r = queue.poll(); r != null; r = queue.poll()) {
            r.result().completeExceptionally(new IllegalStateException("the inference runner is closed"));
        }
    }

    private void runBatch(List<Request> batch) {
        List<ModelInput> inputs = new ArrayList<>();
        batch.forEach(r -> inputs.addAll(r.inputs()));
        try {
            List<DecodedChunk> results = delegate.run(inputs);
            int at = 0;
            for (Request r : batch) {
                r.result().complete(List.copyOf(results.subList(at, at + r.inputs().size())));
                at += r.inputs().size();
            }
            if (batch.size() > 1) {
                log.debug("ran {} requests ({} chunks) as one batch", batch.size(), inputs.size());
            }
        } catch (RuntimeException | Error e) {
            batch.forEach(r -> r.result().completeExceptionally(e));
        }
    }

    /** Stops the worker; requests still waiting fail. */
    @Override
    public void close() {
        closed = true;
        worker.interrupt();
        try {
            worker.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
