package io.reflow.schemas;

import java.util.List;

/**
 * What a run did.
 *
 * @param applied       migrations applied by this run (in a dry run: the ones that would be)
 * @param alreadyThere  migrations the database had before
 * @param repointed     Kafka tables created again because their settings (brokers, topic, group, format, ...) changed,
 *                      each as {@code name (what changed)} (in a dry run: the ones that would be; see {@link KafkaTables})
 * @param renderedSql   in a dry run, the rendered SQL of {@code applied} and of the re-points; empty otherwise
 */
public record MigrationResult(List<Migration> applied, List<AppliedMigration> alreadyThere, List<String> repointed,
                              String renderedSql) {}
