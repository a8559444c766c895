package dev.wirewatch.processor.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** Reads a YAML file into a typed object; every user error becomes one {@link ConfigException} with file and line. */
public final class YamlFiles {
    private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private YamlFiles() {}

    public static <T> T read(Path file, Class<T> type) {
        try {
            String text = Files.readString(file);
            if (text.isBlank()) {
                throw new ConfigException(file + ": the file is empty");
            }
            return MAPPER.readValue(text, type);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(file + where(e.getLocation()) + ": unknown key '" + e.getPropertyName()
                    + "'" + within(e) + "; known keys: " + e.getKnownPropertyIds().stream().map(Object::toString)
                    .sorted().collect(Collectors.joining(", ")), e);
        } catch (JsonMappingException e) {
            Throwable root = e.getCause() instanceof ConfigException ? e.getCause() : e;
            String reason = root instanceof ConfigException ? root.getMessage() : e.getOriginalMessage();
            throw new ConfigException(file + where(e.getLocation()) + within(e) + ": " + firstLine(reason), e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + where(e.getLocation()) + ": not valid YAML: " + firstLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String where(JsonLocation location) {
        return location == null || location.getLineNr() < 0 ? "" : " line " + location.getLineNr();
    }

    private static String within(JsonMappingException e) {
        String path = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
        return path.isEmpty() ? "" : " (at " + path + ")";
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "invalid value";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
