package io.reflow.capture;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What posthog-js asks before it captures: the remote config ({@code /array/<token>/config} and
 * {@code config.js}), feature flags ({@code /flags/}, always none here) and the legacy combined
 * {@code /decide/} answer. Recording is offered per team, per the registry, with the team's sample rate, minimum
 * duration and masking ({@link RecordingSettings}).
 */
final class ConfigEndpoint {
    static final String RECORDINGS_PATH = "/s/";
    private static final Map<String, Object> NO_FLAGS = Map.of(
            "flags", Map.of(), "featureFlags", Map.of(), "featureFlagPayloads", Map.of(),
            "errorsWhileComputingFlags", false);

    private final Authenticator auth;
    private final int bodyLimit;

    ConfigEndpoint(Authenticator auth, int bodyLimit) {
        this.auth = auth;
        this.bodyLimit = bodyLimit;
    }

    /** {@code GET /array/<token>/config}. */
    Reply config(String token) {
        return Reply.json(200, remoteConfig(auth.authenticate(token)));
    }

    /** {@code GET /array/<token>/config.js}: a script that hands the config to the SDK. */
    Reply configJs(String token) {
        Team team = auth.authenticate(token);
        String config = new String(Json.encode(Map.of("config", remoteConfig(team), "siteApps", List.of())), StandardCharsets.UTF_8);
        String key = new String(Json.encode(team.apiToken()), StandardCharsets.UTF_8);
        return Reply.text(200, Reply.JAVASCRIPT, "(function(){window._POSTHOG_REMOTE_CONFIG=window._POSTHOG_REMOTE_CONFIG||{};"
                + "window._POSTHOG_REMOTE_CONFIG[" + key + "]=" + config + ";})();\n");
    }

    /** {@code POST /flags/}: this product has no feature flags. */
    Reply flags(Request request) {
        auth.authenticate(requestToken(request));
        return Reply.json(200, NO_FLAGS);
    }

    /** {@code /decide/}: what legacy SDKs expect, config and flags in one answer. */
    Reply decide(Request request) {
        Team team = auth.authenticate(requestToken(request));
        Map<String, Object> answer = new LinkedHashMap<>(NO_FLAGS);
        answer.put("config", Map.of("enable_collect_everything", true));
        answer.put("toolbarParams", Map.of());
        answer.put("isAuthenticated", false);
        answer.put("supportedCompression", List.of("gzip-js"));
        answer.put("sessionRecording", sessionRecording(team));
        answer.put("siteApps", List.of());
        answer.put("capturePerformance", false);
        answer.put("autocapture_opt_out", false);
        answer.put("heatmaps", false);
        answer.put("surveys", false);
        return Reply.json(200, answer);
    }

    private static Map<String, Object> remoteConfig(Team team) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("token", team.apiToken());
        config.put("supportedCompression", List.of("gzip-js"));
        config.put("hasFeatureFlags", false);
        // current posthog-js keeps autocapture off unless the remote config says explicitly that it is not opted out
        config.put("autocapture_opt_out", false);
        config.put("sessionRecording", sessionRecording(team));
        return config;
    }

    private static Object sessionRecording(Team team) {
        return team.recordingsEnabled() ? team.recording().remoteConfig(RECORDINGS_PATH) : false;
    }

    /** The token of a flags/decide request: in its (possibly encoded) body, or the query string. */
    private String requestToken(Request request) {
        if (request.body().length > 0) {
            JsonNode body = Payload.parseJson(BodyDecoder.decode(request, bodyLimit));
            String token = Payload.text(body, "token");
            if (token == null) {
                token = Payload.text(body, "api_key");
            }
            if (token != null) {
                return token;
            }
        }
        return request.query("token") != null ? request.query("token") : request.query("api_key");
    }
}
