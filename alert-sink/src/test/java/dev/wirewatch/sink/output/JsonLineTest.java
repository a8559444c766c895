package dev.wirewatch.sink.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Evidence;
import dev.wirewatch.record.Severity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class JsonLineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Alert everyFieldSet() {
        return Alert.newBuilder().setId("0123456789abcdef0123").setType("UNANSWERED_SYN").setSeverity(Severity.critical)
                .setCause("DROPPED_AT_SERVER_HOST").setHost("server").setClient("198.51.100.10:40000")
                .setServer("198.51.100.20:8080").setClientIp("198.51.100.10").setIp("198.51.100.20")
                .setDstIp("10.0.0.1").setMissingAt("client").setObservedBy(List.of("client", "server"))
                .setFirstSeenMicros(1_700_000_000_000_001L).setLastSeenMicros(1_700_000_005_123_456L).setCount(6)
                .setCommunityId("1:wCb3OG7yAFWelaUydu0D+125CLM=").setSummary("6 SYNs ...").setHint("check the firewall")
                .setEvidence(List.of(Evidence.newBuilder().setHost("server").setIface("eth0")
                        .setTsMicros(1_700_000_000_000_002L).setLine("SYN").build()))
                .setDistinctClients(2L).setAcceptingPorts(List.of(8081, 8443)).setDropReason("NETFILTER_DROP")
                .setExplainedBy("fedcba9876543210fedc").setProtocol("VRRP").setVrid(10)
                .setMasters(List.of("02:00:00:00:10:01", "02:00:00:00:10:02")).setMasterHosts(List.of("node1", "node2"))
                .build();
    }

    /** The field names of the JSON line as ALERTS.md defines them: the public interface. */
    private static List<String> documentedFields() throws Exception {
        Path alertsDoc = Path.of(System.getProperty("wirewatch.docs", "../docs")).resolve("ALERTS.md");
        assertTrue(Files.isRegularFile(alertsDoc), "the repository's docs/ALERTS.md: " + alertsDoc);
        String doc = Files.readString(alertsDoc);
        String table = doc.substring(doc.indexOf("## JSON line"), doc.indexOf("## Types"));
        List<String> fields = new ArrayList<>();
        Matcher row = Pattern.compile("(?m)^\\| `([a-z_]+)`").matcher(table);
        while (row.find()) {
            fields.add(row.group(1));
        }
        return fields;
    }

    @Test
    void everyFieldOfTheDocumentedJsonLineIsWrittenUnderItsDocumentedName() throws Exception {
        List<String> documented = documentedFields();
        assertTrue(documented.size() >= 15, "parsed the field table of ALERTS.md: " + documented);
        JsonNode line = JSON.readTree(JsonLine.of(everyFieldSet()));
        for (String field : documented) {
            assertTrue(line.has(field), "missing documented field '" + field + "' in " + line);
        }
    }

    @Test
    void valuesKeepTheirTypesAndTimesAreIsoUtcWithMicroseconds() throws Exception {
        JsonNode line = JSON.readTree(JsonLine.of(everyFieldSet()));
        assertEquals("critical", line.get("severity").asText());
        assertEquals("2023-11-14T22:13:20.000001Z", line.get("first_seen").asText());
        assertEquals("2023-11-14T22:13:25.123456Z", line.get("last_seen").asText());
        assertEquals(6, line.get("count").asLong());
        assertTrue(line.get("accepting_ports").isArray());
        assertEquals(8081, line.get("accepting_ports").get(0).asInt());
        assertEquals(2, line.get("distinct_clients").asLong());
        assertEquals("eth0", line.get("evidence").get(0).get("interface").asText());
        assertEquals("client", line.get("observed_by").get(0).asText());
    }

    @Test
    void absentOptionalFieldsAreLeftOutNotWrittenAsNull() throws Exception {
        Alert sparse = Alert.newBuilder(everyFieldSet()).setCause(null).setClientIp(null).setDropReason(null)
                .setAcceptingPorts(null).setDistinctClients(null).setExplainedBy(null).build();
        JsonNode line = JSON.readTree(JsonLine.of(sparse));
        for (String absent : List.of("cause", "client_ip", "drop_reason", "accepting_ports", "distinct_clients",
                "explained_by")) {
            assertFalse(line.has(absent), absent);
        }
        assertFalse(JsonLine.of(sparse).contains("\n"), "one alert is one line");
    }

    @Test
    void mastersWithoutMasterHostsWriteMastersOnly() throws Exception {
        Alert mastersOnly = Alert.newBuilder(everyFieldSet()).setMasterHosts(null).build();
        JsonNode line = JSON.readTree(JsonLine.of(mastersOnly));
        assertEquals("02:00:00:00:10:02", line.get("masters").get(1).asText());
        assertFalse(line.has("master_hosts"));
        Alert hostsOnly = Alert.newBuilder(everyFieldSet()).setMasters(null).build();
        assertEquals("node1", JSON.readTree(JsonLine.of(hostsOnly)).get("master_hosts").get(0).asText());
    }

    @Test
    void textBlockLeadsWithSeverityTypeAndSubjectThenSummaryAndHint() {
        String text = TextBlock.of(everyFieldSet());
        String[] lines = text.split("\n");
        assertTrue(lines[0].startsWith("CRITICAL  UNANSWERED_SYN (DROPPED_AT_SERVER_HOST)  198.51.100.20:8080  on server"), lines[0]);
        assertEquals("  6 SYNs ...", lines[1]);
        assertEquals("  hint: check the firewall", lines[2]);
        assertEquals("  explained by: fedcba9876543210fedc", lines[3]);
    }
}
