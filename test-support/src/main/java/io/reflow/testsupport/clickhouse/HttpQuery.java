package io.reflow.testsupport.clickhouse;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One request to ClickHouse's HTTP interface, reduced to what the engine needs: the statement (the {@code query}
 * parameter followed by the body, as ClickHouse concatenates them), the session state it runs in, and how the
 * response is to be encoded.
 *
 * @param sql              statement text, possibly followed by inline INSERT data (binary-safe)
 * @param database         current database for the statement
 * @param defaultFormat    output format unless the statement names one
 * @param queryId          echoed in X-ClickHouse-Query-Id
 * @param settings         query-level settings from URL parameters, applied with SET before the statement; for GET
 *                         requests they end with {@code readonly} (2, or 1 if asked), as ClickHouse does
 * @param parameters       {@code {name:Type}} substitutions from {@code param_name} URL parameters
 * @param compressResponse {@code compress=1}: ClickHouse's compressed block framing
 * @param httpEncoding     the Content-Encoding of the response (gzip, deflate or lz4) when
 *                         {@code enable_http_compression=1} and the client accepts one of them, else null
 */
record HttpQuery(byte[] sql, String database, String defaultFormat, String queryId, Map<String, String> settings,
                 Map<String, String> parameters, boolean compressResponse, String httpEncoding) {

    /** URL parameters that steer the HTTP layer rather than name a setting. */
    private static final Set<String> NOT_SETTINGS = Set.of("query", "database", "default_format", "query_id", "user",
            "password", "quota_key", "compress", "decompress", "session_id", "session_timeout", "session_check",
            "close_session", "client_protocol_version", "buffer_size", "wait_end_of_query", "stacktrace", "role",
            "enable_http_compression", "http_zlib_compression_level", "send_progress_in_http_headers",
            "http_headers_progress_interval_ms", "http_wait_end_of_query", "http_response_buffer_size");
    static final Set<String> SUPPORTED_ENCODINGS = Set.of("gzip", "deflate", "lz4");
    private static final Pattern FORMAT_CLAUSE = Pattern.compile("(?is).*\\bFORMAT\\s+`?([A-Za-z0-9_]+)`?\\s*;?\\s*$");
    private static final Pattern INSERT = Pattern.compile("(?is)^\\s*(?:--[^\\n]*\\n\\s*|/\\*.*?\\*/\\s*)*INSERT\\b");

    /**
     * @param headers request headers by lower-case name (first value)
     * @param body    the request body, already decoded from any Content-Encoding / compressed framing
     */
    static HttpQuery of(String method, String rawQueryString, Function<String, String> headers, byte[] body) {
        Map<String, String> params = urlParameters(rawQueryString);
        String query = params.get("query");
        byte[] prefix = query == null || query.isEmpty() ? new byte[0] : (query + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] sql = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, sql, 0, prefix.length);
        System.arraycopy(body, 0, sql, prefix.length, body.length);

        Map<String, String> settings = new LinkedHashMap<>();
        Map<String, String> parameters = new LinkedHashMap<>();
        params.forEach((name, value) -> {
            if (name.startsWith("param_")) {
                parameters.put(name.substring("param_".length()), value);
            } else if (!NOT_SETTINGS.contains(name)) {
                settings.put(name, value);
            }
        });
        if ("GET".equalsIgnoreCase(method)) {
            String asked = settings.remove("readonly");
            settings.put("readonly", "1".equals(asked) ? "1" : "2");
        }
        String encoding = null;
        if (isTrue(params.get("enable_http_compression"))) {
            encoding = chooseEncoding(firstNonEmpty(headers.apply("accept-encoding"), ""));
        }
        return new HttpQuery(sql,
                firstNonEmpty(params.get("database"), headers.apply("x-clickhouse-database"), "default"),
                firstNonEmpty(params.get("default_format"), headers.apply("x-clickhouse-format"), "TabSeparated"),
                firstNonEmpty(params.get("query_id"), headers.apply("x-clickhouse-query-id"), UUID.randomUUID().toString()),
                settings, parameters,
                isTrue(params.get("compress")),
                encoding);
    }

    /** True if the client sends its body in ClickHouse's compressed block framing ({@code decompress=1}). */
    static boolean bodyIsCompressed(String rawQueryString) {
        return isTrue(urlParameters(rawQueryString).get("decompress"));
    }

    boolean isEmpty() {
        for (byte b : sql) {
            if (!Character.isWhitespace(b)) {
                return false;
            }
        }
        return true;
    }

    /** The format the result is written in: the statement's FORMAT clause, else the default format. */
    String outputFormat() {
        String text = new String(sql, 0, Math.min(sql.length, 64 * 1024), StandardCharsets.UTF_8);
        if (!INSERT.matcher(text).find()) { // an INSERT's FORMAT names its input
            Matcher m = FORMAT_CLAUSE.matcher(text);
            if (m.matches()) {
                return m.group(1);
            }
        }
        return defaultFormat;
    }

    /** The first of the client's accepted encodings that this server can produce. */
    private static String chooseEncoding(String acceptEncoding) {
        for (String item : acceptEncoding.split(",")) {
            String name = item.split(";")[0].trim().toLowerCase(Locale.ROOT);
            if (SUPPORTED_ENCODINGS.contains(name)) {
                return name;
            }
        }
        return null;
    }

    private static Map<String, String> urlParameters(String rawQueryString) {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQueryString == null || rawQueryString.isEmpty()) {
            return params;
        }
        for (String pair : rawQueryString.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(name, value);
        }
        return params;
    }

    private static boolean isTrue(String value) {
        return value != null && List.of("1", "true").contains(value.toLowerCase(Locale.ROOT));
    }

    private static String firstNonEmpty(String... values) {
        for (String v : values) {
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return null;
    }
}
