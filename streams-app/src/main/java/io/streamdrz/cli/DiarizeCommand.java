package io.streamdrz.cli;

import io.streamdrz.audio.AudioDecodeException;
import io.streamdrz.audio.AudioFileReader;
import io.streamdrz.audio.RawFormat;
import io.streamdrz.audio.SampleEncoding;
import io.streamdrz.eval.EvalInputException;
import io.streamdrz.eval.Rttm;
import io.streamdrz.eval.SpeakerTurn;
import io.streamdrz.eval.TimelineSvg;
import io.streamdrz.inference.ChunkDiarizer;
import io.streamdrz.inference.DiarizationModel;
import io.streamdrz.inference.ModelContractException;
import io.streamdrz.inference.ModelOptions;
import io.streamdrz.recipe.CallDiarizer;
import io.streamdrz.recipe.CallSegment;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code streamdrz diarize}: audio files in, RTTM out, no Kafka. Runs the same engine
 * and streaming recipe as the streams app (chunks, speaker prompts, stitching), with
 * the chunks of several calls batched into one model run.
 */
@Command(name = "diarize",
        mixinStandardHelpOptions = true,
        header = "Diarize audio files to RTTM, without Kafka.",
        sortOptions = false,
        description = {
            "Diarize audio files (no Kafka) and write the speaker turns as RTTM.",
            "Input: WAV (PCM 8/16/24/32-bit, float, A-law, mu-law; any rate, any channels), G.711 files "
                + "(.ul/.ulaw/.mulaw/.mu, .al/.alaw: 8 kHz mono), or headerless audio described by "
                + "--raw/--raw-rate/--raw-channels. A directory stands for the audio files in it. The RTTM file id is the "
                + "file name without extension."},
        footer = {"", "Examples:",
            "  streamdrz diarize call.wav",
            "  streamdrz diarize --batch 16 -o hyp.rttm calls/",
            "  streamdrz diarize --max-speakers 2 two-party-call.wav",
            "  streamdrz diarize --raw s16le --raw-rate 8000 capture.pcm"})
public final class DiarizeCommand implements Callable<Integer> {

    private static final Set<String> AUDIO_EXTENSIONS = Set.of("wav", "wave", "ul", "ulaw", "mulaw", "mu", "al", "alaw");
    private static final Set<String> RAW_EXTENSIONS = Set.of("raw", "pcm", "s16", "f32", "sln");

