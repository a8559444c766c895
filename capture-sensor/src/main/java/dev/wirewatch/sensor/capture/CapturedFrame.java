package dev.wirewatch.sensor.capture;

/**
 * One frame as libpcap delivered it.
 *
 * @param linkType       the DLT of the capture (1 Ethernet, 113 Linux cooked, ...)
 * @param iface          the capture interface; empty when unknown
 * @param data           the captured bytes (at most the snaplen)
 * @param originalLength the frame's length on the wire
 */
public record CapturedFrame(long tsMicros, int linkType, String iface, byte[] data, int originalLength) {}
