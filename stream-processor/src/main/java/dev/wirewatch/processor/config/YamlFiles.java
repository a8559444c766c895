package dev.wirewatch.processor.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads a YAML file into a typed object; every user error becomes one {@link ConfigException} with file and line,
 * in plain words: a key given twice, a value of the wrong kind ("must be a list, got a string"), not Jackson's text.
 */
public final class YamlFiles {
    private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION))
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private YamlFiles() {}

    /** A value of a flat file ({@link #readScalars}) and the line it is on. */
    public record Scalar(String text, int line) {}

    public static <T> T read(Path file, Class<T> type) {
        return read(file, parser -> MAPPER.readValue(parser, type));
    }

    /**
     * A file of {@code key: value} lines, each value a single one (not a list or mapping), in the file's order: for
     * callers that check keys and values themselves. A key given twice is the same error as in {@link #read}.
     */
    public static Map<String, Scalar> readScalars(Path file) {
        return read(file, parser -> scalars(file, parser));
    }

    private interface Reading<T> {
        T from(JsonParser parser) throws IOException;
    }

    private static Map<String, Scalar> scalars(Path file, JsonParser parser) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            throw new ConfigException(file + where(parser.currentTokenLocation())
                    + ": the file must be a mapping of keys to values, got " + found(parser));
        }
        Map<String, Scalar> values = new LinkedHashMap<>();
        for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
            String key = parser.currentName();
            JsonToken value = parser.nextToken();
            if (!value.isScalarValue() || value == JsonToken.VALUE_NULL) {
                throw new ConfigException(file + where(parser.currentTokenLocation()) + ": " + key
                        + " must be a single value, got " + found(parser));
            }
            values.put(key, new Scalar(parser.getText(), parser.currentTokenLocation().getLineNr()));
        }
        return values;
    }

    private static <T> T read(Path file, Reading<T> reading) {
        try {
            String text = Files.readString(file);
            if (text.isBlank()) {
                throw new ConfigException(file + ": the file is empty");
            }
            // The parser stays open until the error is described: it still knows the token that did not fit.
            try (JsonParser parser = MAPPER.createParser(text)) {
                try {
                    return reading.from(parser);
                } catch (MismatchedInputException e) {
                    if (e instanceof UnrecognizedPropertyException) {
                        throw e;
                    }
                    throw new ConfigException(file + where(e.getLocation()) + ": " + mismatch(e, parser), e);
                }
            }
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(file + where(e.getLocation()) + ": unknown key '" + e.getPropertyName()
                    + "'" + within(e) + "; known keys: " + e.getKnownPropertyIds().stream().map(Object::toString)
                    .sorted().collect(Collectors.joining(", ")), e);
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof JsonParseException parse) {
                throw new ConfigException(file + where(e.getLocation()) + ": " + parseError(parse, path(e)), e);
            }
            Throwable root = e.getCause() instanceof ConfigException ? e.getCause() : e;
            String reason = root instanceof ConfigException ? root.getMessage() : e.getOriginalMessage();
            throw new ConfigException(file + where(e.getLocation()) + within(e) + ": " + firstLine(reason), e);
        } catch (JsonParseException e) {
            String under = e.getProcessor() == null ? "" : parent(e.getProcessor().getParsingContext());
            throw new ConfigException(file + where(e.getLocation()) + ": " + parseError(e, under), e);
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

    /** "hosts.server.interfaces.eth0.addresses must be a list, got a string ('10.0.0.5/24')". */
    private static String mismatch(MismatchedInputException e, JsonParser parser) {
        String path = path(e);
        String wanted = kind(e.getTargetType());
        String got = found(parser);
        if (wanted == null || got == null) {
            return (path.isEmpty() ? "" : path + ": ") + firstLine(e.getOriginalMessage());
        }
        return (path.isEmpty() ? "the file" : path) + " must be " + wanted + ", got " + got;
    }

    /** What a Java type is in a YAML file's words; null when there are none better than Jackson's. */
    private static String kind(Class<?> type) {
        if (type == null) {
            return null;
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        if (java.util.Map.class.isAssignableFrom(type)) {
            return "a mapping of names to values";
        }
        if (type == String.class) {
            return "a single value";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type.isPrimitive() || Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        if (type.isEnum() || type.getName().startsWith("java.")) {
            return null;
        }
        return "a mapping of keys to values";
    }

    private static String found(JsonParser parser) {
        if (parser.currentToken() == null) {
            return null;
        }
        try {
            return switch (parser.currentToken()) {
                case START_ARRAY -> "a list";
                case START_OBJECT, FIELD_NAME -> "a mapping";
                case VALUE_STRING -> "a string ('" + parser.getText() + "')";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number (" + parser.getText() + ")";
                case VALUE_TRUE, VALUE_FALSE -> "true/false";
                case VALUE_NULL -> "nothing";
                default -> null;
            };
        } catch (IOException e) {
            return null;
        }
    }

    /** A key given twice: the parser knows where it is, the mapper never sees it. */
    private static String parseError(JsonParseException e, String under) {
        String message = firstLine(e.getOriginalMessage());
        if (message.startsWith("Duplicate field '")) {
            String key = message.substring("Duplicate field '".length(), message.indexOf('\'', "Duplicate field '".length()));
            return "'" + key + "' is given twice" + (under.isEmpty() ? "" : " under " + under)
                    + "; each key once (the second would silently replace the first)";
        }
        return "not valid YAML: " + message;
    }

    /** The dotted path of the mapping the parser is in, e.g. "hosts" while reading a host's name. */
    private static String parent(JsonStreamContext context) {
        java.util.LinkedList<String> steps = new java.util.LinkedList<>();
        for (JsonStreamContext at = context.getParent(); at != null && !at.inRoot(); at = at.getParent()) {
            steps.addFirst(at.inArray() ? "[" + at.getCurrentIndex() + "]" : String.valueOf(at.getCurrentName()));
        }
        return String.join(".", steps).replace(".[", "[");
    }

    private static String where(JsonLocation location) {
        return location == null || location.getLineNr() < 0 ? "" : " line " + location.getLineNr();
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String within(JsonMappingException e) {
        String path = path(e);
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
