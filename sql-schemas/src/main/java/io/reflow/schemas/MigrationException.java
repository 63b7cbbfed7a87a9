package io.reflow.schemas;

/** Migrations cannot be applied as asked (changed checksums, unknown variables, a failing statement, …). */
public final class MigrationException extends RuntimeException {
    public MigrationException(String message) {
        super(message);
    }

    public MigrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
