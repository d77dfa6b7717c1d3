package io.streamdrz.cli;

import io.streamdrz.inference.ModelFixtures;
import io.streamdrz.speakers.SpeakerFixtures;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code streamdrz similar} against a folder: a voice's other recording ranks first among distinct voices. */
class SimilarCommandTest {

    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();

    private int run(String... args) {
        return cli.run(args);
    }

    @Test
    void eachVoicesOtherRecordingRanksFirstByTheModelsEmbedding() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("voices"));
        for (String voice : SpeakerFixtures.VOICES) {
            Files.copy(SpeakerFixtures.other(voice), folder.resolve(voice + "-other.wav"));
        }
        for (String voice : SpeakerFixtures.VOICES) {
            cli.clearOut();
            assertEquals(0, run("similar", "--model", ModelFixtures.modelPrefix().toString(), "--against",
                    folder.toString(), "--top", "4", "--embedding", "both",
                    SpeakerFixtures.enrolment(voice).toString()), cli.err());
            List<List<String>> sections = sections(cli.out());
            assertEquals(2, sections.size(), cli.out());
            List<String> model = sections.get(0);
            assertEquals(4, model.size(), "top 4 of 4 files, with scores: " + cli.out());
            String[] first = model.get(0).split("\t");
            assertEquals("1", first[0]);
            assertTrue(first[2].endsWith(voice + "-other.wav"), voice + ": " + cli.out());
            double best = Double.parseDouble(first[1]);
            double second = Double.parseDouble(model.get(1).split("\t")[1]);
            assertTrue(best > second, "scores descend: " + cli.out());
            assertEquals(4, sections.get(1).size(), "the MFCC baseline ranks the same files: " + cli.out());
        }
    }

    @Test
    void eachSpeakerOfACallFindsTheirOwnVoice() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("voices"));
        for (String voice : SpeakerFixtures.VOICES) {
            Files.copy(SpeakerFixtures.enrolment(voice), folder.resolve(voice + "-enrol.wav"));
        }
        assertEquals(0, run("similar", "--model", ModelFixtures.modelPrefix().toString(), "--against",
                folder.toString(), "--top", "1", "--per-speaker", SpeakerFixtures.call().toString()), cli.err());
        List<String> lines = List.of(cli.out().split("\n"));
        // the call: july (A, first) and the stranger flite_awb (B)
        assertTrue(lines.get(0).contains("speaker A"), cli.out());
        assertTrue(lines.get(1).endsWith(SpeakerFixtures.CALLER + "-enrol.wav"), cli.out());
        assertTrue(lines.get(2).contains("speaker B"), cli.out());
        assertTrue(lines.get(3).endsWith(SpeakerFixtures.STRANGER + "-enrol.wav"), cli.out());
    }

    @Test
    void mfccNeedsAFolder() {
        assertEquals(2, run("similar", "--embedding", "mfcc", SpeakerFixtures.call().toString()));
        assertTrue(cli.err().contains("needs --against DIR"), cli.err());
    }

    /** The result lines under each "# heading". */
    private static List<List<String>> sections(String text) {
        List<List<String>> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# ")) {
                out.add(new ArrayList<>());
            } else if (!line.isBlank()) {
                out.get(out.size() - 1).add(line);
            }
        }
        return out;
    }
}
