package dev.wirewatch.processor.config;

import dev.wirewatch.record.Severity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every detector threshold and timer of the processor, with its default right here. Loaded from config.yaml
 * (kebab-case keys, durations like {@code 500ms}, {@code 5s}, {@code 2m}); every key is optional and an unknown
 * key is an error with its line.
 *
 * @param synAnswerTimeout          a client's SYN with no SYN-ACK and no RST this long after the last attempt is unanswered
 * @param clockSkew                 allowance for clock differences between hosts before a packet missing at another vantage counts as absent
 * @param refusalWindow             CONNECTION_REFUSED aggregates refused attempts on one service over windows of this length
 * @param acceptingLookback         ports that completed handshakes this recently are listed as {@code accepting_ports}
 * @param halfOpenGrace             after one side gave up on a session, how long the other side's sensor must have
 *                                  seen nothing of it (beyond the clock skew) before HALF_OPEN_SESSION
 * @param reconnectWindow           HALF_OPEN_SESSION waits this long for the client's next connection to the same
 *                                  service, which it reports as {@code reconnected}
 * @param keepaliveProbes           unanswered keep-alive probes in a row that make KEEPALIVE_UNANSWERED
 * @param arpChangeWindow           after an address changed MAC, how long to watch for the old MAC coming back
 *                                  (ARP_CONFLICT) before the change counts as a move (ARP_IP_MOVED); also the gap that
 *                                  ends a burst of announcements
 * @param announcementGrace         how long after an announcement a live peer's sensor must have seen it
 * @param redirectGrace             how long a host may take to act on an ICMP redirect before its packets count
 * @param redirectObserveWindow     how long after the grace the host's packets to the destination are watched for one
 *                                  that still goes to the old next hop (Linux keeps a learned redirect for
 *                                  net.ipv4.route.gc_timeout, 300 s by default); the alert comes with the first such packet
 * @param routeMismatchRepeat       ROUTE_MISMATCH reports one host and destination at most once this often
 * @param coverageGapRepeat         SENSOR_COVERAGE_GAP reports one host and address at most once this often
 * @param sensorSilence             a sensor whose ticks stop while stream time moves on this long is SENSOR_DEGRADED
 * @param sensorDegradedRepeat      SENSOR_DEGRADED reports one sensor and reason at most once this often
 * @param synAttemptWindow          how long a live flow of unanswered SYNs stays one attempt (Linux retries for about
 *                                  two minutes) before it closes: shorter splits later retransmissions (PAWS_SYN_DROP
 *                                  and ROUTE_MISMATCH judge unanswered SYNs with their UNANSWERED_SYN, not then)
 * @param tcpIdleTimeout            how long an established TCP connection without packets stays known (a session idle
 *                                  this long is forgotten; its next packets start a new, mid-stream flow): longer than
 *                                  the OS keep-alive defaults plus their probes (Linux: 2 h + 9 x 75 s)
 * @param connectionBudget          connections one processor instance keeps at most (each idle one costs a few hundred
 *                                  bytes of state, BENCHMARKS.md); beyond it the longest idle are forgotten first,
 *                                  counted on /metrics
 * @param unansweredSynSeverity     severity of UNANSWERED_SYN
 * @param connectionRefusedSeverity severity of CONNECTION_REFUSED
 * @param injectedRstSeverity       severity of INJECTED_RST
 * @param halfOpenSessionSeverity   severity of HALF_OPEN_SESSION
 * @param keepaliveUnansweredSeverity severity of KEEPALIVE_UNANSWERED
 * @param pawsSynDropSeverity       severity of PAWS_SYN_DROP
 * @param arpIpMovedSeverity        severity of ARP_IP_MOVED
 * @param arpConflictSeverity       severity of ARP_CONFLICT
 * @param announcementNotPropagatedSeverity severity of ANNOUNCEMENT_NOT_PROPAGATED
 * @param icmpRedirectIgnoredSeverity severity of ICMP_REDIRECT_IGNORED without loss (with loss: one level higher)
 * @param routeMismatchSeverity     severity of ROUTE_MISMATCH
 * @param coverageGapSeverity       severity of SENSOR_COVERAGE_GAP
 * @param sensorDegradedSeverity    severity of SENSOR_DEGRADED
 */
