package io.streamdrz.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything {@code streamdrz eval} reports: DER at each collar and JER, per file and in
 * total, as a table or as JSON (the same layout as {@code models/der.py --json}).
 */
public final class EvalReport {

    private final List<Double> collars;
    private final DiarizationScorer.DefaultRegion defaultRegion;
    private final boolean withUem;
    private final Map<Double, DiarizationScorer.Scores<DerResult>> der = new LinkedHashMap<>();
    private final DiarizationScorer.Scores<JerResult> jer;

    private EvalReport(Map<String, List<SpeakerTurn>> ref, Map<String, List<SpeakerTurn>> hyp,
                       Map<String, List<Interval>> uem, List<Double> collars,
                       DiarizationScorer.DefaultRegion defaultRegion) {
        this.collars = List.copyOf(collars);
        this.defaultRegion = defaultRegion;
        this.withUem = uem != null;
        for (double c : collars) {
            der.put(c, DiarizationScorer.scoreFiles(ref, hyp, c, uem, defaultRegion));
        }
        jer = DiarizationScorer.jerFiles(ref, hyp, uem, defaultRegion);
    }

    /**
     * Scores every reference file.
     *
     * @param uem per-file scoring regions, or null for the default region
     */
    public static EvalReport evaluate(Map<String, List<SpeakerTurn>> ref, Map<String, List<SpeakerTurn>> hyp,
                                      Map<String, List<Interval>> uem, List<Double> collars,
                                      DiarizationScorer.DefaultRegion defaultRegion) {
        return new EvalReport(ref, hyp, uem, collars, defaultRegion);
    }

    /**
     * Scores consecutive windows of {@code seconds} of every file as files of their own
     * ({@code <file>@<index>}), each with its own speaker mapping. The windows tile each
     * file's scoring region; collars stay at the reference boundaries, so missed and
     * false-alarm time are exactly those of the whole file and only confusion can drop:
     * by how much shows what label changes between windows cost.
     */
    public static EvalReport evaluateWindows(Map<String, List<SpeakerTurn>> ref, Map<String, List<SpeakerTurn>> hyp,
                                             Map<String, List<Interval>> uem, List<Double> collars,
                                             DiarizationScorer.DefaultRegion defaultRegion, double seconds) {
        if (!(seconds > 0)) {
            throw new IllegalArgumentException("window must be positive, not " + seconds);
        }
        Map<String, List<SpeakerTurn>> wRef = new LinkedHashMap<>();
        Map<String, List<SpeakerTurn>> wHyp = new LinkedHashMap<>();
        Map<String, List<Interval>> wUem = new LinkedHashMap<>();
        for (String fid : new TreeMap<>(ref).keySet()) {
            List<SpeakerTurn> r = ref.get(fid);
            List<SpeakerTurn> h = hyp.getOrDefault(fid, List.of());
            List<Interval> region = uem != null && uem.containsKey(fid)
                    ? DiarizationScorer.region(Map.of(), Map.of(), uem.get(fid), defaultRegion)
                    : DiarizationScorer.defaultRegion(r, h, defaultRegion);
            if (region.isEmpty()) {
                continue;
            }
            double end = region.get(region.size() - 1).end();
            int windows = (int) Math.ceil(end / seconds);
            for (int k = 0; k < windows; k++) {
                double w0 = k * seconds;
                double w1 = (k + 1) * seconds;
                List<Interval> part = new ArrayList<>();
                for (Interval iv : region) {
                    double s = Math.max(iv.start(), w0);
                    double e = Math.min(iv.end(), w1);
                    if (e > s) {
                        part.add(new Interval(s, e));
                    }
                }
                if (part.isEmpty()) {
                    continue;
                }
                String id = String.format(Locale.ROOT, "%s@%04d", fid, k);
                wRef.put(id, r);
                wHyp.put(id, h);
                wUem.put(id, part);
            }
        }
        return new EvalReport(wRef, wHyp, wUem, collars, defaultRegion);
    }

    public DerResult total(double collar) {
        return der.get(collar).total();
    }

    public Map<String, DerResult> perFile(double collar) {
        return der.get(collar).perFile();
    }

    public double totalJer() {
        return jer.total().jer();
    }

