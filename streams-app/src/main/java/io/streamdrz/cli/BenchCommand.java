package io.streamdrz.cli;

import io.streamdrz.app.DiarizationEngine;
import io.streamdrz.app.StreamdrzConfig;
import io.streamdrz.audio.AudioClip;
import io.streamdrz.audio.AudioDecodeException;
import io.streamdrz.bench.FirstLabels;
import io.streamdrz.bench.LatencyStats;
import io.streamdrz.bench.ResourceMeter;
import io.streamdrz.metrics.EngineMetrics;
import io.streamdrz.bench.Sustainability;
import io.streamdrz.client.AudioProducer;
import io.streamdrz.client.CallAudio;
import io.streamdrz.client.SegmentReader;
import io.streamdrz.inference.ChunkBatcher;
import io.streamdrz.inference.ModelContractException;
import io.streamdrz.schema.AudioEncoding;
import io.streamdrz.schema.AudioFrame;
import io.streamdrz.schema.SegmentStatus;
import io.streamdrz.schema.AudioFrameSerde;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code streamdrz bench}: end-to-end load on the real topology with the real engine.
 * An embedded broker, the streams app as {@code run} starts it, and a load generator
 * in the same JVM that plays N calls into audio-in in real time (staggered starts)
 * while a reader measures every segment's latency on segments-out. N ramps up until a
 * step is not sustained ({@link Sustainability}).
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        header = "Load test: how many live calls one instance keeps up with.",
        sortOptions = false,
        description = {
            "End-to-end load test: an embedded Kafka broker and the streams app with the real model; N "
                + "concurrent calls played into audio-in in real time with staggered starts, N ramping up until "
                + "the app no longer keeps up (p99 latency above --max-p99-ms, consumer lag growing, or calls not "
                + "finishing). Prints per step: latency from a chunk's last frame produced to its segments "
                + "readable, real-time factor, CPU and memory; then the largest sustained N."},
        footer = {"", "Examples:",
            "  streamdrz bench --quick",
            "  streamdrz bench --calls 8,16,32,48,64 --json bench.json",
            "  streamdrz bench --input calls/ --duration 120 --calls 16"})
public final class BenchCommand implements Callable<Integer> {

    static final List<Integer> DEFAULT_RAMP = List.of(1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128);

    @Spec
    private CommandSpec spec;

    @Mixin
    private ModelFlags modelFlags;

    @Option(names = {"-i", "--input"}, paramLabel = "PATH",
            description = "A WAV file or a directory of them; call i plays file i mod count (default: the bundled demo call).")
    private Path input;

    @Option(names = "--calls", paramLabel = "N,N,...", split = ",", hideParamSyntax = true,
            description = "Concurrent calls per step, in order (default: 1,2,4,8,12,16,24,32,48,64,96,128).")
    private List<Integer> ramp;

    @Option(names = "--quick", description = "Two short steps (2 and 8 calls of 12 s): a smoke test of about a minute.")
    private boolean quick;

    @Option(names = "--duration", paramLabel = "SECONDS",
            description = "Make every call this long (cut, or the audio looped); default: the file's own length.")
    private Double duration;

    @Option(names = "--stagger-ms", paramLabel = "MS",
            description = "Call starts spread evenly over this span (default: one chunk, so chunk ends are spread too).")
    private Long staggerMs;

    @Option(names = "--max-p99-ms", paramLabel = "MS", defaultValue = "1000",
            description = "A step is sustained only if its p99 latency is at most this (default: ${DEFAULT-VALUE}).")
    private long maxP99Ms;

    @Option(names = "--max-first-label-p99-ms", paramLabel = "MS", defaultValue = "2000",
            description = "With live labels on, a step is sustained only if the p99 latency from audio produced to its "
                    + "first label is at most this (default: ${DEFAULT-VALUE}).")
    private long maxFirstLabelP99Ms;

