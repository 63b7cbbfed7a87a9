package io.reflow.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code helm lint --strict}: warnings fail too. */
class ChartLintTest {

    @Test
    void lintsCleanWithDefaultValues(@TempDir Path tmp) {
        LintResult result = Chart.lint(null, tmp);

        assertThat(result.isFailed()).as("lint messages: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @Test
    void lintsCleanWithProductionValues(@TempDir Path tmp) {
        LintResult result = Chart.lint(Chart.productionValues(), tmp);

        assertThat(result.isFailed()).as("lint messages: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @Test
    void lintFailsOnValuesTheSchemaRejects(@TempDir Path tmp) throws Exception {
        Path bad = tmp.resolve("bad.yaml");
        java.nio.file.Files.writeString(bad, "capture:\n  replicas: two\n");

        LintResult result = Chart.lint(bad, tmp.resolve("work"));

        assertThat(result.isFailed()).isTrue();
        assertThat(String.join("\n", result.getMessages())).contains("replicas");
    }
}
