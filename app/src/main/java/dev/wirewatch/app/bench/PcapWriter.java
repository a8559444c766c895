package dev.wirewatch.app.bench;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** A classic pcap file (microseconds, Ethernet, snaplen {@value #SNAPLEN}), written frame by frame. */
final class PcapWriter implements Closeable {
    static final int SNAPLEN = 128;
    private static final int LINKTYPE_ETHERNET = 1;

    private final OutputStream out;
    private final ByteBuffer recordHeader = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    private long packets;

    PcapWriter(Path file) throws IOException {
        out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
        ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(SNAPLEN)
                .putInt(LINKTYPE_ETHERNET);
        out.write(header.array());
    }

    void write(long micros, Frame frame) throws IOException {
        recordHeader.clear();
        recordHeader.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000))
                .putInt(frame.captured().length).putInt(frame.originalLength());
        out.write(recordHeader.array());
        out.write(frame.captured());
        packets++;
    }

    long packets() {
        return packets;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
