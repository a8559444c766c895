package dev.wirewatch.app.export;

import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.record.PacketEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes sightings as one pcapng: one interface block per vantage (host and interface), named {@code host/iface}
 * ({@code host} alone when the sensor did not know its interface), and the packets in capture-time order across
 * vantages. A vantage is Ethernet when its sensor reported MAC addresses or ARP, else raw IP.
 */
public final class EvidenceExport {
    private EvidenceExport() {}

    /** What was written: packets and the interface names, in the file's order. */
    public record Written(int packets, List<String> interfaces) {}

    public static String interfaceName(String host, String iface) {
        return iface == null || iface.isEmpty() ? host : host + "/" + iface;
    }

    public static Written write(List<EvidenceScan.Sighting> sightings, String comment, OutputStream out) throws IOException {
        List<EvidenceScan.Sighting> ordered = new ArrayList<>(sightings);
        ordered.sort(Comparator.comparingLong(EvidenceScan.Sighting::tsMicros)
                .thenComparing(EvidenceScan.Sighting::host).thenComparing(EvidenceScan.Sighting::iface));
        Map<String, Boolean> ethernet = new LinkedHashMap<>();
        for (EvidenceScan.Sighting sighting : ordered) {
            boolean hasLink = !(sighting.event() instanceof PacketEvent packet) || HeaderFrames.hasMacs(packet);
            ethernet.merge(interfaceName(sighting.host(), sighting.iface()), hasLink, Boolean::logicalOr);
        }
        Map<String, Integer> index = new LinkedHashMap<>();
        try (PcapngWriter writer = new PcapngWriter(out, comment)) {
            for (Map.Entry<String, Boolean> vantage : ethernet.entrySet()) {
                index.put(vantage.getKey(), writer.addInterface(
                        vantage.getValue() ? PcapngWriter.LINKTYPE_ETHERNET : PcapngWriter.LINKTYPE_RAW, 0,
                        vantage.getKey(), "headers as the wirewatch sensor of " + vantage.getKey()
                                + " reported them, rebuilt without payload"));
            }
            for (EvidenceScan.Sighting sighting : ordered) {
                String name = interfaceName(sighting.host(), sighting.iface());
                HeaderFrames.Frame frame = sighting.event() instanceof PacketEvent packet
                        ? HeaderFrames.of(packet, ethernet.get(name)) : HeaderFrames.of((ArpEvent) sighting.event());
                writer.packet(index.get(name), sighting.tsMicros(), frame.bytes(), frame.originalLength());
            }
        }
        return new Written(ordered.size(), List.copyOf(index.keySet()));
    }
}
