package io.reflow.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflow.contracts.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class FlinkSqlScriptTest {
    private static final FlinkSqlScript SCRIPT = FlinkSqlScript.parse("t.sql", """
            -- @param SESSION: the session
            -- @param TEAM = *: a team, or *
            -- @param LIMIT = 10: rows; a ${NOT_A_PLACEHOLDER} in a comment
            SELECT 1 FROM t WHERE s = '${SESSION}' AND ('${TEAM}' = '*' OR team = CAST('${TEAM}' AS BIGINT)) LIMIT ${LIMIT};
            """);

    @Test
    void declaredParametersWithTheirDefaults() {
        assertThat(SCRIPT.parameters()).containsOnlyKeys("SESSION", "TEAM", "LIMIT");
        assertThat(SCRIPT.parameters().get("SESSION").required()).isTrue();
        assertThat(SCRIPT.parameters().get("TEAM").defaultValue()).isEqualTo("*");
        assertThat(SCRIPT.parameters().get("LIMIT").description()).startsWith("rows");
    }

    @Test
    void valuesInLiteralsHaveTheirQuotesDoubledAndDefaultsFillTheRest() {
        String sql = SCRIPT.render(Map.of("SESSION", "it's", "UNRELATED", "x"));
        assertThat(sql).contains("s = 'it''s'").contains("'*' = '*'").contains("LIMIT 10;");
    }

    @Test
    void refusesMissingValuesNonNumbersOutsideLiteralsAndStatementBreaks() {
        assertThatThrownBy(() -> SCRIPT.render(Map.of())).hasMessageContaining("needs [SESSION]");
        assertThatThrownBy(() -> SCRIPT.render(Map.of("SESSION", "s", "LIMIT", "1 UNION SELECT 2")))
                .hasMessageContaining("LIMIT (a whole number)");
        assertThatThrownBy(() -> SCRIPT.render(Map.of("SESSION", "x'; DROP TABLE t"))).hasMessageContaining("no ';'");
        assertThatThrownBy(() -> FlinkSqlScript.parse("u.sql", "SELECT '${X}';")).hasMessageContaining("undeclared parameters [X]");
    }

    @Test
    void everyShippedScriptParsesAndTheTopicDefaultsAreTheContractsOnes() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(OpsPaths.flinkSql())) {
            files = s.filter(p -> p.toString().endsWith(".sql")).sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString()).contains("tables.sql", "dead-letters-by-reason.sql",
                "dead-letters-list.sql", "dead-letters-redrive.sql", "team-volumes.sql", "session-blocks.sql", "topic-counts.sql");
        Map<String, String> topics = new HashMap<>();
        for (Path f : files) {
            FlinkSqlScript script = FlinkSqlScript.read(f);
            script.parameters().values().stream().filter(p -> p.name().endsWith("_TOPIC"))
                    .forEach(p -> assertThat(topics.merge(p.name(), p.defaultValue(), (a, b) -> a.equals(b) ? a : "CONFLICT"))
                            .as("default of %s the same in every script", p.name()).isNotEqualTo("CONFLICT"));
        }
        assertThat(topics).containsExactlyInAnyOrderEntriesOf(Map.of(
                "RECORDINGS_TOPIC", Topics.RECORDINGS,
                "EVENTS_TOPIC", Topics.EVENTS,
                "DEAD_LETTER_TOPIC", Topics.DEAD_LETTER,
                "SESSION_REPLAY_EVENTS_TOPIC", Topics.SESSION_REPLAY_EVENTS,
                "LOG_ENTRIES_TOPIC", Topics.LOG_ENTRIES,
                "EVENTS_JSON_TOPIC", Topics.EVENTS_JSON,
                "PERSON_TOPIC", Topics.PERSON,
                "PERSON_DISTINCT_ID_TOPIC", Topics.PERSON_DISTINCT_ID,
                "INGESTION_WARNINGS_TOPIC", Topics.INGESTION_WARNINGS,
                "PERSON_MERGES_TOPIC", Topics.PERSON_MERGES));
    }
}
