package io.streamdrz.cli;

import io.streamdrz.app.DiarizationApp;
import io.streamdrz.app.DiarizationEngine;
import io.streamdrz.app.StreamdrzConfig;
import io.streamdrz.inference.ModelFixtures;
import io.streamdrz.kafka.EmbeddedKafka;
import io.streamdrz.kafka.EmbeddedKafkaExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code produce}, {@code consume} and {@code demo} against real brokers, as a user runs them. */
@ExtendWith(EmbeddedKafkaExtension.class)
class CommandsIT {

    @TempDir
    Path dir;

    @Test
    void producedFilesComeBackAsRttmAndJsonLines(EmbeddedKafka kafka) throws Exception {
        for (String t : List.of("cmd-audio-in", "cmd-segments-out", "cmd-dlq", "cmd-segments-live", "cmd-revised")) {
            kafka.createTopic(t, 2);
        }
        Path calls = Files.createDirectories(dir.resolve("calls"));
        Files.copy(ModelFixtures.file("call-0.wav"), calls.resolve("alpha.wav"));
        Files.copy(ModelFixtures.file("call-1.wav"), calls.resolve("beta.wav"));
        Path properties = dir.resolve("streamdrz.properties");
        Files.writeString(properties, String.join("\n",
                "bootstrap.servers=" + kafka.bootstrapServers(),
                "application.id=cmd-app",
                "state.dir=" + dir.resolve("state"),
                "commit.interval.ms=100",
                "streamdrz.topic.audio.in=cmd-audio-in",
                "streamdrz.topic.segments.out=cmd-segments-out",
                "streamdrz.topic.dead.letter=cmd-dlq",
                "streamdrz.topic.segments.live=cmd-segments-live",
                "streamdrz.topic.segments.revised=cmd-revised",
                "streamdrz.model.path=" + ModelFixtures.modelPrefix()), StandardCharsets.UTF_8);
        StreamdrzConfig config = StreamdrzConfig.load(properties, Map.of(), Map.of());

        try (DiarizationEngine engine = DiarizationEngine.load(config);
             DiarizationApp app = DiarizationApp.start(config, engine.inference())) {
            assertTrue(app.awaitRunning(Duration.ofMinutes(1)));
            Result produced = run("produce", "--config", properties.toString(), "--encoding", "alaw", "--rate", "8000",
                    "--speed", "8", calls.toString());
            assertEquals(0, produced.exit(), produced.toString());
            assertTrue(produced.err().contains("of 2 call(s)"), produced.toString());

            Result json = run("consume", "--config", properties.toString(), "--from-beginning", "--format", "json",
                    "--calls", "2", "--timeout", "120000");
            assertEquals(0, json.exit(), json.toString());
            ObjectMapper mapper = new ObjectMapper();
            List<JsonNode> lines = new ArrayList<>();
            for (String line : json.out().strip().split("\n")) {
                lines.add(mapper.readTree(line));
            }
            assertEquals(2, lines.stream().filter(l -> l.has("end")).count(), json.out());
            assertTrue(lines.stream().anyMatch(l -> "alpha".equals(l.path("callId").asText()) && l.has("speaker")));
            assertTrue(lines.stream().anyMatch(l -> "beta".equals(l.path("callId").asText()) && l.has("speaker")));

            Result rttm = run("consume", "--config", properties.toString(), "--from-beginning",
                    "--max-messages", "3", "--timeout", "60000");
            assertEquals(0, rttm.exit(), rttm.toString());
            String[] rows = rttm.out().strip().split("\n");
            assertEquals(3, rows.length, rttm.out());
            for (String row : rows) {
                assertTrue(row.matches("SPEAKER (alpha|beta) 1 \\d+\\.\\d{3} \\d+\\.\\d{3} <NA> <NA> [A-Z]+ <NA> <NA>"), row);
            }

            Result revised = run("consume", "--config", properties.toString(), "--from-beginning", "--revised",
                    "--format", "json", "--calls", "2", "--timeout", "60000");
            assertEquals(0, revised.exit(), revised.toString());
            List<JsonNode> again = new ArrayList<>();
            for (String line : revised.out().strip().split("\n")) {
                again.add(mapper.readTree(line));
            }
            assertEquals(2, again.stream().filter(l -> l.has("end")).count(), revised.out());
            assertTrue(again.stream().filter(l -> l.has("speaker")).allMatch(l -> "REVISED".equals(l.path("status").asText())));
            for (String call : List.of("alpha", "beta")) {
                assertTrue(again.stream().anyMatch(l -> call.equals(l.path("callId").asText()) && l.has("speaker")), call);
            }
        }
    }

    @Test
    void theDemoPlaysTheBundledCallAndExitsWhenItIsDone() throws Exception {
        Path rttm = dir.resolve("demo.rttm");
        Path plot = dir.resolve("demo.svg");
        PackagedJar.Result demo = PackagedJar.run(Duration.ofMinutes(5), "demo", "--speed", "0",
                "--rttm", rttm.toString(), "--plot", plot.toString(), "--model", ModelFixtures.modelPrefix().toString());
        assertEquals(0, demo.exit(), demo.toString());
        String out = demo.stdout();
        assertTrue(out.contains("call 'sample-call' ended (END_OF_STREAM)"), out);
        assertTrue(out.contains("DER against the reference"), out);
        assertTrue(out.contains("latency from a chunk"), out);
        assertTrue(out.startsWith("streamdrz demo: Kafka at"), "stdout holds the demo, nothing else: " + out);
        assertTrue(Files.readString(rttm).startsWith("SPEAKER sample-call 1 "), Files.readString(rttm));
        assertTrue(out.contains("DER against the reference sample-call.rttm"), out);
        assertTrue(out.contains("revised at the call's end"), "the revised labels are scored too: " + out);
        assertTrue(out.contains("timeline (open it in a browser): " + plot.toAbsolutePath()), out);
        assertTrue(Files.readString(plot).startsWith("<svg "), "the timeline is an SVG document");
        assertTrue(out.contains("(confidence: "), "the confidence column is explained: " + out);
        List<Double> starts = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.matches(" +\\d+\\.\\d\\d +\\d+\\.\\d\\d .*")) {
                starts.add(Double.parseDouble(line.strip().split(" +")[0]));
            }
        }
        assertTrue(starts.size() >= 2, out);
        List<Double> sorted = new ArrayList<>(starts);
        sorted.sort(null);
        assertEquals(sorted, starts, "segments printed in start order: " + out);
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = StreamdrzCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    private record Result(int exit, String out, String err) {
    }
}
