package io.streamdrz.cli;

import io.streamdrz.app.StreamdrzConfig;
import io.streamdrz.client.SegmentReader;
import io.streamdrz.eval.Rttm;
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
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code streamdrz consume}: segments-out as RTTM or JSON lines, as they arrive. */
@Command(name = "consume",
        mixinStandardHelpOptions = true,
        header = "Print the segments of segments-out as RTTM or JSON lines.",
        sortOptions = false,
        description = {
            "Print the segments on segments-out as they arrive, as RTTM (file id = call id) or JSON lines. "
                + "Reads committed records only, from every partition, without a consumer group. JSON lines also "
                + "show each call's end ({\"callId\": ..., \"end\": \"END_OF_STREAM\"})."},
        footer = {"", "Examples:",
            "  streamdrz consume --from-beginning --calls 1 > call.rttm",
            "  streamdrz consume --format json --timeout 30000"})
public final class ConsumeCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    private CommandSpec spec;

    @Mixin
    private KafkaOptions kafka;

    @Option(names = "--format", paramLabel = "rttm|json", defaultValue = "rttm",
            description = "Output format (default: ${DEFAULT-VALUE}).")
    private String format;

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

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        boolean json = switch (format) {
            case "json" -> true;
            case "rttm" -> false;
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "--format is rttm or json");
        };
        StreamdrzConfig config;
        try {
            config = kafka.load(Map.of());
        } catch (ConfigException e) {
            err.println("streamdrz consume: " + e.getMessage());
            return 2;
        }
        long[] segments = {0};
        long[] ended = {0};
        try (Writer file = output == null ? null : Files.newBufferedWriter(output, StandardCharsets.UTF_8);
             SegmentReader reader = new SegmentReader(config.consumerProperties(), config.segmentsOutTopic(),
                     fromBeginning)) {
            PrintWriter out = file == null ? spec.commandLine().getOut() : new PrintWriter(file);
            Thread main = Thread.currentThread();
            Thread hook = new Thread(reader::wakeup);
            Runtime.getRuntime().addShutdownHook(hook);
            reader.read(event -> {
                if (event instanceof SegmentReader.Segment s) {
                    segments[0]++;
                    out.print(json ? json(s.segment()) + "\n" : rttm(s.segment()));
                } else if (event instanceof SegmentReader.CallEnded e) {
                    ended[0]++;
                    if (json) {
                        ObjectNode node = JSON.createObjectNode().put("callId", e.callId()).put("end", e.reason());
                        out.println(node);
                    }
                }
                out.flush();
                return (maxMessages == null || segments[0] < maxMessages) && (calls == null || ended[0] < calls);
            }, timeoutMs == null ? null : Duration.ofMillis(timeoutMs));
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

    static String rttm(SpeakerSegment s) {
        return "SPEAKER " + s.getCallId() + " 1 " + Rttm.fixed3(s.getStartMs() / 1000.0) + " "
                + Rttm.fixed3((s.getEndMs() - s.getStartMs()) / 1000.0) + " <NA> <NA> " + s.getSpeaker() + " <NA> <NA>\n";
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
        return node.toString();
    }
}
