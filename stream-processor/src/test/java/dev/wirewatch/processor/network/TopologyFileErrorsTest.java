package dev.wirewatch.processor.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.config.ConfigException;
import dev.wirewatch.processor.config.ProcessorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Each mistake in topology.yaml (and config.yaml) is one error naming the line and the field in plain words. */
class TopologyFileErrorsTest {

    private static String error(String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> ProcessorDriver.topology(yaml));
        assertFalse(e.getMessage().contains("Cannot construct") || e.getMessage().contains("java."), e.getMessage());
        return e.getMessage();
    }

    private static void assertSays(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "'" + part + "' not in: " + message);
        }
    }

    @Test
    void aHostGivenTwiceIsRejectedWhereTheSecondStarts() {
        String message = error("""
                hosts:
                  server:
                    interfaces: {eth0: {addresses: [10.0.0.5/24]}}
                  client:
                    interfaces: {eth0: {addresses: [10.0.0.7/24]}}
                  server:
                    interfaces: {eth0: {addresses: [10.0.0.6/24]}}
                """);
        assertSays(message, "line 6: 'server' is given twice under hosts");
    }

    @Test
    void oneAddressOnTwoHostsIsRejectedWithBothLines() {
        String message = error("""
                hosts:
                  server:
                    interfaces:
                      eth0: {addresses: [10.0.0.5/24]}
                  client:
                    interfaces:
                      eth0: {addresses: [10.0.0.7/24, 10.0.0.5/24]}
                """);
        assertSays(message, "line 7: address 10.0.0.5 of hosts.client.interfaces.eth0 is also on "
                + "hosts.server.interfaces.eth0 (line 4)", "shared: true");
    }

    @Test
    void aVirtualAddressMarkedSharedOnBothHostsLoads() {
        NetworkTopology topology = ProcessorDriver.topology("""
                hosts:
                  node1:
                    interfaces:
                      eth0: {addresses: [192.0.2.11/24, {address: 192.0.2.100/24, shared: true}]}
                  node2:
                    interfaces:
                      eth0:
                        addresses:
                          - 192.0.2.12/24
                          - {address: 192.0.2.100/24, shared: true}
                """);
        assertEquals(2, topology.host("node2").orElseThrow().interfaces().get("eth0").addresses().size());
        assertSays(error("""
                hosts:
                  node1: {interfaces: {eth0: {addresses: [{address: 192.0.2.100/24, shared: true}]}}}
                  node2: {interfaces: {eth0: {addresses: [192.0.2.100/24]}}}
                """), "line 3: address 192.0.2.100 of hosts.node2");
    }

    @Test
    void aStringWhereAListBelongsSaysSoInPlainWords() {
        String message = error("""
                hosts:
                  server:
                    interfaces:
                      eth0:
                        mac: "02:00:00:00:00:05"
                        addresses: 10.0.0.5/24
                """);
        assertSays(message, "line 6: hosts.server.interfaces.eth0.addresses must be a list, got a string ('10.0.0.5/24')");
    }

    @Test
    void aListWhereAMappingBelongsSaysSoInPlainWords() {
        assertSays(error("hosts:\n  - server\n"), "line 2: hosts must be a mapping of names to values, got a list");
        assertSays(error("hosts:\n  server:\n    interfaces: [eth0]\n"),
                "line 3: hosts.server.interfaces must be a mapping of names to values, got a list");
    }

    @Test
    void anEmptyEntryIsNamedNotANullPointer() {
        assertSays(error("hosts:\n  server:\n  client: {interfaces: {eth0: {addresses: [10.0.0.7]}}}\n"),
                "hosts.server must be a mapping of keys to values, got nothing");
        assertSays(error("hosts:\n  server: {interfaces: {eth0: {addresses: [10.0.0.5, ~]}}}\n"),
                "line 2: hosts.server.interfaces.eth0.addresses[1] must be");
    }

    @Test
    void aMisspelledKeyInAnAddressMappingIsNamed() {
        assertSays(error("hosts:\n  a: {interfaces: {eth0: {addresses: [{address: 10.0.0.1, shard: true}]}}}\n"),
                "line 2: unknown key 'shard'", "known keys: address, shared");
    }

    /** The samples' and captures' topologies, written before these checks, still load. */
    @Test
    void theSamplesTopologiesStillLoadAndOneWithASharedAddressToo() throws IOException {
        Path deploy = Path.of(System.getProperty("user.dir")).getParent().resolve("deploy");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(deploy)) {
            files = walk.filter(file -> file.getFileName().toString().equals("topology.yaml")).toList();
        }
        assertTrue(files.size() >= 8, files.toString());
        for (Path file : files) {
            assertFalse(NetworkTopology.load(file).hosts().isEmpty(), file.toString());
        }
        Path shared = Files.writeString(Files.createTempFile("topology", ".yaml"), Files.readString(
                deploy.resolve("samples/07-failover-announcement-blocked/topology.yaml")).replace(
                "[192.0.2.11/24]", "[192.0.2.11/24, {address: 192.0.2.100/24, shared: true}]").replace(
                "[192.0.2.12/24]", "[192.0.2.12/24, {address: 192.0.2.100/24, shared: true}]"));
        try {
            assertEquals(2, NetworkTopology.load(shared).host("node1").orElseThrow().interfaces().get("eth0")
                    .addresses().size());
        } finally {
            Files.delete(shared);
        }
    }

    @Test
    void configYamlGetsTheSamePlainWords() {
        ConfigException twice = assertThrows(ConfigException.class,
                () -> ProcessorDriver.config("syn-answer-timeout: 3s\nsyn-answer-timeout: 5s\n"));
        assertSays(twice.getMessage(), "line 2: 'syn-answer-timeout' is given twice");
        ConfigException list = assertThrows(ConfigException.class, () -> ProcessorDriver.config("syn-answer-timeout: [3s]\n"));
        assertSays(list.getMessage(), "line 1: syn-answer-timeout must be a single value, got a list");
        assertEquals(ProcessorConfig.DEFAULTS.toYaml(), ProcessorDriver.config("{}\n").toYaml());
    }
}
