package dev.wirewatch.app.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The packets of one flow as both vantages capture them. A packet is captured at its sender when sent and at its
 * peer one path delay later: the flow's one-way delay plus a few microseconds of jitter, never overtaking the
 * packet before it in the same direction (so each side keeps its send order and the skew stays within the jitter).
 */
final class FlowScript {
    static final long LOST = -1;
    static final int MAX_JITTER_MICROS = 5;

    private final Random random;
    private final long delayMicros;
    private long lastAtServer = Long.MIN_VALUE;
    private long lastAtClient = Long.MIN_VALUE;
    private List<ScriptedPacket> packets = new ArrayList<>();

    FlowScript(Random random, long delayMicros) {
        this.random = random;
        this.delayMicros = delayMicros;
    }

    /** A packet the client sends at {@code sent}; returns when it reaches the server. */
    long fromClient(long sent, Frame frame) {
        lastAtServer = arrival(sent, lastAtServer);
        packets.add(new ScriptedPacket(sent, lastAtServer, frame));
        return lastAtServer;
    }

    /** A packet the client sends that is lost on the way: only the client's capture has it. */
    void fromClientLost(long sent, Frame frame) {
        packets.add(new ScriptedPacket(sent, LOST, frame));
    }

    /** A packet the server sends at {@code sent}; returns when it reaches the client. */
    long fromServer(long sent, Frame frame) {
        lastAtClient = arrival(sent, lastAtClient);
        packets.add(new ScriptedPacket(lastAtClient, sent, frame));
        return lastAtClient;
    }

    /** The packets scripted since the last call, in the order they were made. */
    List<ScriptedPacket> take() {
        List<ScriptedPacket> taken = packets;
        packets = new ArrayList<>();
        return taken;
    }

    private long arrival(long sent, long previous) {
        return Math.max(sent + delayMicros + random.nextInt(MAX_JITTER_MICROS + 1), previous + 1);
    }
}
