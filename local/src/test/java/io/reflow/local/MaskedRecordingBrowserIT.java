package io.reflow.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A team with {@code mask_all_inputs} and encryption on, with the real SDK in a real browser against bin/local: capture
 * serves the masking setting in the remote config, posthog-js masks what the person types before it leaves the page, the
 * stored blocks are encrypted, and the read API, decrypting, returns input events without any of the typed text.
 * Then the team turns masking off (the registry is reloaded while the stack runs) and a new session records the
 * typed text (passwords still masked): posthog-js masks all inputs when it is told nothing, so this is what shows that
 * the team's setting is the one applied. ({@link ViewerBrowserIT} replays a masked session in the player.) Last,
 * bin/local's API key, which has both scopes, deletes that second session.
 */
class MaskedRecordingBrowserIT {
    private static final Path OUT = Path.of("target", "masked-browser").toAbsolutePath();
    private static final String NAME = "Grace Hopper";
    private static final String NOTE = "Leave it with the neighbour at number 12";
    private static final String PASSWORD = "correct horse";
    private static final String READ = "read";

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
    void typedTextReachesTheStoredRecordingOnlyWhenTheTeamTurnsMaskingOff() throws Exception {
        writeTeamRegistry(true);
        LocalStackProcess.Ports ports = LocalStackProcess.Ports.free();
        String viewer = "http://127.0.0.1:" + ports.viewer();
        String recording = "window.posthog && window.posthog.__loaded && window.posthog.sessionRecordingStarted()";
        BrowserScenario scenario = new BrowserScenario()
                .goTo(viewer + "/demo")
                .waitForFunction(recording)
                .click("#add-to-cart")
                .type("#name", NAME)
                .click("#to-checkout")
                .waitFor("#note")
                .waitForFunction(recording)
                .type("#note", NOTE)
                .click("#gift")
                .awaitSignal(READ, Duration.ofSeconds(100));

        try (LocalStackProcess stack = LocalStackProcess.start(dataDir, ports, OUT.resolve("bin-local-" + ProcessHandle.current().pid() + ".log"),
                Duration.ofMinutes(3))) {
            JsonNode config = remoteConfig(ports);
            assertThat(config.at("/sessionRecording/masking/maskAllInputs").asBoolean()).as(config.toString()).isTrue();

            // until the input events of the note's last (masked) character and of the gift box (ticked last) are readable
            Recorded masked = record(scenario, viewer, Set.of(), texts ->
                    assertThat(texts).anyMatch(text -> text.length() == NOTE.length()).contains("on"));
            assertThat(masked.body()).doesNotContain(NAME).doesNotContain(NOTE).doesNotContain("Grace").doesNotContain("neighbour");
            List<JsonNode> inputs = masked.inputs();
            // the gift checkbox's input event carries its value "on" (not typed text); every text field's is masked
            assertThat(inputs).filteredOn(e -> e.at("/data/isChecked").asBoolean()).extracting(e -> e.at("/data/text").asText())
                    .containsOnly("on");
            assertThat(inputs).filteredOn(e -> !e.at("/data/isChecked").asBoolean()).as("input events are recorded, their text masked")
                    .hasSizeGreaterThanOrEqualTo(NOTE.length())
                    .allSatisfy(e -> assertThat(e.at("/data/text").asText()).matches("\\**"));

            // and what is stored is encrypted: every batch file on the S3 API server's disk starts with an encrypted block
            List<Path> batchFiles;
            try (Stream<Path> files = Files.walk(dataDir.resolve("s3"))) {
                batchFiles = files.filter(p -> p.toString().endsWith(".jsonl.zst")).toList();
            }
            assertThat(batchFiles).isNotEmpty();
            for (Path f : batchFiles) {
                byte[] bytes = Files.readAllBytes(f);
                assertThat(new String(bytes, 0, 3, StandardCharsets.ISO_8859_1)).as(f.toString()).isEqualTo("RFE");
            }

            // the team turns masking off: capture serves the new setting within a second, and a new session records text
            writeTeamRegistry(false);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() ->
                    !remoteConfig(ports).at("/sessionRecording/masking/maskAllInputs").asBoolean(true));
            BrowserScenario unmasked = new BrowserScenario()
                    .goTo(viewer + "/demo")
                    .waitForFunction(recording)
                    .type("#name", NAME)
                    .click("#to-checkout")
                    .waitFor("#note")
                    .waitForFunction(recording)
                    .type("#password", PASSWORD)
                    .type("#note", NOTE)
                    .awaitSignal(READ, Duration.ofSeconds(100));
            Recorded plain = record(unmasked, viewer, Set.of(masked.session()), texts -> assertThat(texts).contains(NOTE));
            // as typed, one event per keystroke; the password field is masked whatever the team says
            assertThat(plain.inputs()).extracting(e -> e.at("/data/text").asText()).as("the name's, password's and note's input events")
                    .contains(NAME, "Leave", NOTE.substring(0, NOTE.length() - 1))
                    .contains("*".repeat(PASSWORD.length()))
                    .noneMatch(text -> !text.isEmpty() && PASSWORD.startsWith(text));

            // bin/local's key may delete: the session with the typed text goes (its keys destroyed), the masked one stays
            String sessions = viewer + "/api/projects/1/sessions/";
            assertThat(read(viewer + "/api/projects").get("scopes").toString()).contains("recordings:read", "recordings:delete");
            HttpResponse<String> deletion = http.send(HttpRequest.newBuilder(URI.create(sessions + plain.session()))
                    .DELETE().header("Authorization", "Bearer " + LocalStack.DEV_API_KEY).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(deletion.statusCode()).as(deletion.body()).isEqualTo(200);
            assertThat(Json.mapper().readTree(deletion.body()).get("keys_destroyed").asInt()).isPositive();
            assertThat(readInputEvents(sessions + plain.session() + "/snapshots", new ArrayList<>())).as("deleted").isNull();
            assertThat(readInputEvents(sessions + masked.session() + "/snapshots", new ArrayList<>())).as("kept").isNotNull();
        }
    }

