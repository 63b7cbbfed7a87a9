package io.reflow.capture;

import java.util.List;
import java.util.Map;

/**
 * An HTTP request as the endpoints see it, independent of the server library.
 *
 * @param path the path without query string
 * @param headers lower-case names
 * @param remoteIp the client address (see {@link ClientIp#of}: from X-Forwarded-For only behind a trusted proxy)
 * @param receivedAtMs when capture received the request
 */
record Request(String method, String path, Map<String, List<String>> query, Map<String, String> headers,
               byte[] body, String remoteIp, long receivedAtMs) {

    Request {
        query = Map.copyOf(query);
        headers = Map.copyOf(headers);
    }

    /** The first value of a query parameter, or null. */
    String query(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The route this request's path belongs to, as metrics name it. */
    String route() {
        return Router.route(path);
    }

    String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }
}
