package dev.wirewatch.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

/** Shell commands of the namespace tests (ip, nft, ...): 30 s at most each, the output printed when one fails. */
public final class Shell {
    private Shell() {}

    /** The command's exit status. */
    public static int run(String command) throws Exception {
        Process process = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), command);
        if (process.exitValue() != 0) {
            System.out.println(command + ": " + output);
        }
        return process.exitValue();
    }

    public static void must(String command) throws Exception {
        assertEquals(0, run(command), command);
    }
}
