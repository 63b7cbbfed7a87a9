package io.reflow.testsupport.browser;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What happened in a {@link BrowserScenario}: whether every step ran, and what the page said and fetched.
 *
 * @param ok every step ran
 * @param error why the scenario stopped (null when ok)
 * @param failedStep index of the failed step, -1 when none (or the browser did not start)
 * @param steps the steps that ran, with their times
 * @param console the page's console messages, in order
 * @param pageErrors uncaught exceptions in the page
 * @param responses every response the page received, in order; failed requests have status 0 and a failure text
 * @param values results of {@code evaluate} steps, by name
 * @param marks when each {@code mark} step ran
 * @param finalUrl the tab's URL at the end
 * @param log the Node script's output (Playwright and Node diagnostics)
 */
public record BrowserResult(
        boolean ok,
        String error,
        int failedStep,
        List<Step> steps,
        List<ConsoleMessage> console,
        List<String> pageErrors,
        List<Response> responses,
        Map<String, JsonNode> values,
        Map<String, Instant> marks,
        String finalUrl,
        Instant startedAt,
        Instant endedAt,
        Path log) {

    public record Step(int index, String action, Instant startedAt, Instant endedAt) {}

    /** @param type {@code log}, {@code info}, {@code warning}, {@code error}, {@code debug}, … */
    public record ConsoleMessage(String type, String text, String url, Instant at) {
        @Override
        public String toString() {
            return "[" + type + "] " + text + (url == null || url.isEmpty() ? "" : " (" + url + ")");
        }
    }

    /** @param status the HTTP status, 0 when the request failed (then {@code failure} says why) */
    public record Response(String method, String url, int status, String failure, Instant at) {
        @Override
        public String toString() {
            return method + " " + url + " -> " + (failure == null ? String.valueOf(status) : "failed: " + failure);
        }
    }

    /** The console, one message a line. */
    public String consoleText() {
        return console.stream().map(ConsoleMessage::toString).collect(Collectors.joining("\n"));
    }

    /** Responses to URLs containing {@code urlContains}. */
    public List<Response> responsesTo(String urlContains) {
        return responses.stream().filter(r -> r.url().contains(urlContains)).toList();
    }

    /** Everything worth reading when a scenario or an assertion about it fails. */
    public String diagnostics() {
        StringBuilder b = new StringBuilder();
        b.append(ok ? "scenario ran" : "scenario failed: " + error).append('\n');
        b.append("final url: ").append(finalUrl).append('\n');
        b.append("console (").append(console.size()).append("):\n");
        console.forEach(m -> b.append("  ").append(m).append('\n'));
        b.append("page errors (").append(pageErrors.size()).append("):\n");
        pageErrors.forEach(e -> b.append("  ").append(e).append('\n'));
        b.append("responses (").append(responses.size()).append("):\n");
        responses.forEach(r -> b.append("  ").append(r).append('\n'));
        b.append("node log: ").append(log);
        return b.toString();
    }
}
