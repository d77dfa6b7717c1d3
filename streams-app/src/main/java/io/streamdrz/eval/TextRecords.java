package io.streamdrz.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The records of a line-oriented annotation file (RTTM, UEM): whitespace-separated
 * fields, blank lines and comments ({@code ;} or {@code #}) skipped, and errors that name
 * the file and the line.
 */
final class TextRecords {

    private TextRecords() {
    }

    /** One record: where it stands, its text and its fields. */
    record Line(String source, int number, String text, String[] fields) {

        EvalInputException error(String problem) {
            return new EvalInputException(source + ":" + number + ": " + problem + ": " + text);
        }
    }

    /** Parses one file's lines into {@code file id -> items}. */
    @FunctionalInterface
    interface Parser<T> {
        Map<String, List<T>> parse(List<String> lines, String source) throws EvalInputException;
    }

    static List<Line> of(List<String> lines, String source) {
        List<Line> out = new ArrayList<>();
        int n = 0;
        for (String line : lines) {
            n++;
            String s = line.strip();
            if (!s.isEmpty() && !s.startsWith(";") && !s.startsWith("#")) {
                out.add(new Line(source, n, s, s.split("\\s+")));
            }
        }
        return out;
    }

    /** Several files into one map; a file id's items from later files follow the earlier ones. */
    static <T> Map<String, List<T>> readAll(List<Path> paths, Parser<T> parser) throws EvalInputException {
        Map<String, List<T>> out = new LinkedHashMap<>();
        for (Path p : paths) {
            parser.parse(lines(p), p.toString()).forEach((k, v) -> out.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
        }
        return out;
    }

    static List<String> lines(Path path) throws EvalInputException {
        try {
            return Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new EvalInputException(path + ": no such file");
        } catch (IOException e) {
            throw new EvalInputException(path + ": cannot read: " + e.getMessage());
        }
    }
}
