package io.streamdrz.cli;

import io.streamdrz.app.StreamdrzConfig;

import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Options every Kafka-facing command shares: where the configuration comes from.
 * Precedence: defaults, then {@code --config FILE}, then {@code STREAMDRZ_*}
 * environment variables, then {@code --set} and the command's own flags.
 */
final class KafkaOptions {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Properties file: Kafka client/Streams settings and streamdrz.* settings.")
    Path configFile;

    @Option(names = {"-b", "--bootstrap-server"}, paramLabel = "HOST:PORT",
            description = "Kafka to connect to (bootstrap.servers; default localhost:9092).")
    String bootstrapServers;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE",
            description = "Any setting, Kafka's (e.g. num.stream.threads=2) or ours (e.g. streamdrz.model.device=cuda); repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    /** The configuration, with {@code flags} (the command's own named flags) on top. */
    StreamdrzConfig load(Map<String, String> flags) {
        Map<String, String> overrides = new LinkedHashMap<>(settings);
        if (bootstrapServers != null) {
            overrides.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        }
        overrides.putAll(flags);
        return StreamdrzConfig.load(configFile, System.getenv(), overrides);
    }
}
