package io.reflow.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The FlinkDeployments carry flink-conf/config.yaml, less what only fits the local cluster. */
class FlinkConfigurationTest {
    /** Keys the chart drops from config.yaml (reflow.flinkLocalOnlyKeys) or sets itself from values. */
    private static final Set<String> REPLACED_BY_THE_CHART = Set.of(
            "jobmanager.rpc.address", "jobmanager.bind-host", "taskmanager.bind-host", "taskmanager.host",
            "rest.address", "rest.bind-address", "jobmanager.memory.process.size", "taskmanager.memory.process.size",
            "s3.endpoint", "s3.path.style.access", "s3.access-key", "s3.secret-key", "s3.access.key", "s3.secret.key",
            "fs.s3a.access.key", "fs.s3a.secret.key",
            "execution.checkpointing.dir", "execution.checkpointing.savepoint-dir",
            "high-availability.type", "high-availability.storageDir");

    static Path configYaml() {
        return Chart.root().resolve("flink-conf/config.yaml");
    }

    /** config.yaml's keys with dots, values as Flink would read them. */
    static Map<String, String> flinkConf() {
        Map<String, String> flat = new TreeMap<>();
        flatten("", Chart.readYaml(configYaml()), flat);
        return flat;
    }

    /** The local cluster's S3 keys in config.yaml, which must never reach a cluster. */
    static List<String> localCredentials() {
        List<String> credentials = new ArrayList<>();
        flinkConf().forEach((key, value) -> {
            if (key.matches(".*(access-key|secret-key|access\\.key|secret\\.key)") && !value.isBlank()) {
                credentials.add(value);
            }
        });
        return credentials;
    }

    @Test
    void theChartReadsTheRepositorysFlinkConfiguration() throws IOException {
        Path inChart = Chart.dir().resolve("files/flink-conf.yaml");

        assertThat(Files.mismatch(inChart, configYaml()))
                .as("helm/reflow/files/flink-conf.yaml links to flink-conf/config.yaml").isEqualTo(-1L);
    }

    @Test
    void everyClusterSettingOfConfigYamlReachesEachFlinkDeployment() {
        Map<String, String> expected = new TreeMap<>(flinkConf());
        REPLACED_BY_THE_CHART.forEach(expected::remove);
        assertThat(expected).isNotEmpty();

        for (JsonNode flink : Chart.render(null).ofKind("FlinkDeployment")) {
            Map<String, String> rendered = new TreeMap<>();
            flink.path("spec").path("flinkConfiguration").fields().forEachRemaining(e -> rendered.put(e.getKey(), e.getValue().asText()));
            assertThat(rendered).containsAllEntriesOf(expected);
            assertThat(rendered).doesNotContainKeys("s3.access-key", "s3.secret-key", "fs.s3a.access.key", "fs.s3a.secret.key",
                    "jobmanager.rpc.address", "jobmanager.bind-host", "taskmanager.bind-host", "taskmanager.host",
                    "rest.address", "rest.bind-address", "jobmanager.memory.process.size", "taskmanager.memory.process.size");
        }
    }

    @Test
    void valuesOverrideConfigYamlPerInstallationAndPerJob() {
        JsonNode replay = Chart.render(null, Map.of(
                "flink.configuration.taskmanager\\.numberOfTaskSlots", 8,
                "jobs.replay.configuration.state\\.backend\\.type", "hashmap",
                "s3.endpoint", "http://minio.storage:9000",
                "s3.pathStyleAccess", true)).one("FlinkDeployment", "reflow-replay").path("spec").path("flinkConfiguration");

        assertThat(replay.path("taskmanager.numberOfTaskSlots").asText()).isEqualTo("8");
        assertThat(replay.path("state.backend.type").asText()).isEqualTo("hashmap");
        assertThat(replay.path("s3.endpoint").asText()).isEqualTo("http://minio.storage:9000");
        assertThat(replay.path("s3.path.style.access").asText()).isEqualTo("true");
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out));
        } else if (node.isArray()) {
            List<String> items = new ArrayList<>();
            node.forEach(i -> items.add(i.asText()));
            out.put(prefix, String.join(";", items));
        } else {
            out.put(prefix, node.asText());
        }
    }
}
