package io.reflow.viewer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import io.reflow.viewer.ApiKeys.Scope;
import org.junit.jupiter.api.Test;

class ViewerConfigTest {
    private static Map<String, String> env(String... kv) {
        Map<String, String> env = new HashMap<>(Map.of("CLICKHOUSE_URL", "http://ch:8123/", "VIEWER_API_KEYS", "phx_alpha_key=1,2;phx_beta_key=3/recordings:read,recordings:delete"));
        for (int i = 0; i < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return env;
    }

    @Test
    void defaultsForProduction() {
        ViewerConfig c = ViewerConfig.fromEnv(env());
        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isEqualTo(8020);
        assertThat(c.clickhouseUrl()).isEqualTo(URI.create("http://ch:8123"));
        assertThat(c.s3Endpoint()).isEmpty();
        assertThat(c.s3PathStyle()).isFalse();
        assertThat(c.pageApiKey()).isEmpty();
        assertThat(c.demo()).isEmpty();
        assertThat(c.apiKeys().grantOf("phx_alpha_key")).contains(new ApiKeys.Grant(Set.of(1L, 2L), Set.of(Scope.RECORDINGS_READ)));
        assertThat(c.apiKeys().grantOf("phx_beta_key"))
                .contains(new ApiKeys.Grant(Set.of(3L), Set.of(Scope.RECORDINGS_READ, Scope.RECORDINGS_DELETE)));
        assertThat(c.apiKeys().grantOf("phx_alpha_ke")).isEmpty();
        assertThat(c.apiKeys().toString()).doesNotContain("alpha");
    }

    @Test
    void localModeWithEndpointPageKeyAndDemo() {
        ViewerConfig c = ViewerConfig.fromEnv(env("S3_ENDPOINT", "http://127.0.0.1:9000", "VIEWER_PAGE_API_KEY", "phx_beta_key",
                "VIEWER_DEMO_CAPTURE_URL", "http://127.0.0.1:8010/", "VIEWER_DEMO_TOKEN", "phc_x", "VIEWER_PORT", "0"));
        assertThat(c.s3PathStyle()).isTrue();
        assertThat(c.pageApiKey()).contains("phx_beta_key");
        assertThat(c.demo()).isEqualTo(Optional.of(new ViewerConfig.Demo("http://127.0.0.1:8010", "phc_x")));
        assertThat(c.port()).isZero();
    }

    @Test
    void badSettingsSayWhatIsWrong() {
        assertThatThrownBy(() -> ViewerConfig.fromEnv(Map.of("VIEWER_API_KEYS", "phx_alpha_key=1")))
                .hasMessageContaining("CLICKHOUSE_URL is required");
        assertThatThrownBy(() -> ViewerConfig.fromEnv(env("VIEWER_API_KEYS", "phx_alpha_key=one")))
                .hasMessageContaining("team ids are numbers").hasMessageNotContaining("alpha_key");
        assertThatThrownBy(() -> ViewerConfig.fromEnv(env("VIEWER_API_KEYS", "short=1"))).hasMessageContaining("at least 8");
        assertThatThrownBy(() -> ViewerConfig.fromEnv(env("VIEWER_API_KEYS", ";"))).hasMessageContaining("no API keys");
        assertThatThrownBy(() -> ViewerConfig.fromEnv(env("VIEWER_API_KEYS", "phx_alpha_key=1/recordings:write")))
                .hasMessageContaining("unknown scope 'recordings:write'").hasMessageContaining("recordings:delete")
                .hasMessageNotContaining("alpha_key");
        assertThatThrownBy(() -> ViewerConfig.fromEnv(env("VIEWER_API_KEYS", "phx_alpha_key=1/"))).hasMessageContaining("unknown scope ''");
        assertThatThrownBy(() -> ViewerConfig.fromEnv(env("VIEWER_PAGE_API_KEY", "phx_unknown_key")))
                .hasMessageContaining("VIEWER_PAGE_API_KEY");
        assertThatThrownBy(() -> ViewerConfig.fromEnv(env("VIEWER_DEMO_TOKEN", "phc_x"))).hasMessageContaining("go together");
        assertThatThrownBy(() -> ViewerConfig.fromEnv(env("VIEWER_PORT", "70000"))).hasMessageContaining("VIEWER_PORT");
    }

    @Test
    void keysParseToTeamSetsAndScopesWithReadOnlyByDefault() {
        assertThat(ApiKeys.parse(" phx_one_key = 5 , 6 ;phx_two_key=7 / recordings:delete ;phx_three_key=8/recordings:read, recordings:delete")
                .grantsByKey()).isEqualTo(Map.of(
                        "phx_one_key", new ApiKeys.Grant(Set.of(5L, 6L), Set.of(Scope.RECORDINGS_READ)),
                        "phx_two_key", new ApiKeys.Grant(Set.of(7L), Set.of(Scope.RECORDINGS_DELETE)),
                        "phx_three_key", new ApiKeys.Grant(Set.of(8L), Set.of(Scope.RECORDINGS_READ, Scope.RECORDINGS_DELETE))));
        ApiKeys.Grant admin = ApiKeys.parse("phx_three_key=8/recordings:delete,recordings:read").grantOf("phx_three_key").orElseThrow();
        assertThat(admin.allows(Scope.RECORDINGS_DELETE)).isTrue();
        assertThat(admin.scopeLabels()).containsExactly("recordings:read", "recordings:delete");
        assertThat(ApiKeys.DEFAULT_SCOPES).containsExactly(Scope.RECORDINGS_READ);
    }
}
