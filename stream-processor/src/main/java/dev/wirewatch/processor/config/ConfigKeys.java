package dev.wirewatch.processor.config;

import dev.wirewatch.record.Severity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The table of config.yaml: every detector threshold and timer of the processor, each defined once here with its
 * default and description, in the order {@code --print-config} and docs/configuration.md list them. A new key is
 * one more line here (and a typed read in {@link ProcessorConfig} if code wants one).
 */
public final class ConfigKeys {
    private static final List<ConfigKey<?>> TABLE = new ArrayList<>();
    private static final Map<String, ConfigKey<Severity>> SEVERITY_BY_ALERT_TYPE = new LinkedHashMap<>();
    private static final ValueType<Duration> ABOVE_ZERO = new ValueType.Time(false);
    private static final ValueType<Duration> ZERO_OR_MORE = new ValueType.Time(true);

    public static final ConfigKey<Duration> SYN_ANSWER_TIMEOUT = key("syn-answer-timeout", ABOVE_ZERO,
            Duration.ofSeconds(5),
            "a client's SYN with no SYN-ACK and no RST this long after the last attempt is unanswered");
    public static final ConfigKey<Duration> CLOCK_SKEW = key("clock-skew", ZERO_OR_MORE, Duration.ofSeconds(1),
            "allowance for clock differences between hosts before a packet missing at another vantage counts as "
                    + "absent; closed flows are awaited this much longer");
    public static final ConfigKey<Duration> REFUSAL_WINDOW = key("refusal-window", ABOVE_ZERO, Duration.ofSeconds(60),
            "CONNECTION_REFUSED aggregates refused attempts on one service over windows of this length");
    public static final ConfigKey<Duration> ACCEPTING_LOOKBACK = key("accepting-lookback", ZERO_OR_MORE,
            Duration.ofMinutes(10), "ports that completed handshakes this recently are listed as `accepting_ports`");
    public static final ConfigKey<Duration> HALF_OPEN_GRACE = key("half-open-grace", ZERO_OR_MORE,
            Duration.ofSeconds(5), "after one side gave up on a session, how long the other side's sensor must have "
                    + "seen nothing of it (beyond the clock skew) before HALF_OPEN_SESSION");
    public static final ConfigKey<Duration> RECONNECT_WINDOW = key("reconnect-window", ZERO_OR_MORE,
            Duration.ofSeconds(60), "HALF_OPEN_SESSION waits this long for the client's next connection to the same "
                    + "service, which it reports as `reconnected`");
    public static final ConfigKey<Long> KEEPALIVE_PROBES = key("keepalive-probes", ValueType.Count.ofInt(1), 2L,
            "unanswered keep-alive probes in a row that make KEEPALIVE_UNANSWERED");
    public static final ConfigKey<Duration> ARP_CHANGE_WINDOW = key("arp-change-window", ABOVE_ZERO,
            Duration.ofSeconds(10), "after an address changed MAC, how long to watch for the old MAC coming back "
                    + "(ARP_CONFLICT) before the change counts as a move (ARP_IP_MOVED); also the gap that ends a "
                    + "burst of announcements");
    public static final ConfigKey<Duration> ANNOUNCEMENT_GRACE = key("announcement-grace", ABOVE_ZERO,
            Duration.ofSeconds(2), "how long after an announcement a live peer's sensor must have seen it");
    public static final ConfigKey<Duration> ADDRESS_FORGET_AFTER = key("address-forget-after", ABOVE_ZERO,
            Duration.ofHours(24), "an address no ARP, neighbour discovery or IP traffic has claimed this long is "
                    + "forgotten with its MAC history (IPv6 privacy addresses come and go)");
    public static final ConfigKey<Duration> REDIRECT_GRACE = key("redirect-grace", ZERO_OR_MORE,
            Duration.ofSeconds(1), "how long a host may take to act on an ICMP redirect before its packets count");
    public static final ConfigKey<Duration> REDIRECT_OBSERVE_WINDOW = key("redirect-observe-window", ABOVE_ZERO,
            Duration.ofMinutes(5), "how long after the grace the host's packets to the destination are watched for "
                    + "one that still goes to the old next hop (Linux keeps a learned redirect for "
                    + "net.ipv4.route.gc_timeout, 300 s by default); the alert comes with the first such packet");
    public static final ConfigKey<Duration> ROUTE_MISMATCH_REPEAT = key("route-mismatch-repeat", ABOVE_ZERO,
            Duration.ofMinutes(10), "ROUTE_MISMATCH reports one host and destination at most once this often");
    public static final ConfigKey<Duration> COVERAGE_GAP_REPEAT = key("coverage-gap-repeat", ABOVE_ZERO,
            Duration.ofMinutes(10), "SENSOR_COVERAGE_GAP reports one host and address at most once this often");
    public static final ConfigKey<Duration> SENSOR_SILENCE = key("sensor-silence", ABOVE_ZERO, Duration.ofSeconds(30),
            "a sensor whose ticks stop while stream time moves on this long is SENSOR_DEGRADED; verdicts that wait "
                    + "for a lagging sensor's ticks wait at most this long");
    public static final ConfigKey<Duration> LAGGING_SENSOR_WAIT = key("lagging-sensor-wait", ABOVE_ZERO,
            Duration.ofMinutes(5), "a flow stays open past its expiry while a host that holds one of its addresses "
                    + "has a sensor lagging behind (its records delayed on the way to Kafka), until that sensor's "
                    + "ticks pass the expiry or at most this long after its last tick: its late records join the "
                    + "flow instead of starting a second one");
    public static final ConfigKey<Duration> SENSOR_DEGRADED_REPEAT = key("sensor-degraded-repeat", ABOVE_ZERO,
            Duration.ofMinutes(10), "SENSOR_DEGRADED reports one sensor and reason at most once this often");
    public static final ConfigKey<Duration> SYN_ATTEMPT_WINDOW = key("syn-attempt-window", ABOVE_ZERO,
            Duration.ofSeconds(130), "how long a live flow of unanswered SYNs stays one attempt (Linux retries for "
                    + "about two minutes) before it closes: shorter splits later retransmissions (PAWS_SYN_DROP and "
                    + "ROUTE_MISMATCH judge unanswered SYNs with their UNANSWERED_SYN, not then)");
    public static final ConfigKey<Duration> TCP_IDLE_TIMEOUT = key("tcp-idle-timeout", ABOVE_ZERO,
            Duration.ofHours(2).plusMinutes(15), "how long an established TCP connection without packets stays "
                    + "known (a session idle this long is forgotten; its next packets start a new, mid-stream flow): "
                    + "longer than the OS keep-alive defaults plus their probes (Linux: 2 h + 9 x 75 s)");
    public static final ConfigKey<Long> STATE_MEMORY_MIB = key("state-memory-mib", ValueType.Count.ofLong(16), 256L,
            "MiB that all the processor's RocksDB stores share off the heap for cached blocks and memtables (one "
                    + "bound per instance; RocksDB's own default grows with every store and task). A `rocksdb.config.setter` "
                    + "of your own in `--kafka-config` replaces this bound, and then this key has no effect");
    public static final ConfigKey<Long> CONNECTION_BUDGET = key("connection-budget", ValueType.Count.ofLong(1),
            2_000_000L, "connections one processor instance keeps at most (each idle one costs a few hundred bytes "
                    + "of state, BENCHMARKS.md); beyond it the longest idle are forgotten first, counted on /metrics");

