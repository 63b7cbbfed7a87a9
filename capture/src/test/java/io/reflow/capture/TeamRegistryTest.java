package io.reflow.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflow.contracts.RetentionClass;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TeamRegistryTest {
    @TempDir
    Path dir;

    @Test
    void readsTeamsWithDefaults() throws IOException {
        Path file = write("teams.json", """
                {"teams":[
                  {"team_id":1,"name":"Shop","api_token":"phc_a","recordings_enabled":true,"retention":"90d","anonymize_ips":true},
                  {"team_id":2,"api_token":"phc_b"}]}""");
        TeamRegistry registry = TeamRegistry.load(file, Duration.ZERO);

        assertThat(registry.byToken("phc_a")).contains(new Team(1, "Shop", "phc_a", true, RetentionClass.D90, true));
        assertThat(registry.byToken("phc_b")).contains(new Team(2, "", "phc_b", true, RetentionClass.D30, false));
        assertThat(registry.byToken("phc_c")).isEmpty();
        assertThat(registry.byToken(null)).isEmpty();
        assertThat(registry.teams()).hasSize(2);
    }

    @Test
    void readsOptionalVolumeLimits() throws IOException {
        Path file = write("teams.json", """
                {"teams":[
                  {"team_id":1,"api_token":"phc_a","limits":{"events_per_minute":6000,"recording_bytes_per_minute":100000000}},
                  {"team_id":2,"api_token":"phc_b","limits":{"events_per_minute":10}},
                  {"team_id":3,"api_token":"phc_c","limits":null}]}""");
        TeamRegistry registry = TeamRegistry.load(file, Duration.ZERO);

        assertThat(registry.byToken("phc_a").orElseThrow().limits()).isEqualTo(new TeamLimits(6000, 100_000_000));
        assertThat(registry.byToken("phc_b").orElseThrow().limits()).isEqualTo(new TeamLimits(10, 0));
        assertThat(registry.byToken("phc_c").orElseThrow().limits()).isEqualTo(TeamLimits.UNLIMITED);
        for (String bad : List.of("{\"events_per_minute\":-1}", "{\"events_per_minute\":\"many\"}",
                "{\"recording_bytes_per_minute\":1.5}", "[]")) {
            Path badFile = write("bad.json", "{\"teams\":[{\"team_id\":1,\"api_token\":\"x\",\"limits\":" + bad + "}]}");
            assertThatThrownBy(() -> TeamRegistry.load(badFile, Duration.ZERO)).as(bad).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aTeamCanHaveItsRecordingsEncrypted() throws IOException {
        Path file = write("teams.json", """
                {"teams":[{"team_id":1,"api_token":"phc_a","recording":{"encrypt":true}}]}""");
        assertThat(TeamRegistry.load(file, Duration.ZERO).byToken("phc_a").orElseThrow().recording().encrypt()).isTrue();
    }

    @Test
    void readsOptionalRecordingSettings() throws IOException {
        Path file = write("teams.json", """
                {"teams":[
                  {"team_id":1,"api_token":"phc_a","recording":{"sample_rate":0.25,"minimum_duration_ms":1500,
                   "mask_all_inputs":false,"mask_text_selector":"[data-private]","block_selector":"iframe","console_logs":false}},
                  {"team_id":2,"api_token":"phc_b"}]}""");
        TeamRegistry registry = TeamRegistry.load(file, Duration.ZERO);

        assertThat(registry.byToken("phc_a").orElseThrow().recording())
                .isEqualTo(new RecordingSettings(0.25, 1500L, false, "[data-private]", "iframe", false));
        assertThat(registry.byToken("phc_b").orElseThrow().recording()).isEqualTo(RecordingSettings.DEFAULTS);
        assertThat(registry.byToken("phc_b").orElseThrow().recording().encrypt()).as("encryption is off by default").isFalse();
        for (String bad : List.of("{\"sample_rate\":1.5}", "{\"sample_rate\":\"half\"}", "{\"minimum_duration_ms\":-1}",
                "{\"minimum_duration_ms\":1.5}", "{\"mask_all_inputs\":\"yes\"}", "{\"encrypt\":\"on\"}", "{\"block_selector\":\" \"}", "[]")) {
            Path badFile = write("bad.json", "{\"teams\":[{\"team_id\":1,\"api_token\":\"x\",\"recording\":" + bad + "}]}");
            assertThatThrownBy(() -> TeamRegistry.load(badFile, Duration.ZERO)).as(bad).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void reloadsWhenTheFileChangesAndKeepsTheLastGoodTeamsWhenItBreaks() throws IOException {
        Path file = write("teams.json", "{\"teams\":[{\"team_id\":1,\"api_token\":\"phc_a\"}]}");
        TeamRegistry registry = TeamRegistry.load(file, Duration.ZERO);
        assertThat(registry.byToken("phc_a")).isPresent();

        // an atomic replace, as a ConfigMap update or `mv` does it
        Path next = write("next.json", "{\"teams\":[{\"team_id\":2,\"api_token\":\"phc_b\",\"recordings_enabled\":false}]}");
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertThat(registry.byToken("phc_a")).isEmpty();
        assertThat(registry.byToken("phc_b")).hasValueSatisfying(t -> assertThat(t.recordingsEnabled()).isFalse());

        Files.writeString(file, "{\"teams\":[{\"team_id\":3");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(registry.byToken("phc_b")).isPresent();

        Files.delete(file);
        assertThat(registry.byToken("phc_b")).isPresent();
    }

    @Test
    void checksTheFileAtMostOncePerInterval() throws IOException {
        Path file = write("teams.json", "{\"teams\":[{\"team_id\":1,\"api_token\":\"phc_a\"}]}");
        TeamRegistry registry = TeamRegistry.load(file, Duration.ofHours(1));
        Files.writeString(file, "{\"teams\":[{\"team_id\":2,\"api_token\":\"phc_b\"}]}");

        assertThat(registry.byToken("phc_a")).isPresent();
        registry.reloadIfChanged();
        assertThat(registry.byToken("phc_b")).isPresent();
    }

    @Test
    void refusesInvalidRegistries() throws IOException {
        for (String bad : List.of("{}", "{\"teams\":[{\"api_token\":\"phc_a\"}]}", "{\"teams\":[{\"team_id\":1}]}",
                "{\"teams\":[{\"team_id\":1,\"api_token\":\"x\",\"retention\":\"7d\"}]}",
                "{\"teams\":[{\"team_id\":1,\"api_token\":\"x\"},{\"team_id\":2,\"api_token\":\"x\"}]}", "not json")) {
            Path file = write("bad.json", bad);
            assertThatThrownBy(() -> TeamRegistry.load(file, Duration.ZERO)).as(bad).isInstanceOf(IllegalStateException.class);
        }
        assertThatThrownBy(() -> TeamRegistry.load(dir.resolve("missing.json"), Duration.ZERO)).isInstanceOf(IllegalStateException.class);
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
