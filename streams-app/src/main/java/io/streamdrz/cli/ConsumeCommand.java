package io.streamdrz.cli;

import io.streamdrz.app.StreamdrzConfig;
import io.streamdrz.client.SegmentReader;
import io.streamdrz.eval.Rttm;
import io.streamdrz.schema.SegmentStatus;
import io.streamdrz.schema.SpeakerSegment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code streamdrz consume}: segments-out (final segments), segments-live (provisional ones),
 * both, or segments-revised (each ended call's segments labelled over the whole call), as
 * RTTM or JSON lines, as they arrive.
 */
@Command(name = "consume",
        mixinStandardHelpOptions = true,
        header = "Print segments (final, live or revised) as RTTM or JSON lines.",
        sortOptions = false,
        description = {
            "Print the segments on segments-out as they arrive, as RTTM (file id = call id) or JSON lines. "
                + "Reads committed records only, from every partition, without a consumer group. JSON lines also "
                + "show each call's end ({\"callId\": ..., \"end\": \"END_OF_STREAM\"}).%n",
            "--live reads the provisional segments of segments-live instead, --both both topics. A provisional "
                + "segment's JSON line adds status, revision and finalThroughMs; in RTTM its speaker name ends "
                + "in ~ (A~), so that it is never scored as a final one.%n",
            "--revised reads segments-revised instead: each call's segments once more when it has ended, with "
                + "labels decided over the whole call; its JSON lines add \"status\": \"REVISED\"."},
        footer = {"", "Examples:",
            "  streamdrz consume --from-beginning --calls 1 > call.rttm",
            "  streamdrz consume --format json --timeout 30000",
            "  streamdrz consume --both --format json",
            "  streamdrz consume --revised --from-beginning --calls 1 > call.rttm"})
public final class ConsumeCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    private CommandSpec spec;

    @Mixin
    private KafkaOptions kafka;

    @Option(names = "--format", paramLabel = "rttm|json", defaultValue = "rttm",
            description = "Output format (default: ${DEFAULT-VALUE}).")
    private String format;

    @Option(names = "--live", description = "Read segments-live (provisional segments) instead of segments-out.")
    private boolean live;

    @Option(names = "--both", description = "Read segments-out and segments-live, interleaved as they arrive.")
    private boolean both;

    @Option(names = "--revised", description = "Read segments-revised (each call's segments with labels decided "
            + "over the whole call, once it has ended) instead of segments-out.")
    private boolean revised;

    @Option(names = "--from-beginning", description = "Start at the earliest segment instead of the newest.")
    private boolean fromBeginning;

    @Option(names = "--max-messages", paramLabel = "N", description = "Stop after N segments.")
    private Long maxMessages;

    @Option(names = "--calls", paramLabel = "N", description = "Stop after N calls have ended.")
    private Long calls;

    @Option(names = "--timeout", paramLabel = "MS", description = "Stop when nothing arrives for MS milliseconds.")
    private Long timeoutMs;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of stdout.")
    private Path output;

    private long segments;
    private long ended;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        boolean json = switch (format) {
            case "json" -> true;
            case "rttm" -> false;
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "--format is rttm or json");
        };
        if ((live ? 1 : 0) + (both ? 1 : 0) + (revised ? 1 : 0) > 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--live, --both and --revised exclude each other");
        }
        StreamdrzConfig config;
        try {
            config = kafka.load(Map.of());
        } catch (ConfigException e) {
            err.println("streamdrz consume: " + e.getMessage());
            return 2;
        }
        if (revised && config.segmentsRevisedTopic() == null) {
            err.println("streamdrz consume: --revised, but revised labels are off (streamdrz.revised.enabled=false)");
            return 2;
        }
        List<String> topics = both ? List.of(config.segmentsOutTopic(), config.segmentsLiveTopic())
                : List.of(live ? config.segmentsLiveTopic() : revised ? config.segmentsRevisedTopic()
                        : config.segmentsOutTopic());
        // Call ends count (and print) from the first topic only, so that --both does not see a
        // call end twice; and segments-out's end is the one after which no final segment comes.
        String endTopic = topics.get(0);
        try (Writer file = output == null ? null : Files.newBufferedWriter(output, StandardCharsets.UTF_8);
             SegmentReader reader = new SegmentReader(config.consumerProperties(), topics, fromBeginning)) {
            PrintWriter out = file == null ? spec.commandLine().getOut() : new PrintWriter(file);
            Thread main = Thread.currentThread();
            Thread hook = new Thread(reader::wakeup);
            Runtime.getRuntime().addShutdownHook(hook);
            Duration idle = timeoutMs == null ? null : Duration.ofMillis(timeoutMs);
            reader.read(event -> print(event, out, json, endTopic), idle);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the reader was woken up, output is flushed.
            }
            out.flush();
            return main.isInterrupted() ? 1 : 0;
        } catch (IOException e) {
            err.println("streamdrz consume: cannot write " + output + ": " + e.getMessage());
            return 1;
        } catch (KafkaException | IllegalStateException e) {
            err.println("streamdrz consume: " + e.getMessage());
            return 1;
        }
    }

    /** Prints one event; false once a stop condition is met. */
    private boolean print(SegmentReader.Event event, PrintWriter out, boolean json, String endTopic) {
        if (event instanceof SegmentReader.Segment s) {
            segments++;
            out.print(json ? json(s.segment()) + "\n" : rttm(s.segment()));
        } else if (event instanceof SegmentReader.CallEnded e && e.topic().equals(endTopic)) {
            ended++;
            if (json) {
                out.println(JSON.createObjectNode().put("callId", e.callId()).put("end", e.reason()));
            }
        }
        out.flush();
        return (maxMessages == null || segments < maxMessages) && (calls == null || ended < calls);
    }

    /**
     * One RTTM line. A provisional segment's speaker name ends in {@code ~}: RTTM has no
     * field for status, and a distinct name keeps it apart from final segments when scored.
     */
    static String rttm(SpeakerSegment s) {
        String speaker = s.getStatus() == SegmentStatus.PROVISIONAL ? s.getSpeaker() + "~" : s.getSpeaker();
        return "SPEAKER " + s.getCallId() + " 1 " + Rttm.fixed3(s.getStartMs() / 1000.0) + " "
                + Rttm.fixed3((s.getEndMs() - s.getStartMs()) / 1000.0) + " <NA> <NA> " + speaker + " <NA> <NA>\n";
    }

    static String json(SpeakerSegment s) {
        ObjectNode node = JSON.createObjectNode()
                .put("callId", s.getCallId())
                .put("speaker", s.getSpeaker())
                .put("startMs", s.getStartMs())
                .put("endMs", s.getEndMs())
                .put("confidence", s.getConfidence())
                .put("chunkIndex", s.getChunkIndex())
                .put("modelId", s.getModelId());
        if (s.getSpeakerId() != null) {
            node.put("speakerId", s.getSpeakerId()).put("speakerName", s.getSpeakerName());
        }
        // Final lines stay as they were before version 3, for scripts that read them.
        if (s.getStatus() == SegmentStatus.REVISED) {
            node.put("status", s.getStatus().name());
        } else if (s.getStatus() == SegmentStatus.PROVISIONAL) {
            node.put("status", s.getStatus().name()).put("revision", s.getRevision());
            if (s.getFinalThroughMs() == null) {
                node.putNull("finalThroughMs");
            } else {
                node.put("finalThroughMs", s.getFinalThroughMs());
            }
        }
        return node.toString();
    }
}
