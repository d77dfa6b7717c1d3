package io.streamdrz.app;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Checks, before the app starts, that the topics it reads and writes exist. Kafka
 * Streams would find out only after its first rebalance and then stop with
 * {@code MissingSourceTopicException} and a long stack trace; this says which topics
 * are missing and how to create them, in one line.
 */
final class RequiredTopics {

    private static final long TIMEOUT_SECONDS = 30;

    private RequiredTopics() {
    }

    /** Thrown when topics the app needs are missing; the message is the whole story. */
    static final class MissingTopicsException extends KafkaException {
        MissingTopicsException(List<String> missing, String bootstrapServers) {
            super("missing topic" + (missing.size() == 1 ? " " : "s ") + String.join(", ", missing) + " at "
                    + bootstrapServers + ": create " + (missing.size() == 1 ? "it" : "them")
                    + ", or pass --create-topics (streamdrz.topics.create=true)");
        }
    }

    /** The app's topics that the cluster does not have, in configuration order. */
    static List<String> missing(StreamdrzConfig config) {
        List<String> wanted = config.appTopics();
        Admin admin = Admin.create(config.adminProperties());
        try {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return wanted.stream().filter(name -> !existing.contains(name)).toList();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthenticationException || e.getCause() instanceof AuthorizationException) {
                // Leave the one-line security message to the stream threads' handler.
                return List.of();
            }
            throw new KafkaException("cannot list the topics at " + config.bootstrapServers() + ": "
                    + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new KafkaException("no answer from Kafka at " + config.bootstrapServers() + " within "
                    + TIMEOUT_SECONDS + " s (is it running? bootstrap.servers, --bootstrap-server)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while listing topics", e);
        } finally {
            // Without a broker the request would otherwise hold close() for the client's own
            // 60 s API timeout after we have given up.
            admin.close(Duration.ofSeconds(1));
        }
    }

    /** Throws {@link MissingTopicsException} unless all the app's topics exist. */
    static void requireExisting(StreamdrzConfig config) {
        List<String> missing = missing(config);
        if (!missing.isEmpty()) {
            throw new MissingTopicsException(missing, config.bootstrapServers());
        }
    }
}
