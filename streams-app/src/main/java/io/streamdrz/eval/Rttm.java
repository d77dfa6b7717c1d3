package io.streamdrz.eval;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RTTM files, SPEAKER records only:
 * {@code SPEAKER <file> 1 <onset> <duration> <NA> <NA> <speaker> <NA> <NA>}.
 * Other record types and comments ({@code ;} or {@code #}) are skipped on reading.
 */
public final class Rttm {

    private Rttm() {
    }

    /** {@code file id -> turns} in file order. */
    public static Map<String, List<SpeakerTurn>> read(Path path) throws EvalInputException {
        return parse(TextRecords.lines(path), path.toString());
    }

    /** Reads several files into one map (a file id's turns are concatenated). */
    public static Map<String, List<SpeakerTurn>> read(List<Path> paths) throws EvalInputException {
        return TextRecords.readAll(paths, Rttm::parse);
    }

    /**
     * The SPEAKER records of one file's lines. A file with records but not one SPEAKER
     * record is not RTTM (a wrong path, say) and is refused; an empty file is a
     * hypothesis that found no speech and is accepted.
     */
    public static Map<String, List<SpeakerTurn>> parse(List<String> lines, String source) throws EvalInputException {
        Map<String, List<SpeakerTurn>> out = new LinkedHashMap<>();
        List<TextRecords.Line> records = TextRecords.of(lines, source);
        if (!records.isEmpty() && records.stream().noneMatch(line -> line.fields()[0].equalsIgnoreCase("SPEAKER"))) {
            throw new EvalInputException(source + ": not an RTTM file: none of its " + records.size()
                    + " lines is a SPEAKER record");
        }
        for (TextRecords.Line line : records) {
            String[] f = line.fields();
            if (!f[0].equalsIgnoreCase("SPEAKER")) {
                continue;
            }
            if (f.length < 8) {
                throw line.error("expected at least 8 fields in an RTTM SPEAKER line");
            }
            double start;
            double dur;
            try {
                start = Double.parseDouble(f[3]);
                dur = Double.parseDouble(f[4]);
            } catch (NumberFormatException e) {
                throw line.error("onset or duration is not a number");
            }
            if (dur < 0) {
                throw line.error("negative duration");
            }
            out.computeIfAbsent(f[1], k -> new ArrayList<>()).add(new SpeakerTurn(start, start + dur, f[7]));
        }
        return out;
    }

    /** RTTM lines of one file's turns, sorted by (start, end, speaker), times to 1 ms. */
    public static String format(String fileId, List<SpeakerTurn> turns) {
        List<SpeakerTurn> sorted = new ArrayList<>(turns);
        sorted.sort(Comparator.comparingDouble(SpeakerTurn::start).thenComparingDouble(SpeakerTurn::end)
                .thenComparing(SpeakerTurn::speaker));
        StringBuilder sb = new StringBuilder();
        for (SpeakerTurn t : sorted) {
            sb.append("SPEAKER ").append(fileId).append(" 1 ").append(fixed3(t.start())).append(' ')
                    .append(fixed3(t.end() - t.start())).append(" <NA> <NA> ").append(t.speaker())
                    .append(" <NA> <NA>\n");
        }
        return sb.toString();
    }

    /** {@code x} with 3 decimals, rounded as Python's {@code f"{x:.3f}"} (exact value, half to even). */
    public static String fixed3(double x) {
        String s = new BigDecimal(x).setScale(3, RoundingMode.HALF_EVEN).toPlainString();
        return s.equals("-0.000") ? "0.000" : s;
    }
}
