package io.streamdrz.cli;

import org.apache.kafka.common.utils.AppInfoParser;
import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What {@code streamdrz --version} prints: our version, the Kafka client library
 * actually on the class path, and the Avro and ONNX Runtime versions the jar was
 * built with (recorded by the build in {@code version.properties}).
 */
final class BuildVersion implements IVersionProvider {

    private static final String RESOURCE = "version.properties";

    @Override
    public String[] getVersion() {
        Properties build = load();
        return new String[] {
            "streamdrz " + build.getProperty("streamdrz.version"),
            "Kafka " + AppInfoParser.getVersion()
                    + ", Avro " + build.getProperty("avro.version")
                    + ", ONNX Runtime " + build.getProperty("onnxruntime.version")
                    + " (" + build.getProperty("onnxruntime.artifact") + ")",
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
        };
    }

    private static Properties load() {
        Properties properties = new Properties();
        try (InputStream in = BuildVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the jar");
            }
            properties.load(in);
            return properties;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
