package dev.wirewatch.processor.network;

import dev.wirewatch.processor.config.ConfigException;
import dev.wirewatch.processor.config.YamlFiles;
import dev.wirewatch.schemas.FlowKey;
import dev.wirewatch.schemas.NatTable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What topology.yaml declares (docs/commands.md): hosts with their interfaces, addresses and captured interfaces,
 * layer-2 segments, static NAT and internal prefixes. Answers the question every detector asks before it
 * treats silence as evidence: which monitored host holds this address, and does its sensor capture there?
 */
public record NetworkTopology(Map<String, Host> hosts, Map<String, List<String>> segments, NatTable nat,
                              List<Cidr> internalPrefixes) {

    public static final List<String> DEFAULT_INTERNAL_PREFIXES =
            List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10");

    public static final NetworkTopology EMPTY = new NetworkTopology(Map.of(), Map.of(), NatTable.NONE,
            DEFAULT_INTERNAL_PREFIXES.stream().map(Cidr::parse).toList());

    public record Host(String name, Map<String, Interface> interfaces, List<String> capture) {
        /** Its sensor captures {@code iface} (all listed interfaces when capture is not given). */
        public boolean captures(String iface) {
            return capture.isEmpty() ? interfaces.containsKey(iface) : capture.contains(iface);
        }
    }

    public record Interface(String name, List<Cidr> addresses, String mac, String gateway) {}

    /** Where an address lives: the host and the interface holding it. */
    public record Location(Host host, Interface iface) {
        /** The host's sensor captures the interface that holds the address. */
        public boolean captured() {
            return host.captures(iface.name());
        }
    }

    public Optional<Location> locate(byte[] ip) {
        for (Host host : hosts.values()) {
            for (Interface iface : host.interfaces().values()) {
                for (Cidr cidr : iface.addresses()) {
                    if (cidr.isAddress(ip)) {
                        return Optional.of(new Location(host, iface));
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Where an endpoint as its clients name it lives: through a static translation to the host that holds the
     * private side, so the server of a forwarded port is found by its public address.
     */
    public Optional<Location> locate(byte[] ip, int port) {
        return locate(nat.toPrivate(FlowKey.TCP, ip, port).address());
    }

    /** The monitored host and interface that carry this MAC (lower-case, colon-separated), as declared. */
    public Optional<Location> ownerOfMac(String mac) {
        for (Host host : hosts.values()) {
            for (Interface iface : host.interfaces().values()) {
                if (mac.equalsIgnoreCase(iface.mac())) {
                    return Optional.of(new Location(host, iface));
                }
            }
        }
        return Optional.empty();
    }

    /** The other hosts that share a layer-2 segment with {@code host} (members are {@code host} or {@code host:iface}). */
    public Set<String> segmentPeers(String host) {
        Set<String> peers = new TreeSet<>();
        for (List<String> members : segments.values()) {
            List<String> names = members.stream().map(member -> member.split(":", 2)[0]).toList();
            if (names.contains(host)) {
                peers.addAll(names);
            }
        }
        peers.remove(host);
        return peers;
    }

    /** This topology and {@code host} as well, unless a host of that name is declared (the declaration wins). */
    public NetworkTopology withHost(Host host) {
        if (hosts.containsKey(host.name())) {
            return this;
        }
        Map<String, Host> all = new java.util.LinkedHashMap<>(hosts);
        all.put(host.name(), host);
        return new NetworkTopology(Map.copyOf(all), segments, nat, internalPrefixes);
    }

    public Optional<Host> host(String name) {
        return Optional.ofNullable(hosts.get(name));
    }

    public static NetworkTopology load(Path file) {
        if (file == null) {
            return EMPTY;
        }
        TopologyFile form = YamlFiles.read(file, TopologyFile.class);
        try {
            return form.toTopology();
        } catch (ConfigException e) {
            // a message that starts with its line reads "topology.yaml line 12: ..."
            throw new ConfigException(file + (e.getMessage().startsWith("line ") ? " " : ": ") + e.getMessage());
        }
    }
}
