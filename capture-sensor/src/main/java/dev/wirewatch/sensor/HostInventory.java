package dev.wirewatch.sensor;

import dev.wirewatch.record.InterfaceInfo;
import dev.wirewatch.schemas.Addresses;
import java.io.IOException;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What this host looks like from the OS: interfaces with addresses and MACs, and default gateways (Linux). */
public final class HostInventory {
    private HostInventory() {}

    public static List<InterfaceInfo> interfaces() {
        Map<String, String> gateways = defaultGateways(Path.of("/proc/net/route"));
        List<InterfaceInfo> result = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                List<String> addresses = new ArrayList<>();
                for (InterfaceAddress address : nif.getInterfaceAddresses()) {
                    addresses.add(Addresses.ip(address.getAddress().getAddress()) + "/" + address.getNetworkPrefixLength());
                }
                byte[] mac = nif.getHardwareAddress();
                result.add(InterfaceInfo.newBuilder().setName(nif.getName())
                        .setMac(mac == null ? null : Addresses.mac(java.nio.ByteBuffer.wrap(mac)))
                        .setAddresses(addresses).setGateway(gateways.get(nif.getName())).build());
            }
        } catch (SocketException e) {
            return result;
        }
        result.sort(java.util.Comparator.comparing(InterfaceInfo::getName));
        return result;
    }

    /** Interface name to default gateway, from the kernel's IPv4 routing table. */
    static Map<String, String> defaultGateways(Path routeTable) {
        Map<String, String> gateways = new HashMap<>();
        try {
            for (String line : Files.readAllLines(routeTable)) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 2 && fields[1].equals("00000000") && !fields[2].equals("00000000")) {
                    long gateway = Long.parseLong(fields[2], 16);
                    gateways.put(fields[0], (gateway & 0xff) + "." + ((gateway >> 8) & 0xff) + "."
                            + ((gateway >> 16) & 0xff) + "." + ((gateway >> 24) & 0xff));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no routing table (not Linux): no gateways to report
        }
        return gateways;
    }
}
