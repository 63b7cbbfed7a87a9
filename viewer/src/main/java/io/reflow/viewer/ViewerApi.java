package io.reflow.viewer;

import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.reflow.contracts.Json;
import io.reflow.contracts.RecordingBlock;
import io.reflow.contracts.reader.BlockRef;
import io.reflow.contracts.reader.BlockSource;
import io.reflow.contracts.reader.SessionRecordingReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read API under {@code /api/}, every route behind {@code Authorization: Bearer <personal API key>}; reading
 * needs the key's scope {@code recordings:read}, deleting {@code recordings:delete} ({@link ApiKeys}):
 * <ul>
 *   <li>{@code GET /api/projects}: the projects (team ids) the key may use, and its scopes</li>
 *   <li>{@code GET /api/projects/<team>/sessions?order=-start_time&limit=100}: the team's sessions</li>
 *   <li>{@code GET /api/projects/<team>/sessions/<id>/snapshots}: the session's rrweb events in time order, one
 *       JSON array, streamed while its blocks are read with ranged S3 GETs</li>
 *   <li>{@code GET /api/projects/<team>/sessions/<id>/console}: its console lines from {@code log_entries}</li>
 *   <li>{@code DELETE /api/projects/<team>/sessions/<id>[?events=true]}: deletes the session for real
 *       ({@link RecordingDeletion}); encrypted blocks whose keys are gone answer 410 {@code deleted}</li>
 *   <li>{@code DELETE /api/projects/<team>/persons/<person id>/recordings[?events=true]} and
 *       {@code DELETE /api/projects/<team>/distinct_ids/<distinct id>/recordings[?events=true]}: every session of a
 *       person (all its distinct ids), or of one distinct id</li>
 *   <li>{@code DELETE /api/projects/<team>/recordings?confirm=<team>[&events=true]}: every session of the project; the
 *       {@code confirm} parameter must repeat the project id</li>
 * </ul>
 * Refusals are {@code {"type", "code", "detail"}}: 400 bad input, 401 no or unknown key, 403 a project the key
 * may not use ({@code permission_denied}) or a scope it lacks ({@code missing_scope}), 404 unknown route or session.
 */
