package dev.wirewatch.app.broker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * TLS and SCRAM for the embedded broker: clients log in with SCRAM-SHA-512 over TLS (SASL_SSL) as their own
 * principals, and ACLs decide what each may do. The broker itself (controller and inter-broker links, and the admin
 * client that creates users and ACLs) authenticates with its certificate over mutual TLS on loopback only; that
 * certificate's subject is the one super user. Nothing listens without authentication.
 *
 * @param keyStore   PKCS12 with the broker's key and certificate chain (signed by a CA in {@code trustStore})
 * @param trustStore PKCS12 with the certificate authority clients' and the broker's own certificates chain to
 * @param password   of both stores (never logged, never written to the data directory)
 */
public record BrokerSecurity(Path keyStore, Path trustStore, String password) {
    public static final String MECHANISM = "SCRAM-SHA-512";

    public BrokerSecurity {
        for (Path store : new Path[] {keyStore, trustStore}) {
            if (!Files.isReadable(store)) {
                throw new IllegalArgumentException("cannot read the key store " + store);
            }
        }
    }

    @Override
    public String toString() {
        return "BrokerSecurity[keyStore=" + keyStore + ", trustStore=" + trustStore + "]";
    }

    /** The broker's principal as Kafka names a TLS client: User: and the certificate's subject (RFC 2253). */
    public String brokerPrincipal() {
        try (InputStream in = Files.newInputStream(keyStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias) && store.getCertificate(alias) instanceof X509Certificate certificate) {
                    return "User:" + certificate.getSubjectX500Principal().getName();
                }
            }
            throw new IllegalArgumentException("the key store " + keyStore + " holds no key with a certificate");
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot open the key store " + keyStore + " (wrong password?): "
                    + e.getMessage(), e);
        }
    }

    /** The stores as Kafka settings, for the broker's listeners and for a client logging in with the certificate. */
    Map<String, String> storeSettings(String prefix) {
        Map<String, String> settings = new HashMap<>();
        settings.put(prefix + "ssl.keystore.type", "PKCS12");
        settings.put(prefix + "ssl.keystore.location", keyStore.toAbsolutePath().toString());
        settings.put(prefix + "ssl.keystore.password", password);
        settings.put(prefix + "ssl.key.password", password);
        settings.put(prefix + "ssl.truststore.type", "PKCS12");
        settings.put(prefix + "ssl.truststore.location", trustStore.toAbsolutePath().toString());
        settings.put(prefix + "ssl.truststore.password", password);
        return settings;
    }
}
