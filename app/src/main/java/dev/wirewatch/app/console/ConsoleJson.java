package dev.wirewatch.app.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wirewatch.app.status.ClusterStatus;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.NatTable;
import dev.wirewatch.sink.output.JsonLine;
import java.time.Instant;
import java.util.List;

/**
 * The console's answers as JSON (the page's contract, docs/console.md): alerts with the field names of ALERTS.md (as
 * the sink writes them) and {@code resolved}; a connection's ladder; the sensors' health; the topology. Strings go
 * in as they are: the page puts them into the document as text only.
 */
final class ConsoleJson {
    static final ObjectMapper JSON = new ObjectMapper();

    private ConsoleJson() {}

    static ObjectNode alert(AlertFeed.Received received, boolean resolved) {
        ObjectNode node = JsonLine.node(received.alert());
        node.put("resolved", resolved);
        return node;
    }

    static ObjectNode ladder(ObjectNode alert, Ladder.Drawing drawing, String evidenceUrl) {
        ObjectNode node = JSON.createObjectNode();
        node.set("alert", alert);
        ArrayNode vantages = node.putArray("vantages");
        for (Ladder.Vantage vantage : drawing.vantages()) {
            vantages.addObject().put("id", vantage.id()).put("host", vantage.host()).put("iface", vantage.iface());
        }
        node.put("start_micros", drawing.startMicros());
        ArrayNode arrows = node.putArray("arrows");
        for (Ladder.Arrow arrow : drawing.arrows()) {
            ObjectNode item = arrows.addObject().put("direction", arrow.toServer() ? "to_server" : "to_client")
                    .put("flags", arrow.flags()).put("seq", arrow.seq()).put("ack", arrow.ack())
                    .put("len", arrow.length()).put("src", arrow.src()).put("dst", arrow.dst());
            if (arrow.tsVal() == null) {
                item.putNull("tsval");
            } else {
                item.put("tsval", arrow.tsVal());
            }
            ArrayNode hops = item.putArray("hops");
            arrow.hops().forEach(hop -> hops.addObject().put("vantage", hop.vantage()).put("ts_micros", hop.tsMicros()));
            item.put("lost_after", arrow.lostAfter());
        }
        ArrayNode summaries = node.putArray("summaries");
        for (Ladder.Summary summary : drawing.summaries()) {
            summaries.addObject().put("vantage", summary.vantage()).put("from_micros", summary.fromMicros())
                    .put("to_micros", summary.toMicros()).put("text", summary.text());
        }
        node.put("evidence_url", evidenceUrl);
        return node;
    }

    static ObjectNode sensors(List<ClusterStatus.Sensor> sensors) {
        ObjectNode node = JSON.createObjectNode();
        ArrayNode list = node.putArray("sensors");
        for (ClusterStatus.Sensor sensor : sensors) {
            ObjectNode item = list.addObject().put("host", sensor.host()).put("state", sensor.state())
                    .put("reason", sensor.reason()).put("last_tick", iso(sensor.lastTick()))
                    .put("last_status", iso(sensor.lastStatus())).put("packets_per_second", sensor.packetsPerSecond())
                    .put("records_per_second", sensor.recordsPerSecond()).put("capture_drops", sensor.captureDrops())
                    .put("kafka_unacknowledged_ms", sensor.kafkaUnacknowledgedMs());
            sensor.interfaces().forEach(item.putArray("interfaces")::add);
            sensor.notCapturing().forEach(item.putArray("not_capturing")::add);
        }
        return node;
    }

    static ObjectNode topology(NetworkTopology topology) {
        ObjectNode node = JSON.createObjectNode();
        ArrayNode hosts = node.putArray("hosts");
        for (NetworkTopology.Host host : topology.hosts().values()) {
            ObjectNode item = hosts.addObject().put("name", host.name());
            ArrayNode interfaces = item.putArray("interfaces");
            for (NetworkTopology.Interface iface : host.interfaces().values()) {
                ObjectNode entry = interfaces.addObject().put("name", iface.name()).put("mac", iface.mac())
                        .put("gateway", iface.gateway());
                ArrayNode addresses = entry.putArray("addresses");
                iface.addresses().forEach(cidr -> addresses.add(cidr.toString()));
            }
            host.capture().forEach(item.putArray("capture")::add);
        }
        ObjectNode segments = node.putObject("segments");
        topology.segments().forEach((name, members) -> members.forEach(segments.putArray(name)::add));
        ArrayNode nat = node.putArray("nat");
        for (NatTable.Translation translation : topology.nat().translations()) {
            nat.addObject().put("public", endpoint(translation.publicAddress(), translation.publicPort()))
                    .put("private", endpoint(translation.privateAddress(), translation.privatePort()));
        }
        return node;
    }

    static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private static String endpoint(byte[] address, int port) {
        return port == 0 ? Addresses.ip(address) : Addresses.endpoint(address, port);
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
