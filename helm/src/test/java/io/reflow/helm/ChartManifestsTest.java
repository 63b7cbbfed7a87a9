package io.reflow.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.helm.Chart.Manifests;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** helm template with the defaults and with production-like values, and what the manifests must say. */
class ChartManifestsTest {
    private static final Pattern SECRET_ENV = Pattern.compile(".*(PASSWORD|SECRET|JAAS|ACCESS_KEY).*");
    private static final Map<String, String> ENTRY_CLASSES = Map.of(
            "replay", "io.reflow.jobs.replay.ReplayJob",
            "events", "io.reflow.jobs.events.EventsJob");

    /** The rendering and the values it was made with (chart defaults merged with the file). */
    record Case(String name, Path valuesFile, JsonNode values) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        JsonNode defaults = Chart.readYaml(Chart.dir().resolve("values.yaml"));
        return Stream.of(
                Arguments.of(new Case("default values", null, defaults)),
                Arguments.of(new Case("production values", Chart.productionValues(),
                        Chart.merge(defaults, Chart.readYaml(Chart.productionValues())))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyImageComesFromValuesWithATag(Case c) {
        Manifests m = Chart.render(c.valuesFile());

        assertThat(containers(m.one("Deployment", "reflow-capture").path("spec").path("template")))
                .extracting(ct -> ct.path("image").asText())
                .containsExactly(image(c.values().path("capture").path("image")));
        for (JsonNode flink : m.ofKind("FlinkDeployment")) {
            assertThat(flink.path("spec").path("image").asText()).isEqualTo(image(c.values().path("flink").path("image")));
        }
        List<String> images = new ArrayList<>();
        m.documents().forEach(d -> d.findValues("image").forEach(i -> images.add(i.asText())));
        assertThat(images).isNotEmpty().allSatisfy(i -> assertThat(i.substring(i.lastIndexOf('/') + 1))
                .as("image %s has a tag", i).matches("[^:]+:[A-Za-z0-9_][A-Za-z0-9_.-]*").doesNotEndWith(":latest"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void captureProbesHitTheHealthEndpointsOnTheServedPort(Case c) {
        JsonNode container = containers(Chart.render(c.valuesFile()).one("Deployment", "reflow-capture").path("spec").path("template")).get(0);

        assertThat(container.path("ports").get(0).path("name").asText()).isEqualTo("http");
        assertThat(container.path("ports").get(0).path("containerPort").asInt()).isEqualTo(c.values().path("capture").path("port").asInt());
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/_liveness");
        assertThat(container.at("/livenessProbe/httpGet/port").asText()).isEqualTo("http");
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/_readiness");
        assertThat(container.at("/readinessProbe/httpGet/port").asText()).isEqualTo("http");
        assertThat(container.path("resources").path("requests").isObject()).isTrue();
        assertThat(container.path("resources").path("limits").isObject()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void captureTrustsTheConfiguredProxiesAndReadsTheMountedTeamRegistry(Case c) {
        Manifests m = Chart.render(c.valuesFile());
        JsonNode pod = m.one("Deployment", "reflow-capture").path("spec").path("template").path("spec");
        JsonNode container = containers(m.one("Deployment", "reflow-capture").path("spec").path("template")).get(0);

        List<String> proxies = new ArrayList<>();
        c.values().path("capture").path("trustedProxies").forEach(p -> proxies.add(p.asText()));
        assertThat(proxies).isNotEmpty();
        assertThat(env(container, "CAPTURE_TRUSTED_PROXIES").path("value").asText()).isEqualTo(String.join(",", proxies));
        assertThat(env(container, "KAFKA_BOOTSTRAP_SERVERS").path("value").asText())
                .isEqualTo(c.values().path("kafka").path("bootstrapServers").asText());
        assertThat(env(container, "TEAM_REGISTRY").path("value").asText())
                .isEqualTo("/etc/reflow/teams/" + c.values().path("teamRegistry").path("key").asText());
        JsonNode mount = find(container.path("volumeMounts"), "name", "teams");
        assertThat(mount.path("mountPath").asText()).isEqualTo("/etc/reflow/teams");
        assertThat(mount.has("subPath")).as("a subPath mount never sees ConfigMap updates").isFalse();

        JsonNode volume = find(pod.path("volumes"), "name", "teams");
        String existingSecret = c.values().path("teamRegistry").path("existingSecret").asText();
        if (existingSecret.isEmpty()) {
            String name = volume.at("/configMap/name").asText();
            JsonNode registry = m.one("ConfigMap", name);
            JsonNode teams = Chart.readJson(registry.path("data").path("teams.json").asText());
            assertThat(teams.path("teams").isArray()).isTrue();
        } else {
            assertThat(volume.at("/secret/secretName").asText()).isEqualTo(existingSecret);
            assertThat(m.ofKind("ConfigMap")).isEmpty();
        }
    }

    @Test
    void teamsFromValuesBecomeTheRegistryFileCaptureReads(@TempDir Path tmp) throws Exception {
        Path values = tmp.resolve("teams.yaml");
        java.nio.file.Files.writeString(values, """
                teamRegistry:
                  teams:
                    - team_id: 1234567
                      name: Shop
                      api_token: phc_shop
                      recordings_enabled: true
                      retention: 1y
                      anonymize_ips: false
                """);

        JsonNode registry = Chart.readJson(Chart.render(values).one("ConfigMap", "reflow-teams").at("/data/teams.json").asText());

        assertThat(registry).isEqualTo(Chart.readJson("""
                {"teams":[{"team_id":1234567,"name":"Shop","api_token":"phc_shop","recordings_enabled":true,
                 "retention":"1y","anonymize_ips":false}]}"""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void captureScalesWithAnHpaAndKeepsPodsThroughDisruptions(Case c) {
        Manifests m = Chart.render(c.valuesFile());
        JsonNode autoscaling = c.values().path("capture").path("autoscaling");

        JsonNode hpa = m.one("HorizontalPodAutoscaler", "reflow-capture");
        assertThat(hpa.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
        assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo("reflow-capture");
        assertThat(hpa.at("/spec/minReplicas").asInt()).isEqualTo(autoscaling.path("minReplicas").asInt());
        assertThat(hpa.at("/spec/maxReplicas").asInt()).isEqualTo(autoscaling.path("maxReplicas").asInt());
        assertThat(m.one("Deployment", "reflow-capture").at("/spec/replicas").isMissingNode())
                .as("the HPA owns the replica count").isTrue();

        JsonNode pdb = m.one("PodDisruptionBudget", "reflow-capture");
        assertThat(pdb.at("/spec/minAvailable").asInt()).isEqualTo(c.values().at("/capture/podDisruptionBudget/minAvailable").asInt());
        assertThat(pdb.at("/spec/selector/matchLabels")).isEqualTo(m.one("Deployment", "reflow-capture").at("/spec/selector/matchLabels"));
        assertThat(m.one("Service", "reflow-capture").at("/spec/selector")).isEqualTo(m.one("Deployment", "reflow-capture").at("/spec/selector/matchLabels"));
    }

    @Test
    void withoutAutoscalingTheDeploymentCarriesTheReplicaCount() {
        Manifests m = Chart.render(null, Map.of("capture.autoscaling.enabled", false, "capture.replicas", 3));

        assertThat(m.one("Deployment", "reflow-capture").at("/spec/replicas").asInt()).isEqualTo(3);
        assertThat(m.ofKind("HorizontalPodAutoscaler")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachJobIsAFlinkDeploymentInApplicationModeUpgradedThroughSavepoints(Case c) {
        Manifests m = Chart.render(c.valuesFile());

        assertThat(m.ofKind("FlinkDeployment")).hasSize(2);
        ENTRY_CLASSES.forEach((job, entryClass) -> {
            JsonNode flink = m.one("FlinkDeployment", "reflow-" + job);
            JsonNode spec = flink.path("spec");
            JsonNode jobValues = c.values().path("jobs").path(job);
            assertThat(flink.path("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
            assertThat(spec.path("flinkVersion").asText()).isEqualTo("v2_2");
            assertThat(spec.path("serviceAccount").asText()).isEqualTo(c.values().at("/flink/serviceAccount").asText());
            assertThat(spec.at("/job/jarURI").asText()).isEqualTo("local:///opt/flink/usrlib/reflow-jobs.jar");
            assertThat(spec.at("/job/entryClass").asText()).isEqualTo(entryClass);
            assertThat(spec.at("/job/upgradeMode").asText()).isEqualTo("savepoint");
            assertThat(spec.at("/job/state").asText()).isEqualTo("running");
            assertThat(spec.at("/job/parallelism").asInt()).isEqualTo(jobValues.path("parallelism").asInt());
            assertThat(spec.at("/jobManager/resource/memory").asText()).isNotEmpty();
            assertThat(spec.at("/taskManager/resource/cpu").isNumber()).isTrue();

            List<String> args = new ArrayList<>();
            spec.at("/job/args").forEach(a -> args.add(a.asText()));
            assertThat(args).containsSubsequence("--kafka.bootstrap-servers", c.values().at("/kafka/bootstrapServers").asText());
            if (job.equals("replay")) {
                assertThat(args).containsSubsequence("--output.base", jobValues.at("/settings/output.base").asText());
            }

            JsonNode conf = spec.path("flinkConfiguration");
            conf.fields().forEachRemaining(e -> assertThat(e.getValue().isTextual())
                    .as("flinkConfiguration %s is a string", e.getKey()).isTrue());
            String stateBase = c.values().at("/flink/stateBase").asText();
            assertThat(conf.path("execution.checkpointing.dir").asText()).isEqualTo(stateBase + "/checkpoints/" + job);
            assertThat(conf.path("execution.checkpointing.savepoint-dir").asText()).isEqualTo(stateBase + "/savepoints/" + job);
            assertThat(conf.path("high-availability.type").asText()).isEqualTo("kubernetes");
            assertThat(conf.path("high-availability.storageDir").asText()).isEqualTo(stateBase + "/ha/" + job);
            assertThat(conf.has("jobmanager.rpc.address")).as("the operator sets cluster addresses").isFalse();
            assertThat(containers(spec.path("podTemplate"))).extracting(ct -> ct.path("name").asText()).contains("flink-main-container");
        });
    }

    @Test
    void productionValuesReachTheFlinkDeployments() {
        Manifests m = Chart.render(Chart.productionValues());
        JsonNode replay = m.one("FlinkDeployment", "reflow-replay").path("spec");
        JsonNode events = m.one("FlinkDeployment", "reflow-events").path("spec");

        assertThat(replay.at("/job/savepointTriggerNonce").asLong()).isEqualTo(3);
        assertThat(events.at("/job/savepointTriggerNonce").isMissingNode()).isTrue();
        assertThat(replay.at("/taskManager/resource/memory").asText()).isEqualTo("12288m");
        assertThat(events.at("/taskManager/resource/memory").asText()).isEqualTo("8192m");
        assertThat(replay.at("/flinkConfiguration/taskmanager.numberOfTaskSlots").asText()).isEqualTo("4");
        assertThat(replay.at("/flinkConfiguration/execution.checkpointing.interval").asText()).isEqualTo("30s");
        assertThat(replay.at("/flinkConfiguration/s3.endpoint.region").asText()).isEqualTo("eu-west-1");
        List<String> args = new ArrayList<>();
        replay.at("/job/args").forEach(a -> args.add(a.asText()));
        assertThat(args).containsSubsequence("--flush.max-buffered-bytes", "268435456");
        JsonNode capture = containers(m.one("Deployment", "reflow-capture").path("spec").path("template")).get(0);
        assertThat(env(capture, "CAPTURE_MAX_RECORDINGS_BYTES").path("value").asText()).isEqualTo("26214400");
        assertThat(env(capture, "KAFKA_PRODUCER_SECURITY_PROTOCOL").path("value").asText()).isEqualTo("SASL_SSL");
        assertThat(m.one("Deployment", "reflow-capture").at("/spec/template/spec/imagePullSecrets/0/name").asText())
                .isEqualTo("registry-credentials");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void credentialsAreOnlyEverReferencedFromSecrets(Case c, @TempDir Path tmp) {
        Manifests m = Chart.render(c.valuesFile());
        Manifests hooks = Chart.renderHooks(c.valuesFile(), tmp);

        assertThat(m.ofKind("Secret")).as("the chart never holds a credential").isEmpty();
        List<JsonNode> all = new ArrayList<>(m.documents());
        all.addAll(hooks.documents());
        List<JsonNode> secretEnv = new ArrayList<>();
        for (JsonNode doc : all) {
            for (JsonNode envList : doc.findValues("env")) {
                for (JsonNode e : envList) {
                    if (SECRET_ENV.matcher(e.path("name").asText()).matches()) {
                        secretEnv.add(e);
                    }
                }
            }
            doc.findValues("flinkConfiguration").forEach(conf -> conf.fieldNames().forEachRemaining(key ->
                    assertThat(key).doesNotContain("access-key").doesNotContain("secret-key").doesNotContain("password")));
        }
        assertThat(secretEnv).allSatisfy(e -> {
            assertThat(e.has("value")).as("%s has a plain value", e).isFalse();
            assertThat(e.at("/valueFrom/secretKeyRef/name").asText()).isNotEmpty();
        });
        String text = m.text() + hooks.text();
        assertThat(text).doesNotContain("secret-key:").doesNotContain("access-key:");
        for (String localCredential : FlinkConfigurationTest.localCredentials()) {
            assertThat(text).doesNotContain(localCredential);
        }
    }

    @Test
    void productionCredentialsComeFromTheNamedSecrets(@TempDir Path tmp) {
        Manifests m = Chart.render(Chart.productionValues());
        JsonNode capture = containers(m.one("Deployment", "reflow-capture").path("spec").path("template")).get(0);
        assertThat(env(capture, "KAFKA_PRODUCER_SASL_JAAS_CONFIG").at("/valueFrom/secretKeyRef"))
                .isEqualTo(Chart.readJson("{\"name\":\"reflow-kafka\",\"key\":\"jaas\"}"));
        for (JsonNode flink : m.ofKind("FlinkDeployment")) {
            JsonNode main = containers(flink.path("spec").path("podTemplate")).get(0);
            assertThat(env(main, "AWS_ACCESS_KEY_ID").at("/valueFrom/secretKeyRef"))
                    .isEqualTo(Chart.readJson("{\"name\":\"reflow-s3\",\"key\":\"AWS_ACCESS_KEY_ID\"}"));
            assertThat(env(main, "AWS_SECRET_ACCESS_KEY").at("/valueFrom/secretKeyRef"))
                    .isEqualTo(Chart.readJson("{\"name\":\"reflow-s3\",\"key\":\"AWS_SECRET_ACCESS_KEY\"}"));
        }
        for (JsonNode job : Chart.renderHooks(Chart.productionValues(), tmp).ofKind("Job")) {
            JsonNode migrator = containers(job.path("spec").path("template")).get(0);
            assertThat(env(migrator, "CLICKHOUSE_USER").at("/valueFrom/secretKeyRef"))
                    .isEqualTo(Chart.readJson("{\"name\":\"reflow-clickhouse\",\"key\":\"username\"}"));
            assertThat(env(migrator, "CLICKHOUSE_PASSWORD").at("/valueFrom/secretKeyRef"))
                    .isEqualTo(Chart.readJson("{\"name\":\"reflow-clickhouse\",\"key\":\"password\"}"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void migratorRunsAsAPreInstallAndPreUpgradeHookOncePerNode(Case c, @TempDir Path tmp) {
        assertThat(Chart.render(c.valuesFile()).ofKind("Job"))
                .as("Helm took the migrator for a hook and left it out of the release manifest").isEmpty();

        List<JsonNode> jobs = Chart.renderHooks(c.valuesFile(), tmp).ofKind("Job");
        JsonNode urls = c.values().at("/clickhouse/jdbcUrls");
        assertThat(jobs).hasSize(urls.size());
        for (int i = 0; i < jobs.size(); i++) {
            JsonNode job = jobs.get(i);
            JsonNode annotations = job.at("/metadata/annotations");
            assertThat(annotations.path("helm.sh/hook").asText()).isEqualTo("pre-install,pre-upgrade");
            assertThat(annotations.path("helm.sh/hook-weight").asText()).isEqualTo(String.valueOf(i));
            assertThat(annotations.path("helm.sh/hook-delete-policy").asText()).contains("before-hook-creation");
            JsonNode container = containers(job.path("spec").path("template")).get(0);
            assertThat(container.path("image").asText()).isEqualTo(image(c.values().at("/migrator/image")));
            assertThat(job.at("/spec/template/spec/restartPolicy").asText()).isEqualTo("Never");
            List<String> args = new ArrayList<>();
            container.path("args").forEach(a -> args.add(a.asText()));
            assertThat(args).containsSubsequence("--jdbc-url", urls.get(i).asText());
            assertThat(args).containsSubsequence("--variant", c.values().at("/migrator/variant").asText());
            assertThat(args).contains("KAFKA_BROKERS=" + c.values().at("/migrator/vars/KAFKA_BROKERS").asText(
                    c.values().at("/kafka/bootstrapServers").asText()));
            if (c.values().at("/migrator/variant").asText().equals("sharded")) {
                assertThat(args).contains("CLUSTER=" + c.values().at("/migrator/vars/CLUSTER").asText());
            }
        }
    }

    static String image(JsonNode image) {
        return image.path("repository").asText() + ":" + image.path("tag").asText();
    }

    static List<JsonNode> containers(JsonNode podTemplate) {
        return StreamSupport.stream(podTemplate.path("spec").path("containers").spliterator(), false).toList();
    }

    static JsonNode env(JsonNode container, String name) {
        return find(container.path("env"), "name", name);
    }

    static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode item : array) {
            if (value.equals(item.path(field).asText())) {
                return item;
            }
        }
        throw new AssertionError("no " + field + "=" + value + " in " + array);
    }
}
