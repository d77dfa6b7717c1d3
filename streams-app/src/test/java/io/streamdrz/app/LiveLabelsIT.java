package io.streamdrz.app;

import io.streamdrz.client.AudioProducer;
import io.streamdrz.client.CallAudio;
import io.streamdrz.client.SegmentReader;
import io.streamdrz.kafka.EmbeddedKafka;
import io.streamdrz.kafka.EmbeddedKafkaExtension;
import io.streamdrz.schema.SegmentStatus;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live labels with the shipped model on a real broker (issue #18). A 20 s call played in
 * real time gets PROVISIONAL labels on segments-live well before its final segments on
 * segments-out cover the same audio, from the same speakers; and a crash in the middle
 * of the call with live labels on still leaves every final segment exactly once, as the
 * offline recipe gives them.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class LiveLabelsIT {

    private static final String HOP_MS = "1000";
    /** Call time sampled to compare the two streams: every this many ms. */
    private static final long STEP_MS = 100;

    @TempDir
    Path dir;

    @Test
    void provisionalLabelsComeBeforeTheFinalOnesAndFromTheSameSpeakers(EmbeddedKafka kafka) throws Exception {
        StreamdrzConfig config = StreamdrzConfig.of(liveSettings(kafka, "live-early-"));
        CallAudio call = Pipelines.fixtureCall("call-0", "early");
        List<String> offline = Pipelines.rowsOfOffline(Pipelines.offline(call.audio().atRate(16_000).samples()));

        ExecutorService reading = Executors.newSingleThreadExecutor();
        try (DiarizationEngine engine = DiarizationEngine.load(config);
             DiarizationApp app = DiarizationApp.start(config, engine.inference())) {
            assertTrue(app.awaitRunning(Duration.ofMinutes(1)));
            Future<List<SegmentReader.Event>> events = reading.submit(() -> readBothUntilEnded(config));
            Pipelines.produce(config, List.of(call), AudioProducer.Options.realTime());
            Streams streams = Streams.of(events.get(2, TimeUnit.MINUTES));

            assertEquals(offline, Pipelines.rowsOfSegments(streams.finals()), "finals as with live labels off");
            assertProvisional(streams.live());
            assertTrue(speakers(streams.finals()).containsAll(speakers(streams.live())),
                    "live speakers " + speakers(streams.live()) + " among the final " + speakers(streams.finals()));
            assertLiveComesFirst(streams, Math.round(call.audio().seconds() * 1000));
        } finally {
            reading.shutdownNow();
        }
    }

    @Test
    void aCrashMidCallWithLiveLabelsOnLeavesEveryFinalSegmentExactlyOnce(EmbeddedKafka kafka) throws Exception {
        Map<String, String> settings = liveSettings(kafka, "live-crash-");
        // The call must outlive the restart.
        settings.put(StreamdrzConfig.IDLE_TIMEOUT_MS, "120000");
        StreamdrzConfig config = StreamdrzConfig.of(settings);
        CallAudio call = Pipelines.fixtureCall("call-1", "crash");
        List<String> offline = Pipelines.rowsOfOffline(Pipelines.offline(call.audio().atRate(16_000).samples()));

        ExecutorService producing = Executors.newSingleThreadExecutor();
        long killedAtMs;
        try (AppProcess first = AppProcess.start(settings, dir.resolve("first.log"))) {
            awaitReady(first);
            Future<?> produced = producing.submit(() -> {
                Pipelines.produce(config, List.of(call), AudioProducer.Options.realTime());
                return null;
            });
            // 10 s of 20 ms frames committed: chunk 0 is final, live windows of chunk 1 are under way.
            awaitCommitted(kafka, config, 500, first);
            killedAtMs = System.currentTimeMillis();
            first.kill();
            assertFalse(produced.isDone(), "the call was still going on when the app died");
            try (AppProcess second = AppProcess.start(settings, dir.resolve("second.log"))) {
                produced.get(2, TimeUnit.MINUTES);
                Pipelines.Output out = Pipelines.readUntilEnded(config, 1, Duration.ofMinutes(2));
                assertEquals(List.of("END_OF_STREAM"), out.ends().get("crash"), "one end record\n" + second.log());
                assertEquals(offline, Pipelines.rowsOfSegments(out.segments().get("crash")),
                        "the segments of an uninterrupted run, each once\n" + second.log());
            }
        } finally {
            producing.shutdownNow();
        }
        assertLiveGoesOnAfterTheRestart(config, killedAtMs);
    }

    /** What was read from the two topics, each segment with when it was read. */
    private record Streams(List<SegmentReader.Segment> live, List<SegmentReader.Segment> finals) {

        static Streams of(List<SegmentReader.Event> events) {
            List<SegmentReader.Segment> live = new ArrayList<>();
            List<SegmentReader.Segment> finals = new ArrayList<>();
            for (SegmentReader.Event e : events) {
                if (e instanceof SegmentReader.Segment s) {
                    (s.segment().getStatus() == SegmentStatus.PROVISIONAL ? live : finals).add(s);
                }
            }
            return new Streams(live, finals);
        }
    }

    /** One partition per topic, live labels every {@link #HOP_MS}; the state under this test's directory. */
    private Map<String, String> liveSettings(EmbeddedKafka kafka, String prefix) {
        Pipelines.createTopics(kafka, prefix, 1);
        Map<String, String> settings = Pipelines.settings(kafka, prefix, dir.resolve(prefix + "state"));
        settings.put(StreamdrzConfig.LIVE_ENABLED, "true");
        settings.put(StreamdrzConfig.LIVE_HOP_MS, HOP_MS);
        return settings;
    }

    /** Both topics, from the beginning, until each has ended the call. */
    private static List<SegmentReader.Event> readBothUntilEnded(StreamdrzConfig config) {
        List<SegmentReader.Event> events = new ArrayList<>();
        try (SegmentReader reader = new SegmentReader(config.consumerProperties(),
                List.of(config.segmentsOutTopic(), config.liveConfig().topic()), true)) {
            reader.read(event -> {
                events.add(event);
                return events.stream().filter(e -> e instanceof SegmentReader.CallEnded).count() < 2;
            }, Duration.ofMinutes(1));
        }
        return events;
    }

    /** Every live record is PROVISIONAL, and each window's revision is above the one before. */
    private static void assertProvisional(List<SegmentReader.Segment> live) {
        assertFalse(live.isEmpty(), "live labels arrived");
        int revision = 0;
        for (SegmentReader.Segment s : live) {
            assertEquals(SegmentStatus.PROVISIONAL, s.segment().getStatus());
            assertTrue(s.segment().getRevision() >= revision, "revisions grow: " + s.segment());
            revision = s.segment().getRevision();
        }
        // A 20 s call at a 1 s hop has about 20 (17 windows, 3 chunk ends); fewer where windows are slow.
        assertTrue(revision >= 5, "windows of the call: " + revision);
    }

    /**
     * For most moments of the call that both streams label, the first provisional label is
     * read before the first final one. The exceptions are the last hop before each chunk's
     * end: the final run labels that audio itself, in the same transaction as its finals.
     */
    private static void assertLiveComesFirst(Streams streams, long callMs) {
        List<Long> leads = new ArrayList<>();
        for (long t = STEP_MS / 2; t < callMs; t += STEP_MS) {
            long live = firstReadCovering(streams.live(), t);
            long done = firstReadCovering(streams.finals(), t);
            if (live != Long.MAX_VALUE && done != Long.MAX_VALUE) {
                leads.add(done - live);
            }
        }
        Collections.sort(leads);
        long ahead = leads.stream().filter(lead -> lead > 0).count();
        System.out.printf(Locale.ROOT, "LiveLabelsIT: %d of %d moments labelled live first; lead median %.2f s, "
                + "min %.2f s, max %.2f s%n", ahead, leads.size(), leads.get(leads.size() / 2) / 1000.0,
                leads.get(0) / 1000.0, leads.get(leads.size() - 1) / 1000.0);
        assertTrue(leads.size() > callMs / STEP_MS / 2, "both streams label most of the call: " + leads.size());
        assertTrue(ahead >= 0.8 * leads.size(), ahead + " of " + leads.size() + " moments labelled live first");
    }

    private static long firstReadCovering(List<SegmentReader.Segment> segments, long t) {
        return segments.stream().filter(s -> s.segment().getStartMs() <= t && t < s.segment().getEndMs())
                .mapToLong(SegmentReader.Segment::readAtMs).min().orElse(Long.MAX_VALUE);
    }

    private static Set<String> speakers(List<SegmentReader.Segment> segments) {
        Set<String> speakers = new TreeSet<>();
        segments.forEach(s -> speakers.add(s.segment().getSpeaker()));
        return speakers;
    }

    /**
     * The live stream may repeat what the dead instance sent, but it goes on for audio
     * produced after the crash and ends with one end-of-call record.
     */
    private static void assertLiveGoesOnAfterTheRestart(StreamdrzConfig config, long killedAtMs) {
        List<SegmentReader.Event> events = new ArrayList<>();
        try (SegmentReader reader = new SegmentReader(config.consumerProperties(), config.liveConfig().topic(), true)) {
            reader.read(events::add, Duration.ofSeconds(3));
        }
        assertInstanceOf(SegmentReader.CallEnded.class, events.get(events.size() - 1), "the last live record");
        assertEquals(1, events.stream().filter(e -> e instanceof SegmentReader.CallEnded).count());
        assertTrue(events.stream().anyMatch(e -> e instanceof SegmentReader.Segment s && s.timestamp() > killedAtMs),
                "live labels of audio sent after the crash");
    }

    private static void awaitReady(AppProcess app) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!app.log().contains("ready: stream threads running")) {
            assertTrue(app.isAlive() && System.nanoTime() < deadline, "the app did not start:\n" + app.log());
            Thread.sleep(200);
        }
    }

    /** Waits until the app has committed {@code offset} frames of the call (one partition). */
    private static void awaitCommitted(EmbeddedKafka kafka, StreamdrzConfig config, long offset, AppProcess app)
            throws Exception {
        TopicPartition partition = new TopicPartition(config.audioInTopic(), 0);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        try (Admin admin = kafka.admin()) {
            while (System.nanoTime() < deadline) {
                var committed = admin.listConsumerGroupOffsets(config.applicationId()).partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS).get(partition);
                if (committed != null && committed.offset() >= offset) {
                    return;
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the app did not commit " + offset + " frames:\n" + app.log());
    }
}
