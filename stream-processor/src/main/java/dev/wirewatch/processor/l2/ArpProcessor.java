package dev.wirewatch.processor.l2;

import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.state.JsonState;
import dev.wirewatch.processor.flow.FlowProcessor;
import dev.wirewatch.processor.flow.DetectionContext;
import dev.wirewatch.processor.flow.SensorTicks;
import dev.wirewatch.processor.network.Cidr;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.record.Tick;
import dev.wirewatch.record.VrrpAdvertisement;
import dev.wirewatch.schemas.Addresses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The ARP stage, for IPv4 ARP and IPv6 neighbour discovery ({@link NeighborDiscovery}). Reads ArpEvents from ww.l2
 * (key = the bound address, so every sensor's view of one address meets here; besides ARP and ND packets, the
 * bindings sensors saw in IP traffic, counted when the sender is on the capturing interface's subnet) and the sensors'
 * ticks from the flow stage of the same partition, keeps an {@link AddressHistory} per address, and asks the address
 * detectors when one is due (stream time) or when every input has ended.
 * VRRP advertisements on the same topic (keyed by their first virtual address) go to {@link VirtualRouters}, judged
 * then too.
 */
public final class ArpProcessor implements Processor<Object, SpecificRecord, Object, SpecificRecord> {
    public static final String ADDRESSES_STORE = "arp-addresses";
    public static final String DUE_STORE = "arp-due";
    public static final String VRRP_STORE = VirtualRouters.STORE;
    public static final String TO_ALERTS = "arp-alerts-out";
    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};
    private static final String UNSPECIFIED = "0.0.0.0";
    private static final String UNSPECIFIED_V6 = "::";
    private static final Cidr LINK_LOCAL = Cidr.parse("fe80::/64");
    /** ArpEvent.operation of a binding a sensor saw in IP traffic (its source address and MAC). */
    private static final int IP_TRAFFIC = 0;

    private final NetworkTopology topology;
    private final ProcessorConfig config;
    private final List<AddressDetector> detectors;
    private final List<VirtualRouterDetector> routerDetectors;
    private VirtualRouters vrrp;

    private ProcessorContext<Object, SpecificRecord> context;
    private KeyValueStore<String, byte[]> addresses;
    private KeyValueStore<String, Long> due;
    private SensorTicks sensors;
    private boolean ended;

    /**
     * @param detectors the registry's address detectors, in the order they are asked
     * @param routerDetectors the registry's VRRP virtual router detectors
     */
    public ArpProcessor(NetworkTopology topology, ProcessorConfig config, List<AddressDetector> detectors,
                        List<VirtualRouterDetector> routerDetectors) {
        this.topology = topology;
        this.config = config;
        this.detectors = detectors;
        this.routerDetectors = routerDetectors;
    }

    @Override
    public void init(ProcessorContext<Object, SpecificRecord> context) {
        this.context = context;
        this.addresses = context.getStateStore(ADDRESSES_STORE);
        this.due = context.getStateStore(DUE_STORE);
        this.sensors = new SensorTicks(context.getStateStore(FlowProcessor.SENSORS_STORE));
        this.vrrp = new VirtualRouters(topology, routerDetectors, context.getStateStore(VRRP_STORE));
        context.schedule(Duration.ofSeconds(1), PunctuationType.STREAM_TIME, this::judgeDue);
    }

    @Override
    public void process(Record<Object, SpecificRecord> record) {
        if (record.value() instanceof ArpEvent arp) {
            onArp(arp);
        } else if (record.value() instanceof VrrpAdvertisement advertisement) {
            ended = false;
            vrrp.advertised(advertisement, VirtualRouters.describe(advertisement));
        } else if (record.value() instanceof Tick tick && tick.getEndOfInput() && sensors.everyEnded() && !ended) {
            ended = true;
            judgeAll();
        }
    }

    private void onArp(ArpEvent arp) {
        String ip = NeighborDiscovery.address(arp);
        if (ip.equals(UNSPECIFIED) || ip.equals(UNSPECIFIED_V6)) {
            return; // an IPv4 address probe (RFC 5227) claims nothing yet; an IPv6 one is keyed by its target instead
        }
        if (arp.getOperation() == IP_TRAFFIC && !onCapturedSubnet(arp)) {
            return; // from beyond a router the source MAC is the router's, not the address's
        }
        ended = false;
        // A duplicate address detection probe counts as its prober's claim: if the holder answers for the address
        // around it, two MACs claim it in turn (ARP_CONFLICT); if not, the address moves to the prober.
        String mac = Addresses.mac(arp.getSenderMac());
        AddressHistory history = load(ip);
        if (NeighborDiscovery.is(arp) && NeighborDiscovery.isWithoutOverride(arp) && !history.claims.isEmpty()
                && !history.claims.get(history.claims.size() - 1).mac().equals(mac)) {
            return; // RFC 4861 7.2.5: with the override flag clear, an existing binding to another MAC stays
        }
        AddressHistory.Sighting sighting = new AddressHistory.Sighting(arp.getHost(), arp.getIface(),
                arp.getTsMicros(), describe(arp));
        history.claim(mac, sighting, config.clockSkewMicros());
        if (arp.getDstMac() != null && heardBySegment(Addresses.bytes(arp.getDstMac()), arp)) {
            history.listeners.add(arp.getHost());
        }
        if (gratuitous(arp)) {
            String sender = topology.ownerOfMac(mac).map(owner -> owner.host().name()).orElse(null);
            history.announced(mac, sender, sighting, config.arpChangeWindowMicros());
        }
        save(ip, history);
    }

    /** Sent to every host of the segment: broadcast ARP, or neighbour discovery to an IPv6 multicast MAC. */
    private static boolean heardBySegment(byte[] dstMac, ArpEvent arp) {
        return Arrays.equals(dstMac, BROADCAST) || NeighborDiscovery.is(arp) && NeighborDiscovery.isMulticastMac(dstMac);
    }

    /**
     * Sender and target address are the same: an announcement, request or reply (RFC 5227 section 3); for IPv6 an
     * unsolicited override advertisement to all nodes.
     */
    private static boolean gratuitous(ArpEvent arp) {
        if (NeighborDiscovery.is(arp)) {
            return NeighborDiscovery.isAnnouncement(arp);
        }
        return arp.getOperation() != IP_TRAFFIC && arp.getSenderIp().equals(arp.getTargetIp());
    }

    /**
     * The topology puts the packet's source on a subnet of the interface that captured it (a local sender), and the MAC
     * is not the interface's gateway's (a router sending a local host's packet back out, as after a redirect).
     */
    private boolean onCapturedSubnet(ArpEvent arp) {
        byte[] sender = Addresses.bytes(arp.getSenderIp());
        String mac = Addresses.mac(arp.getSenderMac());
        if (LINK_LOCAL.contains(sender)) {
            return true; // fe80::/64 is on every IPv6 interface, and a router forwards nothing from it
        }
        return topology.host(arp.getHost()).map(host -> host.interfaces().get(arp.getIface()))
                .filter(iface -> iface.addresses().stream().anyMatch(cidr -> cidr.contains(sender)))
                .filter(iface -> !isGatewayMac(iface, mac)).isPresent();
    }

    private boolean isGatewayMac(NetworkTopology.Interface iface, String mac) {
        return iface.gateway() != null && topology.locate(Addresses.parse(iface.gateway()))
                .map(gateway -> mac.equalsIgnoreCase(gateway.iface().mac())).orElse(false);
    }

    private void judgeDue(long streamTimeMs) {
        long now = streamTimeMs * 1000;
        List<String> ready = new ArrayList<>();
        try (KeyValueIterator<String, Long> iterator = due.all()) {
            iterator.forEachRemaining(entry -> {
                if (entry.value <= now) {
                    ready.add(entry.key);
                }
            });
        }
        DetectionContext detection = new DetectionContext(topology, config, sensors::liveness, now, false, now);
        ready.forEach(ip -> judge(ip, load(ip), detection));
        vrrp.judge(detection, this::send);
    }

    private void judgeAll() {
        long end = sensors.captureEnd();
        DetectionContext detection = new DetectionContext(topology, config, sensors::liveness, end, true, end);
        List<String> pending = new ArrayList<>();
        try (KeyValueIterator<String, Long> iterator = due.all()) {
            iterator.forEachRemaining(entry -> pending.add(entry.key));
        }
        for (String ip : pending) {
            AddressHistory history = load(ip);
            if (detectorsDueAt(history) != Long.MAX_VALUE) { // not only due to be forgotten
                judge(ip, history, detection);
            }
        }
        vrrp.judge(detection, this::send);
    }

    private void judge(String ip, AddressHistory history, DetectionContext detection) {
        if (detection.nowMicros() > forgetAt(history)) {
            addresses.delete(ip); // long unclaimed: its findings are long judged
            due.delete(ip);
            return;
        }
        for (AddressDetector detector : detectors) {
            detector.judge(ip, history, detection).forEach(this::send);
        }
        history.forgetBefore(detection.nowMicros() - 2 * config.arpChangeWindowMicros());
        save(ip, history);
    }

    private void send(Alert alert) {
        context.forward(new Record<>(alert.getId(), alert, alert.getLastSeenMicros() / 1000), TO_ALERTS);
    }

    private AddressHistory load(String ip) {
        byte[] stored = addresses.get(ip);
        return stored == null ? new AddressHistory() : JsonState.decode(stored, AddressHistory.class);
    }

    /**
     * Stores the history (the current MAC is kept: it is what the next change is measured against), due when a
     * detector is, or when no claim for {@code address-forget-after} lets it go (every SLAAC privacy address would
     * otherwise stay for good).
     */
    private void save(String ip, AddressHistory history) {
        addresses.put(ip, JsonState.encode(history));
        long next = Math.min(detectorsDueAt(history), forgetAt(history));
        if (next == Long.MAX_VALUE) {
            due.delete(ip);
        } else {
            due.put(ip, next);
        }
    }

    private long detectorsDueAt(AddressHistory history) {
        return detectors.stream().mapToLong(detector -> detector.dueAtMicros(history, config)).min()
                .orElse(Long.MAX_VALUE);
    }

    private long forgetAt(AddressHistory history) {
        OptionalLong last = history.claims.stream().mapToLong(AddressHistory.Claim::lastMicros).max();
        return last.isEmpty() ? Long.MAX_VALUE : last.getAsLong() + config.addressForgetAfterMicros();
    }

    /** One line of evidence, like tshark's Info column. */
    static String describe(ArpEvent arp) {
        if (NeighborDiscovery.is(arp)) {
            return NeighborDiscovery.describe(arp);
        }
        String sender = Addresses.ip(arp.getSenderIp());
        String mac = Addresses.mac(arp.getSenderMac());
        if (gratuitous(arp)) {
            return "ARP announcement (gratuitous " + (arp.getOperation() == 2 ? "reply" : "request") + ") " + sender
                    + " is at " + mac;
        }
        if (arp.getOperation() == IP_TRAFFIC) {
            return "IP packet from " + sender + " (" + mac + ") to " + Addresses.ip(arp.getTargetIp());
        }
        if (arp.getOperation() == 2) {
            return "ARP reply " + sender + " is at " + mac;
        }
        return "ARP request who has " + Addresses.ip(arp.getTargetIp()) + "? tell " + sender + " (" + mac + ")";
    }
}
