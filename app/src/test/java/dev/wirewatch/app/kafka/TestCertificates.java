package dev.wirewatch.app.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.broker.BrokerSecurity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority made for one test and a broker certificate it signed, with the JDK's keytool: what an
 * operator's PKI hands a broker (a PKCS12 key store with the chain) and every client (a trust store with the CA).
 */
final class TestCertificates {
    private TestCertificates() {}

    static BrokerSecurity generate(Path dir, String password) throws Exception {
        Path ca = dir.resolve("ca.p12");
        Path broker = dir.resolve("broker.p12");
        Path trust = dir.resolve("truststore.p12");
        keytool(password, "-genkeypair", "-alias", "ca", "-dname", "CN=wirewatch test CA", "-keyalg", "EC",
                "-ext", "bc:c", "-validity", "2", "-keystore", ca.toString());
        keytool(password, "-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(),
                "-file", dir.resolve("ca.crt").toString());
        keytool(password, "-genkeypair", "-alias", "broker", "-dname", "CN=wirewatch-broker", "-keyalg", "EC",
                "-validity", "2", "-keystore", broker.toString());
        keytool(password, "-certreq", "-alias", "broker", "-keystore", broker.toString(),
                "-file", dir.resolve("broker.csr").toString());
        keytool(password, "-gencert", "-alias", "ca", "-keystore", ca.toString(), "-validity", "2",
                "-ext", "san=ip:127.0.0.1,dns:localhost", "-ext", "eku=serverAuth,clientAuth",
                "-infile", dir.resolve("broker.csr").toString(), "-outfile", dir.resolve("broker.crt").toString());
        keytool(password, "-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve("ca.crt").toString(),
                "-keystore", broker.toString());
        keytool(password, "-importcert", "-alias", "broker", "-file", dir.resolve("broker.crt").toString(),
                "-keystore", broker.toString());
        keytool(password, "-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve("ca.crt").toString(),
                "-keystore", trust.toString());
        return new BrokerSecurity(broker, trust, password);
    }

    private static void keytool(String password, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString(), "-storetype", "PKCS12", "-storepass", password));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "keytool " + arguments[0]);
        assertEquals(0, process.exitValue(), "keytool " + String.join(" ", arguments) + ": " + output);
    }
}
