package io.streamdrz.testing;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one class logs while a test provokes a failure on purpose: kept here for the test
 * to assert, instead of reaching the test log as an ERROR with a stack trace that looks
 * like a real problem in a passing run.
 *
 * <pre>{@code
 * try (CapturedLog log = CapturedLog.of(ChunkDiarizationProcessor.class)) {
 *     ... make the engine fail ...
 *     assertTrue(log.errors().get(0).contains("inference failed"));
 * }
 * }</pre>
 */
public final class CapturedLog implements AutoCloseable {

    private final LoggerContext context;
    private final List<String> loggerNames;
    private final List<LogEvent> events = new ArrayList<>();
    /** Logger configurations that ours replaced (another test may have set a level), restored on close. */
    private final Map<String, LoggerConfig> replaced = new HashMap<>();

    private CapturedLog(LoggerContext context, List<String> loggerNames) {
        this.context = context;
        this.loggerNames = loggerNames;
    }

    /** Takes over the logger of {@code type} until {@link #close()}. */
    public static CapturedLog of(Class<?> type) {
        return of(type.getName());
    }

    /**
     * Takes over the named loggers and those below them (e.g. {@code org.apache.kafka})
     * until {@link #close()}; only their warnings and errors are kept.
     */
    public static CapturedLog of(String... loggerNames) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        CapturedLog log = new CapturedLog(context, List.of(loggerNames));
        Configuration config = context.getConfiguration();
        AbstractAppender appender = new AbstractAppender("captured-" + String.join(",", loggerNames), null, null, true,
                Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                synchronized (log.events) {
                    log.events.add(event.toImmutable());
                }
            }
        };
        appender.start();
        for (String name : loggerNames) {
            LoggerConfig existing = config.getLoggers().get(name);
            if (existing != null) {
                log.replaced.put(name, existing);
                config.removeLogger(name);
            }
            // Not additive: the events stop here instead of going on to the console appender.
            LoggerConfig logger = new LoggerConfig(name, Level.WARN, false);
            logger.addAppender(appender, Level.WARN, null);
            config.addLogger(name, logger);
        }
        context.updateLoggers();
        return log;
    }

    /** The messages logged at ERROR so far. */
    public List<String> errors() {
        synchronized (events) {
            return events.stream().filter(e -> e.getLevel() == Level.ERROR)
                    .map(e -> e.getMessage().getFormattedMessage()).toList();
        }
    }

    /** Gives the logger back to the test configuration. */
    @Override
    public void close() {
        Configuration config = context.getConfiguration();
        for (String name : loggerNames) {
            config.removeLogger(name);
            if (replaced.containsKey(name)) {
                config.addLogger(name, replaced.get(name));
            }
        }
        context.updateLoggers();
    }
}
