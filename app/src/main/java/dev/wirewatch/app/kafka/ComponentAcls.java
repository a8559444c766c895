package dev.wirewatch.app.kafka;

import dev.wirewatch.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Least privilege on a secured cluster: what each component's principal may do, and nothing more. A sensor only
 * writes its three topics (it cannot read ww.alerts); the processor reads the sensors' topics, writes its findings and
 * owns its group, internal topics and transactions (all named after its application id); the sink reads ww.alerts in
 * its group and writes what it gave up on and its open conditions; the console only reads. The processor and the sink
 * make sure wirewatch's
 * topics exist at start (Kafka checks Describe and Create on a topic before it says it exists). deploy/kubernetes/
 * users.yaml grants the same (a test compares them).
 */
public final class ComponentAcls {
    private ComponentAcls() {}

    public static List<AclBinding> sensor(String principal) {
        List<AclBinding> acls = new ArrayList<>();
        for (String topic : List.of(Topics.PACKETS, Topics.L2, Topics.SENSORS)) {
            allow(acls, principal, literal(ResourceType.TOPIC, topic), AclOperation.WRITE, AclOperation.DESCRIBE);
        }
        allow(acls, principal, literal(ResourceType.CLUSTER, "kafka-cluster"), AclOperation.IDEMPOTENT_WRITE);
        return acls;
    }

    public static List<AclBinding> processor(String principal, String applicationId) {
        List<AclBinding> acls = new ArrayList<>();
        allow(acls, principal, prefixed(ResourceType.TOPIC, "ww."), AclOperation.DESCRIBE, AclOperation.CREATE);
        for (String topic : List.of(Topics.PACKETS, Topics.L2, Topics.SENSORS)) {
            allow(acls, principal, literal(ResourceType.TOPIC, topic), AclOperation.READ, AclOperation.DESCRIBE);
        }
        allow(acls, principal, literal(ResourceType.TOPIC, Topics.TOPOLOGY), AclOperation.READ, AclOperation.WRITE,
                AclOperation.DESCRIBE);
        for (String topic : List.of(Topics.FLOWS, Topics.ALERTS, Topics.DEADLETTER)) {
            allow(acls, principal, literal(ResourceType.TOPIC, topic), AclOperation.WRITE, AclOperation.DESCRIBE);
        }
        for (ResourceType type : List.of(ResourceType.TOPIC, ResourceType.GROUP, ResourceType.TRANSACTIONAL_ID)) {
            allow(acls, principal, prefixed(type, applicationId), AclOperation.ALL);
        }
        return acls;
    }

    public static List<AclBinding> sink(String principal, String groupId) {
        List<AclBinding> acls = new ArrayList<>();
        allow(acls, principal, prefixed(ResourceType.TOPIC, "ww."), AclOperation.DESCRIBE, AclOperation.CREATE);
        allow(acls, principal, literal(ResourceType.TOPIC, Topics.ALERTS), AclOperation.READ, AclOperation.DESCRIBE);
        allow(acls, principal, literal(ResourceType.TOPIC, Topics.ALERTS_UNDELIVERED), AclOperation.WRITE,
                AclOperation.DESCRIBE);
        allow(acls, principal, literal(ResourceType.TOPIC, Topics.SINK_OPEN), AclOperation.READ, AclOperation.WRITE,
                AclOperation.DESCRIBE);
        allow(acls, principal, literal(ResourceType.GROUP, groupId), AclOperation.READ, AclOperation.DESCRIBE);
        return acls;
    }

    /** The console only reads: alerts, the packets behind them, the sensors' status, and the groups' progress. */
    public static List<AclBinding> console(String principal, String applicationId, String sinkGroup) {
        List<AclBinding> acls = new ArrayList<>();
        for (String topic : List.of(Topics.ALERTS, Topics.PACKETS, Topics.L2, Topics.SENSORS)) {
            allow(acls, principal, literal(ResourceType.TOPIC, topic), AclOperation.READ, AclOperation.DESCRIBE);
        }
        for (String group : List.of(applicationId, sinkGroup)) {
            allow(acls, principal, literal(ResourceType.GROUP, group), AclOperation.DESCRIBE);
        }
        return acls;
    }

    private static void allow(List<AclBinding> acls, String principal, ResourcePattern resource,
            AclOperation... operations) {
        for (AclOperation operation : operations) {
            acls.add(new AclBinding(resource, new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW)));
        }
    }

    private static ResourcePattern literal(ResourceType type, String name) {
        return new ResourcePattern(type, name, PatternType.LITERAL);
    }

    private static ResourcePattern prefixed(ResourceType type, String prefix) {
        return new ResourcePattern(type, prefix, PatternType.PREFIXED);
    }
}
