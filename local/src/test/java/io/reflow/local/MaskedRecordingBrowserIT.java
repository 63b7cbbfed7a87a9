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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 */
class MaskedRecordingBrowserIT {
    private static final Path OUT = Path.of("target", "masked-browser").toAbsolutePath();
    private static final String NAME = "Grace Hopper";
    private static final String NOTE = "Leave it with the neighbour at number 12";

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
    void typedTextNeverReachesTheStoredRecording() throws Exception {
        Files.writeString(dataDir.resolve("teams.json"), """
                {"teams": [
                  {"team_id": 1, "name": "masked and encrypted", "api_token": "%s", "recordings_enabled": true, "retention": "30d",
                   "recording": {"mask_all_inputs": true, "encrypt": true}}
                ]}
                """.formatted(LocalStack.DEV_TOKEN));
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
                .evaluate("sessionId", "window.posthog.get_session_id()")
                .waitForResponse("/s/", 200, true);

        try (LocalStackProcess stack = LocalStackProcess.start(dataDir, ports, OUT.resolve("bin-local-" + ProcessHandle.current().pid() + ".log"),
                Duration.ofMinutes(3))) {
            JsonNode config = Json.mapper().readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.capture()
                    + "/array/" + LocalStack.DEV_TOKEN + "/config")).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(config.at("/sessionRecording/masking/maskAllInputs").asBoolean()).as(config.toString()).isTrue();

            BrowserResult result = Browser.run(scenario, OUT, Duration.ofMinutes(3));
            assertThat(result.pageErrors()).as(result.diagnostics()).isEmpty();
            String session = result.values().get("sessionId").asText();
            String snapshots = viewer + "/api/projects/1/sessions/" + session + "/snapshots";

            // wait until the input events of the note (typed last) are readable
            List<JsonNode> inputs = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(snapshots))
                        .header("Authorization", "Bearer " + LocalStack.DEV_API_KEY).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    return false;
                }
                inputs.clear();
                String body = r.body();
                for (JsonNode e : Json.mapper().readTree(body)) {
                    if (e.path("type").asInt() == 3 && e.at("/data/source").asInt() == 5) {
                        inputs.add(e);
                    }
                }
                assertThat(body).doesNotContain(NAME).doesNotContain(NOTE).doesNotContain("Grace").doesNotContain("neighbour");
                return inputs.stream().anyMatch(e -> e.at("/data/text").asText().length() == NOTE.length());
            });
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
        }
    }
}
