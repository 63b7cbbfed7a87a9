package io.reflow.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ErrorMapperTest {

    @Test
    void captureExceptionsBecomeTheirStatusWithAJsonReason() {
        assertReply(ErrorMapper.toReply(CaptureException.badRequest("invalid_payload", "bad")), 400, "validation_error", "invalid_payload", "bad");
        assertReply(ErrorMapper.toReply(CaptureException.unauthorized("invalid_token", "who")), 401, "authentication_error", "invalid_token", "who");
        assertReply(ErrorMapper.toReply(CaptureException.tooLarge("big")), 413, "validation_error", "payload_too_large", "big");
        assertReply(ErrorMapper.toReply(new CaptureException(404, "not_found", "where")), 404, "invalid_request", "not_found", "where");
    }

    @Test
    void unavailableAsksToRetryLater() {
        Reply r = ErrorMapper.toReply(new CompletionException(CaptureException.unavailable("sink_unavailable", "later", new RuntimeException())));
        assertReply(r, 503, "server_error", "sink_unavailable", "later");
        assertThat(r.headers()).containsEntry("Retry-After", "5");
    }

    @Test
    void bugsAre500WithoutInternals() {
        Reply r = ErrorMapper.toReply(new CompletionException(new NullPointerException("secret detail")));
        assertReply(r, 500, "server_error", "internal_error", "internal error");
    }

    private static void assertReply(Reply r, int status, String type, String code, String detail) {
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.contentType()).isEqualTo("application/json");
        JsonNode body = Json.decode(r.body(), JsonNode.class);
        assertThat(body).isEqualTo(Json.mapper().createObjectNode().put("type", type).put("code", code).put("detail", detail));
    }
}
