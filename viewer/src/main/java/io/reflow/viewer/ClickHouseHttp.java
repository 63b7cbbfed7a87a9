package io.reflow.viewer;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Read queries over ClickHouse's HTTP interface: the SQL in the body, values bound server-side as
 * {@code {name:Type}} query parameters ({@code param_name=value}), rows as JSONEachRow. 64-bit integers come
 * back quoted; read them with {@link JsonNode#asLong()}.
 */
final class ClickHouseHttp {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI url;
    private final String user;
    private final String password;
    private final String database;

    ClickHouseHttp(URI url, String user, String password, String database) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.database = database;
    }

    List<JsonNode> query(String sql, Map<String, Object> parameters) {
        StringBuilder query = new StringBuilder("?database=").append(encode(database)).append("&default_format=JSONEachRow");
        parameters.forEach((name, value) -> query.append("&param_").append(name).append('=').append(encode(String.valueOf(value))));
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/" + query))
                .timeout(Duration.ofSeconds(30))
                .header("X-ClickHouse-User", user)
                .header("X-ClickHouse-Key", password)
                .POST(HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8))
                .build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new ApiError(503, "clickhouse_unavailable", "ClickHouse at " + url + " cannot be reached: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "interrupted", "interrupted while querying ClickHouse");
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                String error = new String(body.readNBytes(2000), StandardCharsets.UTF_8).strip();
                throw new ApiError(502, "clickhouse_error", "ClickHouse answered " + response.statusCode() + ": " + error);
            }
            List<JsonNode> rows = new ArrayList<>();
            BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            for (String line; (line = lines.readLine()) != null; ) {
                if (!line.isBlank()) {
                    rows.add(Json.mapper().readTree(line));
                }
            }
            return rows;
        } catch (IOException e) {
            throw new ApiError(502, "clickhouse_error", "cannot read ClickHouse's answer: " + e.getMessage());
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
