package dev.wirewatch.app;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** `wirewatch ARGS` as its own process, from this test's classpath, as the launcher runs it; its output in a log file. */
public final class Wirewatch {
    private Wirewatch() {}

    public static Process start(Path log, List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.wirewatch.record",
                Main.class.getName()));
        command.addAll(arguments);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
