package dev.wirewatch.processor.network;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.wirewatch.processor.config.ConfigException;
import dev.wirewatch.schemas.NatTable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * topology.yaml as written: unknown keys, keys given twice and values of the wrong kind are errors (YamlFiles), and
 * so is one address on two hosts — the monitor would locate it on whichever came first and blame the wrong host —
 * unless every interface that holds it marks it {@code shared: true} (a virtual address that moves between them).
 * A key left empty is an empty list or mapping; an empty entry in one (a host with nothing under it) is an error.
 */
final class TopologyFile {
    @JsonSetter(nulls = Nulls.AS_EMPTY, contentNulls = Nulls.FAIL)
    public Map<String, HostForm> hosts = new LinkedHashMap<>();
    @JsonSetter(nulls = Nulls.AS_EMPTY, contentNulls = Nulls.FAIL)
    public Map<String, List<String>> segments = new LinkedHashMap<>();
    @JsonSetter(nulls = Nulls.AS_EMPTY, contentNulls = Nulls.FAIL)
    public List<NatForm> nat = new ArrayList<>();
    @JsonSetter(nulls = Nulls.FAIL, contentNulls = Nulls.FAIL)
    public List<String> internalPrefixes = NetworkTopology.DEFAULT_INTERNAL_PREFIXES;

    NetworkTopology toTopology() {
        Map<String, NetworkTopology.Host> built = new LinkedHashMap<>();
        hosts.forEach((name, host) -> built.put(name, host.toHost(name)));
        rejectAddressesOnTwoHosts();
        List<NatTable.Translation> rules = new ArrayList<>();
        for (int i = 0; i < nat.size(); i++) {
            NatForm rule = nat.get(i);
            if (rule.publicEndpoint == null || rule.privateEndpoint == null) {
                throw new ConfigException("nat[" + i + "]: every rule needs 'public' and 'private'");
            }
            try {
                rules.add(NatTable.parse(rule.publicEndpoint, rule.privateEndpoint));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("nat[" + i + "]: " + e.getMessage());
            }
        }
        for (Map.Entry<String, List<String>> segment : segments.entrySet()) {
            for (String member : segment.getValue()) {
                String hostName = member.split(":", 2)[0];
                if (!built.containsKey(hostName)) {
                    throw new ConfigException("segments." + segment.getKey() + ": unknown host '" + hostName + "'");
                }
            }
        }
        return new NetworkTopology(built, Map.copyOf(segments), new NatTable(rules),
                internalPrefixes.stream().map(Cidr::parse).toList());
    }

    private void rejectAddressesOnTwoHosts() {
        record Holder(String host, String iface, AddressForm address) {}
        Map<String, Holder> holders = new HashMap<>();
        hosts.forEach((host, hostForm) -> hostForm.interfaces.forEach((iface, ifaceForm) -> {
            for (AddressForm address : ifaceForm.addresses) {
                String ip = address.ip();
                Holder first = holders.putIfAbsent(ip, new Holder(host, iface, address));
                if (first == null || first.host.equals(host) || (first.address.shared && address.shared)) {
                    continue;
                }
                throw new ConfigException("line " + address.line + ": address " + ip + " of hosts." + host
                        + ".interfaces." + iface + " is also on hosts." + first.host + ".interfaces." + first.iface
                        + " (line " + first.address.line + "); an address belongs to one host, unless it is a "
                        + "virtual address that moves between them: then write it {address: " + ip
                        + ", shared: true} on both");
            }
        }));
    }

    static final class HostForm {
        @JsonSetter(nulls = Nulls.AS_EMPTY, contentNulls = Nulls.FAIL)
        public Map<String, InterfaceForm> interfaces = new LinkedHashMap<>();
        @JsonSetter(nulls = Nulls.AS_EMPTY, contentNulls = Nulls.FAIL)
        public List<String> capture = List.of();

        NetworkTopology.Host toHost(String name) {
            Map<String, NetworkTopology.Interface> built = new LinkedHashMap<>();
            interfaces.forEach((ifaceName, iface) -> built.put(ifaceName, iface.toInterface(name, ifaceName)));
            for (String captured : capture) {
                if (!built.containsKey(captured)) {
                    throw new ConfigException("hosts." + name + ".capture: interface '" + captured
                            + "' is not among its interfaces " + built.keySet());
                }
            }
            return new NetworkTopology.Host(name, built, List.copyOf(capture));
        }
    }

    static final class InterfaceForm {
        @JsonSetter(nulls = Nulls.AS_EMPTY, contentNulls = Nulls.FAIL)
        public List<AddressForm> addresses = List.of();
        public String mac;
        public String gateway;

        NetworkTopology.Interface toInterface(String host, String name) {
            List<Cidr> parsed = new ArrayList<>();
            for (AddressForm address : addresses) {
                try {
                    parsed.add(Cidr.parse(address.text));
                } catch (ConfigException e) {
                    throw new ConfigException("hosts." + host + ".interfaces." + name + ".addresses: " + e.getMessage());
                }
            }
            return new NetworkTopology.Interface(name, List.copyOf(parsed), mac, gateway);
        }
    }

    /** An address as written: {@code 10.0.0.5/24}, or {@code {address: 10.0.0.100/24, shared: true}}; and where. */
    @JsonDeserialize(using = AddressReader.class)
    record AddressForm(String text, boolean shared, int line) {
        /** The address without its prefix length, the way two hosts would clash on it. */
        String ip() {
            return text.trim().split("/", 2)[0];
        }
    }

    static final class AddressReader extends StdDeserializer<AddressForm> {
        AddressReader() {
            super(AddressForm.class);
        }

        @Override
        public AddressForm deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            int line = parser.currentTokenLocation().getLineNr();
            if (parser.currentToken() == JsonToken.VALUE_STRING) {
                return new AddressForm(parser.getText(), false, line);
            }
            if (parser.currentToken() != JsonToken.START_OBJECT) {
                return (AddressForm) context.handleUnexpectedToken(AddressForm.class, parser);
            }
            String address = null;
            boolean shared = false;
            for (String key = parser.nextFieldName(); key != null; key = parser.nextFieldName()) {
                JsonToken value = parser.nextToken();
                switch (key) {
                    case "address" -> address = value == JsonToken.VALUE_STRING ? parser.getText()
                            : (String) context.handleUnexpectedToken(String.class, parser);
                    case "shared" -> shared = value.isBoolean() ? parser.getBooleanValue()
                            : (Boolean) context.handleUnexpectedToken(Boolean.class, parser);
                    default -> throw UnrecognizedPropertyException.from(parser, AddressForm.class, key,
                            List.of("address", "shared"));
                }
            }
            if (address == null) {
                throw new ConfigException("line " + line + ": an address written as a mapping needs 'address'");
            }
            return new AddressForm(address, shared, line);
        }
    }

    static final class NatForm {
        @JsonProperty("public")
        public String publicEndpoint;
        @JsonProperty("private")
        public String privateEndpoint;
    }
}
