package io.reflow.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import io.reflow.testsupport.browser.Browser;
import io.reflow.testsupport.browser.BrowserResult;
import io.reflow.testsupport.browser.BrowserScenario;
import io.reflow.testsupport.browser.Chromium;
import io.reflow.testsupport.browser.NodePackages;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * See it work, with the real SDK in a real browser: bin/local (a child JVM) serves the demo page, posthog-js from
 * the npm package records a person clicking, typing and navigating in headless Chromium, and bin/local is killed
 * with SIGKILL halfway through the session (after capture accepted the first half, before anything downstream
 * was necessarily committed), started again on the same data dir, and the person finishes. Then the same browser
 * opens the viewer, finds the session in the list, plays it to the end with rrweb-player, and the replayed DOM
 * shows what was clicked. The team masks all inputs ({@code recording.mask_all_inputs}, served to posthog-js in the
 * remote config): every field replays as {@code *} characters and no typed text is anywhere in the replayed document
 * or the recorded events; the read API returns every (masked) keystroke exactly once. That typed text is recorded when
 * the team turns masking off is {@link MaskedRecordingBrowserIT}'s check.
 */
class ViewerBrowserIT {
    private static final Path OUT = Path.of("target", "viewer-browser").toAbsolutePath();
    private static final Path SCREENSHOT = OUT.resolve("viewer.png");
    private static final String NAME = "Ada Lovelace";
    private static final String NOTE_BEFORE_KILL = "Packed before the crash";
    private static final String NOTE_AFTER_RESTART = ", typed after the restart.";
    private static final String NOTE = NOTE_BEFORE_KILL + NOTE_AFTER_RESTART;
    private static final String PASSWORD = "hunter2";
    /** What the person typed, in pieces a masked recording must not hold anywhere. */
    private static final List<String> TYPED = List.of(NAME, "Lovelace", NOTE_BEFORE_KILL, "Packed", NOTE_AFTER_RESTART.substring(2),
            "restart.", PASSWORD);
    private static final String CONSOLE_ERROR = "demo: the payment provider did not answer";
    private static final Duration LISTED_WITHIN = Duration.ofSeconds(20);
    private static final String KEY = LocalStack.DEV_API_KEY;

    @TempDir
    Path dataDir;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    static void installBrowser() {
        Chromium.executable();
        NodePackages.install(NodePackages.PLAYWRIGHT_CORE);
    }

