package dev.wirewatch.processor.l2;

import dev.wirewatch.processor.flow.DetectionContext;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.processor.state.JsonState;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.VrrpAdvertisement;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.VrrpKeys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The VRRP part of the address stage: a {@link VirtualRouter} per virtual router (vrid and first virtual address,
 * which is also the records' key on ww.l2, so one task sees all of a router), in the {@link #STORE} store, judged by
 * the registry's {@link VirtualRouterDetector}s whenever the stage judges (stream time, end of input).
 */
final class VirtualRouters {
    static final String STORE = "vrrp-routers";
    /** Advertisement type 1 is the only one VRRP defines. */
    private static final int ADVERTISEMENT = 1;
    /** A speaker silent this many of its master-down intervals is forgotten (its findings are long reported). */
    private static final int FORGET_AFTER_MASTER_DOWNS = 100;

    private final NetworkTopology topology;
    private final List<VirtualRouterDetector> detectors;
    private final KeyValueStore<String, byte[]> routers;

    VirtualRouters(NetworkTopology topology, List<VirtualRouterDetector> detectors, KeyValueStore<String, byte[]> routers) {
        this.topology = topology;
        this.detectors = detectors;
        this.routers = routers;
    }

    void advertised(VrrpAdvertisement advertisement, String line) {
        if (advertisement.getType() != ADVERTISEMENT || advertisement.getIntervalCentis() <= 0) {
            return;
        }
        String router = VrrpKeys.router(advertisement);
        VirtualRouter state = load(router);
        state.vrid = advertisement.getVrid();
        String mac = advertisement.getSrcMac() == null ? "" : Addresses.mac(advertisement.getSrcMac());
        AddressHistory.Sighting sighting = new AddressHistory.Sighting(advertisement.getHost(), advertisement.getIface(),
                advertisement.getTsMicros(), line);
        state.advertised(mac, sender(mac, advertisement), Addresses.ip(advertisement.getSrc()),
                advertisement.getPriority(), advertisement.getIntervalCentis(),
                advertisement.getAddresses().stream().map(Addresses::ip).toList(), sighting);
        routers.put(router, JsonState.encode(state));
    }

    /** Every router, judged at {@code context}'s time; alerts go to {@code out}. */
    void judge(DetectionContext context, Consumer<Alert> out) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> iterator = routers.all()) {
            iterator.forEachRemaining(entry -> keys.add(entry.key));
        }
        for (String router : keys) {
            byte[] stored = routers.get(router);
            VirtualRouter state = JsonState.decode(stored, VirtualRouter.class);
            detectors.forEach(detector -> detector.judge(router, state, context).forEach(out));
            state.speakers.values().removeIf(speaker -> {
                boolean gone = context.nowMicros() - speaker.lastMicros()
                        > FORGET_AFTER_MASTER_DOWNS * speaker.masterDownMicros();
                if (gone) {
                    state.reported.removeIf(key -> key.contains(speaker.id()));
                }
                return gone;
            });
            state.forgetReportedBeforeRuns(FORGET_AFTER_MASTER_DOWNS);
            if (state.speakers.isEmpty()) {
                routers.delete(router);
            } else {
                byte[] judged = JsonState.encode(state);
                if (!Arrays.equals(judged, stored)) {
                    routers.put(router, judged); // most looks change nothing: no write, no changelog record
                }
            }
        }
    }

    /** The monitored host sending: by its MAC, else (a virtual MAC, use_vmac) by its own address. */
    private String sender(String mac, VrrpAdvertisement advertisement) {
        return topology.ownerOfMac(mac).or(() -> topology.locate(Addresses.bytes(advertisement.getSrc())))
                .map(owner -> owner.host().name()).orElse(null);
    }

    private VirtualRouter load(String router) {
        byte[] stored = routers.get(router);
        return stored == null ? new VirtualRouter() : JsonState.decode(stored, VirtualRouter.class);
    }

    /** One line of evidence, like tshark's Info column with the fields that matter. */
    static String describe(VrrpAdvertisement advertisement) {
        return String.format("VRRPv%d advertisement vrid %d priority %d interval %d cs from %s (%s): %s",
                advertisement.getVersion(), advertisement.getVrid(), advertisement.getPriority(),
                advertisement.getIntervalCentis(), Addresses.ip(advertisement.getSrc()),
                advertisement.getSrcMac() == null ? "no MAC" : Addresses.mac(advertisement.getSrcMac()),
                String.join(", ", advertisement.getAddresses().stream().map(Addresses::ip).toList()));
    }
}