public record ProcessorConfig(
        Duration synAnswerTimeout,
        Duration clockSkew,
        Duration refusalWindow,
        Duration acceptingLookback,
        Duration halfOpenGrace,
        Duration reconnectWindow,
        int keepaliveProbes,
        Duration arpChangeWindow,
        Duration announcementGrace,
        Duration redirectGrace,
        Duration redirectObserveWindow,
        Duration routeMismatchRepeat,
        Duration coverageGapRepeat,
        Duration sensorSilence,
        Duration sensorDegradedRepeat,
        Duration synAttemptWindow,
        Duration tcpIdleTimeout,
        long connectionBudget,
        Severity unansweredSynSeverity,
        Severity connectionRefusedSeverity,
        Severity injectedRstSeverity,
        Severity halfOpenSessionSeverity,
        Severity keepaliveUnansweredSeverity,
        Severity pawsSynDropSeverity,
        Severity arpIpMovedSeverity,
        Severity arpConflictSeverity,
        Severity announcementNotPropagatedSeverity,
        Severity icmpRedirectIgnoredSeverity,
        Severity routeMismatchSeverity,
        Severity coverageGapSeverity,
        Severity sensorDegradedSeverity) {

    public static final ProcessorConfig DEFAULTS = new ProcessorConfig(
            Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofMinutes(10),
            Duration.ofSeconds(5), Duration.ofSeconds(60), 2, Duration.ofSeconds(10), Duration.ofSeconds(2),
            Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(10),
            Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ofSeconds(130),
            Duration.ofHours(2).plusMinutes(15), 2_000_000,
            Severity.warning, Severity.warning, Severity.warning, Severity.warning, Severity.warning, Severity.warning,
            Severity.warning, Severity.warning, Severity.warning, Severity.warning, Severity.warning, Severity.warning,
            Severity.warning);

    public ProcessorConfig {
        positive("syn-answer-timeout", synAnswerTimeout);
        notNegative("clock-skew", clockSkew);
        positive("refusal-window", refusalWindow);
        notNegative("accepting-lookback", acceptingLookback);
        notNegative("half-open-grace", halfOpenGrace);
        notNegative("reconnect-window", reconnectWindow);
        positive("arp-change-window", arpChangeWindow);
        positive("announcement-grace", announcementGrace);
        notNegative("redirect-grace", redirectGrace);
        positive("redirect-observe-window", redirectObserveWindow);
        positive("route-mismatch-repeat", routeMismatchRepeat);
        positive("coverage-gap-repeat", coverageGapRepeat);
        positive("sensor-silence", sensorSilence);
        positive("sensor-degraded-repeat", sensorDegradedRepeat);
        positive("syn-attempt-window", synAttemptWindow);
        positive("tcp-idle-timeout", tcpIdleTimeout);
        if (connectionBudget < 1) {
            throw new ConfigException("connection-budget must be at least 1, was " + connectionBudget);
        }
        if (keepaliveProbes < 1) {
            throw new ConfigException("keepalive-probes must be at least 1, was " + keepaliveProbes);
        }
    }

    /** The defaults when {@code file} is null. */
    public static ProcessorConfig load(Path file) {
        if (file == null) {
            return DEFAULTS;
        }
        FileForm form = YamlFiles.read(file, FileForm.class);
        try {
            return new ProcessorConfig(
                    Durations.parse("syn-answer-timeout", form.synAnswerTimeout),
                    Durations.parse("clock-skew", form.clockSkew),
                    Durations.parse("refusal-window", form.refusalWindow),
                    Durations.parse("accepting-lookback", form.acceptingLookback),
                    Durations.parse("half-open-grace", form.halfOpenGrace),
                    Durations.parse("reconnect-window", form.reconnectWindow),
                    form.keepaliveProbes,
                    Durations.parse("arp-change-window", form.arpChangeWindow),
                    Durations.parse("announcement-grace", form.announcementGrace),
                    Durations.parse("redirect-grace", form.redirectGrace),
                    Durations.parse("redirect-observe-window", form.redirectObserveWindow),
                    Durations.parse("route-mismatch-repeat", form.routeMismatchRepeat),
                    Durations.parse("coverage-gap-repeat", form.coverageGapRepeat),
                    Durations.parse("sensor-silence", form.sensorSilence),
                    Durations.parse("sensor-degraded-repeat", form.sensorDegradedRepeat),
                    Durations.parse("syn-attempt-window", form.synAttemptWindow),
                    Durations.parse("tcp-idle-timeout", form.tcpIdleTimeout),
                    form.connectionBudget,
                    severity("unanswered-syn-severity", form.unansweredSynSeverity),
                    severity("connection-refused-severity", form.connectionRefusedSeverity),
                    severity("injected-rst-severity", form.injectedRstSeverity),
                    severity("half-open-session-severity", form.halfOpenSessionSeverity),
                    severity("keepalive-unanswered-severity", form.keepaliveUnansweredSeverity),
                    severity("paws-syn-drop-severity", form.pawsSynDropSeverity),
                    severity("arp-ip-moved-severity", form.arpIpMovedSeverity),
                    severity("arp-conflict-severity", form.arpConflictSeverity),
                    severity("announcement-not-propagated-severity", form.announcementNotPropagatedSeverity),
                    severity("icmp-redirect-ignored-severity", form.icmpRedirectIgnoredSeverity),
                    severity("route-mismatch-severity", form.routeMismatchSeverity),
                    severity("coverage-gap-severity", form.coverageGapSeverity),
                    severity("sensor-degraded-severity", form.sensorDegradedSeverity));
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
    }

    /** config.yaml text with every key and its current value, for {@code --print-config}. */
    public String toYaml() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("syn-answer-timeout", Durations.format(synAnswerTimeout));
        keys.put("clock-skew", Durations.format(clockSkew));
        keys.put("refusal-window", Durations.format(refusalWindow));
        keys.put("accepting-lookback", Durations.format(acceptingLookback));
        keys.put("half-open-grace", Durations.format(halfOpenGrace));
        keys.put("reconnect-window", Durations.format(reconnectWindow));
        keys.put("keepalive-probes", String.valueOf(keepaliveProbes));
        keys.put("arp-change-window", Durations.format(arpChangeWindow));
        keys.put("announcement-grace", Durations.format(announcementGrace));
        keys.put("redirect-grace", Durations.format(redirectGrace));
        keys.put("redirect-observe-window", Durations.format(redirectObserveWindow));
        keys.put("route-mismatch-repeat", Durations.format(routeMismatchRepeat));
        keys.put("coverage-gap-repeat", Durations.format(coverageGapRepeat));
        keys.put("sensor-silence", Durations.format(sensorSilence));
        keys.put("sensor-degraded-repeat", Durations.format(sensorDegradedRepeat));
        keys.put("syn-attempt-window", Durations.format(synAttemptWindow));
        keys.put("tcp-idle-timeout", Durations.format(tcpIdleTimeout));
        keys.put("connection-budget", String.valueOf(connectionBudget));
        keys.put("unanswered-syn-severity", unansweredSynSeverity.name());
        keys.put("connection-refused-severity", connectionRefusedSeverity.name());
        keys.put("injected-rst-severity", injectedRstSeverity.name());
        keys.put("half-open-session-severity", halfOpenSessionSeverity.name());
        keys.put("keepalive-unanswered-severity", keepaliveUnansweredSeverity.name());
        keys.put("paws-syn-drop-severity", pawsSynDropSeverity.name());
        keys.put("arp-ip-moved-severity", arpIpMovedSeverity.name());
        keys.put("arp-conflict-severity", arpConflictSeverity.name());
        keys.put("announcement-not-propagated-severity", announcementNotPropagatedSeverity.name());
        keys.put("icmp-redirect-ignored-severity", icmpRedirectIgnoredSeverity.name());
        keys.put("route-mismatch-severity", routeMismatchSeverity.name());
        keys.put("coverage-gap-severity", coverageGapSeverity.name());
        keys.put("sensor-degraded-severity", sensorDegradedSeverity.name());
        StringBuilder yaml = new StringBuilder();
        keys.forEach((key, value) -> yaml.append(key).append(": ").append(value).append('\n'));
        return yaml.toString();
    }

    public long synAnswerTimeoutMicros() {
        return micros(synAnswerTimeout);
    }

    public long clockSkewMicros() {
        return micros(clockSkew);
    }

    public long refusalWindowMicros() {
        return micros(refusalWindow);
    }

    public long acceptingLookbackMicros() {
        return micros(acceptingLookback);
    }

    public long halfOpenGraceMicros() {
        return micros(halfOpenGrace);
    }

    public long reconnectWindowMicros() {
        return micros(reconnectWindow);
    }

    public long arpChangeWindowMicros() {
        return micros(arpChangeWindow);
    }

    public long announcementGraceMicros() {
        return micros(announcementGrace);
    }

    public long redirectGraceMicros() {
        return micros(redirectGrace);
    }

    public long redirectObserveWindowMicros() {
        return micros(redirectObserveWindow);
    }

    public long routeMismatchRepeatMicros() {
        return micros(routeMismatchRepeat);
    }

    public long coverageGapRepeatMicros() {
        return micros(coverageGapRepeat);
    }

    public long sensorSilenceMicros() {
        return micros(sensorSilence);
    }

    public long sensorDegradedRepeatMicros() {
        return micros(sensorDegradedRepeat);
    }

    public long synAttemptWindowMicros() {
        return micros(synAttemptWindow);
    }

    public long tcpIdleTimeoutMicros() {
        return micros(tcpIdleTimeout);
    }

    private static long micros(Duration duration) {
        return duration.toNanos() / 1000;
    }

    private static Severity severity(String key, String text) {
        try {
            return Severity.valueOf(text.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": '" + text + "' is not one of info, warning, critical");
        }
    }

    private static void positive(String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new ConfigException(key + " must be positive, was " + Durations.format(value));
        }
    }

    private static void notNegative(String key, Duration value) {
        if (value.isNegative()) {
            throw new ConfigException(key + " must not be negative, was " + Durations.format(value));
        }
    }

    /** The file's shape: every key optional, absent keys keep the default. */
    static final class FileForm {
        public String synAnswerTimeout = Durations.format(DEFAULTS.synAnswerTimeout);
        public String clockSkew = Durations.format(DEFAULTS.clockSkew);
        public String refusalWindow = Durations.format(DEFAULTS.refusalWindow);
        public String acceptingLookback = Durations.format(DEFAULTS.acceptingLookback);
        public String halfOpenGrace = Durations.format(DEFAULTS.halfOpenGrace);
        public String reconnectWindow = Durations.format(DEFAULTS.reconnectWindow);
        public int keepaliveProbes = DEFAULTS.keepaliveProbes;
        public String arpChangeWindow = Durations.format(DEFAULTS.arpChangeWindow);
        public String announcementGrace = Durations.format(DEFAULTS.announcementGrace);
        public String redirectGrace = Durations.format(DEFAULTS.redirectGrace);
        public String redirectObserveWindow = Durations.format(DEFAULTS.redirectObserveWindow);
        public String routeMismatchRepeat = Durations.format(DEFAULTS.routeMismatchRepeat);
        public String coverageGapRepeat = Durations.format(DEFAULTS.coverageGapRepeat);
        public String sensorSilence = Durations.format(DEFAULTS.sensorSilence);
        public String sensorDegradedRepeat = Durations.format(DEFAULTS.sensorDegradedRepeat);
        public String synAttemptWindow = Durations.format(DEFAULTS.synAttemptWindow);
        public String tcpIdleTimeout = Durations.format(DEFAULTS.tcpIdleTimeout);
        public long connectionBudget = DEFAULTS.connectionBudget;
        public String unansweredSynSeverity = DEFAULTS.unansweredSynSeverity.name();
        public String connectionRefusedSeverity = DEFAULTS.connectionRefusedSeverity.name();
        public String injectedRstSeverity = DEFAULTS.injectedRstSeverity.name();
        public String halfOpenSessionSeverity = DEFAULTS.halfOpenSessionSeverity.name();
        public String keepaliveUnansweredSeverity = DEFAULTS.keepaliveUnansweredSeverity.name();
        public String pawsSynDropSeverity = DEFAULTS.pawsSynDropSeverity.name();
        public String arpIpMovedSeverity = DEFAULTS.arpIpMovedSeverity.name();
        public String arpConflictSeverity = DEFAULTS.arpConflictSeverity.name();
        public String announcementNotPropagatedSeverity = DEFAULTS.announcementNotPropagatedSeverity.name();
        public String icmpRedirectIgnoredSeverity = DEFAULTS.icmpRedirectIgnoredSeverity.name();
        public String routeMismatchSeverity = DEFAULTS.routeMismatchSeverity.name();
        public String coverageGapSeverity = DEFAULTS.coverageGapSeverity.name();
        public String sensorDegradedSeverity = DEFAULTS.sensorDegradedSeverity.name();
    }
}
