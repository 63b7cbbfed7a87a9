package io.reflow.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import io.reflow.contracts.LogEntry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleLogsTest {
    @Test
    void argumentsAreShownAsTheConsoleShowsThemAndJoinedWithASpace() throws Exception {
        assertThat(ConsoleLogs.message(json("[\"\\\"a string\\\"\", \"42\", \"{\\\"k\\\":1}\", \"undefined\", \"\\\"\\\\\\\"quoted\\\\\\\"\\\"\"]")))
                .isEqualTo("a string 42 {\"k\":1} undefined \"quoted\"");
        assertThat(ConsoleLogs.message(json("\"just text\""))).isEqualTo("just text");
        assertThat(ConsoleLogs.message(json("[null, \"\\\"\\\"\", \"x\"]"))).isEqualTo("x");
        assertThat(ConsoleLogs.message(json("[{\"not\":\"a string\"}]"))).isEqualTo("{\"not\":\"a string\"}");
        assertThat(ConsoleLogs.message(json("[]"))).isEmpty();
    }

    @Test
    void messagesAreCutTo3000CharactersWithoutSplittingACharacter() throws Exception {
        String longArg = "x".repeat(2999) + "\uD83D\uDE00" + "y".repeat(10);
        String message = ConsoleLogs.message(Json.mapper().createArrayNode().add(longArg).add("more"));

        assertThat(message).hasSize(2999).isEqualTo("x".repeat(2999));
        assertThat(ConsoleLogs.message(Json.mapper().createArrayNode().add("z".repeat(5000)))).hasSize(LogEntry.MAX_MESSAGE_CHARS);
    }

    @Test
    void levelsFollowTheSummaryRowsConsoleCounts() {
        assertThat(List.of("log", "info", "debug", "trace", "count", "warn", "error", "assert"))
                .extracting(ConsoleLogs::level)
                .containsExactly("info", "info", "info", "info", "info", "warn", "error", "error");
    }

    @Test
    void onlyConsolePluginEventsWithSomethingToSayAreLines() throws Exception {
        assertThat(ConsoleLogs.of(json("{\"type\":6,\"data\":{\"plugin\":\"rrweb/console@1\",\"payload\":{\"level\":\"warn\",\"payload\":[\"\\\"w\\\"\"]}}}"), 5, ""))
                .isEqualTo(new ConsoleLogs.Line(5, "", "warn", "w"));
        assertThat(ConsoleLogs.of(json("{\"type\":6,\"data\":{\"plugin\":\"rrweb/console@1\",\"payload\":{\"payload\":[\"\\\"no level\\\"\"]}}}"), 5, "w"))
                .isEqualTo(new ConsoleLogs.Line(5, "w", "info", "no level"));
        assertThat(ConsoleLogs.of(json("{\"type\":6,\"data\":{\"plugin\":\"rrweb/console@1\",\"payload\":{\"level\":\"log\"}}}"), 5, "w")).isNull();
        assertThat(ConsoleLogs.of(json("{\"type\":6,\"data\":{\"plugin\":\"posthog/network@1\",\"payload\":{}}}"), 5, "w")).isNull();
        assertThat(ConsoleLogs.of(json("{\"type\":5,\"data\":{\"tag\":\"$pageview\"}}"), 5, "w")).isNull();
    }

    @Test
    void aBlocksLinesAreDeduplicatedAcrossMessagesKeepingTheFirstAndAnEmptyWindowIsNoInstance() {
        byte[] a = new ConsoleLogs.Builder().add(new ConsoleLogs.Line(30, "w1", "info", "m")).add(new ConsoleLogs.Line(40, "w1", "error", "m")).build();
        byte[] b = new ConsoleLogs.Builder().add(new ConsoleLogs.Line(20, "", "info", "m")).add(new ConsoleLogs.Line(10, "", "info", "m")).build();

        List<ConsoleLogs.Line> lines = ConsoleLogs.deduplicated(List.of(a, b));

        assertThat(lines).containsExactly(new ConsoleLogs.Line(10, "", "info", "m"), new ConsoleLogs.Line(40, "w1", "error", "m"));
        assertThat(ConsoleLogs.entry(2, "s", 90, lines.get(0))).isEqualTo(
                new LogEntry(2, "s", LogEntry.SESSION_REPLAY, "s", null, 10, "info", "m", 90));
        assertThat(ConsoleLogs.decode(new byte[0], new ArrayList<>())).isEmpty();
    }

    private static JsonNode json(String s) throws Exception {
        return Json.mapper().readTree(s);
    }
}
