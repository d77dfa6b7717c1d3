package io.streamdrz.cli;

import io.streamdrz.app.DiarizationApp;
import io.streamdrz.app.DiarizationEngine;
import io.streamdrz.app.StreamdrzConfig;
import io.streamdrz.audio.AudioDecodeException;
import io.streamdrz.client.AudioProducer;
import io.streamdrz.client.CallAudio;
import io.streamdrz.client.FrameEncoding;
import io.streamdrz.client.SegmentReader;
import io.streamdrz.eval.DerResult;
import io.streamdrz.eval.DiarizationScorer;
import io.streamdrz.eval.Rttm;
import io.streamdrz.eval.SpeakerTurn;
import io.streamdrz.eval.TimelineSvg;
import io.streamdrz.inference.ModelContractException;
import io.streamdrz.schema.AudioEncoding;
import io.streamdrz.schema.AudioFrame;
import io.streamdrz.schema.AudioFrameSerde;
import io.streamdrz.schema.SegmentStatus;
import io.streamdrz.state.CallDiarizationState;
import io.streamdrz.state.OpenSegment;
import io.streamdrz.topology.DiarizationTopology;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@code streamdrz demo}: everything in one process. An embedded Kafka broker, the
 * streams app, a producer that plays a call into audio-in in real time, and a reader
 * that prints the segments as they arrive on segments-out and, at real-time speeds,
 * each call's current speaker from segments-live on the progress line. Exits when the
 * call's end-of-call record has arrived on segments-out.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        header = "Play a call through Kafka and the app, all in one process.",
        sortOptions = false,
        description = {
            "Live demo in one process: starts an embedded Kafka broker and the streams app, plays a call "
                + "into audio-in in real time and prints the speaker segments as they arrive on segments-out; "
                + "while it plays, a status line shows each call's current speaker from segments-live. "
                + "Exits by itself when the call is done. Default call: a bundled 40 s two-speaker phone call with "
                + "a reference RTTM."},
        footer = {"", "Examples:",
            "  streamdrz demo",
            "  streamdrz demo --speed 4 --rttm demo.rttm",
            "  streamdrz demo --input call.wav --encoding mulaw --rate 8000"})
public final class DemoCommand implements Callable<Integer> {

    static final String SAMPLE = "/io/streamdrz/demo/sample-call.wav";
    static final String SAMPLE_RTTM = "/io/streamdrz/demo/sample-call.rttm";

    @Spec
    private CommandSpec spec;

    @Mixin
    private ModelFlags modelFlags;

    @Option(names = {"-i", "--input"}, paramLabel = "FILE",
            description = "Audio file to play (WAV or G.711 .ul/.al; default: the bundled sample call).")
    private Path input;

    @Option(names = "--speed", paramLabel = "X", defaultValue = "1",
            description = "Play X times faster than real time; 0 sends as fast as possible (default: ${DEFAULT-VALUE}).")
    private double speed;

    @Option(names = "--encoding", paramLabel = "ENC", defaultValue = "s16le",
            description = "Frame encoding: s16le, f32le, mulaw, alaw (default: ${DEFAULT-VALUE}).")
    private String encoding;

    @Option(names = "--rate", paramLabel = "HZ", description = "Resample the call to this rate before sending (e.g. 8000).")
    private Integer rate;

    @Option(names = "--frame-ms", paramLabel = "MS", defaultValue = "20",
            description = "Audio per frame (default: ${DEFAULT-VALUE}).")
    private int frameMs;

    @Option(names = "--calls", paramLabel = "N", defaultValue = "1",
            description = "Play N copies of the call at once, as concurrent calls (default: ${DEFAULT-VALUE}).")
    private int copies;

    @Option(names = "--rttm", paramLabel = "FILE", description = "Also write the segments as RTTM to FILE.")
    private Path rttm;

    @Option(names = "--reference", paramLabel = "RTTM",
            description = "Reference RTTM to score against (default: FILE.rttm next to --input, or the sample's).")
    private Path reference;

