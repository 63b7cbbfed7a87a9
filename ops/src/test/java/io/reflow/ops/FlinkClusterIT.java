package io.reflow.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.testsupport.flink.FlinkCluster;
import io.reflow.testsupport.flink.FlinkClusterSettings;
import io.reflow.testsupport.s3.S3Extension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster bin/flink-cluster starts, from the repo's flink-conf/ and its local overlay: JobManager and TaskManager
 * come up as separate JVMs, run with the production settings that matter (RocksDB, incremental exactly-once
 * checkpoints on S3, restart strategy), serve Prometheus metrics, and write checkpoints to S3 with the credentials
 * they got from the environment.
 */
class FlinkClusterIT {
    @RegisterExtension
    static final S3Extension S3 = new S3Extension();

    @TempDir
    Path dir;

    @Test
    void startsFromFlinkConfWithTheLocalOverlayAndServesMetrics() throws Exception {
        FlinkClusterSettings settings = FlinkClusterSettings.local(OpsPaths.flinkConf(), dir)
                .withS3(S3.endpoint(), S3.accessKey(), S3.secretKey())
                .withConfiguration("execution.checkpointing.dir", "s3://" + S3.bucket() + "/flink/checkpoints")
                .withConfiguration("execution.checkpointing.savepoint-dir", "s3://" + S3.bucket() + "/flink/savepoints");
        try (FlinkCluster cluster = FlinkCluster.start(settings)) {
            assertThat(cluster.jobManagerPid()).isNotEqualTo(cluster.taskManagerPid()).isNotEqualTo(ProcessHandle.current().pid());
            JsonNode overview = cluster.rest("/overview");
            assertThat(overview.path("taskmanagers").asInt()).isEqualTo(1);
            assertThat(overview.path("slots-total").asInt()).isEqualTo(4);

            Map<String, String> config = new HashMap<>();
            cluster.rest("/jobmanager/config").forEach(e -> config.put(e.path("key").asText(), e.path("value").asText()));
            assertThat(config).containsEntry("state.backend.type", "rocksdb")
                    .containsEntry("execution.checkpointing.incremental", "true")
                    .containsEntry("execution.checkpointing.mode", "EXACTLY_ONCE")
                    .containsEntry("restart-strategy.type", "exponential-delay")
                    .containsEntry("s3.endpoint", S3.endpoint())
                    .doesNotContainKey("s3.access-key");

            HttpClient http = HttpClient.newHttpClient();
            for (int port : new int[] {cluster.jobManagerMetricsPort(), cluster.taskManagerMetricsPort()}) {
                HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.body()).contains(port == cluster.jobManagerMetricsPort()
                        ? "flink_jobmanager_numRegisteredTaskManagers" : "flink_taskmanager_Status_JVM_Memory_Heap_Used");
            }
        }
    }
}
