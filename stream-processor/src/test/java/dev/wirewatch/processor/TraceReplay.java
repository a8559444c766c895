package dev.wirewatch.processor;

import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.sensor.FileEventSource;
import java.nio.file.Path;
import java.util.List;

/** Feeds a capture to the topology as its host's sensor would: packets in order, a tick each second, the end. */
public final class TraceReplay {
    private TraceReplay() {}

    public static void replay(ProcessorDriver driver, String host, Path capture) {
        List<PacketEvent> packets = FileEventSource.readAll(capture, host).stream()
                .filter(PacketEvent.class::isInstance).map(PacketEvent.class::cast).toList();
        long lastTick = Long.MIN_VALUE;
        long last = 0;
        for (PacketEvent packet : packets) {
            if (packet.getTsMicros() - lastTick >= 1_000_000) {
                driver.tick(packet.getTsMicros(), packet.getTsMicros(), host);
                lastTick = packet.getTsMicros();
            }
            driver.send(packet);
            last = Math.max(last, packet.getTsMicros());
        }
        driver.endOfInput(last, host);
    }
}