    @Spec
    private CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "AUDIO", description = "Audio files or directories of them.")
    private List<Path> inputs;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the RTTM here (default: stdout).")
    private Path output;

    @Option(names = "--model", paramLabel = "PREFIX",
            description = "Model file prefix: PREFIX-encoder.onnx and PREFIX-decoder.onnx (default: "
                    + "$STREAMDRZ_MODEL_PATH, else models/shipped/streamdrz; a relative path is looked up from the current "
                    + "directory, then from the jar's directory and those above it).")
    private String model;

    @Option(names = "--device", paramLabel = "cpu|cuda", defaultValue = "cpu",
            description = "Where inference runs; cuda falls back to the CPU with a warning when unavailable "
                    + "(default: ${DEFAULT-VALUE}).")
    private String device;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "ONNX Runtime intra-op threads; 0 = one per core. Batching (--batch) is the better "
                    + "lever on a busy machine (see BENCHMARKS.md). Default: ${DEFAULT-VALUE}.")
    private int threads;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "8",
            description = "Calls diarized together: their chunks share one model run (default: ${DEFAULT-VALUE}).")
    private int batch;

    @Option(names = "--max-speakers", paramLabel = "N", defaultValue = "0",
            description = "Most speakers a call is given labels for; once a call has that many, a voice that would "
                    + "be a new speaker goes to the known one it sounds most like. 2 for two-party calls; "
                    + "0 = no limit (default: ${DEFAULT-VALUE}).")
    private int speakerCap;

    @Option(names = "--live-labels",
            description = "Keep the labels the stream gave each segment as it went, as the app emits them on "
                    + "segments-out, instead of deciding them again once the whole file is heard (the model's "
                    + "final.relabel and final.cepstral_weight; models without them always give the live labels).")
    private boolean liveLabels;

    @Option(names = "--raw", paramLabel = "ENCODING",
            description = "Read non-WAV input as headerless audio: s16le, s24le, s32le, u8, f32le, f64le, mulaw, alaw.")
    private String raw;

    @Option(names = "--raw-rate", paramLabel = "HZ", description = "Sample rate of --raw input (default: 8000 for "
            + "mulaw/alaw, else required).")
    private Integer rate;

    @Option(names = "--raw-channels", paramLabel = "N", defaultValue = "1",
            description = "Interleaved channels of --raw input, downmixed (default: ${DEFAULT-VALUE}).")
    private int channels;

    @Option(names = "--plot", paramLabel = "FILE.svg",
            description = "Also draw the result as a timeline in SVG, one lane per speaker, the calls one below the "
                    + "other; with --reference, its lanes above and the errors marked.")
    private Path plot;

    @Option(names = "--reference", paramLabel = "RTTM",
            description = "Reference RTTM for --plot (file id = audio file name without extension).")
    private Path reference;

    @Option(names = "--strict",
            description = "Refuse a WAV file cut short instead of diarizing the audio before the cut (with a warning).")
    private boolean strict;

    /** The names these options had before produce and diarize agreed on --raw-*; kept for scripts. */
    @Option(names = "--rate", hidden = true, paramLabel = "HZ")
    private void oldRate(int hz) {
        rate = hz;
    }

    @Option(names = "--channels", hidden = true, paramLabel = "N")
    private void oldChannels(int n) {
        channels = n;
    }

    @Option(names = "--progress", paramLabel = "auto|always|never", defaultValue = "auto",
            description = "Progress bar on stderr; auto shows it for jobs over a minute of audio (default: ${DEFAULT-VALUE}).")
    private String progress;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (batch < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be >= 1");
        }
        if (threads < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be >= 0");
        }
        if (speakerCap < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-speakers must be >= 0 (0: no limit)");
        }
        ModelOptions.Device dev;
        RawFormat rawFormat;
        try {
            dev = ModelOptions.Device.parse(device);
            rawFormat = rawFormat();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Map<String, List<SpeakerTurn>> references = Map.of();
        if (reference != null) {
            try {
                references = Rttm.read(reference);
            } catch (EvalInputException e) {
                err.println("streamdrz diarize: " + e.getMessage());
                return 1;
            }
        }
        List<Path> files;
        try {
            files = expand(inputs, rawFormat != null);
        } catch (IOException e) {
            err.println("streamdrz diarize: " + e.getMessage());
            return 1;
        }
        if (files.isEmpty()) {
            err.println("streamdrz diarize: no audio files in " + inputs);
            return 1;
        }

        double totalSeconds = 0;
        List<Path> readable = new ArrayList<>();
        int failures = 0;
        for (Path f : files) {
            try {
                totalSeconds += AudioFileReader.probeSeconds(f, rawFormat);
                readable.add(f);
            } catch (AudioDecodeException e) {
                err.println("streamdrz diarize: " + e.getMessage());
                failures++;
            }
        }

        ModelOptions options = ModelOptions.builder().prefix(Path.of(ModelLocation.find(model))).device(dev).intraOpThreads(threads).build();
        long loadStart = System.nanoTime();
        try (DiarizationModel m = DiarizationModel.load(options);
             Writer out = output == null ? null : Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            PrintWriter rttm = out == null ? spec.commandLine().getOut() : new PrintWriter(out);
            CallDiarizer diarizer = new CallDiarizer(new ChunkDiarizer(m), speakerCap);
            int sampleRate = m.contract().sampleRate;
            boolean show = progress.equals("always") || (progress.equals("auto") && totalSeconds >= 60);
            ProgressBar bar = new ProgressBar(err, totalSeconds, show);
            InOrderWriter writer = new InOrderWriter(readable, rttm);
            int[] failed = {0};
            double[] audioSeconds = {0};
            long start = System.nanoTime();
            diarizer.diarizeAll(readable.iterator(), f -> {
                try {
                    float[] samples = AudioFileReader.read(f, rawFormat, sampleRate, strict).samples();
                    audioSeconds[0] += samples.length / (double) sampleRate;
                    return samples;
                } catch (AudioDecodeException e) {
                    bar.finish();
                    err.println("streamdrz diarize: " + e.getMessage());
                    failed[0]++;
                    writer.skip(f);
                    return null;
                }
            }, batch, new CallDiarizer.Listener<>() {
                @Override
                public void chunkDone(Path call, double seconds) {
                    bar.advance(seconds);
                }

                @Override
                public void callDone(Path call, List<CallSegment> segments) {
                    writer.done(call, segments);
                }
            }, !liveLabels);
            bar.finish();
            rttm.flush();
            if (plot != null) {
                Files.writeString(plot, TimelineSvg.render(writer.timelines(references)), StandardCharsets.UTF_8);
                err.println("wrote " + plot);
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            err.println(String.format(Locale.ROOT,
                    "diarized %d file(s), %.1f s of audio in %.1f s on %s (%s thread(s), batch %d): "
                            + "real-time factor %.4f (model load %.1f s)",
                    readable.size() - failed[0], audioSeconds[0], elapsed,
                    m.device().name().toLowerCase(Locale.ROOT), threads == 0 ? "all" : String.valueOf(threads), batch,
                    audioSeconds[0] > 0 ? elapsed / audioSeconds[0] : 0.0, loadSeconds));
            err.flush();
            failures += failed[0];
        } catch (ModelContractException e) {
            err.println("streamdrz diarize: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("streamdrz diarize: cannot write " + (output == null ? plot : output) + ": " + e.getMessage());
            return 1;
        }
        return failures == 0 ? 0 : 1;
    }

    private RawFormat rawFormat() {
        if (raw == null) {
            if (rate != null) {
                throw new IllegalArgumentException("--raw-rate is for --raw input; WAV files carry their own rate");
            }
            return null;
        }
        SampleEncoding encoding = SampleEncoding.parse(raw);
        int r;
        if (rate != null) {
            r = rate;
        } else if (encoding == SampleEncoding.MULAW || encoding == SampleEncoding.ALAW) {
            r = 8000;
        } else {
            throw new IllegalArgumentException("--raw " + raw + " needs --raw-rate");
        }
        return new RawFormat(encoding, r, channels);
    }

    /** Files as given, directories replaced by their audio files (sorted by name). */
    static List<Path> expand(List<Path> inputs, boolean rawGiven) throws IOException {
        java.util.LinkedHashSet<Path> out = new java.util.LinkedHashSet<>();   // a file named twice is diarized once
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(Files::isRegularFile)
                            .filter(f -> {
                                String ext = extension(f);
                                return AUDIO_EXTENSIONS.contains(ext) || (rawGiven && RAW_EXTENSIONS.contains(ext));
                            })
                            .sorted()
                            .forEach(out::add);
                }
            } else {
                out.add(p);
            }
        }
        return new ArrayList<>(out);
    }

    static String extension(Path f) {
        String name = f.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** The RTTM file id of an audio file: its name without the extension. */
    static String fileId(Path f) {
        String name = f.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot <= 0 ? name : name.substring(0, dot);
    }

    /**
     * Writes each call's RTTM in input order although batching finishes calls out of
     * order: finished calls wait until every call before them is written.
     */
    private static final class InOrderWriter {
        private final List<Path> order;
        private final PrintWriter out;
        private final Map<Path, List<CallSegment>> finished = new HashMap<>();
        private final Map<String, List<SpeakerTurn>> written = new java.util.LinkedHashMap<>();
        private int next;

        InOrderWriter(List<Path> order, PrintWriter out) {
            this.order = order;
            this.out = out;
        }

        void done(Path call, List<CallSegment> segments) {
            finished.put(call, segments);
            flush();
        }

        /** The calls written so far, for {@link TimelineSvg}, with their reference turns where known. */
        List<TimelineSvg.Call> timelines(Map<String, List<SpeakerTurn>> references) {
            List<TimelineSvg.Call> calls = new ArrayList<>();
            written.forEach((id, turns) -> calls.add(new TimelineSvg.Call(id, references.get(id), turns)));
            return calls;
        }

        void skip(Path call) {
            finished.put(call, null);
            flush();
        }

        private void flush() {
            while (next < order.size() && finished.containsKey(order.get(next))) {
                Path call = order.get(next);
                List<CallSegment> segments = finished.remove(call);
                if (segments != null) {
                    List<SpeakerTurn> turns = new ArrayList<>(segments.size());
                    for (CallSegment s : segments) {
                        turns.add(new SpeakerTurn(s.start(), s.end(), s.speaker()));
                    }
                    out.print(Rttm.format(fileId(call), turns));
                    out.flush();
                    written.put(fileId(call), turns);
                }
                next++;
            }
        }
    }
}
