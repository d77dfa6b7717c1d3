package io.streamdrz.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RttmTest {

    @TempDir
    Path dir;

    @Test
    void readsSpeakerLinesAndSkipsTheRest() throws Exception {
        var m = Rttm.parse(List.of(
                ";; comment",
                "# another",
                "SPKR-INFO f1 1 <NA> <NA> <NA> unknown a <NA> <NA>",
                "SPEAKER f1 1 0.50 1.25 <NA> <NA> a <NA> <NA>",
                "",
                "speaker f2 1 3 2 <NA> <NA> b <NA> <NA>",
                "SPEAKER f1 1 2.0 1.0 <NA> <NA> b"), "t.rttm");
        assertEquals(List.of("f1", "f2"), List.copyOf(m.keySet()));
        assertEquals(List.of(new SpeakerTurn(0.5, 1.75, "a"), new SpeakerTurn(2.0, 3.0, "b")), m.get("f1"));
        assertEquals(List.of(new SpeakerTurn(3, 5, "b")), m.get("f2"));
    }

    @Test
    void badLinesNameTheFileAndLine() {
        EvalInputException e = assertThrows(EvalInputException.class,
                () -> Rttm.parse(List.of("SPEAKER f 1 0 1 <NA> <NA> a", "SPEAKER f 1 0 -1 <NA> <NA> a"), "x.rttm"));
        assertTrue(e.getMessage().startsWith("x.rttm:2: negative duration"), e.getMessage());
        e = assertThrows(EvalInputException.class, () -> Rttm.parse(List.of("SPEAKER f 1 zero 1 <NA> <NA> a"), "y.rttm"));
        assertTrue(e.getMessage().startsWith("y.rttm:1:"), e.getMessage());
        e = assertThrows(EvalInputException.class, () -> Rttm.parse(List.of("SPEAKER f 1 0 1"), "z.rttm"));
        assertTrue(e.getMessage().contains("8 fields"), e.getMessage());
        e = assertThrows(EvalInputException.class, () -> Rttm.read(dir.resolve("missing.rttm")));
        assertTrue(e.getMessage().endsWith("missing.rttm: no such file"), e.getMessage());
    }

    @Test
    void writesSortedLinesWithPythonRounding() {
        String s = Rttm.format("call", List.of(new SpeakerTurn(8.0, 9.3, "B"), new SpeakerTurn(0.0, 1.0, "A"),
                new SpeakerTurn(1.0005, 2.0, "A")));
        assertEquals("SPEAKER call 1 0.000 1.000 <NA> <NA> A <NA> <NA>\n"
                + "SPEAKER call 1 1.000 1.000 <NA> <NA> A <NA> <NA>\n"       // 1.0005 is 1.000499999... in binary
                + "SPEAKER call 1 8.000 1.300 <NA> <NA> B <NA> <NA>\n", s);
        assertEquals("0.125", Rttm.fixed3(0.125));
        assertEquals("0.001", Rttm.fixed3(0.0005));    // 0.0005 is 0.000500000000000000010... : up
    }

    @Test
    void uemLines() throws Exception {
        var u = Uem.parse(List.of("FILE1 1 5.635 56.452", "FILE1 1 92.737 114.121", "; c", "FILE2 1 0 1"), "u");
        assertEquals(List.of(new Interval(5.635, 56.452), new Interval(92.737, 114.121)), u.get("FILE1"));
        assertThrows(EvalInputException.class, () -> Uem.parse(List.of("F 1 3 2"), "u"));
        Path p = dir.resolve("a.uem");
        Files.writeString(p, "F 1 0 10\n");
        assertEquals(List.of(new Interval(0, 10)), Uem.read(List.of(p)).get("F"));
    }
}
