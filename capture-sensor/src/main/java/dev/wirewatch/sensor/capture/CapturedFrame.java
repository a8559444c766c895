package dev.wirewatch.sensor.capture;

/**
 * One captured frame, from a live interface or a file.
 *
 * @param linkType       the DLT of its interface (1 Ethernet, 113 Linux cooked, ...)
 * @param iface          the capture interface; empty when unknown (classic pcap, a pcapng interface without a name)
 * @param data           the captured bytes (at most the snaplen)
 * @param originalLength the frame's length on the wire
 */
public record CapturedFrame(long tsMicros, int linkType, String iface, byte[] data, int originalLength) {}
