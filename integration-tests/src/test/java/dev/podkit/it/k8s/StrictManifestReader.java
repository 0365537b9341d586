package dev.podkit.it.k8s;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Decodes manifests into fabric8's Kubernetes model as strictly as the API server's strict field
 * validation ({@code kubectl apply --validate=strict}) would: unknown fields, duplicate keys and
 * values of the wrong type (a string for a number or a boolean, a number for a string) are errors.
 *
 * <p>fabric8's model classes keep unknown fields in an "additional properties" map (a
 * {@code @JsonAnySetter}); this reader takes that setter away from every class, so an unknown field
 * fails like in any strictly bound class. Each error is one line: file, line, field path, problem.
 */
public final class StrictManifestReader {
    /** The kinds the examples use, by {@code apiVersion/kind}. Anything else is rejected. */
    static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "v1/Pod", Pod.class,
            "v1/Service", Service.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class);

    static final ObjectMapper MAPPER = YAMLMapper.builder(YAMLFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .withCoercionConfig(LogicalType.Textual, text -> text
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .addModule(new SimpleModule("no-additional-properties").setDeserializerModifier(new BeanDeserializerModifier() {
                @Override
                public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription bean,
                        BeanDeserializerBuilder builder) {
                    builder.setAnySetter(null);
                    return builder;
                }
            }))
            .build();

    private StrictManifestReader() {
    }

    /** Every object of a (multi-document) YAML file; empty documents are skipped, as kubectl does. */
    public static List<Manifest> read(Path file) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Manifest> manifests = new ArrayList<>();
        // Two parsers in step: the first reads a document as a tree to learn its kind, the second
        // binds the same document to that kind's class, with the file's real line numbers.
        try (JsonParser trees = MAPPER.createParser(content); JsonParser objects = MAPPER.createParser(content)) {
            while (trees.nextToken() != null) {
                objects.nextToken();
                int line = trees.currentTokenLocation().getLineNr();
                if (trees.currentToken() != JsonToken.START_OBJECT) {
                    throw new InvalidManifestException(file + " line " + line + ": a document must be a mapping, got "
                            + trees.currentToken());
                }
                JsonNode tree = MAPPER.readTree(trees);
                String apiVersion = tree.path("apiVersion").asText("");
                String kind = tree.path("kind").asText("");
                Class<? extends HasMetadata> type = KINDS.get(apiVersion + "/" + kind);
                if (type == null) {
                    throw new InvalidManifestException(file + " line " + line + ": unsupported apiVersion/kind \""
                            + apiVersion + "/" + kind + "\" (known: " + KINDS.keySet().stream().sorted()
                            .collect(Collectors.joining(", ")) + ")");
                }
                manifests.add(new Manifest(file, line, MAPPER.readValue(objects, type)));
            }
        } catch (JsonProcessingException e) {
            throw new InvalidManifestException(describe(file, e));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return manifests;
    }

    /** Binds one YAML document strictly to {@code type} (used for kustomization.yaml). */
    public static <T> T readOne(Path file, Class<T> type) {
        try {
            return MAPPER.readValue(file.toFile(), type);
        } catch (JsonProcessingException e) {
            throw new InvalidManifestException(describe(file, e));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String describe(Path file, JsonProcessingException e) {
        StringBuilder out = new StringBuilder().append(file);
        JsonLocation location = e.getLocation();
        if (location != null && location.getLineNr() > 0) {
            out.append(" line ").append(location.getLineNr());
        }
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            out.append(" at ").append(path(m));
        }
        if (e instanceof UnrecognizedPropertyException u) {
            out.append(": unknown field \"").append(u.getPropertyName()).append('"');
        } else {
            out.append(": ").append(e.getOriginalMessage());
        }
        return out.toString().replaceAll("\\s*\\R\\s*", " ");
    }

    /** {@code spec.containers[0].securityContext} from Jackson's reference chain. */
    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            } else if (ref.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
            }
        }
        return path.toString();
    }
}
