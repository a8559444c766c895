package dev.wirewatch.processor.detect;

import dev.wirewatch.processor.alert.AlertIds;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.Cidr;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.processor.network.NetworkTopology.Host;
import dev.wirewatch.processor.network.NetworkTopology.Interface;
import dev.wirewatch.processor.service.ServiceDetector;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Evidence;
import dev.wirewatch.record.FlowRecord;
import dev.wirewatch.record.VantageView;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.Times;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * ROUTE_MISMATCH (service stage): a host with several interfaces opened a flow to an internal address (topology
 * {@code internal-prefixes}) from an interface that holds no internal address and is not on the destination's
 * subnet — typically through the default gateway — while another of its interfaces is on an internal network. The
 * usual story: a second NIC added without the policy route for the internal networks behind it. Read from the host's
 * own sensor (its vantage names the interface the flow left by); a sensor capturing {@code any}, a single-homed
 * host, or a host that reaches the address from an internal interface, never alert. One alert per host and
 * destination per {@code route-mismatch-repeat}.
 */
public final class RouteMismatchDetector implements ServiceDetector {
    public static final String TYPE = "ROUTE_MISMATCH";
    public static final String REPORTED_STORE = "route-mismatch-reported";

    private final NetworkTopology topology;
    private final ProcessorConfig config;
    private ReportedOnce reported;
    private Consumer<Alert> alerts;

    public RouteMismatchDetector(NetworkTopology topology, ProcessorConfig config) {
        this.topology = topology;
        this.config = config;
    }

    @Override
    public Set<String> types() {
        return Set.of(TYPE);
    }

    @Override
    public List<StoreBuilder<?>> stores() {
        return List.of(ReportedOnce.store(REPORTED_STORE));
    }

    @Override
    public void init(ProcessorContext<?, ?> context, Consumer<Alert> alerts) {
        this.reported = ReportedOnce.open(context, REPORTED_STORE, config.routeMismatchRepeatMicros());
        this.alerts = alerts;
    }

    /** A closed flow of any protocol. */
    @Override
    public void onFlow(byte[] server, FlowRecord flow) {
        explain(flow);
    }

    /**
     * One fault, one alert (ALERTS.md): SYNs that left their host by the wrong interface are the route mismatch's,
     * reported now with the UNANSWERED_SYN explained by it.
     */
    @Override
    public boolean claims(Alert unansweredSyn, FlowRecord flow) {
        Optional<Alert> route = explain(flow);
        route.ifPresent(mismatch -> alerts.accept(Explained.by(unansweredSyn, mismatch, "they left "
                + mismatch.getHost() + " by an interface without a route to the internal network")));
        return route.isPresent();
    }

    /**
     * A flow, closed or not, that left a host by an interface without an internal address: its ROUTE_MISMATCH
     * (reported unless the host and destination were in this window already; the id is the window's either way).
     * The service stage asks this of an UNANSWERED_SYN's flow: a route mismatch on the way out explains the SYNs.
     */
    public Optional<Alert> explain(FlowRecord flow) {
        byte[] destination = Addresses.parse(flow.getServer());
        Optional<Cidr> internal = internal(destination);
        if (internal.isEmpty()) {
            return Optional.empty();
        }
        byte[] source = Addresses.parse(flow.getClient());
        Optional<Alert> first = Optional.empty();
        for (VantageView vantage : flow.getVantages()) {
            Optional<Host> host = topology.host(vantage.getHost());
            Interface out = host.map(known -> known.interfaces().get(vantage.getIface())).orElse(null);
            if (out == null || !holds(out, source) || isInternal(out) || onSubnet(out, destination)) {
                continue;
            }
            Optional<Interface> inside = host.get().interfaces().values().stream()
                    .filter(iface -> iface != out && isInternal(iface)).findFirst();
            if (inside.isPresent()) {
                Alert alert = alert(flow, vantage, host.get(), out, inside.get(), internal.get());
                if (reported.firstInWindow(host.get().name() + "|" + flow.getServer(), flow.getFirstSeenMicros())) {
                    alerts.accept(alert);
                }
                first = first.or(() -> Optional.of(alert));
            }
        }
        return first;
    }

    private Alert alert(FlowRecord flow, VantageView vantage, Host host, Interface out, Interface inside, Cidr prefix) {
        String gateway = inside.gateway() == null ? "GATEWAY" : inside.gateway();
        String outAddress = out.addresses().isEmpty() ? "" : " (" + Addresses.ip(out.addresses().get(0).address()) + ")";
        String insideAddresses = inside.addresses().stream().map(Cidr::toString).toList().toString();
        return Alert.newBuilder()
                .setId(AlertIds.of(TYPE, ReportedOnce.windowStart(flow.getFirstSeenMicros(), config.routeMismatchRepeatMicros()), host.name(), flow.getServer()))
                .setType(TYPE)
                .setSeverity(config.severity(TYPE))
                .setHost(host.name())
                .setDstIp(flow.getServer())
                .setClient(Addresses.endpoint(Addresses.parse(flow.getClient()), flow.getClientPort()))
                .setServer(Addresses.endpoint(Addresses.parse(flow.getServer()), flow.getServerPort()))
                .setObservedBy(List.of(host.name()))
                .setFirstSeenMicros(flow.getFirstSeenMicros())
                .setLastSeenMicros(flow.getLastSeenMicros())
                .setCount(1)
                .setCommunityId(flow.getCommunityId())
                .setSummary(String.format("%s sent traffic for the internal address %s out of %s%s, an interface "
                                + "without an internal address%s, at %s, although its %s is on the internal network "
                                + "%s: it has no route for %s through the inside.", host.name(), flow.getServer(),
                        out.name(), outAddress, out.gateway() == null ? "" : " (towards its gateway " + out.gateway() + ")",
                        Times.iso(flow.getFirstSeenMicros()), inside.name(), insideAddresses, prefix))
                .setHint(String.format("Add a persistent route for the internal networks through the internal "
                                + "interface's gateway. Windows: `route -p add %s mask %s %s`; Linux: `ip route add %s "
                                + "via %s dev %s`, made persistent in the network configuration (netplan `routes:`, "
                                + "ifupdown `up ip route add ...`, NetworkManager `ipv4.routes`).", prefix.network(),
                        prefix.netmask(), gateway, prefix, gateway, inside.name()))
                .setEvidence(List.of(Evidence.newBuilder().setHost(vantage.getHost()).setIface(vantage.getIface())
                        .setTsMicros(vantage.getFirstSeenMicros())
                        .setLine(flow.getClient() + ":" + flow.getClientPort() + " > " + flow.getServer() + ":"
                                + flow.getServerPort() + " left by " + out.name() + ", history " + vantage.getHistory()
                                + ", conn_state " + vantage.getConnState())
                        .build()))
                .build();
    }

    private Optional<Cidr> internal(byte[] address) {
        return topology.internalPrefixes().stream().filter(prefix -> prefix.contains(address)).findFirst();
    }

    private boolean isInternal(Interface iface) {
        return iface.addresses().stream().anyMatch(address -> internal(address.address()).isPresent());
    }

    private static boolean holds(Interface iface, byte[] address) {
        return iface.addresses().stream().anyMatch(cidr -> cidr.isAddress(address));
    }

    private static boolean onSubnet(Interface iface, byte[] address) {
        return iface.addresses().stream().anyMatch(cidr -> cidr.contains(address));
    }
}
