package io.streamdrz.kafka;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * JUnit 5 extension that gives a test class its own {@link EmbeddedKafka}: started
 * before the first test, stopped after the last, its files deleted. Test methods,
 * constructors and {@code @BeforeAll}/{@code @BeforeEach} methods receive it as a
 * parameter.
 *
 * <pre>{@code
 * @ExtendWith(EmbeddedKafkaExtension.class)
 * class SomethingIT {
 *     @Test
 *     void works(EmbeddedKafka kafka) { ... kafka.bootstrapServers() ... }
 * }
 * }</pre>
 *
 * One broker per class, not per test: starting a broker takes seconds, so tests in
 * a class share it and keep apart by using their own topics.
 */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(EmbeddedKafkaExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        store(context).put(context.getRequiredTestClass(), EmbeddedKafka.start());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        EmbeddedKafka kafka = store(context).remove(context.getRequiredTestClass(), EmbeddedKafka.class);
        if (kafka == null) {
            return;
        }
        Path directory = kafka.directory();
        kafka.close();
        if (Files.exists(directory)) {
            throw new IllegalStateException("embedded broker left its files in " + directory);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedKafka.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        // Method-level contexts see the class-level store through their parent.
        EmbeddedKafka kafka = store(context).get(context.getRequiredTestClass(), EmbeddedKafka.class);
        if (kafka == null) {
            throw new ParameterResolutionException("no embedded broker for " + context.getRequiredTestClass()
                    + "; register EmbeddedKafkaExtension on the class, not on a method");
        }
        return kafka;
    }

    private static ExtensionContext.Store store(ExtensionContext context) {
        return context.getStore(NAMESPACE);
    }
}
