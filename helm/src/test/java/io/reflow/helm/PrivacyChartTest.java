package io.reflow.helm;

import static io.reflow.helm.ChartManifestsTest.containers;
import static io.reflow.helm.ChartManifestsTest.env;
import static io.reflow.helm.ChartManifestsTest.find;
import static io.reflow.helm.ChartManifestsTest.image;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.helm.Chart.Manifests;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/PRIVACY.md in the chart: the master key from a Secret, the session keys topic, the S3 lifecycle rules. */
class PrivacyChartTest {
    private static final String MASTER_KEY_FILE = "/etc/reflow/master-key/master.key";

    @Test
    void theMasterKeySecretIsMountedIntoTheReplayJobAndTheJobReadsItsFile() {
        Manifests m = Chart.render(null, Map.of("encryption.masterKey.existingSecret", "reflow-master-key",
                "encryption.masterKey.key", "key.b64"));

        JsonNode replay = m.one("FlinkDeployment", "reflow-replay").path("spec");
        JsonNode volume = find(replay.at("/podTemplate/spec/volumes"), "name", "master-key");
        assertThat(volume.at("/secret/secretName").asText()).isEqualTo("reflow-master-key");
        assertThat(volume.at("/secret/items/0/key").asText()).isEqualTo("key.b64");
        assertThat(volume.at("/secret/items/0/path").asText()).isEqualTo("master.key");
        JsonNode main = find(replay.at("/podTemplate/spec/containers"), "name", "flink-main-container");
        JsonNode mount = find(main.path("volumeMounts"), "name", "master-key");
        assertThat(mount.path("mountPath").asText()).isEqualTo("/etc/reflow/master-key");
        assertThat(mount.path("readOnly").asBoolean()).isTrue();
        assertThat(args(replay)).containsSubsequence("--encryption.master-key-file", MASTER_KEY_FILE);

        JsonNode events = m.one("FlinkDeployment", "reflow-events").path("spec");
        assertThat(events.at("/podTemplate/spec/volumes").isMissingNode()).as("only the replay job needs the key").isTrue();
        assertThat(args(events)).doesNotContain("--encryption.master-key-file");
        assertThat(m.ofKind("Secret")).as("the chart names the Secret, it never holds the key").isEmpty();
    }

    @Test
    void withoutAMasterKeySecretNothingIsMounted() {
        JsonNode replay = Chart.render(null).one("FlinkDeployment", "reflow-replay").path("spec");
        assertThat(replay.at("/podTemplate/spec/volumes").isMissingNode()).isTrue();
        assertThat(args(replay)).doesNotContain("--encryption.master-key-file");
    }

    @Test
    void theMasterKeyCannotBeGivenAsAValue() {
        assertThatThrownBy(() -> Chart.render(null, Map.of("encryption.masterKey.value", "c2VjcmV0")))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining("value");
    }

    @Test
    void theSessionKeysTopicIsTheSameForTheJobAndTheMigrator(@TempDir Path tmp) {
        assertThat(args(Chart.render(null).one("FlinkDeployment", "reflow-replay").path("spec")))
                .containsSubsequence("--topic.session-keys", "clickhouse_session_keys");
        assertThat(migratorArgs(Chart.renderHooks(null, tmp.resolve("default")))).contains("SESSION_KEYS_TOPIC=clickhouse_session_keys");

        Map<String, Object> renamed = Map.of("jobs.replay.settings.topic\\.session-keys", "prod_session_keys");
        assertThat(args(Chart.render(null, renamed).one("FlinkDeployment", "reflow-replay").path("spec")))
                .containsSubsequence("--topic.session-keys", "prod_session_keys");
        assertThat(migratorArgs(Chart.renderHooks(null, renamed, tmp.resolve("renamed"))))
                .contains("SESSION_KEYS_TOPIC=prod_session_keys");
    }

    @Test
    void lifecycleRulesAreOffByDefault(@TempDir Path tmp) {
        assertThat(Chart.render(null).ofKind("ConfigMap")).extracting(c -> c.at("/metadata/name").asText())
                .doesNotContain("reflow-s3-lifecycle");
        assertThat(Chart.renderHooks(null, tmp).ofKind("Job")).extracting(j -> j.at("/metadata/name").asText())
                .doesNotContain("reflow-s3-lifecycle");
    }

