package io.reflow.capture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A small HTTP/1.1 client for talking to a capture server in tests. */
final class HttpTestClient {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    HttpTestClient(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    HttpResponse<String> post(String pathAndQuery, byte[] body, Map<String, String> headers) {
        return join(postAsync(pathAndQuery, body, headers));
    }

    CompletableFuture<HttpResponse<String>> postAsync(String pathAndQuery, byte[] body, Map<String, String> headers) {
        return client.sendAsync(request(pathAndQuery, headers).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String pathAndQuery, Map<String, String> headers) {
        return join(client.sendAsync(request(pathAndQuery, headers).GET().build(), HttpResponse.BodyHandlers.ofString()));
    }

    HttpResponse<String> send(HttpRequest.Builder builder) {
        return join(client.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofString()));
    }

    HttpRequest.Builder request(String pathAndQuery, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(30));
        headers.forEach(b::header);
        return b;
    }

    /** The headers of a recorded request worth replaying (the HTTP client sets the rest itself). */
    static Map<String, String> replayable(Fixture f) {
        return Map.of("Content-Type", f.headers().get("content-type"), "Origin", f.headers().get("origin"));
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw e;
        }
    }
}
