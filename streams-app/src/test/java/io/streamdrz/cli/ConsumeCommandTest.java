package io.streamdrz.cli;

import io.streamdrz.schema.SegmentStatus;
import io.streamdrz.schema.SpeakerSegment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How {@code consume} prints final, provisional and revised segments; no broker needed. */
class ConsumeCommandTest {

    private static final SpeakerSegment FINAL = SpeakerSegment.newBuilder()
            .setCallId("c1").setSpeaker("A").setStartMs(1_000L).setEndMs(2_500L).setConfidence(0.5f)
            .setChunkIndex(0).setModelId("m").build();
    private static final SpeakerSegment PROVISIONAL = SpeakerSegment.newBuilder(FINAL)
            .setStartMs(8_000L).setEndMs(9_000L)
            .setStatus(SegmentStatus.PROVISIONAL).setRevision(3).setFinalThroughMs(7_000L).build();

    @Test
    void aFinalSegmentPrintsAsBeforeVersion3() throws Exception {
        assertEquals("SPEAKER c1 1 1.000 1.500 <NA> <NA> A <NA> <NA>\n", ConsumeCommand.rttm(FINAL));
        JsonNode line = new ObjectMapper().readTree(ConsumeCommand.json(FINAL));
        assertFalse(line.has("status"), "scripts reading final lines see no new keys: " + line);
        assertFalse(line.has("revision"));
        assertFalse(line.has("finalThroughMs"));
    }

    @Test
    void aProvisionalSegmentSaysSo() throws Exception {
        assertEquals("SPEAKER c1 1 8.000 1.000 <NA> <NA> A~ <NA> <NA>\n", ConsumeCommand.rttm(PROVISIONAL));
        JsonNode line = new ObjectMapper().readTree(ConsumeCommand.json(PROVISIONAL));
        assertEquals("PROVISIONAL", line.path("status").asText());
        assertEquals(3, line.path("revision").asInt());
        assertEquals(7_000L, line.path("finalThroughMs").asLong());
        assertEquals("A", line.path("speaker").asText(), "the label itself is unchanged in JSON");
    }

    @Test
    void aRevisedSegmentIsAPlainRttmLineAndSaysSoInJson() throws Exception {
        SpeakerSegment revised = SpeakerSegment.newBuilder(FINAL).setSpeaker("B").setStatus(SegmentStatus.REVISED).build();
        assertEquals("SPEAKER c1 1 1.000 1.500 <NA> <NA> B <NA> <NA>\n", ConsumeCommand.rttm(revised));
        JsonNode line = new ObjectMapper().readTree(ConsumeCommand.json(revised));
        assertEquals("REVISED", line.path("status").asText());
        assertFalse(line.has("revision"), "no live-window fields: " + line);
    }

    @Test
    void liveBothAndRevisedExcludeEachOther() {
        for (String[] pair : new String[][] {{"--live", "--both"}, {"--live", "--revised"}, {"--both", "--revised"}}) {
            CliRun cli = new CliRun();
            assertEquals(2, cli.run("consume", pair[0], pair[1], "--bootstrap-server", "localhost:1"));
            assertTrue(cli.err().contains("--live, --both and --revised exclude each other"), cli.err());
        }
    }

    @Test
    void revisedWithRevisedLabelsOffIsRefusedWithTheSettingNamed() {
        CliRun cli = new CliRun();
        assertEquals(2, cli.run("consume", "--revised", "--bootstrap-server", "localhost:1",
                "--set", "streamdrz.revised.enabled=false"));
        assertTrue(cli.err().contains("streamdrz.revised.enabled=false"), cli.err());
    }
}
