package dev.wirewatch.app.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;

/**
 * One SCRAM-SHA-512 login per component, named wirewatch-COMPONENT, with exactly the ACLs of {@link ComponentAcls}:
 * what a secured broker of wirewatch's own (a small site's) sets up, and what an operator's cluster should hold.
 */
public final class Principals {
    public static final List<String> COMPONENTS = List.of("sensor", "processor", "sink", "console");
    private static final int ITERATIONS = 8192;

    private Principals() {}

    public static String userName(String component) {
        return "wirewatch-" + component;
    }

    /** Creates (or re-keys) the logins of the components in {@code passwords} and grants each its ACLs. */
    public static void provision(Admin admin, Map<String, String> passwords, String applicationId, String sinkGroup)
            throws InterruptedException {
        List<UserScramCredentialAlteration> users = new ArrayList<>();
        List<AclBinding> acls = new ArrayList<>();
        for (var entry : passwords.entrySet()) {
            String user = userName(entry.getKey());
            users.add(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, ITERATIONS), entry.getValue()));
            String principal = "User:" + user;
            acls.addAll(switch (entry.getKey()) {
                case "sensor" -> ComponentAcls.sensor(principal);
                case "processor" -> ComponentAcls.processor(principal, applicationId);
                case "sink" -> ComponentAcls.sink(principal, sinkGroup);
                case "console" -> ComponentAcls.console(principal, applicationId, sinkGroup);
                default -> throw new IllegalArgumentException("no component " + entry.getKey() + ": " + COMPONENTS);
            });
        }
        try {
            admin.alterUserScramCredentials(users).all().get(30, TimeUnit.SECONDS);
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create the components' logins and ACLs: " + e.getMessage(), e);
        }
    }
}
