package dev.wirewatch.app.cli;

import dev.wirewatch.app.http.ServiceEndpoint;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.schemas.Durations;
import dev.wirewatch.schemas.Topics;
import dev.wirewatch.sink.AlertSink;
import dev.wirewatch.sink.SinkConfig;
import dev.wirewatch.sink.delivery.RetryPolicy;
import dev.wirewatch.sink.output.OutputSpec;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "sink", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Forwards alerts from ww.alerts to where people look. Each --to is one output with its own thread, "
                + "retries, severity filter and rate limit; a failing output does not hold up the others.",
                "An alert's offset is committed once every output has delivered it or given up after its retries "
                        + "(given-up alerts go to ww.alerts.undelivered with the reason), so a restart resumes where it "
                        + "stopped and sends nothing twice. The same alert id is sent once. Alerts of one type on one "
                        + "subject arriving within --group-wait are one notification; a subject with no new alert for "
                        + "--resolve-after is sent as resolved (Alertmanager: endsAt).",
                "",
                "SPEC is KIND[:TARGET][;OPTION=VALUE...]:",
                "  stdout[;format=text|jsonl]",
                "  jsonl:PATH[;max-size=100MB][;keep=5]          one JSON line per alert, rotated by size",
                "  webhook:URL[;secret-file=FILE][;timeout=10s]  JSON POST, X-Wirewatch-Signature: sha256=HMAC of the body",
                "  alertmanager:URL[;generator-url=URL]          Alertmanager API v2, e.g. alertmanager:http://am:9093",
                "  slack:URL                                     Slack incoming webhook",
                "  syslog:HOST:PORT[;transport=udp|tcp]          RFC 5424, facility local0",
                "Every output also takes min-severity=info|warning|critical and rate=N/s|N/m|N/h. A TARGET written "
                        + "@FILE is read from FILE (keeps webhook tokens off the command line and out of ps).",
                "",
                "Example: wirewatch sink --bootstrap-servers kafka:9092 --to alertmanager:http://localhost:9093 "
                        + "--to 'slack:@/etc/wirewatch/slack-url;min-severity=warning;rate=20/m'"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped (SIGTERM, Ctrl-C)", "1:unexpected error", "2:bad usage"})
public final class SinkCommand implements Callable<Integer> {
    @Option(names = "--to", required = true, paramLabel = "SPEC", description = "An output (see above). Repeat for several.")
    List<String> outputs;

    @Option(names = "--topic", defaultValue = Topics.ALERTS, paramLabel = "TOPIC",
            description = "The alert topic to read (default: ${DEFAULT-VALUE}; a replay's kept topic works too).")
    String topic;

    @Option(names = "--group-id", defaultValue = "wirewatch-sink", paramLabel = "ID",
            description = "Consumer group: where this sink resumes (default: ${DEFAULT-VALUE}). Sinks with different outputs need different ids.")
    String groupId;

    @Option(names = "--from-start", description = "A new group starts at the oldest alert kept, not at the next one written.")
    boolean fromStart;

    @Option(names = "--group-wait", defaultValue = "5s", paramLabel = "DURATION",
            description = "How long a burst of one type on one subject is collected into one notification (default: ${DEFAULT-VALUE}; 0 sends each alone).")
    String groupWait;

    @Option(names = "--resolve-after", defaultValue = "15m", paramLabel = "DURATION",
            description = "A condition with no new alert for this long is sent as resolved (default: ${DEFAULT-VALUE}; 0: never). Keep it above the detectors' reporting windows.")
    String resolveAfter;

    @Option(names = "--retries", defaultValue = "8", paramLabel = "N", description = "Attempts per notification and output before giving up (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--retry-backoff", defaultValue = "1s", paramLabel = "DURATION",
            description = "First wait between attempts, doubled each time up to 60 s (default: ${DEFAULT-VALUE}).")
    String retryBackoff;

    @Option(names = "--http-port", paramLabel = "PORT",
            description = "Serve /metrics (delivered, retried, failed, rate-limited per output; delivery latency) and /health "
                    + "(503 naming the output and its last error once an output failed 3 attempts in a row, 200 again once it delivers).")
    Integer httpPort;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Override
    public Integer call() {
        if (!kafka.external()) {
            throw new UsageException("--bootstrap-servers is required: the sink reads the processor's Kafka cluster");
        }
        SinkConfig config = Arguments.parse(() -> new SinkConfig(topic, groupId, fromStart,
                outputs.stream().map(OutputSpec::parse).toList(), duration(groupWait, "--group-wait"),
                duration(resolveAfter, "--resolve-after"),
                new RetryPolicy(retries, duration(retryBackoff, "--retry-backoff"), Duration.ofSeconds(60))));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // /health answers from the start: 503 with the reason while Kafka is away
        AtomicReference<Supplier<Optional<String>>> health =
                new AtomicReference<>(() -> Optional.of("connecting to Kafka"));
        ServiceEndpoint http = httpPort == null ? null : ServiceEndpoint.start(httpPort, registry, () -> health.get().get());
        if (http != null) {
            System.err.printf("sink: /metrics and /health on port %d%n", http.port());
        }
        Map<String, Object> clientConfig = kafka.awaitClientConfig("sink", waiting -> health.set(() -> waiting.or(() -> Optional.of("starting"))));
        AlertSink sink = Arguments.parse(() -> new AlertSink(clientConfig, config, registry));
        try (Admin admin = Admin.create(clientConfig)) {
            TopicSetup.ensure(admin, TopicSetup.FOR_CLUSTER, Map.of());
        } catch (RuntimeException e) {
            sink.close();
            throw e;
        }
        health.set(sink::degraded); // then a failing output
        StopSignals.onStop("sink", sink::close); // a clean stop exits 0
        System.err.printf("sink: %s as group %s to %s; Ctrl-C to stop%n", topic, groupId, String.join(", ", sink.outputNames()));
        try {
            sink.run();
        } finally {
            if (http != null) {
                http.close();
            }
        }
        return 0;
    }

    private static Duration duration(String text, String option) {
        return text.trim().equals("0") ? Duration.ZERO : Durations.parse(option, text);
    }
}