    @Test
    void aMaskedSessionRecordedAcrossAnAbruptKillIsListedAndPlaysBackWhole() throws Exception {
        Files.writeString(dataDir.resolve("teams.json"), """
                {"teams": [
                  {"team_id": 1, "name": "local development, inputs masked", "api_token": "%s",
                   "recordings_enabled": true, "retention": "30d", "anonymize_ips": false,
                   "recording": {"mask_all_inputs": true}}
                ]}
                """.formatted(LocalStack.DEV_TOKEN));
        LocalStackProcess.Ports ports = LocalStackProcess.Ports.free();
        Path log = OUT.resolve("bin-local-" + ProcessHandle.current().pid() + ".log");
        String recording = "window.posthog && window.posthog.__loaded && window.posthog.sessionRecordingStarted()";
        String viewer = "http://127.0.0.1:" + ports.viewer();
        String mySessionRow = "document.querySelector('tr[data-session-id=\"' + localStorage.getItem('reflow.demoSession') + '\"]')";
        String iframe = "document.querySelector('.replayer-wrapper iframe').contentDocument";
        BrowserScenario scenario = new BrowserScenario()
                .viewport(1400, 900)
                .goTo(viewer + "/demo")
                .waitForFunction(recording)
                .click("#add-to-cart")
                .click("#add-to-cart")
                .type("#name", NAME)
                .click("#to-checkout")
                .waitFor("#note")
                .waitForFunction(recording)
                .type("#note", NOTE_BEFORE_KILL)
                .waitForResponse("/s/", 200, true) // capture accepted the first half
                .mark("half")
                .awaitSignal("restarted", Duration.ofMinutes(4))
                .type("#note", NOTE_AFTER_RESTART)
                .click("#gift")
                .type("#password", PASSWORD)
                .click("#place-order")
                .click("#log-error")
                .evaluate("sessionId", "window.posthog.get_session_id()")
                .evaluate("distinctId", "window.posthog.get_distinct_id()")
                .waitForResponse("/s/", 200, true)
                .goTo(viewer + "/")
                .waitForFunction(mySessionRow + " && Number(" + mySessionRow + ".dataset.consoleErrors) >= 1")
                .withTimeout(LISTED_WITHIN)
                .mark("listed")
                .screenshot(OUT.resolve("viewer-list.png"))
                .evaluate("listedRows", "document.querySelectorAll('#sessions tbody tr').length")
                .click("tr.mine")
                .waitForFunction("window.reflowViewer.status === 'ready' || window.reflowViewer.status === 'error'")
                .evaluate("playerStatus", "window.reflowViewer.status + ' ' + window.reflowViewer.error")
                .click(".rr-controller__btns button:has-text('16x')")
                .click(".rr-controller__btns button >> nth=0")
                .waitForFunction("window.reflowViewer.finished")
                .withTimeout(Duration.ofSeconds(90))
                .evaluate("replayed", """
                        (() => { const d = %s; return {
                            note: d.querySelector('#note').value,
                            password: d.querySelector('#password').value,
                            gift: d.querySelector('#gift').checked,
                            order: d.querySelector('#order-status').textContent,
                            cart: d.querySelector('#cart-summary').textContent,
                            title: d.title,
                            fields: Array.from(d.querySelectorAll('input, textarea')).map(e => e.value),
                            html: d.documentElement.outerHTML }; })()""".formatted(iframe))
                // console lines travel on their own topic and may trail the blocks by a moment; the panel refreshes
                .waitForFunction("document.querySelector('#console').textContent.includes('" + CONSOLE_ERROR + "')")
                .withTimeout(Duration.ofSeconds(20))
                .evaluate("consolePanel", "Array.from(document.querySelectorAll('#console li')).map(li => li.className + ' ' + li.textContent)")
                .screenshot(SCREENSHOT);

        BrowserResult result;
        LocalStackProcess[] stack = {LocalStackProcess.start(dataDir, ports, log, Duration.ofMinutes(3))};
        try {
            JsonNode remoteConfig = get("http://127.0.0.1:" + ports.capture() + "/array/" + LocalStack.DEV_TOKEN + "/config", null).body();
            assertThat(remoteConfig.at("/sessionRecording/masking/maskAllInputs").asBoolean()).as(remoteConfig.toString()).isTrue();
            try (Browser browser = Browser.start(scenario, OUT)) {
                Instant half = browser.awaitMark("half", Duration.ofMinutes(2));
                String committedAtKill = eventsInClickHouse(stack[0]);
                stack[0].kill();
                Instant killed = Instant.now();
                stack[0] = LocalStackProcess.start(dataDir, ports, log, Duration.ofMinutes(3));
                System.out.printf("bin/local killed %d ms after capture accepted the first half (ClickHouse then listed %s"
                                + " events of it); READY again after %d ms%n", Duration.between(half, killed).toMillis(),
                        committedAtKill, Duration.between(killed, Instant.now()).toMillis());
                browser.signal("restarted");
                result = browser.awaitResult(Duration.ofMinutes(3));
            }
            String context = result.diagnostics();
            assertThat(result.values().get("playerStatus").asText()).as(context).startsWith("ready");

            // found in the list within 20 s of the last action, and the only session there
            Instant listed = result.marks().get("listed");
            Instant lastAction = result.steps().stream().filter(s -> s.action().equals("click"))
                    .map(BrowserResult.Step::endedAt).filter(t -> t.isBefore(listed)).max(Instant::compareTo).orElseThrow();
            System.out.printf("listed %d ms after the last action%n", Duration.between(lastAction, listed).toMillis());
            assertThat(Duration.between(lastAction, listed)).as(context).isLessThanOrEqualTo(LISTED_WITHIN);
            assertThat(result.values().get("listedRows").asInt()).as("one continuous session").isEqualTo(1);

            // played to the end: the replayed DOM holds what was clicked, and every typed character as a '*'
            JsonNode replayed = result.values().get("replayed");
            assertThat(replayed.get("note").asText()).as(context).isEqualTo("*".repeat(NOTE.length()));
            assertThat(replayed.get("password").asText()).isEqualTo("*".repeat(PASSWORD.length()));
            String replayedDocument = replayed.get("html").asText() + "\n" + replayed.get("fields").toString();
            assertThat(TYPED).as("typed text in the replayed document").allSatisfy(typed -> assertThat(replayedDocument).doesNotContain(typed));
            assertThat(replayed.get("gift").asBoolean()).isTrue();
            assertThat(replayed.get("cart").asText()).isEqualTo("Your cart: 2 paper planes");
            assertThat(replayed.get("order").asText()).startsWith("Order placed: 2 items, gift wrapped, note of " + NOTE.length());
            assertThat(result.values().get("consolePanel").toString()).contains(CONSOLE_ERROR);
            assertThat(result.pageErrors()).as(context).isEmpty();
            assertThat(SCREENSHOT).isNotEmptyFile();

            // the read API: every keystroke across the kill exactly once, the summary counting each event once
            String session = result.values().get("sessionId").asText();
            String project = viewer + "/api/projects/1/sessions";
            JsonNode list = get(project + "?order=-start_time", KEY).body();
            assertThat(list.get("results")).hasSize(1);
            JsonNode row = list.get("results").get(0);
            assertThat(row.get("session_id").asText()).isEqualTo(session);
            assertThat(row.get("distinct_id").asText()).isEqualTo(result.values().get("distinctId").asText());
            assertThat(row.get("first_url").asText()).isEqualTo(viewer + "/demo");
            assertThat(row.get("click_count").asLong()).isGreaterThanOrEqualTo(6);
            assertThat(row.get("console_error_count").asLong()).isEqualTo(1);
            Answer snapshots = get(project + "/" + session + "/snapshots", KEY);
            assertThat(snapshots.status()).isEqualTo(200);
            assertThat(TYPED).as("typed text in the recorded events").allSatisfy(typed -> assertThat(snapshots.text()).doesNotContain(typed));
            List<JsonNode> events = new ArrayList<>();
            snapshots.body().forEach(events::add);
            assertEveryKeystrokeOnce(events);
            assertThat(row.get("event_count").asLong()).as("events counted once by the summary rows").isEqualTo(events.size());
            JsonNode console = get(project + "/" + session + "/console", KEY).body().get("results");
            List<String> errors = new ArrayList<>();
            console.forEach(c -> {
                if (c.get("level").asText().equals("error")) {
                    errors.add(c.get("message").asText());
                }
            });
            assertThat(errors).containsExactly(CONSOLE_ERROR);

            // bad input gets a clear answer
            assertRefused(get(project, null), 401);
            assertRefused(get(project, "phx_not_a_key_at_all"), 401);
            assertRefused(get(viewer + "/api/projects/abc/sessions", KEY), 400);
            assertRefused(get(viewer + "/api/projects/999/sessions", KEY), 403);
            assertRefused(get(project + "?order=colour", KEY), 400);
            assertRefused(get(project + "?limit=0", KEY), 400);
            assertRefused(get(project + "/not%20an%20id/snapshots", KEY), 400);
            assertRefused(get(project + "/01234567-89ab-cdef-0123-456789abcdef/snapshots", KEY), 404);
            assertRefused(get(project + "/01234567-89ab-cdef-0123-456789abcdef/console", KEY), 404);
            assertRefused(get(viewer + "/api/nothing", KEY), 404);
        } finally {
            stack[0].close();
        }
    }