    static {
        severity("UNANSWERED_SYN", "unanswered-syn-severity", "");
        severity("CONNECTION_REFUSED", "connection-refused-severity", "");
        severity("INJECTED_RST", "injected-rst-severity", "");
        severity("HALF_OPEN_SESSION", "half-open-session-severity", "");
        severity("KEEPALIVE_UNANSWERED", "keepalive-unanswered-severity", "");
        severity("PAWS_SYN_DROP", "paws-syn-drop-severity", "");
        severity("ARP_IP_MOVED", "arp-ip-moved-severity", "");
        severity("ARP_CONFLICT", "arp-conflict-severity", "");
        severity("ANNOUNCEMENT_NOT_PROPAGATED", "announcement-not-propagated-severity", "");
        severity("VRRP_SPLIT_BRAIN", "vrrp-split-brain-severity", "");
        severity("ICMP_REDIRECT_IGNORED", "icmp-redirect-ignored-severity", " without loss (with loss: one level higher)");
        severity("ROUTE_MISMATCH", "route-mismatch-severity", "");
        severity("SENSOR_COVERAGE_GAP", "coverage-gap-severity", "");
        severity("SENSOR_DEGRADED", "sensor-degraded-severity", "");
    }

    /**
     * Types whose severity is not configurable: a naming mistake between sensors and topology is reported once, as
     * information. (An alert another one explains goes out as {@code info} whatever its type: detect/Explained.)
     */
    public static final Map<String, Severity> FIXED_SEVERITIES = Map.of(
            "SENSOR_NOT_IN_TOPOLOGY", Severity.info,
            "HOST_NOT_MONITORED", Severity.info);

    private ConfigKeys() {}

    /** Every key, in the order of the table. */
    public static List<ConfigKey<?>> all() {
        return Collections.unmodifiableList(TABLE);
    }

    /** The key that sets the severity of each configurable alert type. */
    public static Map<String, ConfigKey<Severity>> severityByAlertType() {
        return Collections.unmodifiableMap(SEVERITY_BY_ALERT_TYPE);
    }

    private static <T> ConfigKey<T> key(String name, ValueType<T> type, T defaultValue, String description) {
        ConfigKey<T> key = new ConfigKey<>(name, type, defaultValue, description);
        TABLE.add(key);
        return key;
    }

    private static void severity(String alertType, String name, String qualifier) {
        SEVERITY_BY_ALERT_TYPE.put(alertType, key(name, new ValueType.Choice<>(Severity.class), Severity.warning,
                "severity of " + alertType + qualifier));
    }
}
