package io.streamdrz.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar streamdrz.jar ...} left running in its own process, as an operator
 * leaves a command running in a terminal; stdout and stderr go to files the test reads.
 */
final class JarProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private JarProcess(String name, Process process, Path stdout, Path stderr) {
        this.name = name;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    static JarProcess start(Path logDir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m", "-jar",
                PackagedJar.JAR.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(logDir, args[0], ".out");
        Path err = Files.createTempFile(logDir, args[0], ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new JarProcess(args[0], process, out, err);
    }

    /** A port nobody listens on now (there is a small race until the child binds it; fine for a test). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Waits until stdout or stderr contains {@code text}; false if the process exits or time runs out first. */
    boolean awaitOutput(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (stdout().contains(text) || stderr().contains(text)) {
                return true;
            }
            if (!process.isAlive()) {
                return stdout().contains(text) || stderr().contains(text);
            }
            Thread.sleep(100);
        }
        return false;
    }

    /** Waits for the process to exit by itself; its exit status, or -1 if it is still running. */
    int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** SIGTERM, as Ctrl-C or {@code kill} would send; the exit status, or -1 if it did not stop within a minute. */
    int terminate() throws InterruptedException {
        process.destroy();
        return awaitExit(Duration.ofMinutes(1));
    }

    String stdout() {
        return read(stdout);
    }

    String stderr() {
        return read(stderr);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Override
    public String toString() {
        return "streamdrz " + name + "\n--- stdout:\n" + stdout() + "\n--- stderr:\n" + stderr();
    }

    /** Kills it if a failed test left it running. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
