package io.reflow.viewer;

/** A request the API refuses, answered as {@code {"type", "code", "detail"}} with its HTTP status. */
final class ApiError extends RuntimeException {
    private final int status;
    private final String code;

    ApiError(int status, String code, String detail) {
        super(detail);
        this.status = status;
        this.code = code;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    String type() {
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_denied";
            case 404 -> "not_found";
            default -> status >= 500 ? "server_error" : "validation_error";
        };
    }

    static ApiError badRequest(String code, String detail) {
        return new ApiError(400, code, detail);
    }

    static ApiError notFound(String detail) {
        return new ApiError(404, "not_found", detail);
    }
}
