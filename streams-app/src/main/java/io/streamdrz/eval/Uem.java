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
        Map<String, List<Interval>> out = new LinkedHashMap<>();
        for (Path p : paths) {
            parse(Rttm.lines(p), p.toString()).forEach((k, v) -> out.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
        }
        return out;
    }

    public static Map<String, List<Interval>> parse(List<String> lines, String source) throws EvalInputException {
        Map<String, List<Interval>> out = new LinkedHashMap<>();
        int n = 0;
        for (String line : lines) {
            n++;
            String s = line.strip();
            if (s.isEmpty() || s.startsWith(";") || s.startsWith("#")) {
                continue;
            }
            String[] f = s.split("\\s+");
            if (f.length < 4) {
                throw new EvalInputException(source + ":" + n + ": expected 4 fields in a UEM line: " + s);
            }
            double start;
            double end;
            try {
                start = Double.parseDouble(f[2]);
                end = Double.parseDouble(f[3]);
            } catch (NumberFormatException e) {
                throw new EvalInputException(source + ":" + n + ": start or end is not a number: " + s);
            }
            if (end <= start) {
                throw new EvalInputException(source + ":" + n + ": non-positive interval: " + s);
            }
            out.computeIfAbsent(f[0], k -> new ArrayList<>()).add(new Interval(start, end));
        }
        return out;
    }
}