    public Map<String, JerResult> jerPerFile() {
        return jer.perFile();
    }

    /** The collar as der.py writes it in JSON keys ({@code f"{c:g}"}): 0, 0.25. */
    static String collarKey(double c) {
        return c == 0 ? "0" : new BigDecimal(Double.toString(c)).stripTrailingZeros().toPlainString();
    }

    public ObjectNode toJson(ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        ObjectNode files = root.putObject("files");
        for (String fid : jer.perFile().keySet()) {
            ObjectNode f = files.putObject(fid);
            ObjectNode d = f.putObject("der");
            for (double c : collars) {
                d.set(collarKey(c), derJson(mapper, der.get(c).perFile().get(fid)));
            }
            JerResult j = jer.perFile().get(fid);
            ObjectNode jn = f.putObject("jer");
            jn.put("jer", j.jer());
            ObjectNode se = jn.putObject("speaker_errors");
            j.speakerErrors().forEach(se::put);
            ObjectNode jm = jn.putObject("mapping");
            j.mapping().forEach(jm::put);
        }
        ObjectNode total = root.putObject("total");
        ObjectNode td = total.putObject("der");
        for (double c : collars) {
            td.set(collarKey(c), derJson(mapper, der.get(c).total()));
        }
        total.put("jer", totalJer());
        ArrayNode cs = root.putArray("collars");
        collars.forEach(cs::add);
        root.put("default_region", defaultRegion.name().toLowerCase(Locale.ROOT));
        root.put("uem", withUem);
        return root;
    }

    public String toJsonString() {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
        try {
            return mapper.writeValueAsString(toJson(mapper)) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode derJson(ObjectMapper mapper, DerResult r) {
        ObjectNode n = mapper.createObjectNode();
        n.put("der", r.der());
        n.put("missed", r.missed());
        n.put("false_alarm", r.falseAlarm());
        n.put("confusion", r.confusion());
        n.put("total", r.total());
        n.put("scored_time", r.scoredTime());
        n.put("collar", r.collar());
        ObjectNode m = n.putObject("mapping");
        r.mapping().forEach(m::put);
        return n;
    }

    /** The table der.py prints: per file and total, DER with its parts per collar, JER. */
    public void printTable(PrintWriter out) {
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-24s", "file"));
        for (double c : collars) {
            head.append(String.format(Locale.ROOT, " %9s %7s %7s %7s", "DER c" + collarKey(c), "miss", "FA", "conf"));
        }
        head.append(String.format(Locale.ROOT, " %7s %9s", "JER", "ref(s)"));
        String rule = "-".repeat(head.length());
        out.println(head);
        out.println(rule);
        for (String fid : jer.perFile().keySet()) {
            Map<Double, DerResult> ders = new LinkedHashMap<>();
            for (double c : collars) {
                ders.put(c, der.get(c).perFile().get(fid));
            }
            out.println(row(fid, ders, jer.perFile().get(fid).jer()));
        }
        out.println(rule);
        Map<Double, DerResult> totals = new LinkedHashMap<>();
        for (double c : collars) {
            totals.put(c, der.get(c).total());
        }
        out.println(row("*** TOTAL ***", totals, totalJer()));
        out.println("(miss/FA/conf are % of scored reference speaker time; ref(s) is that time at collar "
                + (collars.isEmpty() ? "-" : collarKey(collars.get(0))) + ")");
        out.flush();
    }

    private String row(String name, Map<Double, DerResult> ders, double jerValue) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-24s",
                name.length() > 24 ? name.substring(0, 24) : name));
        for (DerResult d : ders.values()) {
            double t = d.total() > 0 ? d.total() : Double.NaN;
            line.append(String.format(Locale.ROOT, " %8.2f%% %6.2f%% %6.2f%% %6.2f%%", 100 * d.der(),
                    100 * d.missed() / t, 100 * d.falseAlarm() / t, 100 * d.confusion() / t));
        }
        double refTotal = ders.isEmpty() ? Double.NaN : ders.values().iterator().next().total();
        line.append(String.format(Locale.ROOT, " %6.2f%% %9.2f", 100 * jerValue, refTotal));
        return line.toString();
    }
}
