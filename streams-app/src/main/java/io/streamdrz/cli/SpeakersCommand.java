package io.streamdrz.cli;

import io.streamdrz.app.StreamdrzConfig;
import io.streamdrz.client.VoiceprintTopic;
import io.streamdrz.schema.Voiceprint;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code streamdrz speakers}: list the enrolled speakers, or delete one. */
@Command(name = "speakers",
        mixinStandardHelpOptions = true,
        header = "List the enrolled speakers, or delete one.",
        sortOptions = false,
        description = {
            "Lists the voiceprints on the speakers topic (streamdrz.topic.speakers): id, name, model, seconds of "
                + "speech, recordings, when enrolled. --delete ID writes a tombstone for the speaker: every running "
                + "app instance drops the print from memory as it reads it, calls in progress lose the name from "
                + "their next segment on, and compaction removes the print from the topic. This is how to honour "
                + "a request to delete someone's voice data (docs/OPERATIONS.md)."},
        footer = {"", "Examples:",
            "  streamdrz speakers",
            "  streamdrz speakers --delete agent-17"})
public final class SpeakersCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private KafkaOptions kafka;

    @Option(names = "--delete", paramLabel = "ID", description = "Delete this speaker (a tombstone on the topic).")
    private String delete;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        StreamdrzConfig config;
        try {
            config = kafka.load(Map.of());
        } catch (ConfigException e) {
            err.println("streamdrz speakers: " + e.getMessage());
            return 2;
        }
        VoiceprintTopic topic = new VoiceprintTopic(config.consumerProperties(), config.producerProperties(),
                config.speakersTopic());
        try {
            Map<String, Voiceprint> prints = topic.readAll();
            if (delete != null) {
                if (!prints.containsKey(delete)) {
                    err.println("streamdrz speakers: no speaker " + delete + " on " + topic.topic());
                    return 1;
                }
                topic.delete(delete);
                out.println("deleted " + delete + " (" + prints.get(delete).getDisplayName() + "): tombstone on "
                        + topic.topic());
                return 0;
            }
            out.println("ID\tNAME\tMODEL\tSPEECH_S\tRECORDINGS\tENROLLED");
            for (Voiceprint p : prints.values()) {
                out.println(String.format(Locale.ROOT, "%s\t%s\t%s\t%.1f\t%d\t%s", p.getSpeakerId(), p.getDisplayName(),
                        p.getModelId(), p.getSpeechSeconds(), p.getEmbeddings().size(),
                        Instant.ofEpochMilli(p.getCreatedMs())));
            }
            return 0;
        } catch (KafkaException e) {
            err.println("streamdrz speakers: " + e.getMessage());
            return 1;
        }
    }
}
