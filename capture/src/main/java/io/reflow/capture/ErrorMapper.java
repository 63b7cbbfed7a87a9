package io.reflow.capture;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where a failure becomes an HTTP answer: {@code {"type":"…","code":"…","detail":"…"}}. */
final class ErrorMapper {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

    private ErrorMapper() {}

    static Reply toReply(Throwable failure) {
        Throwable t = unwrap(failure);
        if (!(t instanceof CaptureException e)) {
            LOG.error("unexpected failure while handling a request", t);
            return body(500, "internal_error", "internal error");
        }
        if (e.status() >= 500) {
            LOG.warn("answering {} {}: {}", e.status(), e.code(), e.getCause() == null ? e.detail() : e.getCause().toString());
        }
        Reply reply = body(e.status(), e.code(), e.detail());
        return e.status() == 503 ? reply.withHeader("Retry-After", Integer.toString(CaptureException.RETRY_AFTER_SECONDS)) : reply;
    }

    /** The {@code code} the answer to {@code failure} carries: the reason a request was refused, for metrics. */
    static String reason(Throwable failure) {
        return unwrap(failure) instanceof CaptureException e ? e.code() : "internal_error";
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static Reply body(int status, String code, String detail) {
        Map<String, String> json = new LinkedHashMap<>();
        json.put("type", type(status));
        json.put("code", code);
        json.put("detail", detail);
        return Reply.json(status, json);
    }

    private static String type(int status) {
        if (status >= 500) {
            return "server_error";
        }
        if (status == 401 || status == 403) {
            return "authentication_error";
        }
        if (status == 404 || status == 405) {
            return "invalid_request";
        }
        return "validation_error";
    }
}
