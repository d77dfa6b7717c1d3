package io.streamdrz.app;

import io.streamdrz.audio.AudioClip;
import io.streamdrz.client.AudioProducer;
import io.streamdrz.client.CallAudio;
import io.streamdrz.cli.StreamdrzCommand;
import io.streamdrz.inference.ModelFixtures;
import io.streamdrz.kafka.EmbeddedKafka;
import io.streamdrz.metrics.MetricsServer;
import io.streamdrz.schema.AudioEncoding;
import io.streamdrz.testing.CapturedLog;

import org.apache.kafka.common.KafkaException;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.layout.PatternLayout;
import picocli.CommandLine;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The app against a broker that requires SASL/PLAIN (and authorizes only its super user):
 * with the right credentials, given as environment variables the way a container gets
 * them, it diarizes a call; with a wrong password it stops within a minute and says why
 * in one line, instead of retrying forever.
 */
class SaslIT {

    private static EmbeddedKafka kafka;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.startWithSaslPlain(Map.of());
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static Map<String, String> environment(String password) {
        return Map.of(
                "STREAMDRZ_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "STREAMDRZ_SASL_MECHANISM", "PLAIN",
                "STREAMDRZ_SASL_JAAS_CONFIG", EmbeddedKafka.plainJaasConfig(EmbeddedKafka.SASL_USER, password));
    }

    @Test
    void rightCredentialsFromTheEnvironmentDiarizeACall() throws Exception {
        String prefix = "sasl-ok-";
        Pipelines.createTopics(kafka, prefix, 1);
        StreamdrzConfig config = StreamdrzConfig.load(null, environment(EmbeddedKafka.SASL_PASSWORD),
                Pipelines.settings(kafka, prefix, stateDir));
        assertEquals("SASL_PLAINTEXT", config.streamsProperties().get("security.protocol"));
        assertTrue(config.consumerProperties().containsKey("sasl.jaas.config"), "consumers get the credentials");
        assertTrue(config.producerProperties().containsKey("sasl.jaas.config"), "producers get the credentials");
        assertEquals(StreamdrzConfig.HIDDEN, config.describe().get("sasl.jaas.config"));

        // Everything logged while the app runs, Kafka's configuration dumps included.
        StringWriter logs = new StringWriter();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration logConfig = context.getConfiguration();
        WriterAppender capture = WriterAppender.newBuilder().setName("sasl-it-capture").setTarget(logs)
                .setLayout(PatternLayout.newBuilder().withPattern("%c - %m%n").build()).build();
        capture.start();
        logConfig.getRootLogger().addAppender(capture, Level.ALL, null);
        Level kafkaLevel = logConfig.getLoggerConfig("org.apache.kafka").getLevel();
        Configurator.setLevel("org.apache.kafka", Level.INFO);
        context.updateLoggers();
        try {
            diarizeOneCall(config);
        } finally {
            Configurator.setLevel("org.apache.kafka", kafkaLevel);
            logConfig.getRootLogger().removeAppender("sasl-it-capture");
            context.updateLoggers();
            capture.stop();
        }
        String logged = logs.toString();
        assertTrue(logged.contains("sasl.jaas.config = [hidden]"), "Kafka's configuration dumps were logged");
        assertTrue(logged.contains("sasl.jaas.config=[hidden]"), "ours too");
        assertFalse(logged.contains(EmbeddedKafka.SASL_PASSWORD), "the password is never logged");
    }

    private static void diarizeOneCall(StreamdrzConfig config) throws Exception {
        CallAudio whole = Pipelines.fixtureCall("call-0", "sasl-call");
        AudioClip clip = whole.audio();
        CallAudio call = new CallAudio("sasl-call",
                new AudioClip(Arrays.copyOf(clip.samples(), clip.sampleRate() * 10), clip.sampleRate()));
        try (DiarizationEngine engine = DiarizationEngine.load(config);
             DiarizationApp app = DiarizationApp.start(config, engine.inference())) {
            assertTrue(app.awaitRunning(Duration.ofMinutes(1)), "app state " + app.state());
            Pipelines.produce(config, List.of(call), new AudioProducer.Options(AudioEncoding.PCM_S16LE, 20, 1, 0, true));
            Pipelines.Output out = Pipelines.readUntilEnded(config, 1, Duration.ofMinutes(2));
            assertEquals(List.of("END_OF_STREAM"), out.ends().get("sasl-call"));
            assertFalse(out.segments().getOrDefault("sasl-call", List.of()).isEmpty(), "segments arrive");
        }
    }

