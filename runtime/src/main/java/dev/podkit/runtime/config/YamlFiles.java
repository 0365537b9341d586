package dev.podkit.runtime.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Config files in YAML (typically a mounted ConfigMap), bound strictly to typed records: unknown
 * fields, duplicate keys, strings where numbers belong and trailing documents are errors, and
 * every error is one line naming the setting that points at the file, the file, the line and the
 * field: {@code config error: CONFIG_FILE: /etc/podkit/config.yaml line 4 at routes[0].weight:
 * expected a whole number, got "fifty"}. Durations are written as everywhere else
 * in podkit ({@code 500ms}, {@code 5s}).
 */
public final class YamlFiles {
    private static final ObjectMapper MAPPER = YAMLMapper.builder(YAMLFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .addModule(new SimpleModule("podkit-durations").addDeserializer(Duration.class, new DurationDeserializer()))
            .build();

    /** Jackson's wording for a value it would not coerce, e.g. {@code Cannot coerce String value ("8080") to `int`}. */
    private static final Pattern COERCION = Pattern.compile("^Cannot coerce \\w+ value \\((.*)\\) to ");

    private YamlFiles() {
    }

    /** Reads {@code file} into a {@code type}; any problem is a {@link ConfigException} for {@code setting}. */
    public static <T> T read(String setting, Path file, Class<T> type) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw ConfigException.of(setting, file + " does not exist");
        } catch (IOException e) {
            throw ConfigException.of(setting, "cannot read " + file + ": " + e.getMessage());
        }
        return parse(setting, file.toString(), content, type);
    }

    /** Binds YAML {@code content} (from {@code origin}, for messages) to a {@code type}. */
    public static <T> T parse(String setting, String origin, byte[] content, Class<T> type) {
        if (new String(content, StandardCharsets.UTF_8).lines()
                .allMatch(line -> line.isBlank() || line.stripLeading().startsWith("#"))) {
            throw ConfigException.of(setting, origin + " is empty");
        }
        T value;
        try {
            value = MAPPER.readValue(content, type);
        } catch (JsonProcessingException e) {
            throw ConfigException.of(setting, describe(origin, e));
        } catch (IOException e) {
            throw ConfigException.of(setting, "cannot read " + origin + ": " + e.getMessage());
        }
        if (value == null) {
            throw ConfigException.of(setting, origin + " is empty");
        }
        return value;
    }

    static String describe(String origin, JsonProcessingException e) {
        StringBuilder out = new StringBuilder(origin);
        // Only the line: columns, and for unknown fields of records even the line, point past the
        // mistake, because Jackson buffers a record's fields before it binds them. The field path
        // that follows is exact.
        JsonLocation location = e.getLocation();
        if (location != null && location.getLineNr() > 0 && !(e instanceof UnrecognizedPropertyException)) {
            out.append(" line ").append(location.getLineNr());
        }
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            out.append(" at ").append(path(m));
        }
        out.append(": ").append(problem(e));
        return oneLine(out.toString());
    }

    private static String problem(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            String known = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream()
                    .map(String::valueOf).sorted().collect(Collectors.joining(", ", " (known: ", ")"));
            return "unknown field \"" + u.getPropertyName() + "\"" + known;
        }
        if (e instanceof InvalidFormatException f) {
            return "expected " + typeName(f.getTargetType()) + ", got " + quoted(f.getValue());
        }
        if (e instanceof MismatchedInputException mi && mi.getTargetType() != null
                && mi.getOriginalMessage() != null) {
            Matcher value = COERCION.matcher(mi.getOriginalMessage());
            if (value.find()) {
                return "expected " + typeName(mi.getTargetType()) + ", got " + value.group(1);
            }
        }
        if (e instanceof ValueInstantiationException v && v.getCause() != null && v.getCause().getMessage() != null) {
            return v.getCause().getMessage();
        }
        String message = e.getOriginalMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }

    private static String path(JsonMappingException m) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : m.getPath()) {
            if (ref.getFieldName() != null) {
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    private static String typeName(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            return "a number";
        }
        if (type == Duration.class) {
            return Durations.EXPECTED;
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type.isEnum()) {
            StringBuilder values = new StringBuilder("one of ");
            Object[] constants = type.getEnumConstants();
            for (int i = 0; i < constants.length; i++) {
                values.append(i == 0 ? "" : ", ").append(Setting.enumText((Enum<?>) constants[i]));
            }
            return values.toString();
        }
        return "a " + type.getSimpleName();
    }

    private static String quoted(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    /** Durations in HAProxy's syntax, as the environment settings take them. */
    private static final class DurationDeserializer extends JsonDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            String text = p.getValueAsString();
            if (text == null) {
                return (Duration) ctx.handleUnexpectedToken(Duration.class, p);
            }
            try {
                return Durations.parse(text);
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw InvalidFormatException.from(p, Durations.EXPECTED, text, Duration.class);
            }
        }
    }
}
