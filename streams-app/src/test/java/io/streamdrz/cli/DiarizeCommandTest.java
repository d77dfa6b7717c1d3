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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiarizeCommandTest {

    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();

    private int run(String... args) {
        return cli.run(args);
    }

    private static String expectedRttm(String fid, Path wav) throws Exception {
        return expectedRttm(fid, wav, 0);
    }

    private static String expectedRttm(String fid, Path wav, int maxSpeakers) throws Exception {
        return expectedRttm(fid, wav, maxSpeakers, true);
    }

    /** What diarize should write: the engine's segments, with the labels decided again at the end unless live. */
    private static String expectedRttm(String fid, Path wav, int maxSpeakers, boolean finalLabels) throws Exception {
        List<CallSegment> segs = new CallDiarizer(ModelFixtures.engine(), maxSpeakers)
                .diarize(WavReader.read(wav).samples(), finalLabels);
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
                "--plot", svg.toString(), cut.toString()), cli.err());
        assertTrue(Files.readString(svg).contains(">hyp A</text>"), "the hypothesis lanes are drawn");

        assertEquals(1, run("diarize", "--model", ModelFixtures.modelPrefix().toString(), "--strict", cut.toString()));
        assertTrue(cli.err().contains("cut.wav: truncated: the data chunk declares"), cli.err());
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
                    "--batch", batch, "-o", rttm.toString(), calls.toString()), cli.err());
            assertEquals(expected, Files.readString(rttm), "batch " + batch);
        }
        assertTrue(cli.err().contains("real-time factor"), cli.err());
        assertTrue(cli.err().contains("diarized 2 file(s), "), cli.err());
    }

    @Test
    void stdoutByDefaultAndRawInput() throws Exception {
        // the fixture call as headerless PCM16 at 16 kHz
        byte[] wav = Files.readAllBytes(ModelFixtures.file("call-0.wav"));
        Path raw = dir.resolve("call-0.pcm");
        Files.write(raw, java.util.Arrays.copyOfRange(wav, 44, wav.length));
        assertEquals(0, run("diarize", "--model", ModelFixtures.modelPrefix().toString(), "--raw", "s16le", "--rate", "16000",
                raw.toString()), cli.err());
        assertEquals(expectedRttm("call-0", ModelFixtures.file("call-0.wav")), cli.out());
    }

    @Test
    void liveLabelsAreTheStreamsOwnAndTheDefaultIsTheFinalOnes() throws Exception {
        Path call = ModelFixtures.file("call-1.wav");      // a call whose final labels differ from the live ones
        assertEquals(0, run("diarize", "--model", ModelFixtures.modelPrefix().toString(), "--live-labels",
                call.toString()), cli.err());
        String live = cli.out();
        cli.clearOut();
        assertEquals(0, run("diarize", "--model", ModelFixtures.modelPrefix().toString(), call.toString()), cli.err());
        assertEquals(expectedRttm("call-1", call, 0, false), live);
        assertEquals(expectedRttm("call-1", call, 0, true), cli.out());
        assertNotEquals(live, cli.out());
    }

    @Test
    void maxSpeakersCapsTheLabelsOfACall() throws Exception {
        // call-3 has three speakers, and the model alone gives it more than two labels
        Path call = ModelFixtures.file("call-3.wav");
        assertEquals(0, run("diarize", "--model", ModelFixtures.modelPrefix().toString(), call.toString()), cli.err());
        String free = cli.out();
        cli.clearOut();
        assertEquals(0, run("diarize", "--model", ModelFixtures.modelPrefix().toString(), "--max-speakers", "2",
                call.toString()), cli.err());
        assertEquals(expectedRttm("call-3", call, 2), cli.out());
        assertEquals(2, speakers(cli.out()));
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
        assertTrue(cli.err().contains("streamdrz diarize: " + bad + ": "), cli.err());
        assertTrue(!cli.err().contains("Exception"), cli.err());
        assertEquals(expectedRttm("call-1", ModelFixtures.file("call-1.wav")), cli.out());
    }

    @Test
    void aMissingModelIsOneLine() {
        assertEquals(1, run("diarize", "--model", dir.resolve("no-model").toString(), ModelFixtures.file("call-1.wav").toString()));
        String e = cli.err().strip();
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("streamdrz diarize: model file not found: "), e);
    }

    @Test
    void usageErrors() {
        assertEquals(CommandLine.ExitCode.USAGE, run("diarize", "--device", "tpu", "x.wav"));
        assertTrue(cli.err().contains("unknown device 'tpu'"), cli.err());
        assertEquals(CommandLine.ExitCode.USAGE, run("diarize", "--raw", "s16le", "x.pcm"));
        assertTrue(cli.err().contains("needs --raw-rate"), cli.err());
        assertEquals(CommandLine.ExitCode.USAGE, run("diarize"));
        assertEquals(CommandLine.ExitCode.USAGE, run("diarize", "--max-speakers", "-1", "x.wav"));
        assertTrue(cli.err().contains("--max-speakers must be >= 0"), cli.err());
    }

    @Test
    void helpListsTheOptions() {
        assertEquals(0, run("diarize", "--help"));
        for (String option : new String[]{"--model", "--device", "--threads", "--batch", "--output", "--raw", "--progress",
            "--max-speakers"}) {
            assertTrue(cli.out().contains(option), option);
        }
        assertEquals(0, run("--help"));
        assertTrue(cli.out().contains("diarize") && cli.out().contains("eval"));
    }

    @Test
    void fileIds() {
        assertEquals("call-0", DiarizeCommand.fileId(Path.of("x/call-0.wav")));
        assertEquals("a.b", DiarizeCommand.fileId(Path.of("a.b.ul")));
        assertEquals(".hidden", DiarizeCommand.fileId(Path.of(".hidden")));
    }
}