    @Option(names = "--plot", paramLabel = "FILE.svg",
            description = "Where to draw the call's timeline at the end (default: ~/.streamdrz/demo/timeline.svg).")
    private Path plot;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE", description = "Any other setting, as for run; repeatable.")
    private Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (copies < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--calls must be >= 1");
        }
        CallAudio call;
        AudioEncoding enc;
        try {
            enc = FrameEncoding.parse(encoding);
            call = input == null ? CallAudio.resource(SAMPLE, "sample-call") : CallAudio.read(input, null, null);
            if (rate != null) {
                call = new CallAudio(call.callId(), call.audio().atRate(rate));
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        } catch (AudioDecodeException e) {
            err.println("streamdrz demo: " + e.getMessage());
            return 1;
        }
        List<SpeakerTurn> referenceTurns = referenceTurns(err);

        ExecutorService readerThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "streamdrz-demo-reader"));
        // live labels at real-time speeds; as fast as possible nobody watches them
        Map<String, String> defaults = Map.of(StreamdrzConfig.TOPICS_PARTITIONS, "1",
                StreamdrzConfig.LIVE_ENABLED, String.valueOf(speed > 0));
        try (EmbeddedRun run = EmbeddedRun.start("demo", defaults, settings, modelFlags, RunningApp.Metrics.OPTIONAL,
                err)) {
            StreamdrzConfig config = run.config();
            DiarizationEngine engine = run.running().engine();
            DiarizationApp app = run.running().app();
            double seconds = call.audio().seconds();
            out.printf(Locale.ROOT, "streamdrz demo: Kafka at %s, model %s on %s%n", run.bootstrapServers(),
                    engine.model().contract().modelId, engine.model().device().name().toLowerCase(Locale.ROOT));
            out.printf(Locale.ROOT, "playing %s'%s' (%.1f s, %d Hz, %s, %d ms frames) into %s %s%n",
                    copies == 1 ? "call " : copies + " copies of call ", call.callId(), seconds, call.audio().sampleRate(), enc, frameMs, config.audioInTopic(),
                    speed > 0 ? String.format(Locale.ROOT, "at %.3gx real time", speed) : "as fast as possible");
            out.println(DemoTable.HEADER);
            out.flush();
            // Unpaced, the audio outruns the live windows: their labels would trail far behind it.
            boolean showLive = speed > 0 && config.liveConfig().enabled();
            DemoTable.Progress progress = new DemoTable.Progress(err, seconds, System.console() != null,
                    showLive ? new LiveSpeakers(copies > 1) : null);
            DemoTable table = new DemoTable(out, copies > 1, (id, chunksRead) ->
                    earliestOpenStart(app.streams(), id, chunksRead), progress);

            List<CallAudio> calls = new ArrayList<>();
            for (int i = 1; i <= copies; i++) {
                calls.add(copies == 1 ? call : call.withId(call.callId() + "-" + i));
            }
            List<SegmentReader.Segment> segments = new ArrayList<>();
            Map<String, String> ended = new LinkedHashMap<>();
            List<String> topics = new ArrayList<>(List.of(config.segmentsOutTopic()));
            if (showLive) {
                topics.add(config.liveConfig().topic());
            }
            String revisedTopic = config.segmentsRevisedTopic();
            if (revisedTopic != null) {
                topics.add(revisedTopic);
            }
            List<SegmentReader.Segment> revised = new ArrayList<>();
            Set<String> revisedEnded = new LinkedHashSet<>();
            SegmentReader reader = new SegmentReader(config.consumerProperties(), topics, true);
            Future<Boolean> reading = readerThread.submit(() -> {
                try (reader) {
                    return reader.read(event -> {
                        if (event instanceof SegmentReader.Segment s
                                && s.segment().getStatus() == SegmentStatus.REVISED) {
                            revised.add(s);
                            return true;
                        }
                        if (event instanceof SegmentReader.Segment s && isProvisional(s)) {
                            progress.heardLive(s);
                            return true;
                        }
                        if (event instanceof SegmentReader.Segment s) {
                            segments.add(s);
                            table.segment(s);
                            return true;
                        }
                        SegmentReader.CallEnded end = (SegmentReader.CallEnded) event;
                        if (end.topic().equals(revisedTopic)) {
                            revisedEnded.add(end.callId());
                        } else if (!end.topic().equals(config.segmentsOutTopic())) {
                            progress.liveEnded(end.callId());
                            return true;
                        } else {
                            table.callEnded(end.callId());
                            ended.put(end.callId(), end.reason());
                        }
                        // the revised segments come in the same transaction as the call's end
                        return ended.size() < copies || revisedTopic != null && revisedEnded.size() < copies;
                    }, null);
                }
            });

            Map<String, Object> producerConfig = new HashMap<>(config.producerProperties());
            producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            try (KafkaProducer<String, AudioFrame> producer =
                         new KafkaProducer<>(producerConfig, new StringSerializer(), new AudioFrameSerde())) {
                long[] frames = {0};
                AudioProducer.produce(producer, config.audioInTopic(), calls,
                        new AudioProducer.Options(enc, frameMs, 1, speed, true),
                        frame -> progress.played(Math.min(seconds, ++frames[0] * frameMs / 1000.0 / copies)));
            }
            progress.clear();
            // The last chunk is diarized right after the end-of-stream frame; allow for a slow machine.
            try {
                reading.get(5, TimeUnit.MINUTES);
            } catch (java.util.concurrent.TimeoutException e) {
                reader.wakeup();
                err.println("streamdrz demo: no end-of-call record within 5 minutes of the call's end");
                return 1;
            }
            out.println(DemoTable.LEGEND);
            summarize(out, calls, segments, revised, ended, referenceTurns, referenceName());
            writePlot(out, err, calls, segments, referenceTurns);
            if (rttm != null) {
                StringBuilder text = new StringBuilder();
                for (CallAudio c : calls) {
                    text.append(Rttm.format(c.callId(), turns(segments.stream()
                            .filter(s -> s.callId().equals(c.callId())).toList())));
                }
                Files.writeString(rttm, text, StandardCharsets.UTF_8);
                out.println("wrote " + rttm);
            }
            out.flush();
            return 0;
        } catch (ModelContractException | EmbeddedRun.NotRunningException e) {
            err.println("streamdrz demo: " + e.getMessage());
            return 1;
        } finally {
            readerThread.shutdownNow();
        }
    }

    private static boolean isProvisional(SegmentReader.Segment s) {
        return s.segment().getStatus() == SegmentStatus.PROVISIONAL;
    }

    /**
     * The earliest start of the call's segments that the app still holds open, read from
     * its {@code speaker-prompts} store (the demo runs the app in this process), for
     * {@link DemoTable.OpenSegments}. Negative infinity while that cannot be told: the store
     * is not queryable, the call has no state (not started, or ended: its end-of-call
     * record then releases everything), or the state is from a chunk whose segments have
     * not been read yet.
     */
    private static double earliestOpenStart(KafkaStreams streams, String callId, int chunksRead) {
        try {
            ReadOnlyKeyValueStore<String, CallDiarizationState> store = streams.store(StoreQueryParameters.fromNameAndType(
                    DiarizationTopology.SPEAKER_PROMPTS_STORE, QueryableStoreTypes.<String, CallDiarizationState>keyValueStore()));
            CallDiarizationState state = store.get(callId);
            if (state == null || state.getChunkIndex() > chunksRead + 1) {
                return Double.NEGATIVE_INFINITY;
            }
            return state.getOpen().stream().mapToDouble(OpenSegment::getStartSeconds).min()
                    .orElse(Double.POSITIVE_INFINITY);
        } catch (InvalidStateStoreException e) {
            return Double.NEGATIVE_INFINITY;
        }
    }

    /** The timeline of every call (reference above, when there is one), and where it went. */
    private void writePlot(PrintWriter out, PrintWriter err, List<CallAudio> calls, List<SegmentReader.Segment> segments,
                           List<SpeakerTurn> referenceTurns) {
        List<TimelineSvg.Call> timelines = new ArrayList<>();
        for (CallAudio c : calls) {
            timelines.add(new TimelineSvg.Call(c.callId(), referenceTurns,
                    turns(segments.stream().filter(s -> s.callId().equals(c.callId())).toList())));
        }
        Path file = plot != null ? plot : Path.of(System.getProperty("user.home"), ".streamdrz", "demo", "timeline.svg");
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            Files.writeString(file, TimelineSvg.render(timelines), StandardCharsets.UTF_8);
            out.println("timeline (open it in a browser): " + file.toAbsolutePath());
        } catch (IOException e) {
            err.println("streamdrz demo: cannot write the timeline " + file + ": " + e.getMessage());
        }
    }

    /** How the reference is named in the summary: its path, or the bundled sample's. */
    private String referenceName() {
        if (reference != null) {
            return reference.toString();
        }
        if (input == null) {
            return "sample-call.rttm (bundled with the sample call)";
        }
        return referenceSibling().toString();
    }

    private Path referenceSibling() {
        String name = input.getFileName().toString();
        return input.resolveSibling((name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name) + ".rttm");
    }

    private static void summarize(PrintWriter out, List<CallAudio> calls, List<SegmentReader.Segment> segments,
                                  List<SegmentReader.Segment> revised, Map<String, String> ended,
                                  List<SpeakerTurn> reference, String referenceName) {
        List<Long> latencies = new ArrayList<>();
        for (SegmentReader.Segment s : segments) {
            latencies.add(s.readAtMs() - s.timestamp());
        }
        latencies.sort(null);
        for (CallAudio call : calls) {
            List<SegmentReader.Segment> own = segments.stream().filter(s -> s.callId().equals(call.callId())).toList();
            Set<String> speakers = new LinkedHashSet<>();
            own.forEach(s -> speakers.add(s.segment().getSpeaker()));
            out.printf(Locale.ROOT, "call '%s' ended (%s): %d segments, speakers %s%n", call.callId(),
                    ended.get(call.callId()), own.size(), String.join(" ", speakers));
            List<SegmentReader.Segment> whole = revised.stream().filter(s -> s.callId().equals(call.callId())).toList();
            if (reference != null) {
                printDer(out, "DER against the reference " + referenceName, reference, turns(own));
                if (!whole.isEmpty()) {
                    printDer(out, "revised at the call's end (" + whole.size() + " segments on segments-revised)",
                            reference, turns(whole));
                }
            }
        }
        if (!latencies.isEmpty()) {
            out.printf(Locale.ROOT, "latency from a chunk's last audio frame sent to its segments read (%d segments): "
                            + "median %.2f s, 95th percentile %.2f s, max %.2f s%n", latencies.size(),
                    latencies.get(latencies.size() / 2) / 1000.0,
                    latencies.get(Math.min(latencies.size() - 1, (int) Math.ceil(latencies.size() * 0.95) - 1)) / 1000.0,
                    latencies.get(latencies.size() - 1) / 1000.0);
        }
    }

    private static void printDer(PrintWriter out, String what, List<SpeakerTurn> reference, List<SpeakerTurn> hyp) {
        DerResult strict = DiarizationScorer.score(reference, hyp, 0.0, null, DiarizationScorer.DefaultRegion.UNION);
        DerResult lenient = DiarizationScorer.score(reference, hyp, 0.25, null, DiarizationScorer.DefaultRegion.UNION);
        out.printf(Locale.ROOT, "  %s: %.1f%% (collar 0), %.1f%% (collar 0.25 s)%n", what, 100 * strict.der(),
                100 * lenient.der());
    }

    static List<SpeakerTurn> turns(List<SegmentReader.Segment> segments) {
        List<SpeakerTurn> turns = new ArrayList<>();
        for (SegmentReader.Segment s : segments) {
            turns.add(new SpeakerTurn(s.segment().getStartMs() / 1000.0, s.segment().getEndMs() / 1000.0,
                    s.segment().getSpeaker()));
        }
        return turns;
    }

    private List<SpeakerTurn> referenceTurns(PrintWriter err) {
        try {
            if (reference != null) {
                return allTurns(Rttm.read(reference));
            }
            if (input == null) {
                try (InputStream in = DemoCommand.class.getResourceAsStream(SAMPLE_RTTM)) {
                    if (in == null) {
                        return null;
                    }
                    String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    return allTurns(Rttm.parse(text.lines().toList(), SAMPLE_RTTM));
                }
            }
            Path sibling = referenceSibling();
            return Files.isRegularFile(sibling) ? allTurns(Rttm.read(sibling)) : null;
        } catch (IOException e) {
            err.println("streamdrz demo: ignoring the reference: " + e.getMessage());
            return null;
        }
    }

    private static List<SpeakerTurn> allTurns(Map<String, List<SpeakerTurn>> byFile) {
        List<SpeakerTurn> all = new ArrayList<>();
        byFile.values().forEach(all::addAll);
        return all;
    }
}
