package dev.wirewatch.app.cli;

import java.util.List;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as a request to stop, not an exit: the service is stopped on its own thread and the command
 * returns its own exit code (0 for a clean stop), where a shutdown hook would leave the JVM's 143 or 130 — which
 * systemd and Kubernetes report as a failure.
 */
final class StopSignals {
    private StopSignals() {}

    static void onStop(String service, Runnable stop) {
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), signal -> {
                Thread stopping = new Thread(stop, "wirewatch-" + service + "-stop");
                stopping.setDaemon(false);
                stopping.start();
            });
        }
    }
}
