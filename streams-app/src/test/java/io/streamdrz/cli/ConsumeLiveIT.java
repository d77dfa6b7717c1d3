package io.streamdrz.cli;

import io.streamdrz.kafka.EmbeddedKafka;
import io.streamdrz.kafka.EmbeddedKafkaExtension;
import io.streamdrz.schema.SegmentStatus;
import io.streamdrz.schema.SpeakerSegment;
import io.streamdrz.schema.SpeakerSegmentSerde;
import io.streamdrz.topology.DiarizationTopology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code consume --live} and {@code --both} against a real broker, with segments written
 * straight to the two topics (no app, no model): what the app will write for one call.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class ConsumeLiveIT {

    private static final String OUT = "live-it-segments-out";
    private static final String LIVE = "live-it-segments-live";

    @BeforeAll
    static void writeOneCall(EmbeddedKafka kafka) {
        kafka.createTopic(OUT, 2);
        kafka.createTopic(LIVE, 2);
        SpeakerSegment done = segment(0, 4_000, SegmentStatus.FINAL, 0, null);
        SpeakerSegment firstWindow = segment(3_000, 6_000, SegmentStatus.PROVISIONAL, 1, 2_000L);
        SpeakerSegment secondWindow = segment(4_500, 7_000, SegmentStatus.PROVISIONAL, 2, 4_000L);
        try (var producer = new KafkaProducer<>(kafka.clientConfig(), new StringSerializer(),
                new SpeakerSegmentSerde())) {
            producer.send(new ProducerRecord<>(OUT, "c1", done));
            producer.send(new ProducerRecord<>(LIVE, "c1", firstWindow));
            producer.send(new ProducerRecord<>(LIVE, "c1", secondWindow));
            producer.send(end(OUT));
            producer.send(end(LIVE));
        }
    }

    @Test
    void liveReadsOnlyTheProvisionalSegments(EmbeddedKafka kafka) throws Exception {
        CliRun cli = new CliRun();
        int exit = consume(cli, kafka, "--live", "--format", "json", "--calls", "1", "--timeout", "30000");
        assertEquals(0, exit, cli.err());

        List<JsonNode> lines = lines(cli.out());
        assertEquals(3, lines.size(), cli.out());
        assertEquals("PROVISIONAL", lines.get(0).path("status").asText());
        assertEquals(1, lines.get(0).path("revision").asInt());
        assertEquals(2_000L, lines.get(0).path("finalThroughMs").asLong());
        assertEquals(2, lines.get(1).path("revision").asInt());
        assertEquals("END_OF_STREAM", lines.get(2).path("end").asText());
    }

    @Test
    void bothReadsBothTopicsAndEndsTheCallOnce(EmbeddedKafka kafka) throws Exception {
        CliRun cli = new CliRun();
        assertEquals(0, consume(cli, kafka, "--both", "--format", "json", "--timeout", "5000"), cli.err());

        List<JsonNode> lines = lines(cli.out());
        assertEquals(1, lines.stream().filter(l -> l.has("speaker") && !l.has("status")).count(), cli.out());
        assertEquals(2, lines.stream().filter(l -> "PROVISIONAL".equals(l.path("status").asText())).count());
        assertEquals(1, lines.stream().filter(l -> l.has("end")).count(), "segments-out's end only: " + cli.out());
    }

    @Test
    void liveRttmMarksTheProvisionalSpeakers(EmbeddedKafka kafka) {
        CliRun cli = new CliRun();
        assertEquals(0, consume(cli, kafka, "--live", "--max-messages", "2", "--timeout", "30000"), cli.err());

        assertEquals("SPEAKER c1 1 3.000 3.000 <NA> <NA> A~ <NA> <NA>\n"
                + "SPEAKER c1 1 4.500 2.500 <NA> <NA> A~ <NA> <NA>\n", cli.out());
    }

    private static int consume(CliRun cli, EmbeddedKafka kafka, String... options) {
        List<String> args = new ArrayList<>(List.of("consume", "--bootstrap-server", kafka.bootstrapServers(),
                "--set", "streamdrz.topic.segments.out=" + OUT, "--set", "streamdrz.topic.segments.live=" + LIVE,
                "--from-beginning"));
        args.addAll(List.of(options));
        return cli.run(args.toArray(String[]::new));
    }

    private static List<JsonNode> lines(String out) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.strip().split("\n")) {
            lines.add(new ObjectMapper().readTree(line));
        }
        return lines;
    }

    private static SpeakerSegment segment(long startMs, long endMs, SegmentStatus status, int revision,
                                          Long finalThroughMs) {
        return SpeakerSegment.newBuilder().setCallId("c1").setSpeaker("A").setStartMs(startMs).setEndMs(endMs)
                .setConfidence(0.5f).setChunkIndex(0).setModelId("m")
                .setStatus(status).setRevision(revision).setFinalThroughMs(finalThroughMs).build();
    }

    private static ProducerRecord<String, SpeakerSegment> end(String topic) {
        ProducerRecord<String, SpeakerSegment> record = new ProducerRecord<>(topic, "c1", null);
        record.headers().add(DiarizationTopology.CALL_END_HEADER, "END_OF_STREAM".getBytes(StandardCharsets.UTF_8));
        return record;
    }
}
