package io.streamdrz.app;

import io.streamdrz.audio.AudioClip;
import io.streamdrz.client.AudioProducer;
import io.streamdrz.client.CallAudio;
import io.streamdrz.kafka.EmbeddedKafka;
import io.streamdrz.kafka.EmbeddedKafkaExtension;
import io.streamdrz.schema.AudioEncoding;

import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The memory soak of issue #22, a benchmark rather than a test (skipped unless
 * {@code -Dstreamdrz.soak=true}): ten long calls through the real engine and the embedded
 * broker, produced faster than real time, with the process's RSS, the heap in use and the
 * state directory's size sampled every 5 s and printed as {@code soak:} lines. Knobs:
 * {@code -Dstreamdrz.soak.minutes} (length of each call, 10), {@code -Dstreamdrz.soak.speed}
 * (times real time, 20), {@code -Dstreamdrz.soak.rocksdb=kafka} (Kafka Streams' own RocksDB
 * settings instead of {@link BoundedRocksDbMemory}). The RSS includes the embedded broker,
 * which runs in the same JVM: compare runs with each other, not with a deployment.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class MemorySoakIT {

    private static final String PREFIX = "soak-";
    private static final int CALLS = 10;

    @TempDir
    Path dir;

    /** Kafka Streams' RocksDB settings, unchanged: what the app had before issue #22. */
    public static final class KafkaDefaultRocksDb implements RocksDBConfigSetter {
        @Override
        public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        }

        @Override
        public void close(String storeName, Options options) {
        }
    }

    @Test
    void tenLongCallsFasterThanRealTime(EmbeddedKafka kafka) throws Exception {
        assumeTrue(Boolean.getBoolean("streamdrz.soak"), "a benchmark: -Dstreamdrz.soak=true runs it");
        int minutes = Integer.getInteger("streamdrz.soak.minutes", 10);
        double speed = Double.parseDouble(System.getProperty("streamdrz.soak.speed", "20"));
        boolean kafkaRocksDb = "kafka".equals(System.getProperty("streamdrz.soak.rocksdb"));
        Pipelines.createTopics(kafka, PREFIX, 4);
        Map<String, String> settings = Pipelines.settings(kafka, PREFIX, dir.resolve("state"));
        settings.put(StreamdrzConfig.IDLE_TIMEOUT_MS, "600000");
        if (kafkaRocksDb) {
            settings.put("rocksdb.config.setter", KafkaDefaultRocksDb.class.getName());
        }
        StreamdrzConfig config = StreamdrzConfig.of(settings);
        List<CallAudio> calls = longCalls(minutes);
        System.out.printf(Locale.ROOT, "soak: %d calls of %d min at %.0fx real time, RocksDB %s%n", CALLS, minutes,
                speed, kafkaRocksDb ? "Kafka Streams' defaults" : "BoundedRocksDbMemory");
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        long start = System.nanoTime();
        try (DiarizationEngine engine = DiarizationEngine.load(config);
             DiarizationApp app = DiarizationApp.start(config, engine.inference())) {
            app.awaitRunning(Duration.ofMinutes(1));
            sampler.scheduleAtFixedRate(() -> sample(start, dir.resolve("state")), 0, 5, TimeUnit.SECONDS);
            Pipelines.produce(config, calls, new AudioProducer.Options(AudioEncoding.PCM_S16LE, 20, 1, speed, true));
            Pipelines.readUntilEnded(config, CALLS, Duration.ofMinutes(60));
            sample(start, dir.resolve("state"));
        } finally {
            sampler.shutdownNow();
        }
    }

    /** Ten calls of {@code minutes}, each the fixture call looped (one shared array, so the test's heap stays small). */
    private static List<CallAudio> longCalls(int minutes) throws Exception {
        AudioClip one = Pipelines.fixtureCall("call-0", "x").audio().atRate(16_000);
        float[] samples = new float[minutes * 60 * 16_000];
        for (int i = 0; i < samples.length; i += one.samples().length) {
            System.arraycopy(one.samples(), 0, samples, i, Math.min(one.samples().length, samples.length - i));
        }
        AudioClip clip = new AudioClip(samples, 16_000);
        List<CallAudio> calls = new ArrayList<>();
        for (int c = 0; c < CALLS; c++) {
            calls.add(new CallAudio("soak-call-" + c, clip));
        }
        return calls;
    }

    private static void sample(long start, Path stateDir) {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long rss = rssBytes();
        // RSS minus the committed heap: native memory (RocksDB, ONNX Runtime, metaspace, threads, the broker's too).
        System.out.printf(Locale.ROOT, "soak: t=%4.0f s  rss=%5d MB  heap used=%5d MB  committed=%5d MB  "
                        + "rss-committed=%5d MB  state=%5d MB%n", (System.nanoTime() - start) / 1e9, rss >> 20,
                heap.getUsed() >> 20, heap.getCommitted() >> 20, (rss - heap.getCommitted()) >> 20,
                sizeOf(stateDir) >> 20);
    }

    private static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static long sizeOf(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;   // a file RocksDB deleted meanwhile
                }
            }).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return -1;
        }
    }
}