    @Test
    void aWrongPasswordStopsTheAppWithOneClearReason() throws Exception {
        String prefix = "sasl-bad-";
        Pipelines.createTopics(kafka, prefix, 1);
        StreamdrzConfig config = StreamdrzConfig.load(null, environment("not-the-password"),
                Pipelines.settings(kafka, prefix, stateDir));

        // Kafka's clients and the app log the rejected password as errors: expected here, so asserted, not printed.
        try (CapturedLog log = CapturedLog.of("org.apache.kafka", DiarizationApp.class.getName())) {
            KafkaException create = assertThrows(KafkaException.class, () -> DiarizationApp.createTopics(config));
            assertTrue(create.getMessage().contains("Authentication failed"), create.getMessage());
            appStopsWithOneReason(config, log);
        }
    }

    private void appStopsWithOneReason(StreamdrzConfig config, CapturedLog log) throws Exception {
        try (DiarizationEngine engine = DiarizationEngine.load(config);
             DiarizationApp app = DiarizationApp.start(config, engine.inference())) {
            assertFalse(app.awaitRunning(Duration.ofSeconds(90)), "must not run with a wrong password");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (app.state() != KafkaStreams.State.ERROR && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(KafkaStreams.State.ERROR, app.state(), "gives up instead of retrying forever");
            try (MetricsServer server = MetricsServer.start(MetricsEndpointIT.loopback(Duration.ofMinutes(1), null), app.streams(),
                    engine.metrics())) {
                HttpClient http = HttpClient.newHttpClient();
                for (String path : List.of("/healthz", "/readyz")) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(503, r.statusCode(), path + " of a failed app: " + r.body());
                }
            }
            String failure = app.failure().orElseThrow();
            assertTrue(failure.startsWith("authentication failed at " + kafka.bootstrapServers()), failure);
            assertFalse(failure.contains("\n"), "one line: " + failure);
            assertFalse(failure.contains("not-the-password"), "no secret in the message: " + failure);
            assertTrue(log.errors().contains(failure + "; shutting this instance down"), log.errors().toString());
        }
    }

    @Test
    void runExitsWithOneLineWhenTheBrokerRejectsItsPassword() {
        String prefix = "sasl-run-";
        Pipelines.createTopics(kafka, prefix, 1);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = StreamdrzCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit;
        try (CapturedLog log = CapturedLog.of("org.apache.kafka", DiarizationApp.class.getName())) {
            exit = commandLine.execute("run", "--bootstrap-server", kafka.bootstrapServers(),
                    "--model", ModelFixtures.modelPrefix().toString(),
                    "--set", "application.id=" + prefix + "app",
                    "--set", "state.dir=" + stateDir,
                    "--set", "streamdrz.topic.audio.in=" + prefix + "audio-in",
                    "--set", "streamdrz.topic.segments.out=" + prefix + "segments-out",
                    "--set", "streamdrz.topic.dead.letter=" + prefix + "audio-in-dlq",
                    "--set", "streamdrz.metrics.port=0",
                    "--set", "security.protocol=SASL_PLAINTEXT",
                    "--set", "sasl.mechanism=PLAIN",
                    "--set", "sasl.jaas.config=" + EmbeddedKafka.plainJaasConfig(EmbeddedKafka.SASL_USER, "wrong"));
            assertTrue(log.errors().stream().anyMatch(m -> m.startsWith("authentication failed at ")), log.errors().toString());
        }
        assertEquals(1, exit, err.toString());
        String line = err.toString().strip();
        assertTrue(line.startsWith("streamdrz run: stopped: authentication failed at " + kafka.bootstrapServers()), line);
        assertFalse(line.contains("\n"), "one line: " + line);
    }
}
