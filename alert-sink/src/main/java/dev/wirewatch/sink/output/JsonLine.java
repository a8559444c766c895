package dev.wirewatch.sink.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Evidence;
import dev.wirewatch.schemas.Times;
import java.util.List;

/**
 * One alert as one JSON object with the field names of ALERTS.md (a public interface: scripts match on them).
 * Absent optional fields are left out rather than written as null.
 */
public final class JsonLine {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonLine() {}

    public static String of(Alert alert) {
        try {
            return JSON.writeValueAsString(node(alert));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an ObjectNode always serialises", e);
        }
    }

    /** One alert as the sink sends it: the revision it delivers; an update of one sent before adds {@code "update": true}. */
    public static String of(Alert alert, int revision) {
        try {
            return JSON.writeValueAsString(node(alert, revision));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an ObjectNode always serialises", e);
        }
    }

    /** {@link #node(Alert)} with the revision as delivered, and for an update (2 and more) {@code "update": true}. */
    public static ObjectNode node(Alert alert, int revision) {
        ObjectNode line = node(alert);
        line.put("revision", revision);
        if (revision > 1) {
            line.put("update", true);
        }
        return line;
    }

    /** The same object as a tree, for outputs that wrap alerts in a larger document. */
    public static ObjectNode node(Alert alert) {
        ObjectNode line = JSON.createObjectNode();
        line.put("id", alert.getId());
        line.put("type", alert.getType());
        line.put("revision", alert.getRevision());
        line.put("severity", alert.getSeverity().name());
        putIfPresent(line, "cause", alert.getCause());
        putIfPresent(line, "host", alert.getHost());
        putIfPresent(line, "client", alert.getClient());
        putIfPresent(line, "server", alert.getServer());
        putIfPresent(line, "client_ip", alert.getClientIp());
        putIfPresent(line, "ip", alert.getIp());
        putIfPresent(line, "dst_ip", alert.getDstIp());
        putIfPresent(line, "missing_at", alert.getMissingAt());
        strings(line.putArray("observed_by"), alert.getObservedBy());
        line.put("first_seen", Times.iso(alert.getFirstSeenMicros()));
        line.put("last_seen", Times.iso(alert.getLastSeenMicros()));
        line.put("count", alert.getCount());
        putIfPresent(line, "community_id", alert.getCommunityId());
        if (alert.getDistinctClients() != null) {
            line.put("distinct_clients", alert.getDistinctClients());
        }
        if (alert.getAcceptingPorts() != null) {
            ArrayNode ports = line.putArray("accepting_ports");
            alert.getAcceptingPorts().forEach(ports::add);
        }
        putIfPresent(line, "drop_reason", alert.getDropReason());
        if (alert.getReconnected() != null) {
            line.put("reconnected", alert.getReconnected());
        }
        putIfPresent(line, "mac_before", alert.getMacBefore());
        putIfPresent(line, "mac_after", alert.getMacAfter());
        putIfPresent(line, "protocol", alert.getProtocol());
        if (alert.getVrid() != null) {
            line.put("vrid", alert.getVrid());
        }
        if (alert.getMasters() != null) {
            strings(line.putArray("masters"), alert.getMasters());
        }
        if (alert.getMasterHosts() != null) {
            strings(line.putArray("master_hosts"), alert.getMasterHosts());
        }
        putIfPresent(line, "gateway", alert.getGateway());
        putIfPresent(line, "suggested_gateway", alert.getSuggestedGateway());
        if (alert.getLoss() != null) {
            line.put("loss", alert.getLoss());
        }
        putIfPresent(line, "reason", alert.getReason());
        putIfPresent(line, "explained_by", alert.getExplainedBy());
        line.put("summary", alert.getSummary());
        line.put("hint", alert.getHint());
        ArrayNode evidence = line.putArray("evidence");
        for (Evidence item : alert.getEvidence()) {
            evidence.addObject().put("host", item.getHost()).put("interface", item.getIface())
                    .put("time", Times.iso(item.getTsMicros())).put("line", item.getLine());
        }
        return line;
    }

    private static void putIfPresent(ObjectNode line, String field, String value) {
        if (value != null) {
            line.put(field, value);
        }
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
