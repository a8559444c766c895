package dev.wirewatch.app.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** tshark's reading of a capture, one line of tab-separated fields per packet: the independent truth. */
public final class Tshark {
    private Tshark() {}

    /** @param arguments extra options before the fields ({@code -Y FILTER}, {@code -o PREF:VALUE}) */
    public static List<String> fields(Path capture, List<String> arguments, List<String> fields) throws Exception {
        List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", capture.toString(), "-T", "fields"));
        command.addAll(arguments);
        for (String field : fields) {
            command.addAll(List.of("-e", field));
        }
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), "tshark read " + capture);
        return output.lines().filter(line -> !line.isBlank()).toList();
    }
}