    /** For the log: how much of the first half was already committed downstream when the kill came. */
    private String eventsInClickHouse(LocalStackProcess stack) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(stack.clickhouseUrl() + "/"))
                    .POST(HttpRequest.BodyPublishers.ofString("SELECT sum(event_count) FROM session_replay_events"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return r.body().strip();
        } catch (Exception e) {
            return "(unknown: " + e + ")";
        }
    }

    private static void assertRefused(Answer answer, int status) {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(status);
        assertThat(answer.body().path("detail").asText()).as(answer.toString()).isNotBlank();
        assertThat(answer.body().path("code").asText()).as(answer.toString()).isNotBlank();
    }

    private record Answer(int status, String text, JsonNode body) {}

    /**
     * Every keystroke of the note, across the kill, exactly once and in order: each of the note's input events holds one
     * more masked character. Masked values do not say which field they belong to, so each event is matched to the field
     * through rrweb's node id, which the full snapshot of the page it was typed on assigns to the element with that id.
     */
    static void assertEveryKeystrokeOnce(List<JsonNode> events) {
        String name = "recording";
        Map<String, List<String>> inputsByField = maskedInputsByField(events);
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= NOTE.length(); i++) {
            expected.add("*".repeat(i));
        }
        assertThat(inputsByField.get("note")).as(name + ": the note's input events").containsExactlyElementsOf(expected);
        assertThat(inputsByField.get("name")).as(name + ": the name's input events").endsWith("*".repeat(NAME.length()));
        assertThat(inputsByField.get("password")).as(name + ": the password's input events").endsWith("*".repeat(PASSWORD.length()));
        Set<String> seen = new HashSet<>();
        long last = Long.MIN_VALUE;
        for (JsonNode e : events) {
            assertThat(seen.add(e.toString())).as(name + ": event listed twice: " + e).isTrue();
            assertThat(e.path("timestamp").asLong()).as(name + ": events in time order").isGreaterThanOrEqualTo(last);
            last = e.path("timestamp").asLong();
        }
    }

    /** The text of each input event (rrweb incremental snapshot, source 5), by the HTML id of the field it was typed into. */
    private static Map<String, List<String>> maskedInputsByField(List<JsonNode> events) {
        Map<String, List<String>> byField = new HashMap<>();
        Map<Integer, String> fieldOfNode = new HashMap<>();
        for (JsonNode e : events) {
            int type = e.path("type").asInt();
            if (type == 2) { // full snapshot: a new page (or a new snapshot of it) assigns the node ids afresh
                fieldOfNode.clear();
                collectFieldIds(e.at("/data/node"), fieldOfNode);
            } else if (type == 3 && e.at("/data/source").asInt() == 5) {
                String field = fieldOfNode.get(e.at("/data/id").asInt());
                if (field != null) {
                    byField.computeIfAbsent(field, f -> new ArrayList<>()).add(e.at("/data/text").asText());
                }
            }
        }
        return byField;
    }

    private static void collectFieldIds(JsonNode node, Map<Integer, String> fieldOfNode) {
        String tag = node.path("tagName").asText();
        if ((tag.equals("input") || tag.equals("textarea")) && node.at("/attributes/id").isTextual()) {
            fieldOfNode.put(node.path("id").asInt(), node.at("/attributes/id").asText());
        }
        node.path("childNodes").forEach(child -> collectFieldIds(child, fieldOfNode));
    }

    private Answer get(String url, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body(), Json.mapper().readTree(response.body()));
    }
}
