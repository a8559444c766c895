package dev.wirewatch.schemas;

import java.util.List;

/** Topic names: the contract between sensor, processor and sink (docs/architecture.md, "Topics and records"). */
public final class Topics {
    /** PacketEvent and Tick records, key = canonical flow key. */
    public static final String PACKETS = "ww.packets";
    /**
     * ArpEvent records (ARP and IPv6 neighbour discovery), key = the sender's IP address (a duplicate address detection
     * probe: its target); VrrpAdvertisement records, key = the first virtual address.
     */
    public static final String L2 = "ww.l2";
    /** SensorStatus records, key = sensor id; compacted. */
    public static final String SENSORS = "ww.sensors";
    /** HostInfo records from topology.yaml, key = host name; compacted. */
    public static final String TOPOLOGY = "ww.topology";
    /** FlowRecord per finished flow, key = canonical flow key. */
    public static final String FLOWS = "ww.flows";
    /** Alert records, key = alert id. */
    public static final String ALERTS = "ww.alerts";
    /** UndeliveredAlert records: alerts an output of the sink gave up on, with the reason; key = alert id. */
    public static final String ALERTS_UNDELIVERED = "ww.alerts.undelivered";
    /**
     * The sinks' open conditions (alert-sink README, "Resolution"): key = sink group and alert subject, value = the
     * condition's last Alert, wall-clock time it was seen in a header; a tombstone once it is resolved. Compacted.
     */
    public static final String SINK_OPEN = "ww.sink.open";
    /** DeadLetter records: input that could not be decoded. */
    public static final String DEADLETTER = "ww.deadletter";

    public static final List<String> ALL = List.of(PACKETS, L2, SENSORS, TOPOLOGY, FLOWS, ALERTS, ALERTS_UNDELIVERED, SINK_OPEN,
            DEADLETTER);
    public static final List<String> COMPACTED = List.of(SENSORS, TOPOLOGY, SINK_OPEN);

    private Topics() {}
}
