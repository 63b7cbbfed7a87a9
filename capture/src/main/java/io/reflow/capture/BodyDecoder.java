package io.reflow.capture;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Turns a request body into the JSON bytes the client meant, whatever way posthog-js sent it:
 * gzip (recognised by its magic bytes, with or without {@code compression=gzip-js} or
 * {@code Content-Encoding: gzip}), a form body {@code data=<base64>} ({@code compression=base64},
 * beacons and legacy SDKs), lz-string ({@code compression=lz64}, old SDKs, in a form body or as the
 * whole body), plain JSON, or, for a body-less legacy pixel request, the {@code data} query parameter.
 * The decoded size limit is enforced while inflating, so a gzip or lz64 bomb is refused after at
 * most {@code limit} bytes were produced.
 */
final class BodyDecoder {
    private static final byte[] FORM_DATA_PREFIX = "data=".getBytes(StandardCharsets.US_ASCII);

    private BodyDecoder() {}

    static byte[] decode(Request request, int limit) {
        byte[] body = request.body();
        String pixelData = body.length == 0 ? request.query("data") : null;
        if (body.length == 0 && pixelData == null) {
            throw CaptureException.badRequest("empty_body", "the request has no body");
        }
        String compression = lower(request.query("compression"));
        if ("lz64".equals(compression)) {
            return Lz64.decode(pixelData != null ? pixelData : lz64Text(request), limit);
        }
        String encoding = lower(request.header("content-encoding"));
        if (encoding != null && !encoding.equals("gzip") && !encoding.equals("identity")) {
            throw new CaptureException(415, "unsupported_encoding", "Content-Encoding " + encoding + " is not supported; use gzip");
        }
        byte[] bytes;
        if (pixelData != null) {
            bytes = dataField(pixelData);
        } else {
            // gzip first: a gzip body can never be a form, whatever its Content-Type claims (curl says form by default)
            bytes = !isGzip(body) && isForm(request) ? dataField(formField(body)) : body;
        }
        if (isGzip(bytes)) {
            return Gunzip.inflate(bytes, limit);
        }
        if ("gzip".equals(encoding)) {
            throw CaptureException.badRequest("invalid_gzip", "Content-Encoding is gzip but the body is not gzip data");
        }
        if (bytes.length > limit) {
            throw tooLarge(limit);
        }
        return bytes;
    }

    static boolean isGzip(byte[] b) {
        return Gunzip.isGzip(b);
    }

    private static boolean isForm(Request request) {
        String type = lower(request.header("content-type"));
        if (type != null && type.startsWith("application/x-www-form-urlencoded")) {
            return true;
        }
        byte[] body = request.body();
        if (body.length < FORM_DATA_PREFIX.length) {
            return false;
        }
        for (int i = 0; i < FORM_DATA_PREFIX.length; i++) {
            if (body[i] != FORM_DATA_PREFIX[i]) {
                return false;
            }
        }
        return true;
    }

    /** The lz-string text of an lz64 request: the {@code data} field of a form body, or the whole body. */
    private static String lz64Text(Request request) {
        return isForm(request) ? formField(request.body()) : new String(request.body(), StandardCharsets.ISO_8859_1).strip();
    }

    /** The {@code data} field of a form body, URL-decoded. */
    private static String formField(byte[] body) {
        try {
            return new QueryStringDecoder(new String(body, StandardCharsets.ISO_8859_1), false)
                    .parameters().getOrDefault("data", List.of()).stream().findFirst()
                    .orElseThrow(() -> CaptureException.badRequest("invalid_payload", "form body without a data field"));
        } catch (IllegalArgumentException e) {
            throw CaptureException.badRequest("invalid_payload", "the form body is not URL-encoded");
        }
    }

    /** A {@code data} value: base64 (PostHog's encoding) or, from some clients, JSON as is. */
    private static byte[] dataField(String data) {
        String trimmed = data.strip();
        if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
            return trimmed.getBytes(StandardCharsets.UTF_8);
        }
        // '+' arrives as a space when the client did not URL-encode it; URL-safe alphabet is accepted too.
        String b64 = trimmed.replace(' ', '+').replace('-', '+').replace('_', '/').replaceAll("[\\s=]", "");
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw CaptureException.badRequest("invalid_payload", "the data field is neither base64 nor JSON");
        }
    }

    private static CaptureException tooLarge(int limit) {
        return CaptureException.tooLarge("the decoded body is larger than this endpoint's limit of " + limit + " bytes");
    }

    private static String lower(String s) {
        return s == null ? null : s.trim().toLowerCase(Locale.ROOT);
    }
}
