package io.reflow.schemas;

/** A row of {@code schema_migrations}: a migration that was applied to this database. */
public record AppliedMigration(int version, String name, String checksum, Variant variant) {}
