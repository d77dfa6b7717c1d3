package io.streamdrz.cli;

import io.streamdrz.app.StreamdrzConfig;
import io.streamdrz.audio.AudioDecodeException;
import io.streamdrz.client.VoiceprintTopic;
import io.streamdrz.recipe.CallSegment;
import io.streamdrz.inference.ModelContractException;
import io.streamdrz.schema.Voiceprint;
import io.streamdrz.speakers.EnrolledVoice;
import io.streamdrz.speakers.SimilarVoices;
import io.streamdrz.speakers.SimilarVoices.Candidate;
import io.streamdrz.speakers.SimilarVoices.Match;
import io.streamdrz.speakers.VoiceEmbedder;
import io.streamdrz.speakers.VoiceEmbedder.LabelVoice;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code streamdrz similar}: the enrolled voices or files most like a recording's voice, with scores. */
@Command(name = "similar",
        mixinStandardHelpOptions = true,
        header = "The enrolled voices or files most like a recording's voice.",
        sortOptions = false,
        description = {
            "Embeds AUDIO's voice as enrol does (the model's voice embedding over the frames where one voice alone "
                + "speaks) and prints the top K most similar candidates with their cosine: the enrolled voiceprints "
                + "on the speakers topic (this model's), or with --against DIR the audio files in DIR. "
                + "--per-speaker diarizes AUDIO first and ranks for each of its speakers. --embedding mfcc ranks "
                + "by MFCC statistics instead (mean and std of c1..c19, z-scored over the files compared): the "
                + "classical baseline, files only; both prints the two rankings."},
        footer = {"", "Examples:",
            "  streamdrz similar caller.wav                          # top 5 enrolled voices",
            "  streamdrz similar --against voices/ --top 3 --embedding both ana.wav",
            "  streamdrz similar --per-speaker call.wav"})
public final class SimilarCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private KafkaOptions kafka;

    @Mixin
    private ModelFlags modelFlags;

    @Parameters(paramLabel = "AUDIO", description = "The recording whose voice to look up.")
    private Path query;

    @Option(names = "--against", paramLabel = "DIR", description = "Rank the audio files of DIR instead of the enrolled voices.")
    private Path against;

    @Option(names = {"-k", "--top"}, paramLabel = "K", defaultValue = "5", description = "How many (default: ${DEFAULT-VALUE}).")
    private int top;

    @Option(names = "--embedding", paramLabel = "model|mfcc|both", defaultValue = "model",
            description = "Which voice embedding ranks (default: ${DEFAULT-VALUE}).")
    private String embedding;

    @Option(names = "--per-speaker", description = "Rank for each speaker the model hears in AUDIO (model embedding only).")
    private boolean perSpeaker;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        boolean useModel = !embedding.equals("mfcc");
        boolean useMfcc = !embedding.equals("model");
        if (!List.of("model", "mfcc", "both").contains(embedding)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--embedding is model, mfcc or both");
        }
        if (top < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--top must be at least 1");
        }
        if (useMfcc && (against == null || perSpeaker)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--embedding mfcc or both compares whole files: it needs --against DIR and no --per-speaker");
        }
        StreamdrzConfig config;
        try {
            config = VoiceModel.config(kafka, modelFlagsMap());
        } catch (ConfigException e) {
            err.println("streamdrz similar: " + e.getMessage());
            return 2;
        }
        try (VoiceModel model = VoiceModel.load(config)) {
            List<Path> files = against == null ? List.of() : audioFiles(against, query);
            float[] audio = model.read(query);
            if (useModel) {
                List<Candidate> candidates = against == null ? enrolled(config, model.contract().modelId)
                        : modelVoices(model, files);
                List<LabelVoice> voices = model.embedder().voices(audio);
                if (perSpeaker) {
                    for (LabelVoice v : voices) {
                        if (v.frames() >= model.contract().identify.minFrames()) {
                            print(String.format(Locale.ROOT, "%s speaker %s (%.1f s alone), model embedding", query,
                                    CallSegment.speakerName(v.label()), v.seconds()), SimilarVoices.top(v.unit(), candidates, top));
                        }
                    }
                } else {
                    double[] voice = VoiceEmbedder.wholeVoice(voices);
                    if (voice == null) {
                        err.println("streamdrz similar: " + query + ": no voice heard alone long enough to compare");
                        return 1;
                    }
                    print(query + ", model embedding", SimilarVoices.top(voice, candidates, top));
                }
            }
            if (useMfcc) {
                print(query + ", MFCC statistics (baseline)", mfccRanking(model, audio, files));
            }
            return 0;
        } catch (ModelContractException | KafkaException | IOException e) {
            err.println("streamdrz similar: " + e.getMessage());
            return 1;
        }
    }

    private Map<String, String> modelFlagsMap() {
        Map<String, String> flags = new LinkedHashMap<>();
        modelFlags.addTo(flags);
        return flags;
    }

    private void print(String heading, List<Match> matches) {
        PrintWriter out = spec.commandLine().getOut();
        out.println("# " + heading);
        for (int i = 0; i < matches.size(); i++) {
            out.println(String.format(Locale.ROOT, "%d\t%.3f\t%s", i + 1, matches.get(i).score(), matches.get(i).name()));
        }
        out.flush();
    }

    private static List<Candidate> enrolled(StreamdrzConfig config, String modelId) {
        Map<String, Voiceprint> prints = new VoiceprintTopic(config.consumerProperties(), config.producerProperties(),
                config.speakersTopic()).readAll();
        List<Candidate> out = new ArrayList<>();
        for (Voiceprint p : prints.values()) {
            EnrolledVoice v = EnrolledVoice.of(p);
            if (v != null && v.modelId().equals(modelId)) {
                out.add(new Candidate(v.speakerId() + " (" + v.name() + ")", v.voice()));
            }
        }
        return out;
    }

    private static List<Candidate> modelVoices(VoiceModel model, List<Path> files) throws AudioDecodeException {
        List<Candidate> out = new ArrayList<>();
        for (Path f : files) {
            double[] v = VoiceEmbedder.wholeVoice(model.embedder().voices(model.read(f)));
            if (v != null) {
                out.add(new Candidate(f.toString(), v));
            }
        }
        return out;
    }

    private List<Match> mfccRanking(VoiceModel model, float[] audio, List<Path> files) throws AudioDecodeException {
        List<double[]> vectors = new ArrayList<>();
        List<Candidate> candidates = new ArrayList<>();
        double[] q = model.mfcc().of(audio);
        vectors.add(q);
        for (Path f : files) {
            double[] v = model.mfcc().of(model.read(f));
            if (v != null) {
                vectors.add(v);
                candidates.add(new Candidate(f.toString(), v));
            }
        }
        SimilarVoices.standardize(vectors);
        return SimilarVoices.top(q, candidates, top);
    }

    /** The audio files of {@code dir} but {@code query} itself, in name order. */
    static List<Path> audioFiles(Path dir, Path query) throws IOException {
        try (Stream<Path> listing = Files.list(dir)) {
            return listing.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(wav|wave|ul|ulaw|mulaw|mu|al|alaw)"))
                    .filter(p -> !isSame(p, query))
                    .sorted()
                    .toList();
        }
    }

    private static boolean isSame(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
