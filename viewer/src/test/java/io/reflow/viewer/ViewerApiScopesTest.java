package io.reflow.viewer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.reflow.contracts.Json;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Read and delete rights are separate: a key must hold the route's scope, and is refused with 403 and a JSON reason
 * before anything is read or deleted. The API runs without ClickHouse, S3 or a deletion behind it: a refusal that came
 * too late would fail on those with a 500, not a 403.
 */
class ViewerApiScopesTest {
    private static final String READER = "phx_reader_key";
    private static final String DELETER = "phx_deleter_key";
    private static final String ADMIN = "phx_admin_key";

    private final HttpClient http = HttpClient.newHttpClient();
    private HttpServer server;
    private String base;

    @BeforeEach
    void start() throws Exception {
        ApiKeys keys = ApiKeys.parse(READER + "=1,2;" + DELETER + "=1/recordings:delete;" + ADMIN + "=1/recordings:read,recordings:delete");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/", new ViewerApi(keys, null, null, null, null));
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort() + "/api/projects";
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void deletingAPersonsADistinctIdsOrAProjectsRecordingsNeedsTheDeleteScopeAndAProjectNeedsConfirming() throws Exception {
        for (String route : new String[] {"/1/persons/0b8f0c8e-0000-4000-8000-000000000001/recordings",
                "/1/distinct_ids/alice/recordings", "/1/recordings?confirm=1"}) {
            Answer refused = call("DELETE", base + route, READER);
            assertThat(refused.status()).as(route).isEqualTo(403);
            assertThat(refused.body().get("code").asText()).isEqualTo("missing_scope");
            assertThat(call("GET", base + route, ADMIN).status()).as(route).isEqualTo(405);
        }
        Answer unconfirmed = call("DELETE", base + "/1/recordings", ADMIN);
        assertThat(unconfirmed.status()).isEqualTo(400);
        assertThat(unconfirmed.body().get("code").asText()).isEqualTo("confirmation_required");
        assertThat(call("DELETE", base + "/1/recordings?confirm=2", ADMIN).body().get("code").asText()).isEqualTo("confirmation_required");
        assertThat(call("DELETE", base + "/2/recordings?confirm=2", ADMIN).status()).as("not the key's project").isEqualTo(403);
    }

    @Test
    void aKeyWithoutScopesReadsButCannotDelete() throws Exception {
        Answer refused = call("DELETE", base + "/1/sessions/some-session", READER);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body().get("code").asText()).isEqualTo("missing_scope");
        assertThat(refused.body().get("type").asText()).isEqualTo("permission_denied");
        assertThat(refused.body().get("detail").asText()).contains("recordings:delete").contains("it has recordings:read")
                .doesNotContain(READER);

        Answer projects = call("GET", base, READER);
        assertThat(projects.status()).isEqualTo(200);
        assertThat(projects.body().get("scopes")).containsExactly(Json.mapper().valueToTree("recordings:read"));
        assertThat(projects.body().get("results").findValuesAsText("id")).containsExactly("1", "2");
    }

    @Test
    void aDeleteOnlyKeyCannotRead() throws Exception {
        for (String path : new String[] {"/1/sessions", "/1/sessions/some-session/snapshots", "/1/sessions/some-session/console"}) {
            Answer refused = call("GET", base + path, DELETER);
            assertThat(refused.status()).as(path).isEqualTo(403);
            assertThat(refused.body().get("code").asText()).as(path).isEqualTo("missing_scope");
            assertThat(refused.body().get("detail").asText()).as(path).contains("recordings:read");
        }
    }

    @Test
    void theProjectIsCheckedBeforeTheScope() throws Exception {
        Answer otherProject = call("DELETE", base + "/3/sessions/some-session", READER);
        assertThat(otherProject.status()).isEqualTo(403);
        assertThat(otherProject.body().get("code").asText()).isEqualTo("permission_denied");
        assertThat(call("DELETE", base + "/2/sessions/some-session", "phx_unknown_key").status()).isEqualTo(401);
        assertThat(call("DELETE", base + "/x/sessions/some-session", ADMIN).status()).isEqualTo(400);

        Answer projects = call("GET", base, ADMIN);
        assertThat(projects.body().get("scopes").toString()).isEqualTo("[\"recordings:read\",\"recordings:delete\"]");
    }

    private record Answer(int status, JsonNode body) {}

    private Answer call(String method, String url, String key) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), Json.mapper().readTree(r.body()));
    }
}
