package io.streamdrz.cli;

import io.streamdrz.eval.DiarizationScorer;
import io.streamdrz.eval.EvalInputException;
import io.streamdrz.eval.TimelineSvg;
import io.streamdrz.eval.EvalReport;
import io.streamdrz.eval.Interval;
import io.streamdrz.eval.Rttm;
import io.streamdrz.eval.SpeakerTurn;
import io.streamdrz.eval.Uem;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * {@code streamdrz eval}: reference RTTM vs hypothesis RTTM -> DER (md-eval-22
 * conventions, collars 0 and 0.25 s by default) and JER, per file and in total.
 */
@Command(name = "eval",
        mixinStandardHelpOptions = true,
        header = "Score hypothesis RTTM against a reference: DER and JER.",
        sortOptions = false,
        description = {
            "Score hypothesis RTTM against reference RTTM: DER (NIST md-eval-22 conventions: overlap scored, "
                + "optimal one-to-one speaker mapping computed without collars, collar c = +-c s around each "
                + "reference boundary not scored) and JER (dscore), per file and in total.",
            "Without a UEM a file is scored from the earliest to the latest turn of reference and "
                + "hypothesis."},
        footer = {"", "Example:",
            "  streamdrz eval --ref calls/*.rttm --hyp hyp.rttm --json report.json"})
public final class EvalCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--ref", arity = "1..*", required = true, paramLabel = "RTTM", description = "Reference RTTM file(s).")
    private List<Path> refs;

    @Option(names = "--hyp", arity = "1..*", required = true, paramLabel = "RTTM", description = "Hypothesis RTTM file(s).")
    private List<Path> hyps;

    @Option(names = "--uem", arity = "1..*", paramLabel = "UEM", description = "UEM file(s): the regions to score.")
    private List<Path> uems;

    @Option(names = "--collars", split = ",", paramLabel = "SECONDS", defaultValue = "0,0.25",
            description = "md-eval collars, comma separated (default: ${DEFAULT-VALUE}).")
    private List<Double> collars;

    @Option(names = "--default-region", paramLabel = "union|ref", defaultValue = "union",
            description = "Region scored without a UEM: union (dscore: reference and hypothesis extent) "
                    + "or ref (plain md-eval: reference extent). Default: ${DEFAULT-VALUE}.")
    private String defaultRegion;

    @Option(names = "--window", paramLabel = "SECONDS",
            description = "Score consecutive windows of this length as separate files, each with its own "
                    + "speaker mapping (e.g. 8 to see what label changes between chunks cost).")
    private Double window;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the full report as JSON here ('-' for stdout instead of the table).")
    private Path json;

    @Option(names = "--plot", paramLabel = "DIR",
            description = "Also draw each file as a timeline, DIR/FILE_ID.svg: speaker lanes of the reference over "
                    + "the hypothesis's, missed speech, false alarm and confusion marked, axis in seconds.")
    private Path plot;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            DiarizationScorer.DefaultRegion region = parseRegion(defaultRegion);
            for (double c : collars) {
                if (c < 0) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "collars must be >= 0, not " + c);
                }
            }
            Map<String, List<SpeakerTurn>> ref = Rttm.read(refs);
            Map<String, List<SpeakerTurn>> hyp = Rttm.read(hyps);
            Map<String, List<Interval>> uem = uems == null ? null : Uem.read(uems);
            for (String fid : new TreeSet<>(hyp.keySet())) {
                if (!ref.containsKey(fid)) {
                    err.println("warning: file '" + fid + "' is in the hypothesis but not in the reference; not scored");
                }
            }
            for (String fid : new TreeSet<>(ref.keySet())) {
                if (!hyp.containsKey(fid)) {
                    err.println("warning: file '" + fid + "' has no hypothesis; all its speech counts as missed");
                }
            }
            EvalReport report = window == null
                    ? EvalReport.evaluate(ref, hyp, uem, collars, region)
                    : EvalReport.evaluateWindows(ref, hyp, uem, collars, region, window);
            boolean jsonToStdout = json != null && json.toString().equals("-");
            if (jsonToStdout) {
                out.print(report.toJsonString());
                out.flush();
            } else {
                report.printTable(out);
                if (json != null) {
                    Files.writeString(json, report.toJsonString(), StandardCharsets.UTF_8);
                }
            }
            return plot == null ? 0 : plot(ref, hyp, err);
        } catch (EvalInputException e) {
            err.println("streamdrz eval: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("streamdrz eval: cannot write " + json + ": " + e.getMessage());
            return 1;
        }
    }

    /** One SVG timeline per reference file in {@link #plot}; the exit status. */
    private int plot(Map<String, List<SpeakerTurn>> ref, Map<String, List<SpeakerTurn>> hyp, PrintWriter err) {
        try {
            Files.createDirectories(plot);
            for (String fid : new TreeSet<>(ref.keySet())) {
                Path file = plot.resolve(fid + ".svg");
                Files.writeString(file, TimelineSvg.render(List.of(
                        new TimelineSvg.Call(fid, ref.get(fid), hyp.getOrDefault(fid, List.of())))), StandardCharsets.UTF_8);
                err.println("wrote " + file);
            }
            return 0;
        } catch (IOException e) {
            err.println("streamdrz eval: cannot write the plots to " + plot + ": " + e.getMessage());
            return 1;
        } finally {
            err.flush();
        }
    }

    private DiarizationScorer.DefaultRegion parseRegion(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "union": return DiarizationScorer.DefaultRegion.UNION;
            case "ref": return DiarizationScorer.DefaultRegion.REF;
            default:
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--default-region must be union or ref, not '" + name + "'");
        }
    }
}
