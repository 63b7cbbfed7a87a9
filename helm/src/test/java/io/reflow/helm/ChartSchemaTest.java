package io.reflow.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** values.schema.json turns bad values into a failed render, before anything reaches a cluster. */
class ChartSchemaTest {
    private static final String SCHEMA_FAILURE = "values don't meet the specifications of the schema";

    @Test
    void rejectsReplicasThatAreNotANumber() {
        assertThatThrownBy(() -> Chart.render(null, Map.of("capture.replicas", "two")))
                .hasMessageContaining(SCHEMA_FAILURE)
                .hasMessageContaining("replicas");
    }

    @Test
    void rejectsAnUnknownUpgradeMode() {
        assertThatThrownBy(() -> Chart.render(null, Map.of("jobs.replay.upgradeMode", "yolo")))
                .hasMessageContaining(SCHEMA_FAILURE)
                .hasMessageContaining("upgradeMode");
    }

    @Test
    void rejectsTheLatestTag() {
        assertThatThrownBy(() -> Chart.render(null, Map.of("flink.image.tag", "latest")))
                .hasMessageContaining(SCHEMA_FAILURE)
                .hasMessageContaining("tag");
    }

    @Test
    void rejectsATrustedProxyThatIsNoAddress() {
        assertThatThrownBy(() -> Chart.render(null, Map.of("capture.trustedProxies[0]", "ingress-nginx")))
                .hasMessageContaining(SCHEMA_FAILURE)
                .hasMessageContaining("trustedProxies");
    }

    @Test
    void rejectsAShardedSchemaWithoutACluster() {
        assertThatThrownBy(() -> Chart.render(null, Map.of("migrator.variant", "sharded")))
                .hasMessageContaining(SCHEMA_FAILURE)
                .hasMessageContaining("CLUSTER");
    }

    @Test
    void acceptsAShardedSchemaWithACluster() {
        assertThat(Chart.render(null, Map.of("migrator.variant", "sharded", "migrator.vars.CLUSTER", "reflow")).documents())
                .isNotEmpty();
    }

    /** Credentials have no place in values: only the name of a Secret and the keys in it. */
    @Test
    void rejectsCredentialsGivenAsValues() {
        assertThatThrownBy(() -> Chart.render(null, Map.of("clickhouse.credentials.password", "hunter2")))
                .hasMessageContaining(SCHEMA_FAILURE)
                .hasMessageContaining("password");
        assertThatThrownBy(() -> Chart.render(null, Map.of("s3.credentials.secretKey", "hunter2")))
                .hasMessageContaining(SCHEMA_FAILURE)
                .hasMessageContaining("secretKey");
        assertThatThrownBy(() -> Chart.render(null, Map.of("capture.env.KAFKA_PRODUCER_SASL_JAAS_CONFIG", "x")))
                .hasMessageContaining(SCHEMA_FAILURE)
                .hasMessageContaining("JAAS");
        assertThatThrownBy(() -> Chart.render(null, Map.of("kafka.producer.sasl\\.jaas\\.config", "x")))
                .hasMessageContaining(SCHEMA_FAILURE)
                .hasMessageContaining("jaas");
        assertThatThrownBy(() -> Chart.render(null, Map.of("clickhouse.jdbcUrls[0]", "jdbc:clickhouse://ch:8123/default?password=hunter2")))
                .hasMessageContaining(SCHEMA_FAILURE)
                .hasMessageContaining("jdbcUrls");
        assertThatThrownBy(() -> Chart.render(null, Map.of("capture.extraEnv[0].name", "MY_PASSWORD", "capture.extraEnv[0].value", "hunter2")))
                .hasMessageContaining(SCHEMA_FAILURE)
                .hasMessageContaining("extraEnv");
    }
}
