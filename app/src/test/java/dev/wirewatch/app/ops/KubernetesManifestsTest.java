package dev.wirewatch.app.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.wirewatch.app.kafka.ComponentAcls;
import dev.wirewatch.schemas.Topics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import io.strimzi.api.kafka.model.user.KafkaUserAuthorizationSimple;
import io.strimzi.api.kafka.model.user.acl.AclRule;
import io.strimzi.api.kafka.model.user.acl.AclResourcePatternType;
import io.strimzi.api.kafka.model.user.acl.AclRuleClusterResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleGroupResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTopicResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTransactionalIdResource;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.acl.AclBinding;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes read as the Kubernetes API and Strimzi read it: every document is a kind they know, with no
 * field their types lack (a misspelt or misplaced field would be dropped silently by a cluster), and the manifests
 * keep the promises of the install guide: sensors on the host network, named after their node, holding NET_RAW and
 * nothing else; processors each with a state volume; one Kafka principal per component, a sensor's unable to read.
 */
class KubernetesManifestsTest {
    private static final Path DIR = Path.of(System.getProperty("user.dir")).getParent().resolve("deploy/kubernetes");
    private static final Map<String, Class<?>> KINDS = Map.of(
            "v1/ConfigMap", ConfigMap.class, "v1/Service", Service.class,
            "apps/v1/DaemonSet", DaemonSet.class, "apps/v1/StatefulSet", StatefulSet.class,
            "apps/v1/Deployment", Deployment.class,
            "kafka.strimzi.io/v1beta2/Kafka", Kafka.class, "kafka.strimzi.io/v1beta2/KafkaNodePool", KafkaNodePool.class,
            "kafka.strimzi.io/v1beta2/KafkaTopic", KafkaTopic.class, "kafka.strimzi.io/v1beta2/KafkaUser", KafkaUser.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static List<Object> manifests() throws Exception {
        List<Object> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".yaml")).sorted().toList()) {
                for (JsonNode document : YAML.readValues(YAML.getFactory().createParser(file.toFile()), JsonNode.class)
                        .readAll()) {
                    if (document == null || document.isNull() || document.isEmpty()) {
                        continue;
                    }
                    String kind = document.path("apiVersion").asText() + "/" + document.path("kind").asText();
                    Class<?> type = KINDS.get(kind);
                    assertNotNull(type, file.getFileName() + ": a kind this test does not know: " + kind);
                    Object manifest = YAML.treeToValue(document, type);
                    List<String> unknown = new ArrayList<>();
                    unknownFields(manifest, kind, unknown, Collections.newSetFromMap(new IdentityHashMap<>()));
                    assertEquals(List.of(), unknown, file.getFileName() + ": fields " + kind + " does not have");
                    all.add(manifest);
                }
            }
        }
        return all;
    }

    private static <T> List<T> of(List<Object> manifests, Class<T> type) {
        return manifests.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void everyManifestIsAKindTheApiKnowsWithOnlyItsFields() throws Exception {
        Set<String> kinds = manifests().stream().map(manifest -> manifest.getClass().getSimpleName())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(List.of("ConfigMap", "DaemonSet", "Deployment", "Kafka", "KafkaNodePool",
                "KafkaTopic", "KafkaUser", "Service", "StatefulSet")), kinds);
    }

    @Test
    void sensorsRunOnTheHostNetworkNamedAfterTheirNodeWithOnlyNetRaw() throws Exception {
        DaemonSet sensors = of(manifests(), DaemonSet.class).get(0);
        assertTrue(sensors.getSpec().getTemplate().getSpec().getHostNetwork());
        Container sensor = sensors.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals(List.of("NET_RAW"), sensor.getSecurityContext().getCapabilities().getAdd());
        assertEquals(List.of("ALL"), sensor.getSecurityContext().getCapabilities().getDrop());
        assertFalse(sensor.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals("spec.nodeName", sensor.getEnv().stream().filter(env -> env.getName().equals("NODE_NAME"))
                .findFirst().orElseThrow().getValueFrom().getFieldRef().getFieldPath());
        assertEquals("$(NODE_NAME)", sensor.getArgs().get(sensor.getArgs().indexOf("--host") + 1));
    }

    @Test
    void processorsKeepTheirStateOnAVolumeEachAndRunUnprivileged() throws Exception {
        StatefulSet processors = of(manifests(), StatefulSet.class).get(0);
        String claim = processors.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getName();
        Container processor = processors.getSpec().getTemplate().getSpec().getContainers().get(0);
        String mount = processor.getVolumeMounts().stream().filter(volume -> volume.getName().equals(claim))
                .findFirst().orElseThrow().getMountPath();
        assertTrue(processor.getArgs().get(processor.getArgs().indexOf("--state-dir") + 1).startsWith(mount + "/"));
        assertTrue(processors.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot());
        assertEquals(List.of("ALL"), processor.getSecurityContext().getCapabilities().getDrop());
    }

    @Test
    void everyTopicIsDeclaredAndEachComponentIsAPrincipalWithOnlyWhatItNeeds() throws Exception {
        List<Object> manifests = manifests();
        Set<String> declared = of(manifests, KafkaTopic.class).stream().map(topic -> topic.getSpec().getTopicName())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(Topics.ALL), declared, "a KafkaTopic for every topic wirewatch uses");
        Map<String, KafkaUser> users = of(manifests, KafkaUser.class).stream()
                .collect(Collectors.toMap(user -> user.getMetadata().getName(), user -> user));
        assertEquals(Set.of("wirewatch-sensor", "wirewatch-processor", "wirewatch-sink"), users.keySet());
        List<AclRule> sensor = ((KafkaUserAuthorizationSimple) users.get("wirewatch-sensor").getSpec()
                .getAuthorization()).getAcls();
        Set<String> sensorTopics = new TreeSet<>();
        for (AclRule rule : sensor) {
            assertFalse(rule.getOperations().toString().matches(".*(Read|All|Delete|Alter).*"),
                    "a sensor only writes: " + rule.getOperations());
            if (rule.getResource() instanceof AclRuleTopicResource topic) {
                sensorTopics.add(topic.getName());
            }
        }
        assertEquals(Set.of(Topics.PACKETS, Topics.L2, Topics.SENSORS), sensorTopics);
        for (KafkaUser user : users.values()) {
            for (AclRule rule : ((KafkaUserAuthorizationSimple) user.getSpec().getAuthorization()).getAcls()) {
                if (rule.getResource() instanceof AclRuleTopicResource topic
                        && topic.getPatternType().toValue().equals("literal")) {
                    assertTrue(declared.contains(topic.getName()), user.getMetadata().getName() + ": " + topic.getName());
                }
            }
        }
    }

    @Test
    void theUsersAclsAreExactlyThoseWirewatchGrantsEachComponent() throws Exception {
        Map<String, KafkaUser> users = of(manifests(), KafkaUser.class).stream()
                .collect(Collectors.toMap(user -> user.getMetadata().getName(), user -> user));
        Map<String, List<AclBinding>> granted = Map.of(
                "wirewatch-sensor", ComponentAcls.sensor("User:wirewatch-sensor"),
                "wirewatch-processor", ComponentAcls.processor("User:wirewatch-processor", "wirewatch-processor"),
                "wirewatch-sink", ComponentAcls.sink("User:wirewatch-sink", "wirewatch-sink"));
        for (var component : granted.entrySet()) {
            Set<String> expected = component.getValue().stream().map(acl -> acl.pattern().resourceType() + " "
                    + acl.pattern().patternType() + " " + acl.pattern().name() + " " + acl.entry().operation())
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<String> declared = new TreeSet<>();
            for (AclRule rule : ((KafkaUserAuthorizationSimple) users.get(component.getKey()).getSpec()
                    .getAuthorization()).getAcls()) {
                String resource = resource(rule);
                for (var operation : rule.getOperations()) {
                    declared.add(resource + " " + operation.toValue().replaceAll("([a-z])([A-Z])", "$1_$2")
                            .toUpperCase(Locale.ROOT));
                }
            }
            assertEquals(expected, declared, component.getKey() + ": users.yaml grants what ComponentAcls grants");
        }
    }

    private static String resource(AclRule rule) {
        if (rule.getResource() instanceof AclRuleTopicResource topic) {
            return "TOPIC " + pattern(topic.getPatternType()) + " " + topic.getName();
        }
        if (rule.getResource() instanceof AclRuleGroupResource group) {
            return "GROUP " + pattern(group.getPatternType()) + " " + group.getName();
        }
        if (rule.getResource() instanceof AclRuleTransactionalIdResource id) {
            return "TRANSACTIONAL_ID " + pattern(id.getPatternType()) + " " + id.getName();
        }
        if (rule.getResource() instanceof AclRuleClusterResource) {
            return "CLUSTER LITERAL kafka-cluster";
        }
        throw new AssertionError("unexpected resource " + rule.getResource());
    }

    private static String pattern(AclResourcePatternType type) {
        return type.toValue().equals("prefix") ? "PREFIXED" : "LITERAL";
    }

    /** Every extra field the types kept aside (they keep what they do not know instead of refusing it). */
    private static void unknownFields(Object value, String path, List<String> found, Set<Object> seen) throws Exception {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean
                || value instanceof Enum<?> || !seen.add(value)) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                unknownFields(entry.getValue(), path + "." + entry.getKey(), found, seen);
            }
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", found, seen);
            }
            return;
        }
        String type = value.getClass().getName();
        if (!type.startsWith("io.fabric8.") && !type.startsWith("io.strimzi.")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object child = getter.invoke(value);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    found.add(path + ": " + extra.keySet());
                }
            } else {
                unknownFields(child, path + "." + getter.getName().substring(3), found, seen);
            }
        }
    }
}
