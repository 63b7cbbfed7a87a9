package io.reflow.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The chart under helm/reflow, rendered and linted by Helm's own engine (helm-java). */
final class Chart {
    static final String RELEASE = "reflow";
    static final String NAMESPACE = "analytics";
    static final String KUBE_VERSION = "v1.30.0";
    static final YAMLMapper YAML = new YAMLMapper();

    private Chart() {}

    static Path root() {
        return Path.of(System.getProperty("reflow.root", "..")).toAbsolutePath().normalize();
    }

    static Path dir() {
        return root().resolve("helm/reflow");
    }

    static Path productionValues() {
        return root().resolve("helm/src/test/resources/values-production.yaml");
    }

    /** {@code helm template} with the chart's defaults, overlaid by {@code valuesFile} (may be null) and {@code sets}. */
    static Manifests render(Path valuesFile, Map<String, Object> sets) {
        TemplateCommand template = new Helm(dir()).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION);
        if (valuesFile != null) {
            template.withValuesFile(valuesFile);
        }
        sets.forEach(template::set);
        return Manifests.parse(template.call());
    }

    static Manifests render(Path valuesFile) {
        return render(valuesFile, Map.of());
    }

    /**
     * The chart's hooks (the migrator Jobs and the S3 lifecycle Job) as Helm renders them. {@code helm template}
     * through helm-java returns the release manifest only, without hooks; so a copy of the chart gets one extra template that puts the
     * rendered hook text into a ConfigMap, and that text is parsed.
     */
    static Manifests renderHooks(Path valuesFile, Path workDir) {
        return renderHooks(valuesFile, Map.of(), workDir);
    }

    /** The hooks (migrator Jobs, the S3 lifecycle Job) with {@code sets} over the values as well. */
    static Manifests renderHooks(Path valuesFile, Map<String, Object> sets, Path workDir) {
        Path copy = copy(workDir);
        write(copy.resolve("templates/zz-test-hooks.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: rendered-hooks
                data:
                  hooks.yaml: {{ print (include "reflow.migratorJobs" .) (include "reflow.s3LifecycleJob" .) | quote }}
                """);
        TemplateCommand template = new Helm(copy).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION);
        if (valuesFile != null) {
            template.withValuesFile(valuesFile);
        }
        sets.forEach(template::set);
        JsonNode holder = Manifests.parse(template.call()).one("ConfigMap", "rendered-hooks");
        return Manifests.parse(holder.path("data").path("hooks.yaml").asText());
    }

    /**
     * {@code helm lint} of the chart with {@code valuesFile} merged over its defaults. helm-java's lint takes no
     * values file, so the chart is copied and its values.yaml replaced by the merged values.
     */
    static LintResult lint(Path valuesFile, Path workDir) {
        if (valuesFile == null) {
            return new Helm(dir()).lint().strict().call();
        }
        Path copy = copy(workDir);
        JsonNode merged = merge(readYaml(dir().resolve("values.yaml")), readYaml(valuesFile));
        try {
            YAML.writeValue(copy.resolve("values.yaml").toFile(), merged);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Helm(copy).lint().strict().call();
    }

    static JsonNode readJson(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A copy of the chart under {@code workDir}, links resolved. */
    static Path copy(Path workDir) {
        Path copy = workDir.resolve("reflow");
        copyTree(dir(), copy);
        return copy;
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode readYaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode merge(JsonNode base, JsonNode overlay) {
        if (!(base instanceof ObjectNode b) || !overlay.isObject()) {
            return overlay;
        }
        ObjectNode result = b.deepCopy();
        for (Iterator<Map.Entry<String, JsonNode>> it = overlay.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode existing = result.get(e.getKey());
            result.set(e.getKey(), existing == null ? e.getValue() : merge(existing, e.getValue()));
        }
        return result;
    }

    /** Copies a directory, following symbolic links (the chart links flink-conf/config.yaml in). */
    private static void copyTree(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The documents of one rendering. */
    record Manifests(String text, List<JsonNode> documents) {
        static Manifests parse(String text) {
            List<JsonNode> docs = new ArrayList<>();
            try (var parser = new YAMLFactory().createParser(text)) {
                Iterator<JsonNode> it = new ObjectMapper().readValues(parser, JsonNode.class);
                while (it.hasNext()) {
                    JsonNode doc = it.next();
                    if (doc != null && !doc.isNull() && !doc.isMissingNode() && doc.has("kind")) {
                        docs.add(doc);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot parse rendered manifests:\n" + text, e);
            }
            return new Manifests(text, List.copyOf(docs));
        }

        List<JsonNode> ofKind(String kind) {
            return documents.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
        }

        JsonNode one(String kind, String name) {
            return documents.stream()
                    .filter(d -> kind.equals(d.path("kind").asText()) && name.equals(d.path("metadata").path("name").asText()))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no " + kind + " named " + name + " in\n" + text));
        }
    }
}
