package io.streamdrz.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws calls as timelines in SVG: one lane per speaker, the reference's above the
 * hypothesis's, then one lane each for missed speech, false alarm and speaker confusion
 * ({@link ErrorRegions}), over an axis in seconds. A hypothesis speaker has the colour of
 * the reference speaker it is mapped to, so a correct result shows matching colours in
 * matching places. Plain SVG 1.1, no script, no external files: any browser opens it.
 */
public final class TimelineSvg {

    /** One call to draw. {@code reference} may be null: then only the hypothesis is drawn. */
    public record Call(String name, List<SpeakerTurn> reference, List<SpeakerTurn> hypothesis) {
    }

    private static final int WIDTH = 1000;
    private static final int LEFT = 110;
    private static final int RIGHT = 20;
    private static final int LANE = 18;
    private static final int GAP = 4;
    private static final int TITLE = 26;
    private static final int AXIS = 34;
    private static final String[] PALETTE = {
        "#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#bcbd22", "#7f7f7f"};
    private static final String UNMATCHED = "#aaaaaa";
    private static final Map<ErrorRegions.Kind, String> ERROR_COLOUR = Map.of(
            ErrorRegions.Kind.MISSED, "#d62728",
            ErrorRegions.Kind.FALSE_ALARM, "#ff7f0e",
            ErrorRegions.Kind.CONFUSION, "#e377c2");
    private static final Map<ErrorRegions.Kind, String> ERROR_LABEL = Map.of(
            ErrorRegions.Kind.MISSED, "missed",
            ErrorRegions.Kind.FALSE_ALARM, "false alarm",
            ErrorRegions.Kind.CONFUSION, "confusion");

    private TimelineSvg() {
    }

    /** The SVG document for {@code calls}, drawn one below the other. */
    public static String render(List<Call> calls) {
        StringBuilder body = new StringBuilder();
        int y = 0;
        for (Call call : calls) {
            y = drawCall(body, call, y);
        }
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, y, WIDTH, y));
        svg.append(String.format(Locale.ROOT, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>%n",
                WIDTH, y));
        return svg.append(body).append("</svg>\n").toString();
    }

    private static int drawCall(StringBuilder svg, Call call, int top) {
        double end = 0;
        List<SpeakerTurn> ref = call.reference() == null ? List.of() : call.reference();
        for (List<SpeakerTurn> turns : List.of(ref, call.hypothesis())) {
            for (SpeakerTurn t : turns) {
                end = Math.max(end, t.end());
            }
        }
        Scale x = new Scale(end <= 0 ? 1 : end);
        int y = top + TITLE;
        Map<String, String> colours = new LinkedHashMap<>();
        String title = call.name();
        if (call.reference() != null) {
            DerResult der = DiarizationScorer.score(ref, call.hypothesis(), 0, null,
                    DiarizationScorer.DefaultRegion.UNION);
            title += String.format(Locale.ROOT, ": DER %.1f %% (collar 0; missed %.1f, false alarm %.1f, "
                    + "confusion %.1f s)", 100 * der.der(), der.missed(), der.falseAlarm(), der.confusion());
            int i = 0;
            for (String speaker : speakers(ref)) {
                colours.put(speaker, PALETTE[i++ % PALETTE.length]);
            }
            y = drawLanes(svg, "ref ", ref, colours::get, x, y);
            Map<String, String> hypColours = new LinkedHashMap<>();
            der.mapping().forEach((r, h) -> hypColours.put(h, colours.get(r)));
            y = drawLanes(svg, "hyp ", call.hypothesis(), s -> hypColours.getOrDefault(s, UNMATCHED), x, y + GAP);
            y = drawErrors(svg, ErrorRegions.of(ref, call.hypothesis(), der.mapping()), x, y + GAP);
        } else {
            int i = 0;
            for (String speaker : speakers(call.hypothesis())) {
                colours.put(speaker, PALETTE[i++ % PALETTE.length]);
            }
            y = drawLanes(svg, "hyp ", call.hypothesis(), colours::get, x, y);
        }
        svg.append(text(4, top + 17, escape(title), "font-weight=\"bold\""));
        return drawAxis(svg, x, y + GAP);
    }

    private static int drawLanes(StringBuilder svg, String prefix, List<SpeakerTurn> turns,
                                 java.util.function.Function<String, String> colour, Scale x, int y) {
        for (String speaker : speakers(turns)) {
            svg.append(text(4, y + LANE - 5, escape(prefix + speaker), ""));
            svg.append(lane(y));
            for (SpeakerTurn t : turns) {
                if (t.speaker().equals(speaker)) {
                    svg.append(rect(x.at(t.start()), y, x.at(t.end()), colour.apply(speaker),
                            prefix + speaker + " " + seconds(t.start()) + "-" + seconds(t.end())));
                }
            }
            y += LANE + GAP;
        }
        return y;
    }

    private static int drawErrors(StringBuilder svg, List<ErrorRegions.Region> errors, Scale x, int y) {
        for (ErrorRegions.Kind kind : ErrorRegions.Kind.values()) {
            svg.append(text(4, y + LANE - 5, ERROR_LABEL.get(kind), "fill=\"" + ERROR_COLOUR.get(kind) + "\""));
            svg.append(lane(y));
            for (ErrorRegions.Region r : errors) {
                if (r.kind() == kind) {
                    svg.append(rect(x.at(r.start()), y, x.at(r.end()), ERROR_COLOUR.get(kind),
                            ERROR_LABEL.get(kind) + " " + seconds(r.start()) + "-" + seconds(r.end())));
                }
            }
            y += LANE + GAP;
        }
        return y;
    }

    private static int drawAxis(StringBuilder svg, Scale x, int y) {
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                LEFT, y, WIDTH - RIGHT, y));
        double step = tickStep(x.end);
        for (double t = 0; t <= x.end + 1e-9; t += step) {
            double px = x.at(t);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>%n",
                    px, y, px, y + 5));
            svg.append(text(px, y + 18, seconds(t), "text-anchor=\"middle\""));
        }
        svg.append(text(WIDTH - RIGHT, y + 31, "seconds", "text-anchor=\"end\""));
        return y + AXIS;
    }

    /** A tick every 1, 2 or 5 times a power of ten, at most about twelve ticks. */
    static double tickStep(double seconds) {
        double raw = seconds / 12;
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * power >= raw) {
                return m * power;
            }
        }
        return 10 * power;
    }

    private static List<String> speakers(List<SpeakerTurn> turns) {
        LinkedHashSet<String> names = new LinkedHashSet<>();
        turns.stream().sorted((a, b) -> Double.compare(a.start(), b.start())).forEach(t -> names.add(t.speaker()));
        return new ArrayList<>(names);
    }

    private static String lane(int y) {
        return String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f2f2f2\"/>%n",
                LEFT, y, WIDTH - LEFT - RIGHT, LANE);
    }

    private static String rect(double x0, int y, double x1, String fill, String tooltip) {
        return String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\">"
                + "<title>%s</title></rect>%n", x0, y, Math.max(0.5, x1 - x0), LANE, fill, escape(tooltip));
    }

    private static String text(double x, int y, String content, String attributes) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" %s>%s</text>%n", x, y, attributes, content);
    }

    private static String seconds(double t) {
        return String.format(Locale.ROOT, t == Math.rint(t) ? "%.0f" : "%.1f", t);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** Seconds to x pixels over the plotting width. */
    private record Scale(double end) {
        double at(double t) {
            return LEFT + t / end * (WIDTH - LEFT - RIGHT);
        }
    }
}
