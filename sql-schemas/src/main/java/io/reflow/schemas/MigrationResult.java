package io.reflow.schemas;

import java.util.List;

/**
 * What a run did.
 *
 * @param applied       migrations applied by this run (in a dry run: the ones that would be)
 * @param alreadyThere  migrations the database had before
 * @param renderedSql   in a dry run, the rendered SQL of {@code applied}; empty otherwise
 */
public record MigrationResult(List<Migration> applied, List<AppliedMigration> alreadyThere, String renderedSql) {}
