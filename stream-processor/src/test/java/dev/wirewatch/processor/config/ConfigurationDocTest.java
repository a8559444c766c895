package dev.wirewatch.processor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/configuration.md is the table: a key added, renamed or changed in ConfigKeys without the doc fails here. */
class ConfigurationDocTest {
    private static final Path DOC = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/configuration.md");

    @Test
    void theReferenceListsEveryKeyOfTheTableAsItIs() throws IOException {
        String written = ConfigReference.markdown();
        for (ConfigKey<?> key : ConfigKeys.all()) {
            assertTrue(written.contains("| `" + key.name() + "` | `" + key.format(key.defaultValue()) + "` | "), key.name());
        }
        if (Boolean.getBoolean("write-docs")) {
            Files.writeString(DOC, written);
        }
        assertEquals(written, Files.readString(DOC), "docs/configuration.md is out of date; write it again with: mvn -o "
                + "-q -pl stream-processor -am verify -Dtest=ConfigurationDocTest -Dsurefire.failIfNoSpecifiedTests=false "
                + "-Dwrite-docs=true");
    }
}
