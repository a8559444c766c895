package dev.wirewatch.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The .deb the build made, installed on this machine as an admin would: it holds the jar, the launcher, the units and
 * the configuration as conffiles; installed, `wirewatch` runs from the PATH without Maven and finds its samples; every
 * unit is one systemd accepts, runs as the wirewatch user and keeps only the privileges it needs. Removing it leaves
 * the configuration and what the services stored, nothing else; purging leaves nothing. It purges the package
 * whatever happens.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebianPackageIT {
    private static final String MAVEN_VERSION = System.getProperty("wirewatch.version");
    private static final String DEBIAN_VERSION = MAVEN_VERSION.replace('-', '~');
    private static final Path DEB = Path.of(System.getProperty("wirewatch.deb.dir"),
            "wirewatch_" + DEBIAN_VERSION + "_all.deb");
    private static final Path REPO = Path.of(System.getProperty("wirewatch.repo"));
    private static final List<String> UNITS = List.of("wirewatch-sensor@.service", "wirewatch-processor.service",
            "wirewatch-sink.service", "wirewatch-broker.service", "wirewatch-standalone.service");
    private static final Set<String> CAPTURING = Set.of("wirewatch-sensor@.service", "wirewatch-standalone.service");
    /** systemd's security checks a JVM talking to Kafka cannot pass: each unit passes every other one. */
    private static final Set<String> NEEDED_BY_EVERY_SERVICE = Set.of(
            "RootDirectory=/RootImage=", // runs the system's java
            "MemoryDenyWriteExecute=", // the JIT writes code
            "RestrictAddressFamilies=~AF_(INET|INET6)", "PrivateNetwork=", "IPAddressDeny=", // Kafka, /metrics
            "RestrictAddressFamilies=~AF_UNIX", "RestrictAddressFamilies=~AF_NETLINK", // glibc's resolver asks netlink
            "PrivateUsers=", "ProcSubset=", "DeviceAllow=", "UMask=", // the JVM reads /proc; group-readable state
            "SystemCallFilter=~@clock", "SystemCallFilter=~@cpu-emulation", "SystemCallFilter=~@debug",
            "SystemCallFilter=~@module", "SystemCallFilter=~@mount", "SystemCallFilter=~@obsolete",
            "SystemCallFilter=~@privileged", "SystemCallFilter=~@raw-io", "SystemCallFilter=~@reboot",
            "SystemCallFilter=~@resources", "SystemCallFilter=~@swap"); // no filter: untested under a JVM
    /** And a capturing one only these besides: CAP_NET_RAW, given as an ambient capability, and packet sockets. */
    private static final Set<String> NEEDED_TO_CAPTURE = Set.of("AmbientCapabilities=",
            "CapabilityBoundingSet=~CAP_NET_(BIND_SERVICE|BROADCAST|RAW)", "RestrictAddressFamilies=~AF_PACKET");

    private final Set<Path> existedBefore = new HashSet<>();
    private List<String> contents;
    private List<String> conffiles;

    @BeforeAll
    void install() throws Exception {
        assertEquals("root", System.getProperty("user.name"), "dpkg -i needs root: run the tests as root, as .ci/run does");
        assertTrue(Files.isRegularFile(DEB), "the package phase builds " + DEB);
        assertFalse(dpkgKnowsWirewatch(), "wirewatch is installed on this machine, or its configuration is (an"
                + " interrupted run?): this test installs and purges its own; dpkg --purge wirewatch first");
        contents = packagePaths();
        conffiles = debControlFile("conffiles").lines().toList();
        for (String path : contents) {
            if (Files.exists(Path.of(path), LinkOption.NOFOLLOW_LINKS)) {
                existedBefore.add(Path.of(path));
            }
        }
        run("dpkg", "-i", DEB.toString()).ok();
    }

    @AfterAll
    void purge() throws Exception {
        run("dpkg", "--purge", "wirewatch");
    }

    @Test
    @Order(1)
    void thePackageHoldsTheJarTheLauncherTheUnitsAndTheConfigurationAsConffiles() throws Exception {
        String info = run("dpkg-deb", "--info", DEB.toString()).ok();
        assertTrue(info.contains("Version: " + DEBIAN_VERSION + "\n"), info);
        assertTrue(info.contains("Architecture: all\n"), info);
        assertTrue(info.contains("Depends: default-jre-headless (>= 2:1.17) | java17-runtime-headless, libpcap0.8"), info);
        Set<String> expected = new TreeSet<>(List.of("/usr/share/wirewatch/wirewatch.jar", "/usr/bin/wirewatch",
                "/usr/share/wirewatch/deploy/samples/01-firewall-drop/topology.yaml", "/etc/wirewatch/wirewatch.env",
                "/etc/wirewatch/topology.yaml", "/etc/wirewatch/config.yaml", "/etc/wirewatch/kafka-sensor.properties",
                "/etc/wirewatch/kafka-processor.properties", "/etc/wirewatch/kafka-sink.properties"));
        UNITS.forEach(unit -> expected.add("/lib/systemd/system/" + unit));
        expected.removeAll(contents);
        assertEquals(Set.of(), expected, "missing from the package");
        List<String> underEtc = contents.stream().filter(path -> path.startsWith("/etc/wirewatch/")).sorted().toList();
        assertEquals(underEtc, conffiles.stream().sorted().toList(), "every file under /etc/wirewatch is a conffile");
    }

    @Test
    @Order(2)
    void installedItRunsFromThePathWithTheRepositorysLauncherAndFindsItsSamples() throws Exception {
        assertEquals("wirewatch " + MAVEN_VERSION, run("wirewatch", "--version").ok().strip());
        assertEquals(Path.of("/usr/share/wirewatch/wirewatch"), Path.of("/usr/bin/wirewatch").toRealPath());
        assertEquals(-1L, Files.mismatch(REPO.resolve("wirewatch"), Path.of("/usr/share/wirewatch/wirewatch")),
                "the repository's launcher, per-service JVM defaults and all");
        long cases;
        try (Stream<Path> folders = Files.list(REPO.resolve("deploy/samples"))) {
            cases = folders.filter(folder -> Files.exists(folder.resolve("topology.yaml"))).count();
        }
        // Its first line names the cases it found, before any analysis (minutes): enough, stop it there.
        Process demo = new ProcessBuilder("wirewatch", "demo").directory(new File("/"))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("wirewatch demo: " + cases + " cases from /usr/share/wirewatch/deploy/samples", out.readLine());
        } finally {
            demo.destroy(); // SIGTERM: its embedded broker deletes its log directory
            if (!demo.waitFor(30, TimeUnit.SECONDS)) {
                demo.destroyForcibly();
            }
        }
    }

    @Test
    @Order(3)
    void theProcessorAcceptsTheShippedTopologyAndConfig() throws Exception {
        String config = run("wirewatch", "processor", "--topology", "/etc/wirewatch/topology.yaml",
                "--config", "/etc/wirewatch/config.yaml", "--print-config").ok();
        assertTrue(config.contains("state-memory-mib: 256"), config);
    }

    @Test
    @Order(4)
    void theServicesUserOwnsTheStateFolderAndAloneReadsTheKafkaSettings() throws Exception {
        String[] user = run("getent", "passwd", "wirewatch").ok().strip().split(":");
        assertTrue(Integer.parseInt(user[2]) < 1000, "a system user: " + String.join(":", user));
        assertEquals("/var/lib/wirewatch", user[5]);
        assertEquals("/usr/sbin/nologin", user[6]);
        PosixFileAttributes state = Files.readAttributes(Path.of("/var/lib/wirewatch"), PosixFileAttributes.class);
        assertEquals("wirewatch", state.owner().getName());
        for (String component : List.of("sensor", "processor", "sink")) {
            PosixFileAttributes kafka = Files.readAttributes(
                    Path.of("/etc/wirewatch/kafka-" + component + ".properties"), PosixFileAttributes.class);
            assertEquals("wirewatch", kafka.group().getName(), component);
            assertEquals("rw-r-----", PosixFilePermissions.toString(kafka.permissions()), component);
        }
    }

    @Test
    @Order(5)
    void systemdAcceptsEveryUnit() throws Exception {
        List<String> command = new ArrayList<>(List.of("systemd-analyze", "verify", "--man=no"));
        UNITS.forEach(unit -> command.add(unit.replace("@.", "@eth0.")));
        // verify exits 0 on an unknown key or section, saying so: nothing may be said.
        assertEquals("", run(command.toArray(String[]::new)).ok());
    }

    @Test
    @Order(6)
    void everyUnitRunsAsWirewatchWithOnlyThePrivilegesItNeeds() throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (String unit : UNITS) {
            JsonNode checks = json.readTree(run("systemd-analyze", "security", "--offline=true", "--json=short",
                    "/lib/systemd/system/" + unit).ok());
            Set<String> failed = new TreeSet<>();
            for (JsonNode check : checks) {
                boolean exposed = check.path("exposure").isTextual() && Double.parseDouble(check.path("exposure").asText()) > 0;
                if (!check.path("set").asBoolean() || exposed) {
                    failed.add(check.path("name").asText());
                }
            }
            assertFalse(failed.contains("User=/DynamicUser="), unit + " runs as a user of its own");
            failed.removeAll(NEEDED_BY_EVERY_SERVICE);
            assertEquals(CAPTURING.contains(unit) ? NEEDED_TO_CAPTURE : Set.of(), failed, unit + ": checks it fails");
            String text = Files.readString(Path.of("/lib/systemd/system", unit));
            assertTrue(text.contains("\nUser=wirewatch\n") && text.contains("\nRestart=on-failure\n")
                    && text.contains("\nEnvironmentFile=/etc/wirewatch/wirewatch.env\n"), unit);
            assertEquals(CAPTURING.contains(unit), text.contains("\nAmbientCapabilities=CAP_NET_RAW\n")
                    && text.contains("\nCapabilityBoundingSet=CAP_NET_RAW\n"), unit);
        }
    }

    @Test
    @Order(7)
    void removingKeepsTheConfigurationAndStoredDataAndPurgingRemovesEverything() throws Exception {
        Path stored = Path.of("/var/lib/wirewatch/broker/meta.properties"); // as a broker would leave it
        Files.createDirectories(stored.getParent());
        Files.writeString(stored, "node.id=1\n");
        Path enabled = Path.of("/etc/systemd/system/multi-user.target.wants/wirewatch-standalone.service");
        run("systemctl", "enable", "wirewatch-standalone.service").ok();
        assertTrue(Files.isSymbolicLink(enabled));

        run("dpkg", "-r", "wirewatch").ok();
        assertEquals(Set.copyOf(conffiles), filesUnder("/etc/wirewatch"), "remove keeps the configuration");
        assertEquals(Set.of(stored.toString()), filesUnder("/var/lib/wirewatch"), "and what the services stored");
        assertTrue(Files.isSymbolicLink(enabled), "and which units the admin enabled");
        assertEquals(List.of(), packagePathsLeft(Set.copyOf(conffiles)), "remove leaves nothing else of the package");

        run("dpkg", "--purge", "wirewatch").ok();
        assertEquals(List.of(), packagePathsLeft(Set.of()), "purge leaves nothing of the package");
        for (Path gone : List.of(Path.of("/etc/wirewatch"), Path.of("/var/lib/wirewatch"), enabled)) {
            assertFalse(Files.exists(gone, LinkOption.NOFOLLOW_LINKS), gone + " is purged");
        }
        assertFalse(dpkgKnowsWirewatch(), "purged, dpkg forgets the package");
    }

    private static boolean dpkgKnowsWirewatch() throws Exception {
        return run("dpkg-query", "-W", "wirewatch").code() == 0;
    }

    /** The package's paths that still exist, but for those kept and the folders that existed before it came. */
    private List<String> packagePathsLeft(Set<String> kept) {
        return contents.stream().filter(path -> !kept.contains(path) && !path.equals("/etc/wirewatch")
                        && !existedBefore.contains(Path.of(path)))
                .filter(path -> Files.exists(Path.of(path), LinkOption.NOFOLLOW_LINKS)).toList();
    }

    private static Set<String> filesUnder(String folder) throws IOException {
        try (Stream<Path> paths = Files.walk(Path.of(folder))) {
            return paths.filter(Files::isRegularFile).map(Path::toString).collect(Collectors.toSet());
        }
    }

    /** Every path the package installs, absolute, folders included: dpkg-deb --contents' last column. */
    private static List<String> packagePaths() throws Exception {
        return run("dpkg-deb", "--contents", DEB.toString()).ok().lines()
                .map(line -> line.substring(line.indexOf(" ./") + 2).replaceFirst(" -> .*$", ""))
                .map(path -> path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path)
                .filter(path -> !path.equals("/")).toList();
    }

    private static String debControlFile(String name) throws Exception {
        Path dir = Files.createTempDirectory("ww-deb-control");
        try {
            run("dpkg-deb", "--control", DEB.toString(), dir.toString()).ok();
            return Files.readString(dir.resolve(name));
        } finally {
            run("rm", "-rf", dir.toString());
        }
    }

    private record Result(List<String> command, int code, String output) {
        String ok() {
            assertEquals(0, code, String.join(" ", command) + ": " + output);
            return output;
        }
    }

    private static Result run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not end");
        return new Result(List.of(command), process.exitValue(), output);
    }
}
