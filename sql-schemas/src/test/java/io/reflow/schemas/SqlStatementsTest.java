package io.reflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqlStatementsTest {

    @Test
    void splitsAtSemicolonsOutsideQuotesAndComments() {
        String sql = """
                -- a comment; with a semicolon
                CREATE TABLE a (s String DEFAULT 'x;y') ENGINE = Memory;
                /* block; comment */ CREATE TABLE `b;c` (s String DEFAULT 'it''s; \\'fine\\'') ENGINE = Memory;
                -- trailing comment only
                """;
        assertThat(SqlStatements.split(sql)).containsExactly(
                "CREATE TABLE a (s String DEFAULT 'x;y') ENGINE = Memory",
                "CREATE TABLE `b;c` (s String DEFAULT 'it''s; \\'fine\\'') ENGINE = Memory");
    }

    @Test
    void theBundledMigrationHasItsFiveStatements() {
        Migration migration = MigrationFiles.bundled(Variant.SINGLE).get(0);
        String rendered = SqlTemplate.render(migration.template(),
                SqlTemplate.withDefaults(java.util.Map.of("KAFKA_BROKERS", "kafka:9092")), migration.id());
        assertThat(SqlStatements.split(rendered)).hasSize(5)
                .allSatisfy(statement -> assertThat(statement).startsWith("CREATE").doesNotContain("--"));
    }
}
