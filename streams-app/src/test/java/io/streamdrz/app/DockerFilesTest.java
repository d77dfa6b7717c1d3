package io.streamdrz.app;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What can be checked of {@code docker/} without a Docker engine: the files name settings,
 * topics, ports and paths that exist in the code and the repository.
 */
class DockerFilesTest {

    private static final Path ROOT = StreamdrzConfigTest.repoRoot();
    private static final List<String> FILES = List.of("docker/Dockerfile", "docker/gpu.Dockerfile",
            "docker/docker-compose.yml");

    private static String read(String file) throws IOException {
        return Files.readString(ROOT.resolve(file), StandardCharsets.UTF_8);
    }

    @Test
    void everyStreamdrzVariableSetsARealKey() throws IOException {
        Set<String> known = new HashSet<>(StreamdrzConfig.keys());
        known.addAll(StreamsConfig.configDef().names());
        known.addAll(ProducerConfig.configNames());
        known.addAll(ConsumerConfig.configNames());
        known.addAll(AdminClientConfig.configNames());
        int seen = 0;
        for (String file : FILES) {
            Matcher m = Pattern.compile("\\b(STREAMDRZ_[A-Z0-9_]+)").matcher(read(file));
            while (m.find()) {
                String key = StreamdrzConfig.keyOfEnvironmentVariable(m.group(1));
                assertTrue(known.contains(key), file + ": " + m.group(1) + " sets " + key + ", which nothing reads");
                seen++;
            }
        }
        assertTrue(seen >= 10, "found only " + seen + " variables");
    }

    @Test
    void composeCreatesTheDefaultTopicsAndScrapesTheDefaultPort() throws IOException {
        StreamdrzConfig defaults = StreamdrzConfig.of(java.util.Map.of());
        String compose = read("docker/docker-compose.yml");
        for (String topic : defaults.appTopics()) {
            assertTrue(compose.contains("--topic " + topic + " "), "compose creates " + topic);
        }
        String port = String.valueOf(defaults.metricsPort());
        assertTrue(read("docker/prometheus/prometheus.yml").contains("app:" + port));
        assertTrue(compose.contains("\"" + port + ":" + port + "\""));
        for (String file : List.of("docker/Dockerfile", "docker/gpu.Dockerfile")) {
            assertTrue(read(file).contains("EXPOSE " + port), file);
        }
    }

    @Test
    void composeRunsTheKafkaOfTheBuild() throws IOException {
        Matcher version = Pattern.compile("<kafka.version>([^<]+)</kafka.version>").matcher(read("pom.xml"));
        assertTrue(version.find());
        Matcher images = Pattern.compile("image: apache/kafka:(\\S+)").matcher(read("docker/docker-compose.yml"));
        int n = 0;
        while (images.find()) {
            assertTrue(images.group(1).equals(version.group(1)), "apache/kafka:" + images.group(1));
            n++;
        }
        assertTrue(n >= 2, "kafka and topics services");
    }

    @Test
    void theImagesCopyFilesThatExist() throws IOException {
        for (String file : List.of("docker/Dockerfile", "docker/gpu.Dockerfile")) {
            String text = read(file);
            Matcher copies = Pattern.compile("(?m)^COPY (?!--from)((?:[^\\\\\\n]|\\\\\\n)+)$").matcher(text);
            int n = 0;
            while (copies.find()) {
                String[] parts = copies.group(1).replace("\\\n", " ").trim().split("\\s+");
                for (int i = 0; i < parts.length - 1; i++) {
                    if (parts[i].startsWith("models/shipped/streamdrz-")) {
                        // The model files are local until the lead commits them: only the naming is checked.
                        assertTrue(parts[i].matches("models/shipped/streamdrz-(encoder|decoder|window)\\.onnx"), parts[i]);
                        continue;
                    }
                    assertTrue(Files.exists(ROOT.resolve(parts[i])), file + " copies " + parts[i]);
                    n++;
                }
            }
            assertTrue(n >= 5, file + ": " + n + " sources");
            assertTrue(text.contains("ENTRYPOINT [\"java\", \"-jar\", \"/opt/streamdrz/streamdrz.jar\"]"), file);
            assertTrue(text.contains("CMD [\"run\"]"), file);
            assertTrue(text.contains("USER 10001"), file + " runs as a user, not root");
        }
        assertTrue(read("docker/gpu.Dockerfile").contains("-Pgpu"));
    }

    @Test
    void theBuildContextKeepsWhatTheImagesNeed() throws IOException {
        String ignore = read(".dockerignore");
        assertFalse(ignore.lines().anyMatch(l -> l.trim().equals("models") || l.trim().startsWith("models/*.onnx")),
                "the model files must reach the build");
        assertTrue(ignore.contains("models/.venv"));
        assertTrue(ignore.contains("**/target"));
    }
}