final class ViewerApi implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ViewerApi.class);
    private static final Pattern PROJECTS = Pattern.compile("^/api/projects/?$");
    private static final Pattern SESSIONS = Pattern.compile("^/api/projects/([^/]+)/sessions/?$");
    private static final Pattern SESSION = Pattern.compile("^/api/projects/([^/]+)/sessions/([^/]+)/?$");
    private static final Pattern SESSION_PART = Pattern.compile("^/api/projects/([^/]+)/sessions/([^/]+)/(snapshots|console)/?$");
    private static final Pattern SESSION_ID = Pattern.compile("^[A-Za-z0-9_-]{1,200}$");
    private static final Pattern PERSON_RECORDINGS = Pattern.compile("^/api/projects/([^/]+)/persons/([^/]+)/recordings/?$");
    private static final Pattern DISTINCT_ID_RECORDINGS = Pattern.compile("^/api/projects/([^/]+)/distinct_ids/([^/]+)/recordings/?$");
    private static final Pattern TEAM_RECORDINGS = Pattern.compile("^/api/projects/([^/]+)/recordings/?$");
    private static final int DEFAULT_LIMIT = 100;

    private final ApiKeys keys;
    private final SessionCatalog catalog;
    private final BlockSource blocks;
    private final SessionKeys sessionKeys;
    private final RecordingDeletion deletion;

    ViewerApi(ApiKeys keys, SessionCatalog catalog, BlockSource blocks, SessionKeys sessionKeys, RecordingDeletion deletion) {
        this.keys = keys;
        this.catalog = catalog;
        this.blocks = blocks;
        this.sessionKeys = sessionKeys;
        this.deletion = deletion;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            try {
                route(exchange);
            } catch (ApiError e) {
                sendError(exchange, e);
            } catch (RuntimeException e) {
                LOG.warn("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                sendError(exchange, new ApiError(500, "internal_error", String.valueOf(e.getMessage())));
            }
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        Matcher projects = PROJECTS.matcher(path);
        Matcher sessions = SESSIONS.matcher(path);
        Matcher part = SESSION_PART.matcher(path);
        Matcher one = SESSION.matcher(path);
        if (one.matches()) {
            if (!exchange.getRequestMethod().equals("DELETE")) {
                throw new ApiError(405, "method_not_allowed", "a session supports DELETE; its events are under /snapshots");
            }
            deleteSession(exchange, one, authenticate(exchange));
            return;
        }
        Matcher person = PERSON_RECORDINGS.matcher(path);
        Matcher distinctId = DISTINCT_ID_RECORDINGS.matcher(path);
        Matcher all = TEAM_RECORDINGS.matcher(path);
        if (person.matches() || distinctId.matches() || all.matches()) {
            if (!exchange.getRequestMethod().equals("DELETE")) {
                throw new ApiError(405, "method_not_allowed", "recordings of a person, a distinct id or a project support DELETE only");
            }
            ApiKeys.Grant grant = authenticate(exchange);
            if (all.matches()) {
                deleteMany(exchange, all.group(1), RecordingDeletion.Scope.TEAM, null, grant);
            } else {
                Matcher m = person.matches() ? person : distinctId;
                deleteMany(exchange, m.group(1), person.matches() ? RecordingDeletion.Scope.PERSON_ID : RecordingDeletion.Scope.DISTINCT_ID,
                        URLDecoder.decode(m.group(2), StandardCharsets.UTF_8), grant);
            }
            return;
        }
        if (!projects.matches() && !sessions.matches() && !part.matches()) {
            throw ApiError.notFound("no API route " + path);
        }
        if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
            throw new ApiError(405, "method_not_allowed", "only GET is supported here");
        }
        ApiKeys.Grant grant = authenticate(exchange);
        if (projects.matches()) {
            List<Map<String, Object>> results = grant.teams().stream().sorted().map(t -> Map.<String, Object>of("id", t)).toList();
            sendJson(exchange, 200, Map.of("results", results, "scopes", grant.scopeLabels()));
            return;
        }
        Matcher m = sessions.matches() ? sessions : part;
        long team = team(m.group(1), grant, ApiKeys.Scope.RECORDINGS_READ);
        if (sessions.matches()) {
            Map<String, String> query = query(exchange);
            int limit = integer(query.getOrDefault("limit", String.valueOf(DEFAULT_LIMIT)), "limit");
            List<SessionSummary> list = catalog.list(team, query.getOrDefault("order", "-start_time"), limit);
            sendJson(exchange, 200, Map.of("results", list));
            return;
        }
        String session = URLDecoder.decode(part.group(2), StandardCharsets.UTF_8);
        if (!SESSION_ID.matcher(session).matches()) {
            throw ApiError.badRequest("invalid_session_id", "a session id is 1 to 200 letters, digits, '-' or '_'");
        }
        List<BlockRef> blocks = catalog.blocks(team, session)
                .orElseThrow(() -> ApiError.notFound("project " + team + " has no session " + session));
        if (part.group(3).equals("console")) {
            sendJson(exchange, 200, Map.of("results", catalog.console(team, session)));
        } else {
            sendSnapshots(exchange, team, session, blocks);
        }
    }

    /** Deletes one session for real (keys destroyed, summary rows and console lines removed; {@code ?events=true}: its events too). */
    private void deleteSession(HttpExchange exchange, Matcher m, ApiKeys.Grant grant) throws IOException {
        long team = team(m.group(1), grant, ApiKeys.Scope.RECORDINGS_DELETE);
        String session = URLDecoder.decode(m.group(2), StandardCharsets.UTF_8);
        if (!SESSION_ID.matcher(session).matches()) {
            throw ApiError.badRequest("invalid_session_id", "a session id is 1 to 200 letters, digits, '-' or '_'");
        }
        boolean events = Boolean.parseBoolean(query(exchange).getOrDefault("events", "false"));
        RecordingDeletion.Result result = deletion.delete(team, RecordingDeletion.Scope.SESSION, session, events);
        LOG.info("deleted session {} of project {} ({} keys destroyed, events {})", session, team, result.keysDestroyed(),
                events ? "deleted" : "kept");
        sendJson(exchange, 200, result);
    }

    /** Deletes every session of a person, a distinct id or the whole project, as {@link #deleteSession} deletes one. */
    private void deleteMany(HttpExchange exchange, String project, RecordingDeletion.Scope scope, String value,
                            ApiKeys.Grant grant) throws IOException {
        long team = team(project, grant, ApiKeys.Scope.RECORDINGS_DELETE);
        Map<String, String> query = query(exchange);
        if (scope == RecordingDeletion.Scope.TEAM && !String.valueOf(team).equals(query.get("confirm"))) {
            throw ApiError.badRequest("confirmation_required", "deleting every recording of project " + team
                    + " needs ?confirm=" + team);
        }
        if (value != null && (value.isBlank() || value.length() > 200)) {
            throw ApiError.badRequest("invalid_id", "the id must be 1 to 200 characters");
        }
        boolean events = Boolean.parseBoolean(query.getOrDefault("events", "false"));
        RecordingDeletion.Result result = deletion.delete(team, scope, value, events);
        LOG.info("deleted the recordings of {} {} of project {}: {} sessions, {} keys destroyed, events {}", scope, value == null ? "" : value,
                team, result.sessions(), result.keysDestroyed(), events ? "deleted" : "kept");
        sendJson(exchange, 200, result);
    }

    private ApiKeys.Grant authenticate(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || header.isBlank()) {
            throw new ApiError(401, "not_authenticated", "send a personal API key: Authorization: Bearer <key>");
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiError(401, "not_authenticated", "the Authorization header must be 'Bearer <personal API key>'");
        }
        return keys.grantOf(header.substring(7).trim())
                .orElseThrow(() -> new ApiError(401, "authentication_failed", "unknown personal API key"));
    }

    /** The project of the path, if the key may use it and holds the scope the route needs. */
    private static long team(String text, ApiKeys.Grant grant, ApiKeys.Scope needed) {
        long team;
        try {
            team = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("invalid_project", "a project id is a number, got '" + text + "'");
        }
        if (!grant.teams().contains(team)) {
            throw new ApiError(403, "permission_denied", "this key may not use project " + team);
        }
        if (!grant.allows(needed)) {
            throw new ApiError(403, "missing_scope", "this key lacks the scope " + needed.label() + " (it has "
                    + String.join(", ", grant.scopeLabels()) + "); the viewer's VIEWER_API_KEYS grants scopes per key: <key>=<teams>/"
                    + ApiKeys.Scope.RECORDINGS_READ.label() + "," + ApiKeys.Scope.RECORDINGS_DELETE.label());
        }
        return team;
    }

    private static int integer(String text, String name) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("invalid_" + name, name + " must be a number, got '" + text + "'");
        }
    }

    /**
     * Streams the events as they are read. The first block is opened before the status is sent, so a session whose
     * blocks are missing gets an error answer; a block failing later cuts the stream short (the client sees
     * malformed JSON) and is logged.
     */
    private void sendSnapshots(HttpExchange exchange, long team, String session, List<BlockRef> blocks) throws IOException {
        SessionRecordingReader reader = new SessionRecordingReader(this.blocks, sessionKeys.forSession(team, session));
        try (SessionRecordingReader.SessionEvents events = reader.read(blocks)) {
            boolean any;
            try {
                any = events.hasNext();
            } catch (UncheckedIOException e) {
                throw new ApiError(e.getCause() instanceof java.io.FileNotFoundException ? 502 : 503,
                        "block_unavailable", "cannot read the recording of " + session + ": " + e.getMessage());
            }
            if (!any && events.allDeleted()) {
                throw new ApiError(410, "deleted", "the recording of " + session + " was deleted or has expired: its keys are gone");
            }
            boolean gzip = acceptsGzip(exchange);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            if (gzip) {
                exchange.getResponseHeaders().set("Content-Encoding", "gzip");
            }
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, 0);
            OutputStream body = gzip ? new GZIPOutputStream(exchange.getResponseBody(), 64 * 1024) : exchange.getResponseBody();
            int written = 0;
            try (JsonGenerator out = Json.mapper().getFactory().createGenerator(body)) {
                out.writeStartArray();
                while (events.hasNext()) {
                    RecordingBlock.Entry entry = events.next();
                    out.writeTree(entry.event());
                    written++;
                }
                out.writeEndArray();
            } catch (UncheckedIOException e) {
                LOG.warn("the recording of {} was cut short after {} events: {}", session, written, e.getMessage());
                throw new IOException(e);
            }
        }
    }

    private static boolean acceptsGzip(HttpExchange exchange) {
        String accept = exchange.getRequestHeaders().getFirst("Accept-Encoding");
        return accept != null && accept.toLowerCase().contains("gzip");
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> params = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                params.put(name, value);
            }
        }
        return params;
    }

    static void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = Json.encode(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void sendError(HttpExchange exchange, ApiError e) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", e.type());
        body.put("code", e.code());
        body.put("detail", e.getMessage());
        if (e.status() == 401) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
        }
        sendJson(exchange, e.status(), body);
    }
}
