package io.streamdrz.cli;

import io.streamdrz.inference.ModelFixtures;
import io.streamdrz.speakers.SpeakerFixtures;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
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

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = StreamdrzCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void eachVoicesOtherRecordingRanksFirstByTheModelsEmbedding() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("voices"));
        for (String voice : SpeakerFixtures.VOICES) {
            Files.copy(SpeakerFixtures.other(voice), folder.resolve(voice + "-other.wav"));
        }
        for (String voice : SpeakerFixtures.VOICES) {
            out.getBuffer().setLength(0);
            assertEquals(0, run("similar", "--model", ModelFixtures.modelPrefix().toString(), "--against",
                    folder.toString(), "--top", "4", "--embedding", "both",
                    SpeakerFixtures.enrolment(voice).toString()), err.toString());
            List<List<String>> sections = sections(out.toString());
            assertEquals(2, sections.size(), out.toString());
            List<String> model = sections.get(0);
            assertEquals(4, model.size(), "top 4 of 4 files, with scores: " + out);
            String[] first = model.get(0).split("\t");
            assertEquals("1", first[0]);
            assertTrue(first[2].endsWith(voice + "-other.wav"), voice + ": " + out);
            double best = Double.parseDouble(first[1]);
            double second = Double.parseDouble(model.get(1).split("\t")[1]);
            assertTrue(best > second, "scores descend: " + out);
            assertEquals(4, sections.get(1).size(), "the MFCC baseline ranks the same files: " + out);
        }
    }

    @Test
    void eachSpeakerOfACallFindsTheirOwnVoice() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("voices"));
        for (String voice : SpeakerFixtures.VOICES) {
            Files.copy(SpeakerFixtures.enrolment(voice), folder.resolve(voice + "-enrol.wav"));
        }
        assertEquals(0, run("similar", "--model", ModelFixtures.modelPrefix().toString(), "--against",
                folder.toString(), "--top", "1", "--per-speaker", SpeakerFixtures.call().toString()), err.toString());
        List<String> lines = List.of(out.toString().split("\n"));
        // the call: july (A, first) and the stranger flite_awb (B)
        assertTrue(lines.get(0).contains("speaker A"), out.toString());
        assertTrue(lines.get(1).endsWith(SpeakerFixtures.CALLER + "-enrol.wav"), out.toString());
        assertTrue(lines.get(2).contains("speaker B"), out.toString());
        assertTrue(lines.get(3).endsWith(SpeakerFixtures.STRANGER + "-enrol.wav"), out.toString());
    }

    @Test
    void mfccNeedsAFolder() {
        assertEquals(2, run("similar", "--embedding", "mfcc", SpeakerFixtures.call().toString()));
        assertTrue(err.toString().contains("needs --against DIR"), err.toString());
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
