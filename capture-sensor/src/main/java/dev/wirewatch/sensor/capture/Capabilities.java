package dev.wirewatch.sensor.capture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What this process may do, as the kernel says (/proc/self/status): live capture needs exactly CAP_NET_RAW (packet
 * sockets; promiscuous mode and fanout are options of the same socket), --drop-reasons also tracefs, which belongs
 * to root (CAP_DAC_OVERRIDE for another user; CAP_SYS_ADMIN besides where tracefs is not mounted yet). Checked before
 * capture starts, so that a sensor started without them says which one in one line instead of failing in libpcap.
 */
public final class Capabilities {
    static final int CAP_DAC_OVERRIDE = 1;
    static final int CAP_NET_RAW = 13;
    private static final Path STATUS = Path.of("/proc/self/status");

    private final long effective;
    private final long uid;

    Capabilities(List<String> status) {
        long caps = -1;
        long user = -1;
        for (String line : status) {
            if (line.startsWith("CapEff:")) {
                caps = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
            } else if (line.startsWith("Uid:")) {
                user = Long.parseLong(line.substring("Uid:".length()).trim().split("\\s+")[1]); // effective
            }
        }
        this.effective = caps;
        this.uid = user;
    }

    /** This process's, or none known (not Linux): then the capture's own error speaks. */
    public static Capabilities ofThisProcess() {
        try {
            return new Capabilities(Files.readAllLines(STATUS));
        } catch (IOException e) {
            return new Capabilities(List.of());
        }
    }

    boolean has(int capability) {
        return effective == -1 || (effective & 1L << capability) != 0;
    }

    /** Fails with the missing capability's name if live capture (and, with {@code dropReasons}, tracefs) cannot work. */
    public void requireForLiveCapture(boolean dropReasons) {
        if (!has(CAP_NET_RAW)) {
            throw new CaptureFileException("live capture needs the capability CAP_NET_RAW, which this process does not "
                    + "have: run the sensor as root, or grant it only that (systemd: AmbientCapabilities=CAP_NET_RAW; "
                    + "by hand: setpriv --inh-caps +net_raw --ambient-caps +net_raw)");
        }
        if (dropReasons && uid != 0 && !has(CAP_DAC_OVERRIDE)) {
            throw new CaptureFileException("--drop-reasons reads the kernel's trace events in tracefs, which belongs to "
                    + "root: it needs CAP_DAC_OVERRIDE besides CAP_NET_RAW (and CAP_SYS_ADMIN where tracefs is not "
                    + "mounted), or run the sensor without --drop-reasons");
        }
    }
}
