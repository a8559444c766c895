package dev.wirewatch.app.cli;

import dev.wirewatch.processor.network.Cidr;
import dev.wirewatch.processor.network.NetworkTopology;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * This host as topology.yaml would declare it, read from its interfaces: a process that watches its own host knows
 * which addresses are its own, so a SYN that reached them unanswered is a drop at this host, with no file to write.
 */
final class ThisHost {
    private ThisHost() {}

    /** {@code name} with every interface that is up, their addresses and MACs; it captures {@code captured} ("any": all). */
    static NetworkTopology.Host describe(String name, List<String> captured) throws SocketException {
        Map<String, NetworkTopology.Interface> interfaces = new LinkedHashMap<>();
        for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            List<Cidr> addresses = new ArrayList<>();
            for (InterfaceAddress address : nic.getInterfaceAddresses()) {
                String text = address.getAddress().getHostAddress().replaceFirst("%.*$", "");
                addresses.add(Cidr.parse(text + "/" + address.getNetworkPrefixLength()));
            }
            byte[] mac = nic.getHardwareAddress();
            interfaces.put(nic.getName(), new NetworkTopology.Interface(nic.getName(), List.copyOf(addresses),
                    mac == null ? null : HexFormat.ofDelimiter(":").formatHex(mac), null));
        }
        List<String> capture = captured.contains("any") ? List.copyOf(interfaces.keySet()) : List.copyOf(captured);
        return new NetworkTopology.Host(name, Map.copyOf(interfaces), capture);
    }
}
