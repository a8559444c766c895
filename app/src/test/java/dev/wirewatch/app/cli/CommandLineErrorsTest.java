package dev.wirewatch.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.Main;
import dev.wirewatch.processor.config.ProcessorConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors a user can make: one clear line on stderr naming the file and line, exit code 2, no stack trace. */
class CommandLineErrorsTest {
    @TempDir
    Path temp;

    private record Outcome(int code, String out, String err) {}

    private static Outcome run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Outcome(code, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private Path pcap() throws Exception {
        Path file = temp.resolve("client.pcap");
        Files.write(file, Files.readAllBytes(Path.of(System.getProperty("wirewatch.samples", "../deploy/samples"))
                .resolve("01-firewall-drop/client.pcap")));
        return file;
    }

    @Test
    void anUnknownLogLevelIsRefusedInOneLineAndAKnownOneChangesWhatIsLogged() throws Exception {
        Outcome loud = run("analyze", "--log-level", "loud", "--pcap", "client=" + pcap());
        assertEquals(2, loud.code());
        assertTrue(loud.err().contains("--log-level: error, warn, info or debug, not 'loud'"), loud.err());
        try {
            assertEquals(0, run("--log-level", "debug", "--version").code(), "before the command's name too");
            assertTrue(org.slf4j.LoggerFactory.getLogger("dev.wirewatch.app").isDebugEnabled(), "debug now logged");
            assertEquals(0, run("--log-level", "warn", "--version").code());
            assertFalse(org.slf4j.LoggerFactory.getLogger("dev.wirewatch.app").isInfoEnabled(), "info no longer logged");
        } finally {
            run("--log-level", "info", "--version");
        }
    }

    @Test
    void anUnknownKeyInTheTopologyNamesFileLineAndKey() throws Exception {
        Path topology = temp.resolve("topology.yaml");
        Files.writeString(topology, "hosts:\n  server:\n    interfaces:\n      eth0: {addresses: [10.0.0.5/24]}\n    captur: [eth0]\n");
        Outcome outcome = run("analyze", "--topology", topology.toString(), "--pcap", "client=" + pcap());
        assertEquals(2, outcome.code());
        assertTrue(outcome.err().contains("topology.yaml line 5: unknown key 'captur'"), outcome.err());
        assertFalse(outcome.err().contains("\tat "), "no stack trace: " + outcome.err());
    }

    @Test
    void aBadAddressInTheTopologyIsNamed() throws Exception {
        Path topology = temp.resolve("topology.yaml");
        Files.writeString(topology, "hosts:\n  server:\n    interfaces:\n      eth0: {addresses: [10.0.0.300/24]}\n");
        Outcome outcome = run("analyze", "--topology", topology.toString(), "--pcap", "client=" + pcap());
        assertEquals(2, outcome.code());
        assertTrue(outcome.err().contains("hosts.server.interfaces.eth0.addresses: '10.0.0.300/24' is not an address"),
                outcome.err());
    }

    @Test
    void aHalfGivenNatRuleIsNamedForTheSensorToo() throws Exception {
        Path topology = temp.resolve("topology.yaml");
        Files.writeString(topology, "nat:\n  - public: 203.0.113.80:443\n    private: 10.0.0.5\n");
        for (String[] command : List.of(new String[] {"analyze", "--pcap", "client=" + pcap()},
                new String[] {"sensor", "--bootstrap-servers", "127.0.0.1:9", "--read", pcap().toString()})) {
            List<String> args = new ArrayList<>(List.of(command));
            args.addAll(List.of("--topology", topology.toString()));
            Outcome outcome = run(args.toArray(String[]::new));
            assertEquals(2, outcome.code(), outcome.err());
            assertTrue(outcome.err().contains("nat[0]: '203.0.113.80:443' and '10.0.0.5': give a port on both sides"),
                    outcome.err());
        }
    }

    @Test
    void aBadValueInTheConfigNamesTheKey() throws Exception {
        Path config = temp.resolve("config.yaml");
        Files.writeString(config, "syn-answer-timeout: soon\n");
        Outcome outcome = run("analyze", "--config", config.toString(), "--pcap", "client=" + pcap());
        assertEquals(2, outcome.code());
        assertTrue(outcome.err().contains("config.yaml: syn-answer-timeout: 'soon' is not a duration"), outcome.err());
    }

    @Test
    void everyCommandThatRunsDetectorsPrintsTheSameTableAndAMisspeltKeyNamesTheClosestOne() throws Exception {
        String table = ProcessorConfig.DEFAULTS.toYaml();
        assertEquals(table, run("processor", "--print-config").out());
        assertEquals(table, run("replay", "--print-config").out(), "without its --from: the config is all it prints");
        Path config = temp.resolve("config.yaml");
        Files.writeString(config, "clock-skew: 2s\nsensor-silense: 1m\n");
        Outcome outcome = run("processor", "--config", config.toString());
        assertEquals(2, outcome.code());
        assertTrue(outcome.err().contains("config.yaml line 2: unknown key 'sensor-silense'; did you mean 'sensor-silence'?"),
                outcome.err());
    }

    @Test
    void aFileThatIsNotACaptureIsAClearError() throws Exception {
        Path notes = temp.resolve("notes.pcap");
        Files.writeString(notes, "hello");
        Outcome outcome = run("analyze", "--pcap", "client=" + notes);
        assertEquals(2, outcome.code());
        assertTrue(outcome.err().contains("notes.pcap: not a pcap or pcapng file"), outcome.err());
    }

    @Test
    void aMissingCaptureAndABadPcapArgumentAreUsageErrors() {
        assertEquals(2, run("analyze", "--pcap", "client=" + temp.resolve("absent.pcap")).code());
        Outcome outcome = run("analyze", "--pcap", "no-equals-sign");
        assertEquals(2, outcome.code());
        assertTrue(outcome.err().contains("expected HOST[@IFACE]=FILE"), outcome.err());
    }

    @Test
    void printConfigShowsEveryKeyWithItsDefaultAndReadsBack() throws Exception {
        Outcome outcome = run("analyze", "--print-config", "--pcap", "client=" + pcap());
        assertEquals(0, outcome.code());
        assertTrue(outcome.out().contains("syn-answer-timeout: 5s"), outcome.out());
        Path config = temp.resolve("config.yaml");
        Files.writeString(config, outcome.out());
        assertEquals(outcome.out(), run("analyze", "--print-config", "--config", config.toString(), "--pcap",
                "client=" + pcap()).out(), "the printed defaults are a valid config.yaml");
    }

    @Test
    void helpAnswersForEveryCommand() {
        for (String command : new String[] {"analyze", "demo", "broker", "sink", "replay", "export"}) {
            Outcome outcome = run(command, "--help");
            assertEquals(0, outcome.code(), command);
            assertTrue(outcome.out().contains("Usage: wirewatch " + command), outcome.out());
        }
    }

    @Test
    void aBadSinkOutputIsOneLineThatNamesTheProblemWithoutTheUrlsSecretPart() {
        Outcome unknown = run("sink", "--bootstrap-servers", "127.0.0.1:1", "--to", "pager:https://example.com/T0/secret");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown output 'pager'"), unknown.err());
        assertFalse(unknown.err().contains("secret"), "a URL's path may be its token: " + unknown.err());

        Outcome option = run("sink", "--bootstrap-servers", "127.0.0.1:1", "--to", "slack:https://hooks.example.com/x;colour=red");
        assertEquals(2, option.code());
        assertTrue(option.err().contains("unknown option 'colour=red'"), option.err());

        Outcome rate = run("sink", "--bootstrap-servers", "127.0.0.1:1", "--to", "stdout;rate=often");
        assertEquals(2, rate.code());
        assertTrue(rate.err().contains("rate 'often' is not a rate"), rate.err());

        Outcome syslog = run("sink", "--bootstrap-servers", "127.0.0.1:1", "--to", "syslog:loghost");
        assertEquals(2, syslog.code());
        assertTrue(syslog.err().contains("syslog needs HOST:PORT"), syslog.err());
    }
}
