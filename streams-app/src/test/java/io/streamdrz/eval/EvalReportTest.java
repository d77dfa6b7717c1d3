package io.streamdrz.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamdrz.eval.DiarizationScorer.DefaultRegion;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalReportTest {

    private static SpeakerTurn t(double s, double e, String spk) {
        return new SpeakerTurn(s, e, spk);
    }

    @Test
    void jsonHasDerPerCollarAndJerPerFileAndInTotal() throws Exception {
        var ref = Map.of("f", List.of(t(0, 10, "a"), t(10, 20, "b")));
        var hyp = Map.of("f", List.of(t(0, 10, "X"), t(10, 15, "Y"), t(15, 20, "X")));
        EvalReport r = EvalReport.evaluate(ref, hyp, null, List.of(0.0, 0.25), DefaultRegion.UNION);
        JsonNode j = new ObjectMapper().readTree(r.toJsonString());
        assertEquals(0.25, j.at("/files/f/der/0/der").asDouble(), 1e-12);
        assertEquals(5.0, j.at("/files/f/der/0/confusion").asDouble(), 1e-12);
        assertEquals("X", j.at("/files/f/der/0/mapping/a").asText());
        assertTrue(j.at("/files/f/der/0.25").isObject());
        assertEquals(0.25, j.at("/total/der/0/der").asDouble(), 1e-12);
        assertTrue(j.at("/total/jer").isNumber());
        assertEquals("union", j.get("default_region").asText());
        assertEquals(false, j.get("uem").asBoolean());

        StringWriter table = new StringWriter();
        r.printTable(new PrintWriter(table));
        assertTrue(table.toString().contains("*** TOTAL ***"), table.toString());
        assertTrue(table.toString().contains("25.00%"), table.toString());
    }

    @Test
    void windowsKeepMissAndFalseAlarmAndForgiveLabelChangesBetweenWindows() {
        // the hypothesis swaps its labels at 8 s: one confusion over the whole call, none per 8 s window
        var ref = Map.of("f", List.of(t(0, 4, "a"), t(4, 8, "b"), t(8, 12, "a"), t(12, 15.5, "b")));
        var hyp = Map.of("f", List.of(t(0, 4, "X"), t(4, 8, "Y"), t(8, 12, "Y"), t(12, 16, "X")));
        EvalReport whole = EvalReport.evaluate(ref, hyp, null, List.of(0.0), DefaultRegion.UNION);
        EvalReport windows = EvalReport.evaluateWindows(ref, hyp, null, List.of(0.0), DefaultRegion.UNION, 8.0);
        assertEquals(List.of("f@0000", "f@0001"), List.copyOf(windows.perFile(0.0).keySet()));
        assertEquals(7.5, whole.total(0.0).confusion(), 1e-9);
        assertEquals(0.0, windows.total(0.0).confusion(), 1e-9);
        assertEquals(whole.total(0.0).falseAlarm(), windows.total(0.0).falseAlarm(), 1e-9);
        assertEquals(0.5, windows.total(0.0).falseAlarm(), 1e-9);
        assertEquals(whole.total(0.0).missed(), windows.total(0.0).missed(), 1e-9);
        assertEquals(whole.total(0.0).total(), windows.total(0.0).total(), 1e-9);
    }

    @Test
    void collarKeysAreWrittenAsPythonsG() {
        assertEquals("0", EvalReport.collarKey(0.0));
        assertEquals("0.25", EvalReport.collarKey(0.25));
        assertEquals("1", EvalReport.collarKey(1.0));
    }
}
