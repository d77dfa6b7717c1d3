package io.streamdrz.inference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Comparator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Batches chunk requests from many threads (stream threads, each with its own calls)
 * into one model run: a request waits at most {@code maxWait} for others to join, and a
 * batch holds at most {@code maxBatch} chunks. One dispatcher thread runs the model, so
 * the runner underneath sees one batch at a time. This is what makes a GPU pay off:
 * the cost of a model run grows far less than its batch.
 *
 * <p>Results are what the runner would give for each chunk alone (rows of a batch do
 * not see each other).
 *
 * <p>Background requests ({@link #background()}: live windows) run only when no chunk is
 * waiting, in batches of their own: they use the model thread's idle time and delay a
 * chunk by at most the one background batch already running.
 */
public final class ChunkBatcher implements ChunkRunner, ChunkSubmitter, AutoCloseable {

    private final ChunkRunner runner;
    private final int maxBatch;
    private final int maxBackgroundBatch;
    private final long maxWaitNanos;
    private final BlockingQueue<Request> queue = new PriorityBlockingQueue<>(64,
            Comparator.comparing(Request::background).thenComparingLong(Request::seq));
    private final AtomicLong submitted = new AtomicLong();
    private final Thread dispatcher;
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong chunks = new AtomicLong();
    private final AtomicLong runNanos = new AtomicLong();
    private final Observer observer;
    private final Observer backgroundObserver;
    private volatile boolean closed;

    /** Told about every model run, from the dispatcher thread: for metrics. */
    @FunctionalInterface
    public interface Observer {
        /**
         * @param chunks how many chunks the run took
         * @param nanos  how long the run took
         * @param failed whether it threw
         */
        void batchRun(int chunks, long nanos, boolean failed);
    }

    private record Request(ModelInput input, boolean background, long seq, CompletableFuture<DecodedChunk> result) {
    }

    public ChunkBatcher(ChunkRunner runner, int maxBatch, Duration maxWait) {
        this(runner, maxBatch, maxWait, (chunks, nanos, failed) -> { });
    }

    public ChunkBatcher(ChunkRunner runner, int maxBatch, Duration maxWait, Observer observer) {
        this(runner, maxBatch, maxBatch, maxWait, observer, (chunks, nanos, failed) -> { });
    }

    /**
     * @param maxBackgroundBatch most background requests in one run: a chunk that arrives
     *                           meanwhile waits for that whole run
     * @param backgroundObserver told about the runs of background requests (not counted by {@code observer})
     */
    public ChunkBatcher(ChunkRunner runner, int maxBatch, int maxBackgroundBatch, Duration maxWait,
                        Observer observer, Observer backgroundObserver) {
        if (maxBatch < 1 || maxBackgroundBatch < 1) {
            throw new IllegalArgumentException("batches must hold at least 1, not " + maxBatch + " and "
                    + maxBackgroundBatch);
        }
        this.runner = runner;
        this.maxBatch = maxBatch;
        this.maxBackgroundBatch = maxBackgroundBatch;
        this.maxWaitNanos = maxWait.toNanos();
        this.observer = observer;
        this.backgroundObserver = backgroundObserver;
        this.dispatcher = new Thread(this::dispatch, "streamdrz-chunk-batcher");
        this.dispatcher.setDaemon(true);
        this.dispatcher.start();
    }

    /** Queues one chunk; the future completes when its batch has run. */
    @Override
    public CompletableFuture<DecodedChunk> submit(ModelInput input) {
        return submit(input, false);
    }

    /** Submits in the background: after every chunk that is waiting ({@link ChunkBatcher}). */
    public ChunkSubmitter background() {
        return input -> submit(input, true);
    }

    private CompletableFuture<DecodedChunk> submit(ModelInput input, boolean background) {
        CompletableFuture<DecodedChunk> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new IllegalStateException("the chunk batcher is closed"));
            return f;
        }
        queue.add(new Request(input, background, submitted.incrementAndGet(), f));
        return f;
    }

    /** Queues the chunks and waits for all of them (they may share batches with other threads' chunks). */
    @Override
    public List<DecodedChunk> run(List<ModelInput> inputs) {
        List<CompletableFuture<DecodedChunk>> futures = new ArrayList<>(inputs.size());
        for (ModelInput in : inputs) {
            futures.add(submit(in));
        }
        List<DecodedChunk> out = new ArrayList<>(inputs.size());
        try {
            for (CompletableFuture<DecodedChunk> f : futures) {
                out.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the model", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        }
        return out;
    }

    /** Model runs of chunks so far (background runs not counted). */
    public long batches() {
        return batches.get();
    }

    /** Chunks diarized so far; {@code chunks() / batches()} is the mean batch size. */
    public long chunks() {
        return chunks.get();
    }

    /** Wall time spent in model runs so far (features and decoding), in nanoseconds. */
    public long runNanos() {
        return runNanos.get();
    }

    private void dispatch() {
        List<Request> batch = new ArrayList<>(maxBatch);
        while (!closed || !queue.isEmpty()) {
            try {
                Request first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                if (first.background()) {
                    gatherBackground(batch);
                } else {
                    gatherChunks(batch);
                }
            } catch (InterruptedException e) {
                if (!closed) {
                    continue;
                }
            }
            if (!batch.isEmpty()) {
                runBatch(batch);
                batch.clear();
            }
        }
    }

    /** Chunks that join within the wait; a background request taken meanwhile goes back. */
    private void gatherChunks(List<Request> batch) throws InterruptedException {
        long deadline = System.nanoTime() + maxWaitNanos;
        while (batch.size() < maxBatch) {
            long left = deadline - System.nanoTime();
            Request next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
            if (next == null) {
                return;
            }
            if (next.background()) {
                queue.add(next);
                return;
            }
            batch.add(next);
        }
    }

    /** Background requests already waiting, no more: a chunk may come any moment. */
    private void gatherBackground(List<Request> batch) {
        while (batch.size() < maxBackgroundBatch) {
            Request next = queue.poll();
            if (next == null) {
                return;
            }
            if (!next.background()) {
                queue.add(next);
                return;
            }
            batch.add(next);
        }
    }

    private void runBatch(List<Request> batch) {
        List<ModelInput> inputs = new ArrayList<>(batch.size());
        for (Request r : batch) {
            inputs.add(r.input());
        }
        boolean background = batch.get(0).background();
        Observer told = background ? backgroundObserver : observer;
        long started = System.nanoTime();
        try {
            List<DecodedChunk> out = runner.run(inputs);
            long took = System.nanoTime() - started;
            told.batchRun(batch.size(), took, false);
            if (!background) {
                runNanos.addAndGet(took);
                batches.incrementAndGet();
                chunks.addAndGet(batch.size());
            }
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(out.get(i));
            }
        } catch (RuntimeException | Error e) {
            told.batchRun(batch.size(), System.nanoTime() - started, true);
            for (Request r : batch) {
                r.result().completeExceptionally(e);
            }
        }
    }

    /** Finishes what is queued, then stops the dispatcher. */
    @Override
    public void close() {
        closed = true;
        try {
            dispatcher.join(TimeUnit.MINUTES.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Request r;
        while ((r = queue.poll()) != null) {
            r.result().completeExceptionally(new IllegalStateException("the chunk batcher is closed"));
        }
    }
}
