package io.reflow.capture;

/**
 * Why capture refuses a request: an HTTP status, a machine-readable reason ({@code code}) and a
 * message for humans. {@link ErrorMapper} turns it into the response; nothing else builds error bodies.
 */
public final class CaptureException extends RuntimeException {
    /** Seconds a client is asked to wait before retrying a 503. */
    static final int RETRY_AFTER_SECONDS = 5;

    private final int status;
    private final String code;

    public CaptureException(int status, String code, String detail) {
        this(status, code, detail, null);
    }

    public CaptureException(int status, String code, String detail, Throwable cause) {
        super(detail, cause, false, false);
        this.status = status;
        this.code = code;
    }

    public static CaptureException badRequest(String code, String detail) {
        return new CaptureException(400, code, detail);
    }

    public static CaptureException unauthorized(String code, String detail) {
        return new CaptureException(401, code, detail);
    }

    public static CaptureException tooLarge(String detail) {
        return new CaptureException(413, "payload_too_large", detail);
    }

    public static CaptureException unavailable(String code, String detail, Throwable cause) {
        return new CaptureException(503, code, detail, cause);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String detail() {
        return getMessage();
    }
}