    @Test
    void oneExpiryRulePerRetentionPrefixAndAnAbortRuleForIncompleteUploads(@TempDir Path tmp) {
        Map<String, Object> sets = Map.of("s3Lifecycle.enabled", "true", "s3Lifecycle.extraRules[0].ID", "scratch",
                "s3Lifecycle.extraRules[0].Status", "Enabled", "s3Lifecycle.extraRules[0].Filter.Prefix", "scratch/",
                "s3Lifecycle.extraRules[0].Expiration.Days", "1");
        Manifests m = Chart.render(Chart.productionValues(), sets);

        JsonNode config = m.one("ConfigMap", "reflow-s3-lifecycle").path("data");
        JsonNode rules = Chart.readJson(config.path("rules.json").asText()).path("Rules");
        assertThat(rules).hasSize(6);
        // production output.base: s3://acme-reflow-recordings/recordings
        List<String> prefixes = new ArrayList<>();
        List<Integer> days = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            JsonNode rule = rules.get(i);
            assertThat(rule.path("Status").asText()).isEqualTo("Enabled");
            prefixes.add(rule.at("/Filter/Prefix").asText());
            days.add(rule.at("/Expiration/Days").asInt());
        }
        assertThat(prefixes).containsExactly("recordings/30d/", "recordings/90d/", "recordings/1y/", "recordings/5y/");
        assertThat(days).as("a day after each retention class").containsExactly(31, 91, 366, 1826);
        JsonNode abort = rules.get(4);
        assertThat(abort.at("/Filter/Prefix").asText()).isEqualTo("recordings/");
        assertThat(abort.at("/AbortIncompleteMultipartUpload/DaysAfterInitiation").asInt()).isEqualTo(7);
        assertThat(abort.path("Status").asText()).isEqualTo("Enabled");
        assertThat(rules.get(5).path("ID").asText()).isEqualTo("scratch");
        assertThat(rules.get(5).at("/Expiration/Days").asInt()).isEqualTo(1);
        assertThat(config.path("aws-config").asText()).contains("region = eu-west-1").contains("addressing_style = auto");

        JsonNode job = Chart.renderHooks(Chart.productionValues(), sets, tmp).one("Job", "reflow-s3-lifecycle");
        assertThat(job.at("/metadata/annotations/helm.sh~1hook").asText()).isEqualTo("post-install,post-upgrade");
        JsonNode container = containers(job.path("spec").path("template")).get(0);
        assertThat(container.path("image").asText()).isEqualTo(image(Chart.readYaml(Chart.dir().resolve("values.yaml"))
                .at("/s3Lifecycle/image")));
        List<String> args = new ArrayList<>();
        container.path("args").forEach(a -> args.add(a.asText()));
        assertThat(args).containsExactly("s3api", "put-bucket-lifecycle-configuration", "--bucket", "acme-reflow-recordings",
                "--lifecycle-configuration", "file:///etc/reflow/s3-lifecycle/rules.json");
        assertThat(env(container, "AWS_SECRET_ACCESS_KEY").at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("reflow-s3");
        assertThat(find(job.at("/spec/template/spec/volumes"), "name", "rules").at("/configMap/name").asText())
                .isEqualTo("reflow-s3-lifecycle");
    }

    @Test
    void anS3CompatibleStoreGetsItsEndpointAndPathStyle(@TempDir Path tmp) {
        Map<String, Object> sets = Map.of("s3Lifecycle.enabled", "true", "s3.endpoint", "http://minio.storage:9000",
                "s3.pathStyleAccess", "true", "jobs.replay.settings.output\\.base", "s3://reflow");
        JsonNode rules = Chart.readJson(Chart.render(null, sets).one("ConfigMap", "reflow-s3-lifecycle")
                .at("/data/rules.json").asText()).path("Rules");
        assertThat(rules.get(0).at("/Filter/Prefix").asText()).as("recordings at the bucket's root").isEqualTo("30d/");
        assertThat(rules.get(4).at("/Filter/Prefix").asText()).isEmpty();
        assertThat(Chart.render(null, sets).one("ConfigMap", "reflow-s3-lifecycle").at("/data/aws-config").asText())
                .contains("addressing_style = path");

        JsonNode container = containers(Chart.renderHooks(null, sets, tmp).one("Job", "reflow-s3-lifecycle")
                .path("spec").path("template")).get(0);
        List<String> args = new ArrayList<>();
        container.path("args").forEach(a -> args.add(a.asText()));
        assertThat(args).containsSubsequence("--bucket", "reflow").containsSubsequence("--endpoint-url", "http://minio.storage:9000");
    }

    private static List<String> args(JsonNode flinkDeploymentSpec) {
        List<String> args = new ArrayList<>();
        flinkDeploymentSpec.at("/job/args").forEach(a -> args.add(a.asText()));
        return args;
    }

    private static List<String> migratorArgs(Manifests hooks) {
        List<String> args = new ArrayList<>();
        for (JsonNode job : hooks.ofKind("Job")) {
            containers(job.path("spec").path("template")).get(0).path("args").forEach(a -> args.add(a.asText()));
        }
        return args;
    }
}
