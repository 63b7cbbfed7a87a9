package io.reflow.testsupport.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpQueryTest {

    @Test
    void theQueryParameterIsFollowedByTheBodyAndTheRestAreSettingsOrParameters() {
        HttpQuery q = HttpQuery.of("POST",
                "query=INSERT%20INTO%20t%20FORMAT%20TSV&database=db1&max_threads=2&param_id=7&compress=1&query_id=q1",
                header -> null, "1\ta\n".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(q.sql(), StandardCharsets.UTF_8)).isEqualTo("INSERT INTO t FORMAT TSV\n1\ta\n");
        assertThat(q.database()).isEqualTo("db1");
        assertThat(q.settings()).isEqualTo(Map.of("max_threads", "2"));
        assertThat(q.parameters()).isEqualTo(Map.of("id", "7"));
        assertThat(q.compressResponse()).isTrue();
        assertThat(q.queryId()).isEqualTo("q1");
        assertThat(q.outputFormat()).as("an INSERT's FORMAT is its input format").isEqualTo("TabSeparated");
    }

    @Test
    void headersStandInForMissingParameters() {
        Map<String, String> headers = Map.of("x-clickhouse-database", "db2", "x-clickhouse-format", "RowBinaryWithNamesAndTypes",
                "accept-encoding", "br, gzip;q=0.8, deflate");
        HttpQuery q = HttpQuery.of("GET", "query=SELECT%201&enable_http_compression=1", headers::get, new byte[0]);
        assertThat(q.database()).isEqualTo("db2");
        assertThat(q.outputFormat()).isEqualTo("RowBinaryWithNamesAndTypes");
        assertThat(q.httpEncoding()).isEqualTo("gzip");
        assertThat(q.settings()).as("GET is read-only").containsEntry("readonly", "2");
        assertThat(q.queryId()).isNotBlank();
    }

    @Test
    void aFormatClauseDecidesTheOutputFormat() {
        HttpQuery q = HttpQuery.of("POST", "default_format=TSV", h -> null,
                "SELECT 1 FORMAT JSONEachRow;\n".getBytes(StandardCharsets.UTF_8));
        assertThat(q.outputFormat()).isEqualTo("JSONEachRow");
        assertThat(q.isEmpty()).isFalse();
        assertThat(HttpQuery.of("POST", "", h -> null, " \n".getBytes(StandardCharsets.UTF_8)).isEmpty()).isTrue();
    }
}
