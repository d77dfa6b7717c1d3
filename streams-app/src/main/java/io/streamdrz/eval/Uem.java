package io.streamdrz.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * UEM files (scoring regions): lines {@code <file> <channel> <start> <end>}, several
 * intervals per file allowed, as md-eval reads them.
 */
public final class Uem {

    private Uem() {
    }

    public static Map<String, List<Interval>> read(List<Path> paths) throws EvalInputException {
        return TextRecords.readAll(paths, Uem::parse);
    }

    public static Map<String, List<Interval>> parse(List<String> lines, String source) throws EvalInputException {
        Map<String, List<Interval>> out = new LinkedHashMap<>();
        for (TextRecords.Line line : TextRecords.of(lines, source)) {
            String[] f = line.fields();
            if (f.length < 4) {
                throw line.error("expected 4 fields in a UEM line");
            }
            double start;
            double end;
            try {
                start = Double.parseDouble(f[2]);
                end = Double.parseDouble(f[3]);
            } catch (NumberFormatException e) {
                throw line.error("start or end is not a number");
            }
            if (end <= start) {
                throw line.error("non-positive interval");
            }
            out.computeIfAbsent(f[0], k -> new ArrayList<>()).add(new Interval(start, end));
        }
        return out;
    }
}
