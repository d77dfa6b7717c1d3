package io.streamdrz.cli;

import io.streamdrz.app.SpeakersTopic;
import io.streamdrz.app.StreamdrzConfig;
import io.streamdrz.audio.AudioDecodeException;
import io.streamdrz.client.VoiceprintTopic;
import io.streamdrz.inference.ModelContractException;
import io.streamdrz.schema.Voiceprint;
import io.streamdrz.speakers.Enrollment;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code streamdrz enroll}: clean recordings of one person become their voiceprint on the speakers topic. */
@Command(name = "enroll",
        mixinStandardHelpOptions = true,
        header = "Enroll a speaker from recordings of them alone.",
        sortOptions = false,
        description = {
            "Runs each recording through the model as a call, checks that it holds at least "
                + Enrollment.MIN_SECONDS + " s of speech and one voice only, and writes the speaker's voiceprint "
                + "(one embedding per recording) to the compacted speakers topic (streamdrz.topic.speakers, created "
                + "if missing), keyed by --id. Running apps pick it up at once: from then on, segments of a call "
                + "speaker who sounds like this print carry its id and name. Enrolling an id again adds the new "
                + "recordings to its print, unless --replace. Refused, with nothing written: too little speech, more "
                + "than one voice, or an existing print of another model (use --replace)."},
        footer = {"", "Examples:",
            "  streamdrz enroll --id agent-17 --name \"Ana Silva\" ana-1.wav ana-2.wav",
            "  streamdrz speakers                     # list the enrolled speakers",
            "  streamdrz speakers --delete agent-17   # delete one (a tombstone on the topic)"})
public final class EnrollCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private KafkaOptions kafka;

    @Mixin
    private ModelFlags modelFlags;

    @Option(names = "--id", required = true, paramLabel = "ID", description = "Speaker id: the key on the speakers topic.")
    private String id;

    @Option(names = "--name", paramLabel = "NAME", description = "Display name segments carry (default: the id).")
    private String name;

    @Option(names = "--replace", description = "Replace an existing print of this id instead of adding to it.")
    private boolean replace;

    @Parameters(arity = "1..*", paramLabel = "AUDIO", description = "Recordings of the speaker alone.")
    private List<Path> recordings;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (id.isBlank()) {
            err.println("streamdrz enroll: --id must not be empty");
            return 2;
        }
        Map<String, String> flags = new LinkedHashMap<>();
        modelFlags.addTo(flags);
        StreamdrzConfig config;
        try {
            config = VoiceModel.config(kafka, flags);
        } catch (ConfigException e) {
            err.println("streamdrz enroll: " + e.getMessage());
            return 2;
        }
        if (config.speakersTopic().isEmpty()) {
            err.println("streamdrz enroll: streamdrz.topic.speakers is empty: there is no topic to enroll to");
            return 2;
        }
        try (VoiceModel model = VoiceModel.load(config)) {
            Enrollment enrollment = new Enrollment(model.embedder(),
                    model.contract().identify.withThreshold(config.speakersThreshold()), Clock.systemUTC());
            List<Enrollment.Recording> embedded = new ArrayList<>();
            for (Path file : recordings) {
                embedded.add(enrollment.embed(file.toString(), model.read(file)));
            }
            SpeakersTopic.ensure(config);
            VoiceprintTopic topic = new VoiceprintTopic(config.consumerProperties(), config.producerProperties(),
                    config.speakersTopic());
            Voiceprint existing = replace ? null : topic.readAll().get(id);
            Voiceprint print = enrollment.print(id, name == null ? id : name, embedded, existing);
            topic.put(print);
            spec.commandLine().getOut().println(String.format(Locale.ROOT,
                    "enrolled %s (%s): %d recording(s), %.1f s of speech, model %s, on %s", id,
                    print.getDisplayName(), print.getEmbeddings().size(), print.getSpeechSeconds(), print.getModelId(),
                    config.speakersTopic()));
            return 0;
        } catch (Enrollment.RefusedException e) {
            err.println("streamdrz enroll: refused: " + e.getMessage());
            return 1;
        } catch (AudioDecodeException | ModelContractException | KafkaException e) {
            err.println("streamdrz enroll: " + e.getMessage());
            return 1;
        }
    }
}