    @Option(names = "--frame-ms", paramLabel = "MS", defaultValue = "20",
            description = "Audio per frame (default: ${DEFAULT-VALUE}).")
    private int frameMs;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "0",
            description = "Before the steps, N real-time calls whose results are printed as a warm-up and not counted: "
                    + "a fresh JVM spends its first minutes compiling the hot code, which an instance that has run "
                    + "a while does not (default: ${DEFAULT-VALUE}, only one short call as fast as possible).")
    private int warmupCalls;

    @Option(names = "--keep-going", description = "Run every step even after one is not sustained.")
    private boolean keepGoing;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
    private Path json;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE", description = "Any other setting, as for run; repeatable.")
    private Map<String, String> settings = new LinkedHashMap<>();

    /** One step's measurements. */
    public record Step(int calls, double audioSeconds, int callsEnded, int events, long p50Ms, long p95Ms,
                       long p99Ms, long maxMs, long lagMax, double lagSlope, double framesPerSecond,
                       double wallSeconds, double processCpuSeconds, double appCpuSeconds, double cores,
                       double rtf, double modelRtf, double meanBatch, long heapPeakBytes, long rssPeakBytes,
                       FirstLabel firstLabel, boolean sustained, List<String> violations) {
    }

    /**
     * Latency from audio produced to the first (provisional) label covering it ({@link FirstLabels});
     * null with live labels off.
     *
     * @param frames          frames a provisional segment labelled first
     * @param finalFirstShare share of the labelled frames whose first label was a final one
     * @param liveRecords     provisional segments read
     * @param windows         live windows the model ran
     * @param windowModelMs   mean model time of a live window run, features included
     */
    public record FirstLabel(int frames, long p50Ms, long p95Ms, long p99Ms, long maxMs, double finalFirstShare,
                             long liveRecords, long windows, double windowModelMs) {
    }

    /** The whole run, as written by --json. */
    public record Report(String modelId, String device, int cores, String javaVersion, double loadAverageBefore,
                         Map<String, String> settings, double callSeconds, long staggerMs, long maxP99Ms,
                         List<Step> steps, int largestSustained) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Integer> steps = ramp != null ? ramp : quick ? List.of(2, 8) : DEFAULT_RAMP;
        for (int n : steps) {
            if (n < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--calls values must be >= 1");
            }
        }
        if (quick && duration == null) {
            duration = 12.0;
        }
        List<CallAudio> sources;
        try {
            sources = input == null ? List.of(CallAudio.resource(DemoCommand.SAMPLE, "sample-call"))
                    : CallAudio.readAll(input, null, null);
        } catch (AudioDecodeException e) {
            err.println("streamdrz bench: " + e.getMessage());
            return 1;
        }
        if (duration != null) {
            List<CallAudio> cut = new ArrayList<>();
            for (CallAudio c : sources) {
                cut.add(new CallAudio(c.callId(), withLength(c.audio(), duration)));
            }
            sources = cut;
        }
        double loadBefore = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

        try (EmbeddedRun run = EmbeddedRun.start("bench", Map.of(), settings, modelFlags, RunningApp.Metrics.OFF, err);
             Admin admin = Admin.create(run.config().adminProperties())) {
            StreamdrzConfig config = run.config();
            DiarizationEngine engine = run.running().engine();
            double chunkSeconds = engine.model().contract().chunkSeconds;
            long stagger = staggerMs != null ? staggerMs : Math.round(chunkSeconds * 1000);
            double callSeconds = sources.stream().mapToDouble(c -> c.audio().seconds()).average().orElse(0);
            Map<String, String> shown = new LinkedHashMap<>();
            StreamsConfig streamsConfig = new StreamsConfig(config.streamsProperties());
            shown.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG,
                    String.valueOf(streamsConfig.getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG)));
            shown.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
                    String.valueOf(streamsConfig.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)));
            for (String key : List.of(StreamdrzConfig.TOPICS_PARTITIONS, StreamdrzConfig.MODEL_THREADS,
                    StreamdrzConfig.MODEL_BATCH_MAX, StreamdrzConfig.MODEL_BATCH_WAIT_MS, StreamdrzConfig.LIVE_ENABLED,
                    StreamdrzConfig.LIVE_HOP_MS)) {
                shown.put(key, String.valueOf(config.values().get(key)));
            }
            shown.putAll(settings);
            out.printf(Locale.ROOT, "streamdrz bench: model %s on %s, %d cores, load average %.2f before start%n",
                    engine.model().contract().modelId, engine.model().device().name().toLowerCase(Locale.ROOT),
                    Runtime.getRuntime().availableProcessors(), loadBefore);
            out.printf(Locale.ROOT, "settings: %s%n", shown);
            out.printf(Locale.ROOT, "calls of %.1f s (%d source file%s), %d ms frames, real time, starts spread over "
                            + "%d ms; sustained = every call finished, p99 <= %d ms, lag not growing%n",
                    callSeconds, sources.size(), sources.size() == 1 ? "" : "s", frameMs, stagger, maxP99Ms);
            out.flush();

            Load load = new Load(config, admin, engine.batcher(), engine.metrics(),
                    Sustainability.defaults().withMaxP99(maxP99Ms),
                    config.liveConfig().enabled() ? maxFirstLabelP99Ms : -1);
            // Warm-up: one short call as fast as possible, so the JIT does not weigh on the first step.
            load.run("warmup", List.of(new CallAudio("warmup", withLength(sources.get(0).audio(), 2 * chunkSeconds))),
                    new long[1], 0, frameMs, chunkSeconds);

            out.println(" calls   audio s  events    p50 ms   p95 ms   p99 ms   max ms   lag max   cores   app cores"
                    + "   RTF     model RTF  batch   heap MB   RSS MB  first label p50/p95/p99 ms (final first), windows"
                    + "  sustained");
            out.flush();
            if (warmupCalls > 0) {
                out.print("warm-up, not counted:\n");
                printStep(out, runStep(load, "warmup", warmupCalls, sources, stagger, frameMs, chunkSeconds));
            }
            List<Step> results = new ArrayList<>();
            for (int k = 0; k < steps.size(); k++) {
                int n = steps.get(k);
                // the step's number keeps the ids of a repeated step apart: an ended call's id takes no more audio
                Step step = runStep(load, String.valueOf(k + 1), n, sources, stagger, frameMs, chunkSeconds);
                results.add(step);
                printStep(out, step);
                if (!step.sustained() && !keepGoing) {
                    break;
                }
            }
            int best = Sustainability.largestSustained(results.stream().map(Step::calls).toList(),
                    results.stream().map(Step::sustained).toList());
            out.printf(Locale.ROOT, "largest sustained: %d concurrent real-time calls%n", best);
            out.flush();
            if (json != null) {
                Report report = new Report(engine.model().contract().modelId,
                        engine.model().device().name().toLowerCase(Locale.ROOT),
                        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                        loadBefore, shown, callSeconds, stagger, maxP99Ms, results, best);
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), report);
                out.println("wrote " + json);
            }
            return 0;
        } catch (ModelContractException | EmbeddedRun.NotRunningException e) {
            err.println("streamdrz bench: " + e.getMessage());
            return 1;
        }
    }

    private static void printStep(PrintWriter out, Step s) {
        FirstLabel f = s.firstLabel();
        String first = f == null ? "(live labels off)"
                : String.format(Locale.ROOT, "%d/%d/%d (%.1f %%), %d windows of %.1f ms", f.p50Ms(), f.p95Ms(),
                        f.p99Ms(), 100 * f.finalFirstShare(), f.windows(), f.windowModelMs());
        out.printf(Locale.ROOT, "%6d  %8.0f  %6d  %8d %8d %8d %8d  %8d  %6.2f  %9.2f  %7.4f  %9.4f  %5.2f  %8.0f  %7.0f"
                        + "  %-26s  %s%n",
                s.calls(), s.audioSeconds(), s.events(), s.p50Ms(), s.p95Ms(), s.p99Ms(), s.maxMs(), s.lagMax(),
                s.cores(), s.appCpuSeconds() / Math.max(1e-9, s.wallSeconds()), s.rtf(), s.modelRtf(), s.meanBatch(),
                s.heapPeakBytes() / 1048576.0, s.rssPeakBytes() / 1048576.0, first,
                s.sustained() ? "yes" : "NO: " + String.join("; ", s.violations()));
        out.flush();
    }

    /** {@code n} real-time calls, their starts spread over {@code stagger} ms, ids tagged with {@code tag}. */
    private static Step runStep(Load load, String tag, int n, List<CallAudio> sources, long stagger, int frameMs,
                                double chunkSeconds) throws Exception {
        List<CallAudio> calls = new ArrayList<>();
        long[] delays = new long[n];
        for (int i = 0; i < n; i++) {
            CallAudio src = sources.get(i % sources.size());
            calls.add(src.withId("bench-" + tag + "-" + n + "-" + i + "-" + src.callId()));
            delays[i] = n == 1 ? 0 : stagger * i / n;
        }
        return load.run("step " + n, calls, delays, 1.0, frameMs, chunkSeconds);
    }

    /** {@code clip} cut or looped to {@code seconds}. */
    static AudioClip withLength(AudioClip clip, double seconds) {
        int n = (int) Math.round(seconds * clip.sampleRate());
        float[] src = clip.samples();
        float[] out = new float[n];
        for (int i = 0; i < n && src.length > 0; i += src.length) {
            System.arraycopy(src, 0, out, i, Math.min(src.length, n - i));
        }
        return new AudioClip(out, clip.sampleRate());
    }

    /** Plays one step's calls and measures it. */
    private static final class Load {
        private final StreamdrzConfig config;
        private final Admin admin;
        private final ChunkBatcher batcher;
        private final EngineMetrics metrics;
        private final Sustainability criterion;
        /** With live labels on, the most the first label's p99 may be; -1: live labels off. */
        private final long maxFirstLabelP99Ms;
        private final ResourceMeter meter = new ResourceMeter(
                name -> name.contains("-StreamThread-") || name.startsWith("streamdrz-chunk-batcher"));

        Load(StreamdrzConfig config, Admin admin, ChunkBatcher batcher, EngineMetrics metrics,
             Sustainability criterion, long maxFirstLabelP99Ms) {
            this.config = config;
            this.admin = admin;
            this.batcher = batcher;
            this.metrics = metrics;
            this.criterion = criterion;
            this.maxFirstLabelP99Ms = maxFirstLabelP99Ms;
        }

        private boolean live() {
            return maxFirstLabelP99Ms >= 0;
        }

        Step run(String name, List<CallAudio> calls, long[] delays, double speed, int frameMs, double chunkSeconds)
                throws Exception {
            Set<String> ids = ConcurrentHashMap.newKeySet();
            calls.forEach(c -> ids.add(c.callId()));
            List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
            Set<String> ended = ConcurrentHashMap.newKeySet();
            CountDownLatch allEnded = new CountDownLatch(1);
            FirstLabels firstLabels = new FirstLabels(frameMs);
            java.util.concurrent.atomic.AtomicLong liveRecords = new java.util.concurrent.atomic.AtomicLong();
            SegmentReader reader = new SegmentReader(config.consumerProperties(), live()
                    ? List.of(config.segmentsOutTopic(), config.liveConfig().topic()) : List.of(config.segmentsOutTopic()),
                    false);
            Thread readerThread = new Thread(() -> {
                try (reader) {
                    reader.read(event -> {
                        if (!ids.contains(event.callId())) {
                            return true;
                        }
                        if (event instanceof SegmentReader.Segment s) {
                            boolean provisional = s.segment().getStatus() == SegmentStatus.PROVISIONAL;
                            firstLabels.labelled(s.callId(), s.segment().getStartMs(), s.segment().getEndMs(),
                                    s.readAtMs(), provisional);
                            if (provisional) {
                                liveRecords.incrementAndGet();
                                return true;    // the final latency is of segments-out alone, as without live labels
                            }
                        } else if (!((SegmentReader.CallEnded) event).topic().equals(config.segmentsOutTopic())) {
                            return true;
                        }
                        long readAt = event instanceof SegmentReader.Segment s ? s.readAtMs()
                                : ((SegmentReader.CallEnded) event).readAtMs();
                        latencies.add(readAt - event.timestamp());
                        if (event instanceof SegmentReader.CallEnded) {
                            ended.add(event.callId());
                            if (ended.size() == ids.size()) {
                                allEnded.countDown();
                                return false;
                            }
                        }
                        return true;
                    }, null);
                }
            }, "streamdrz-bench-reader");
            readerThread.start();

            List<double[]> lagSamples = java.util.Collections.synchronizedList(new ArrayList<>());
            long[] lagMax = {0};
            long t0 = System.nanoTime();
            java.util.concurrent.atomic.AtomicBoolean producing = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    meter.sample();
                    long lag = lag();
                    if (lag >= 0) {
                        lagMax[0] = Math.max(lagMax[0], lag);
                        if (producing.get()) {
                            lagSamples.add(new double[]{(System.nanoTime() - t0) / 1e9, lag});
                        }
                    }
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "streamdrz-bench-sampler");

            long batchesBefore = batcher.batches();
            long chunksBefore = batcher.chunks();
            long runNanosBefore = batcher.runNanos();
            long windowsBefore = metrics.getLiveWindowsTotal();
            double windowSecondsBefore = metrics.getLiveInferenceSecondsTotal();
            meter.start();
            sampler.start();
            Map<String, Object> producerConfig = new HashMap<>(config.producerProperties());
            producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            long frames;
            try (KafkaProducer<String, AudioFrame> producer =
                         new KafkaProducer<>(producerConfig, new StringSerializer(), new AudioFrameSerde())) {
                frames = AudioProducer.produce(producer, config.audioInTopic(), calls, delays,
                        new AudioProducer.Options(AudioEncoding.PCM_S16LE, frameMs, 1, speed, true),
                        f -> firstLabels.produced(f.getCallId(), f.getSequenceNumber(), f.getProducerTimestampMs()));
            }
            double producedFor = (System.nanoTime() - t0) / 1e9;
            producing.set(false);
            boolean done = allEnded.await(Math.round((chunkSeconds + 60) * 1000), TimeUnit.MILLISECONDS);
            if (!done) {
                reader.wakeup();
            }
            ResourceMeter.Usage usage = meter.stop();
            sampler.interrupt();
            sampler.join();
            readerThread.join(TimeUnit.SECONDS.toMillis(10));

            long[] values;
            synchronized (latencies) {
                values = latencies.stream().mapToLong(Long::longValue).toArray();
            }
            LatencyStats stats = new LatencyStats(values);
            double[] ts;
            double[] lags;
            synchronized (lagSamples) {
                ts = lagSamples.stream().mapToDouble(s -> s[0]).toArray();
                lags = lagSamples.stream().mapToDouble(s -> s[1]).toArray();
            }
            double slope = Sustainability.slope(ts, lags);
            double framesPerSecond = speed > 0 ? frames / producedFor : 0;
            double audio = calls.stream().mapToDouble(c -> c.audio().seconds()).sum();
            long batches = batcher.batches() - batchesBefore;
            long chunks = batcher.chunks() - chunksBefore;
            double modelSeconds = (batcher.runNanos() - runNanosBefore) / 1e9;
            List<String> violations = new ArrayList<>(criterion.violations(calls.size(), ended.size(),
                    stats.percentile(99), slope, framesPerSecond));
            FirstLabel first = null;
            if (live()) {
                LatencyStats f = firstLabels.stats();
                long windows = metrics.getLiveWindowsTotal() - windowsBefore;
                double windowSeconds = metrics.getLiveInferenceSecondsTotal() - windowSecondsBefore;
                first = new FirstLabel(f.count(), f.percentile(50), f.percentile(95), f.percentile(99), f.max(),
                        firstLabels.finalFirstShare(), liveRecords.get(), windows,
                        windows == 0 ? 0 : 1000 * windowSeconds / windows);
                if (speed > 0 && f.percentile(99) > maxFirstLabelP99Ms) {
                    violations.add("first label p99 " + f.percentile(99) + " ms > " + maxFirstLabelP99Ms + " ms");
                }
            }
            return new Step(calls.size(), audio, ended.size(), stats.count(), stats.percentile(50),
                    stats.percentile(95), stats.percentile(99), stats.max(), lagMax[0], slope, framesPerSecond,
                    usage.wallSeconds(), usage.processCpuSeconds(), usage.selectedCpuSeconds(), usage.processCores(),
                    usage.processCpuSeconds() / audio, modelSeconds / audio,
                    batches == 0 ? 0 : chunks / (double) batches, usage.heapPeakBytes(), usage.rssPeakBytes(),
                    first, violations.isEmpty(), violations);
        }

        /** Records of audio-in not yet committed by the app; -1 if it cannot be read now. */
        private long lag() {
            try {
                Map<TopicPartition, OffsetAndMetadata> committed = admin
                        .listConsumerGroupOffsets(config.applicationId()).partitionsToOffsetAndMetadata()
                        .get(5, TimeUnit.SECONDS);
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                for (int p = 0; p < config.topicPartitions(); p++) {
                    latest.put(new TopicPartition(config.audioInTopic(), p), OffsetSpec.latest());
                }
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                        admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
                long lag = 0;
                for (var e : ends.entrySet()) {
                    OffsetAndMetadata c = committed.get(e.getKey());
                    lag += e.getValue().offset() - (c == null ? 0 : c.offset());
                }
                return lag;
            } catch (Exception e) {
                return -1;
            }
        }
    }
}
