package io.reflow.testsupport.clickhouse;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * ClickHouse's HTTP interface (the part clients use: {@code /}, {@code /ping}) on top of chDB. Errors are answered
 * as ClickHouse does: HTTP 500, the exception text as body, its code in X-ClickHouse-Exception-Code.
 */
final class ClickHouseHttpHandler implements HttpHandler {
    private static final int UNKNOWN_EXCEPTION = 1002;
    private static final int SYNTAX_ERROR = 62;
    private static final int CANNOT_DECOMPRESS = 271;
    private final SerialQueryRunner runner;
    private final ServerIdentity identity;

    ClickHouseHttpHandler(SerialQueryRunner runner, ServerIdentity identity) {
        this.runner = runner;
        this.identity = identity;
    }

    /** What the server says about itself in every response. */
    record ServerIdentity(String displayName, String timezone) {}

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        long started = System.nanoTime();
        int status = 0;
        String description = "";
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals("/ping") || path.equals("/replicas_status")) {
                status = send(exchange, 200, "text/html; charset=UTF-8", "Ok.\n".getBytes(StandardCharsets.UTF_8), null);
                return;
            }
            if (!path.equals("/") || !(method.equals("GET") || method.equals("POST"))) {
                status = send(exchange, 404, "text/plain; charset=UTF-8",
                        ("There is no handle " + path + "\n").getBytes(StandardCharsets.UTF_8), null);
                return;
            }
            HttpQuery query;
            try {
                byte[] body = readBody(exchange);
                Headers headers = exchange.getRequestHeaders();
                query = HttpQuery.of(method, exchange.getRequestURI().getRawQuery(),
                        name -> headers.getFirst(name), body);
            } catch (IOException e) {
                status = sendError(exchange, null, new ChdbQueryException("Code: " + CANNOT_DECOMPRESS
                        + ". DB::Exception: Cannot read request body: " + e.getMessage() + ". (CANNOT_DECOMPRESS)"));
                return;
            }
            if (query.isEmpty()) {
                if (method.equals("GET")) {
                    status = send(exchange, 200, "text/html; charset=UTF-8", "Ok.\n".getBytes(StandardCharsets.UTF_8), null);
                } else {
                    status = sendError(exchange, query, new ChdbQueryException(
                            "Code: " + SYNTAX_ERROR + ". DB::Exception: Empty query. (SYNTAX_ERROR)"));
                }
                return;
            }
            description = describe(query);
            try {
                ChdbResult result = runner.run(query);
                status = sendResult(exchange, query, result);
            } catch (ChdbQueryException e) {
                status = sendError(exchange, query, e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            e.printStackTrace();
            status = sendUnexpected(exchange, e);
        } finally {
            System.out.printf("%s %s -> %d in %.1f ms %s%n", exchange.getRequestMethod(), exchange.getRequestURI(),
                    status, (System.nanoTime() - started) / 1e6, description);
        }
    }

    private int sendResult(HttpExchange exchange, HttpQuery query, ChdbResult result) throws IOException {
        String format = query.outputFormat();
        Headers h = exchange.getResponseHeaders();
        h.set("X-ClickHouse-Query-Id", query.queryId());
        h.set("X-ClickHouse-Format", format);
        h.set("X-ClickHouse-Timezone", identity.timezone());
        h.set("X-ClickHouse-Server-Display-Name", identity.displayName());
        h.set("X-ClickHouse-Summary", String.format(Locale.ROOT,
                "{\"read_rows\":\"%d\",\"read_bytes\":\"%d\",\"written_rows\":\"%d\",\"written_bytes\":\"%d\","
                        + "\"total_rows_to_read\":\"%d\",\"result_rows\":\"%d\",\"result_bytes\":\"%d\",\"elapsed_ns\":\"%d\"}",
                result.readRows(), result.readBytes(), result.writtenRows(), result.writtenBytes(),
                result.readRows(), result.resultRows(), result.resultBytes(), result.elapsedNanos()));
        byte[] body = result.data();
        if (query.compressResponse()) {
            ByteArrayOutputStream framed = new ByteArrayOutputStream(body.length + 64);
            CompressedBlocks.write(body, framed);
            body = framed.toByteArray();
        }
        return send(exchange, 200, contentType(format), body, query.httpEncoding());
    }

    private int sendError(HttpExchange exchange, HttpQuery query, ChdbQueryException e) throws IOException {
        Headers h = exchange.getResponseHeaders();
        if (query != null) {
            h.set("X-ClickHouse-Query-Id", query.queryId());
        }
        h.set("X-ClickHouse-Server-Display-Name", identity.displayName());
        h.set("X-ClickHouse-Exception-Code", String.valueOf(e.code() == 0 ? UNKNOWN_EXCEPTION : e.code()));
        String message = e.getMessage().startsWith("Code:") ? e.getMessage()
                : "Code: " + UNKNOWN_EXCEPTION + ". DB::Exception: " + e.getMessage();
        // never compressed: clients read error bodies as plain text
        return send(exchange, 500, "text/plain; charset=UTF-8", (message + "\n").getBytes(StandardCharsets.UTF_8), null);
    }

    /** A bug here rather than an error of the query: answer 500 unless the response has already begun. */
    private int sendUnexpected(HttpExchange exchange, RuntimeException e) {
        try {
            return sendError(exchange, null, new ChdbQueryException("Code: " + UNKNOWN_EXCEPTION
                    + ". DB::Exception: " + e + ". (UNKNOWN_EXCEPTION)"));
        } catch (IOException | RuntimeException ignored) {
            return 500;
        }
    }

    private static int send(HttpExchange exchange, int status, String contentType, byte[] body, String encoding)
            throws IOException {
        Headers h = exchange.getResponseHeaders();
        h.set("Content-Type", contentType);
        if (encoding != null) {
            h.set("Content-Encoding", encoding);
            body = encode(body, encoding);
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        return status;
    }

    private static byte[] encode(byte[] body, String encoding) throws IOException {
        ByteArrayOutputStream encoded = new ByteArrayOutputStream(body.length / 2 + 64);
        switch (encoding) {
            case "lz4" -> Lz4Frames.write(body, encoded);
            case "gzip" -> {
                try (OutputStream out = new GZIPOutputStream(encoded)) {
                    out.write(body);
                }
            }
            case "deflate" -> {
                try (OutputStream out = new DeflaterOutputStream(encoded)) {
                    out.write(body);
                }
            }
            default -> throw new IllegalArgumentException(encoding);
        }
        return encoded.toByteArray();
    }

    private static byte[] readBody(HttpExchange exchange) throws IOException {
        InputStream in = exchange.getRequestBody();
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        if (encoding != null) {
            switch (encoding.trim().toLowerCase(Locale.ROOT)) {
                case "gzip" -> in = new GZIPInputStream(in);
                case "deflate" -> in = new InflaterInputStream(in);
                case "lz4" -> in = new java.io.ByteArrayInputStream(Lz4Frames.read(in));
                case "", "identity" -> { }
                default -> throw new IOException("unsupported Content-Encoding '" + encoding + "' (gzip, deflate and lz4 are)");
            }
        }
        if (HttpQuery.bodyIsCompressed(exchange.getRequestURI().getRawQuery())) {
            return CompressedBlocks.read(in);
        }
        return in.readAllBytes();
    }

    private static String contentType(String format) {
        String f = format.toLowerCase(Locale.ROOT);
        if (f.startsWith("tabseparated") || f.startsWith("tsv")) {
            return "text/tab-separated-values; charset=UTF-8";
        } else if (f.startsWith("csv")) {
            return "text/csv; charset=UTF-8";
        } else if (f.equals("jsoneachrow") || f.equals("jsonlines") || f.equals("ndjson")) {
            return "application/x-ndjson; charset=UTF-8";
        } else if (f.startsWith("json")) {
            return "application/json; charset=UTF-8";
        } else if (f.equals("xml")) {
            return "application/xml; charset=UTF-8";
        } else if (f.startsWith("pretty") || f.equals("vertical") || f.equals("markdown") || f.startsWith("values")) {
            return "text/plain; charset=UTF-8";
        }
        return "application/octet-stream";
    }

    private static String describe(HttpQuery query) {
        String text = new String(query.sql(), 0, Math.min(query.sql().length, 160), StandardCharsets.UTF_8)
                .replaceAll("\\s+", " ").replaceAll("[^\\x20-\\x7e]", "?");
        return "[db=" + query.database() + " fmt=" + query.outputFormat()
                + (query.settings().isEmpty() ? "" : " settings=" + query.settings())
                + (query.parameters().isEmpty() ? "" : " params=" + query.parameters().keySet())
                + (query.compressResponse() ? " compress" : "") + "] " + text;
    }
}
