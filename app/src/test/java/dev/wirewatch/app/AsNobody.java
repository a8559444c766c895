package dev.wirewatch.app;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * `wirewatch` as an unprivileged user (nobody) with the capabilities setpriv gives it, as systemd's
 * AmbientCapabilities does: its classes copied where nobody may read them (the build's are under root's home), and
 * a java.io.tmpdir it may write (JNA unpacks its native part there).
 */
public final class AsNobody {
    public static final String NOBODY = "65534";
    /** Exactly CAP_NET_RAW: inherited, ambient and the bounding set. */
    public static final List<String> ONLY_NET_RAW = List.of("--inh-caps", "-all,+net_raw", "--ambient-caps",
            "-all,+net_raw", "--bounding-set", "-all,+net_raw");

    private AsNobody() {}

    /** The command line; {@code readable} is a directory everyone may read (rwxr-xr-x) to copy the classes into. */
    public static List<String> wirewatch(Path readable, List<String> capabilities, List<String> arguments)
            throws IOException {
        Path classes = readable.resolve("classes");
        List<String> classpath = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path source = Path.of(entry);
            if (!Files.exists(source)) {
                continue;
            }
            Path copy = classes.resolve("cp" + n++ + (Files.isDirectory(source) ? "" : ".jar"));
            if (!Files.exists(copy)) {
                copyTree(source, copy);
            }
            classpath.add(copy.toString());
        }
        Path tmp = writable(readable.resolve("tmp"));
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid", NOBODY, "--regid", NOBODY, "--clear-groups"));
        command.addAll(capabilities);
        command.addAll(List.of("--", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp, "-cp", String.join(File.pathSeparator, classpath), Main.class.getName()));
        command.addAll(arguments);
        return command;
    }

    /** A directory anyone may write, for what nobody keeps. */
    public static Path writable(Path directory) throws IOException {
        Files.createDirectories(directory);
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxrwxrwx"));
        return directory;
    }

    /** The process's effective capabilities (CapEff of /proc/PID/status) in hex without leading zeros. */
    public static String effectiveCapabilities(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(line -> line.startsWith("CapEff:"))
                .map(line -> Long.toHexString(Long.parseUnsignedLong(line.substring(7).trim(), 16))).findFirst()
                .orElseThrow();
    }

    private static void copyTree(Path source, Path target) throws IOException {
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path to = target.resolve(source.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(path, to);
                }
                to.toFile().setReadable(true, false);
                to.toFile().setExecutable(Files.isDirectory(path), false);
            }
        }
    }
}
