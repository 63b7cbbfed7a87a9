package io.reflow.capture;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import io.reflow.contracts.RetentionClass;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Project token → {@link Team}, from a JSON file:
 * {@code {"teams":[{"team_id":1,"name":"…","api_token":"phc_…","recordings_enabled":true,"retention":"30d","anonymize_ips":false,
 * "limits":{"events_per_minute":60000,"recording_bytes_per_minute":500000000},
 * "recording":{"sample_rate":0.5,"minimum_duration_ms":2000,"mask_all_inputs":true,"mask_text_selector":".secret",
 * "block_selector":".private","console_logs":true,"encrypt":true}}]}} ({@code limits} and its fields are optional; absent or 0 means
 * unlimited, see {@link TeamLimits}; every {@code recording} field is optional, see {@link RecordingSettings}).
 *
 * <p>The file is checked at most once per check interval, on lookup; when its modification time, size
 * or identity changed (a Kubernetes ConfigMap update swaps a symlink), it is read again. A file that
 * does not parse is logged and ignored: the previous teams stay in force.
 */
public final class TeamRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(TeamRegistry.class);
    private static final Object UNREADABLE = new Object();

    private final Path file;
    private final long checkIntervalNanos;
    private final AtomicLong nextCheckNanos = new AtomicLong();
    private volatile Map<String, Team> byToken;
    private volatile Object stamp;

    private TeamRegistry(Path file, Duration checkInterval, Map<String, Team> teams, Object stamp) {
        this.file = file;
        this.checkIntervalNanos = checkInterval.toNanos();
        this.byToken = teams;
        this.stamp = stamp;
        this.nextCheckNanos.set(System.nanoTime() + checkIntervalNanos);
    }

    /** Reads the registry file; fails if it cannot be read or is invalid (a capture without teams is useless). */
    public static TeamRegistry load(Path file, Duration checkInterval) {
        Object stamp = stampOf(file);
        return new TeamRegistry(file, checkInterval, parse(file), stamp);
    }

    /** A fixed registry, never reloaded (tests, embedding). */
    public static TeamRegistry of(Collection<Team> teams) {
        return new TeamRegistry(null, Duration.ZERO, index(teams), null);
    }

    public Optional<Team> byToken(String token) {
        reloadIfDue();
        return token == null ? Optional.empty() : Optional.ofNullable(byToken.get(token));
    }

    public List<Team> teams() {
        reloadIfDue();
        return List.copyOf(byToken.values());
    }

    /** Reads the file again now if it changed since it was last read. */
    public void reloadIfChanged() {
        if (file == null) {
            return;
        }
        Object current;
        try {
            current = stampOf(file);
        } catch (IllegalStateException e) {
            if (stamp != UNREADABLE) {
                LOG.warn("team registry {} is unreadable; keeping {} teams: {}", file, byToken.size(), e.getMessage());
            }
            stamp = UNREADABLE;
            return;
        }
        if (current.equals(stamp)) {
            return;
        }
        stamp = current;
        try {
            Map<String, Team> teams = parse(file);
            byToken = teams;
            LOG.info("team registry {} reloaded: {} teams", file, teams.size());
        } catch (IllegalStateException e) {
            LOG.warn("team registry {} changed but is invalid; keeping {} teams: {}", file, byToken.size(), e.getMessage());
        }
    }

    private void reloadIfDue() {
        if (file == null) {
            return;
        }
        long now = System.nanoTime();
        long due = nextCheckNanos.get();
        if (now - due >= 0 && nextCheckNanos.compareAndSet(due, now + checkIntervalNanos)) {
            reloadIfChanged();
        }
    }

    private static Object stampOf(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return List.of(a.lastModifiedTime(), a.size(), Objects.toString(a.fileKey()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read team registry " + file + ": " + e, e);
        }
    }

    private static Map<String, Team> parse(Path file) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read team registry " + file + ": " + e.getMessage(), e);
        }
        JsonNode teams = root == null ? null : root.get("teams");
        if (teams == null || !teams.isArray()) {
            throw new IllegalStateException("team registry " + file + " has no \"teams\" array");
        }
        List<Team> parsed = new ArrayList<>();
        for (JsonNode t : teams) {
            parsed.add(parseTeam(t));
        }
        return index(parsed);
    }

    private static Team parseTeam(JsonNode t) {
        JsonNode id = t.get("team_id");
        String token = t.path("api_token").asText("");
        if (id == null || !id.canConvertToLong() || token.isBlank()) {
            throw new IllegalStateException("every team needs a numeric team_id and an api_token: " + t);
        }
        try {
            return new Team(id.asLong(), t.path("name").asText(""), token,
                    t.path("recordings_enabled").asBoolean(true),
                    RetentionClass.parse(t.path("retention").asText(null)),
                    t.path("anonymize_ips").asBoolean(false),
                    parseLimits(t.get("limits")),
                    parseRecording(t.get("recording")));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("team " + id + ": " + e.getMessage(), e);
        }
    }

    private static TeamLimits parseLimits(JsonNode limits) {
        if (limits == null || limits.isNull()) {
            return TeamLimits.UNLIMITED;
        }
        if (!limits.isObject()) {
            throw new IllegalArgumentException("limits must be an object");
        }
        return new TeamLimits(limit(limits, "events_per_minute"), limit(limits, "recording_bytes_per_minute"));
    }

    private static RecordingSettings parseRecording(JsonNode r) {
        if (r == null || r.isNull()) {
            return RecordingSettings.DEFAULTS;
        }
        if (!r.isObject()) {
            throw new IllegalArgumentException("recording must be an object");
        }
        JsonNode rate = r.get("sample_rate");
        if (rate != null && !rate.isNull() && !rate.isNumber()) {
            throw new IllegalArgumentException("recording.sample_rate must be a number between 0 and 1, got " + rate);
        }
        JsonNode minimum = r.get("minimum_duration_ms");
        if (minimum != null && !minimum.isNull() && !minimum.isIntegralNumber()) {
            throw new IllegalArgumentException("recording.minimum_duration_ms must be an integer, got " + minimum);
        }
        return new RecordingSettings(
                rate == null || rate.isNull() ? null : rate.asDouble(),
                minimum == null || minimum.isNull() ? null : minimum.asLong(),
                optionalBoolean(r, "mask_all_inputs"),
                optionalText(r, "mask_text_selector"),
                optionalText(r, "block_selector"),
                r.path("console_logs").asBoolean(true),
                Boolean.TRUE.equals(optionalBoolean(r, "encrypt")));
    }

    private static Boolean optionalBoolean(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException("recording." + field + " must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException("recording." + field + " must be a CSS selector string, got " + v);
        }
        return v.asText();
    }

    private static long limit(JsonNode limits, String field) {
        JsonNode v = limits.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
            throw new IllegalArgumentException("limits." + field + " must be a non-negative integer, got " + v);
        }
        return v.asLong();
    }

    private static Map<String, Team> index(Collection<Team> teams) {
        Map<String, Team> map = new HashMap<>();
        for (Team t : teams) {
            Team previous = map.put(t.apiToken(), t);
            if (previous != null) {
                throw new IllegalStateException("api_token " + t.apiToken() + " is used by teams "
                        + previous.teamId() + " and " + t.teamId());
            }
        }
        return Map.copyOf(map);
    }
}
