package dev.wirewatch.app.analyze;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** One {@code --pcap HOST[@IFACE]=FILE} argument: whose capture it is, on which interface, and where it lies. */
public record CaptureInput(String host, String iface, Path file) {

    public static CaptureInput parse(String argument) {
        int equals = argument.indexOf('=');
        if (equals <= 0 || equals == argument.length() - 1) {
            throw new IllegalArgumentException("--pcap '" + argument + "': expected HOST[@IFACE]=FILE, e.g. server@eth0=server.pcap");
        }
        String who = argument.substring(0, equals);
        Path file = Path.of(argument.substring(equals + 1));
        int at = who.indexOf('@');
        String host = at < 0 ? who : who.substring(0, at);
        String iface = at < 0 ? null : who.substring(at + 1);
        if (host.isBlank() || (iface != null && iface.isBlank())) {
            throw new IllegalArgumentException("--pcap '" + argument + "': empty host or interface name");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("--pcap '" + argument + "': no readable file " + file);
        }
        return new CaptureInput(host, iface, file);
    }

    /** Every capture of a sample folder, named HOST.pcap or HOST@IFACE.pcap (or .pcapng). */
    public static List<CaptureInput> folder(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> file.toString().endsWith(".pcap") || file.toString().endsWith(".pcapng")).sorted()
                    .map(file -> {
                        String[] name = file.getFileName().toString().replaceFirst("\\.pcap(ng)?$", "").split("@", 2);
                        return new CaptureInput(name[0], name.length == 2 ? name[1] : null, file);
                    })
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
