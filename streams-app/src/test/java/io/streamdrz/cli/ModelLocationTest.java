package io.streamdrz.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The one rule every command uses to find the model files. */
class ModelLocationTest {

    @TempDir
    Path root;

    @Test
    void aRelativePrefixIsFoundFromTheWorkingDirectoryFirst() throws IOException {
        Path work = Files.createDirectories(root.resolve("work"));
        model(work.resolve("models/streamdrz"));
        model(root.resolve("checkout/models/streamdrz"));
        assertEquals("models/streamdrz", ModelLocation.resolve("models/streamdrz", work, jarIn("checkout")));
    }

    @Test
    void elseFromTheJarsDirectoryOrOneAboveIt() throws IOException {
        Path work = Files.createDirectories(root.resolve("work"));
        Path checkoutModel = model(root.resolve("checkout/models/streamdrz"));
        assertEquals(checkoutModel.toString(), ModelLocation.resolve("models/streamdrz", work, jarIn("checkout")));

        Path besideJar = model(root.resolve("opt/models/streamdrz"));
        assertEquals(besideJar.toString(), ModelLocation.resolve("models/streamdrz", work, root.resolve("opt/streamdrz.jar")));
    }

    @Test
    void anAbsoluteOrMissingPrefixStaysAsGiven() throws IOException {
        Path work = Files.createDirectories(root.resolve("work"));
        model(root.resolve("checkout/models/streamdrz"));
        String absolute = root.resolve("elsewhere/m").toString();
        assertEquals(absolute, ModelLocation.resolve(absolute, work, jarIn("checkout")));
        assertEquals("nowhere/m", ModelLocation.resolve("nowhere/m", work, jarIn("checkout")));
    }

    /** Where the checkout's build puts the jar. */
    private Path jarIn(String checkout) {
        return root.resolve(checkout).resolve("streams-app/target/streamdrz.jar");
    }

    private static Path model(Path prefix) throws IOException {
        Files.createDirectories(prefix.getParent());
        Files.writeString(Path.of(prefix + "-encoder.onnx"), "not a model");
        return prefix;
    }
}