    private record Recorded(String session, String body, List<JsonNode> inputs) {}

    /**
     * Runs the scenario, which ends waiting for the signal {@link #READ}: the page stays open, and posthog-js keeps
     * sending, until the read API lists a session other than {@code known} whose input events' texts pass {@code check}.
     */
    private Recorded record(BrowserScenario scenario, String viewer, Set<String> known, Consumer<List<String>> check) throws Exception {
        String sessions = viewer + "/api/projects/1/sessions";
        try (Browser browser = Browser.start(scenario, OUT)) {
            Recorded[] seen = new Recorded[1];
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                if (!browser.isRunning()) {
                    browser.awaitResult(Duration.ofSeconds(5)); // throws what went wrong in the scenario
                    throw new IllegalStateException("the scenario ended before the signal: " + browser.log());
                }
                List<String> listed = new ArrayList<>();
                read(sessions).path("results").forEach(r -> listed.add(r.path("session_id").asText()));
                listed.removeAll(known);
                assertThat(listed).as("new sessions").hasSize(1);
                List<JsonNode> inputs = new ArrayList<>();
                String body = readInputEvents(sessions + "/" + listed.get(0) + "/snapshots", inputs);
                assertThat(body).as("the events of " + listed.get(0)).isNotNull();
                check.accept(inputs.stream().map(e -> e.at("/data/text").asText()).toList());
                seen[0] = new Recorded(listed.get(0), body, inputs);
            });
            browser.signal(READ);
            BrowserResult result = browser.awaitResult(Duration.ofMinutes(1));
            assertThat(result.pageErrors()).as(result.diagnostics()).isEmpty();
            return seen[0];
        }
    }

    private JsonNode read(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + LocalStack.DEV_API_KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body());
    }

    /** Reads the recording's events into {@code inputs} (only its input events); null while the session cannot be read. */
    private String readInputEvents(String snapshotsUrl, List<JsonNode> inputs) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(snapshotsUrl))
                .header("Authorization", "Bearer " + LocalStack.DEV_API_KEY).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            return null;
        }
        inputs.clear();
        for (JsonNode e : Json.mapper().readTree(r.body())) {
            if (e.path("type").asInt() == 3 && e.at("/data/source").asInt() == 5) {
                inputs.add(e);
            }
        }
        return r.body();
    }

    private JsonNode remoteConfig(LocalStackProcess.Ports ports) throws Exception {
        return Json.mapper().readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.capture()
                + "/array/" + LocalStack.DEV_TOKEN + "/config")).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    /** The one team, masked or not, always encrypted; written whole and moved into place, as capture may read it any time. */
    private void writeTeamRegistry(boolean maskAllInputs) throws Exception {
        Path tmp = dataDir.resolve("teams.json.tmp");
        Files.writeString(tmp, """
                {"teams": [
                  {"team_id": 1, "name": "encrypted", "api_token": "%s", "recordings_enabled": true, "retention": "30d",
                   "recording": {"mask_all_inputs": %s, "encrypt": true}}
                ]}
                """.formatted(LocalStack.DEV_TOKEN, maskAllInputs));
        Files.move(tmp, dataDir.resolve("teams.json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
