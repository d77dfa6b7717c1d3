package io.streamdrz.cli;

import io.streamdrz.audio.WavReader;
import io.streamdrz.eval.Rttm;
import io.streamdrz.eval.SpeakerTurn;
import io.streamdrz.inference.ModelFixtures;
import io.streamdrz.recipe.CallDiarizer;
import io.streamdrz.recipe.CallSegment;

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

class DiarizeCommandTest {

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

    private static String expectedRttm(String fid, Path wav) throws Exception {
        return expectedRttm(fid, wav, 0);
    }

    private static String expectedRttm(String fid, Path wav, int maxSpeakers) throws Exception {
        List<CallSegment> segs = new CallDiarizer(ModelFixtures.engine(), maxSpeakers).diarize(WavReader.read(wav).samples());
        List<SpeakerTurn> turns = new ArrayList<>();
        for (CallSegment s : segs) {
            turns.add(new SpeakerTurn(s.start(), s.end(), s.speaker()));
        }
        return Rttm.format(fid, turns);
    }

    /** A WAV cut short: diarized up to the cut with a warning, refused with --strict; either way a picture on request. */
    @Test
    void aWavCutShortIsDiarizedUnlessStrict() throws Exception {
        byte[] whole = Files.readAllBytes(ModelFixtures.file("call-0.wav"));
        Path cut = Files.write(dir.resolve("cut.wav"), java.util.Arrays.copyOf(whole, whole.length / 2));
        Path rttm = dir.resolve("cut.rttm");
        Path svg = dir.resolve("cut.svg");
        assertEquals(0, run("diarize", "--model", ModelFixtures.modelPrefix().toString(), "-o", rttm.toString(),
                "--plot", svg.toString(), cut.toString()), err.toString());
        assertTrue(Files.readString(svg).contains(">hyp A</text>"), "the hypothesis lanes are drawn");

        assertEquals(1, run("diarize", "--model", ModelFixtures.modelPrefix().toString(), "--strict", cut.toString()));
        assertTrue(err.toString().contains("cut.wav: truncated: the data chunk declares"), err.toString());
    }

    @Test
    void aDirectoryOfCallsBecomesOneRttmInNameOrderWhateverTheBatch() throws Exception {
        Path calls = dir.resolve("calls");
        Files.createDirectories(calls);
        Files.copy(ModelFixtures.file("call-0.wav"), calls.resolve("b-call.wav"));
        Files.copy(ModelFixtures.file("call-1.wav"), calls.resolve("a-call.wav"));
        Files.writeString(calls.resolve("notes.txt"), "not audio, not picked up");
        String expected = expectedRttm("a-call", calls.resolve("a-call.wav")) + expectedRttm("b-call", calls.resolve("b-call.wav"));
        for (String batch : new String[]{"1", "2"}) {
            Path rttm = dir.resolve("hyp-" + batch + ".rttm");
            assertEquals(0, run("diarize", "--model", ModelFixtures.modelPrefix().toString(), "--threads", "1",
                    "--batch", batch, "-o", rttm.toString(), calls.toString()), err.toString());
            assertEquals(expected, Files.readString(rttm), "batch " + batch);
        }
        assertTrue(err.toString().contains("real-time factor"), err.toString());
        assertTrue(err.toString().contains("diarized 2 file(s), "), err.toString());
    }

    @Test
    void stdoutByDefaultAndRawInput() throws Exception {
        // the fixture call as headerless PCM16 at 16 kHz
        byte[] wav = Files.readAllBytes(ModelFixtures.file("call-0.wav"));
        Path raw = dir.resolve("call-0.pcm");
        Files.write(raw, java.util.Arrays.copyOfRange(wav, 44, wav.length));
        assertEquals(0, run("diarize", "--model", ModelFixtures.modelPrefix().toString(), "--raw", "s16le", "--rate", "16000",
                raw.toString()), err.toString());
        assertEquals(expectedRttm("call-0", ModelFixtures.file("call-0.wav")), out.toString());
    }

    @Test
    void maxSpeakersCapsTheLabelsOfACall() throws Exception {
        // call-3 has three speakers, and the model alone gives it more than two labels
        Path call = ModelFixtures.file("call-3.wav");
        assertEquals(0, run("diarize", "--model", ModelFixtures.modelPrefix().toString(), call.toString()), err.toString());
        String free = out.toString();
        out.getBuffer().setLength(0);
        assertEquals(0, run("diarize", "--model", ModelFixtures.modelPrefix().toString(), "--max-speakers", "2",
                call.toString()), err.toString());
        assertEquals(expectedRttm("call-3", call, 2), out.toString());
        assertEquals(2, speakers(out.toString()));
        assertTrue(speakers(free) > 2, free);
    }

    private static long speakers(String rttm) {
        return rttm.lines().map(l -> l.split(" ")[7]).distinct().count();
    }

    @Test
    void aBadFileIsOneLineTheOthersAreStillDiarized() throws Exception {
        Path bad = dir.resolve("broken.wav");
        Files.write(bad, "RIFF....WAVEjunk".getBytes());
        assertEquals(1, run("diarize", "--model", ModelFixtures.modelPrefix().toString(), bad.toString(),
                ModelFixtures.file("call-1.wav").toString()));
        assertTrue(err.toString().contains("streamdrz diarize: " + bad + ": "), err.toString());
        assertTrue(!err.toString().contains("Exception"), err.toString());
        assertEquals(expectedRttm("call-1", ModelFixtures.file("call-1.wav")), out.toString());
    }

    @Test
    void aMissingModelIsOneLine() {
        assertEquals(1, run("diarize", "--model", dir.resolve("no-model").toString(), ModelFixtures.file("call-1.wav").toString()));
        String e = err.toString().strip();
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("streamdrz diarize: model file not found: "), e);
    }

    @Test
    void usageErrors() {
        assertEquals(CommandLine.ExitCode.USAGE, run("diarize", "--device", "tpu", "x.wav"));
        assertTrue(err.toString().contains("unknown device 'tpu'"), err.toString());
        assertEquals(CommandLine.ExitCode.USAGE, run("diarize", "--raw", "s16le", "x.pcm"));
        assertTrue(err.toString().contains("needs --raw-rate"), err.toString());
        assertEquals(CommandLine.ExitCode.USAGE, run("diarize"));
        assertEquals(CommandLine.ExitCode.USAGE, run("diarize", "--max-speakers", "-1", "x.wav"));
        assertTrue(err.toString().contains("--max-speakers must be >= 0"), err.toString());
    }

    @Test
    void helpListsTheOptions() {
        assertEquals(0, run("diarize", "--help"));
        for (String option : new String[]{"--model", "--device", "--threads", "--batch", "--output", "--raw", "--progress",
            "--max-speakers"}) {
            assertTrue(out.toString().contains(option), option);
        }
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("diarize") && out.toString().contains("eval"));
    }

    @Test
    void fileIds() {
        assertEquals("call-0", DiarizeCommand.fileId(Path.of("x/call-0.wav")));
        assertEquals("a.b", DiarizeCommand.fileId(Path.of("a.b.ul")));
        assertEquals(".hidden", DiarizeCommand.fileId(Path.of(".hidden")));
    }
}
