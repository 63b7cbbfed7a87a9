package io.reflow.schemas;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Applies ClickHouse migrations over JDBC, in version order, and records each in {@code schema_migrations} with
 * the checksum of its file. Refuses to run when a file changed after it was applied: a migration that ran is
 * history, changes go into a new one. Migrations are written to be re-runnable ({@code IF NOT EXISTS}), so a run
 * that fails halfway can simply be repeated. Run one migrator at a time: ClickHouse has no lock to serialize two.
 * The sharded variant ({@link ShardedSchema}) is applied to every node of the cluster, one run per node. After the
 * migrations, Kafka tables whose settings differ from this run's (other brokers, topics, group, format, skip-broken
 * limit) are created again with their views ({@link KafkaTables}); a checksum is over the template, not the rendered
 * SQL, so such a change is not a change of history.
 *
 * <pre>
 * java -jar reflow-sql-schemas-VERSION-migrator.jar --jdbc-url jdbc:clickhouse://host:8123/default [--variant single|sharded]
 *      [--var KAFKA_BROKERS=kafka:9092] [--var NAME=VALUE …] [--migrations-dir DIR] [--layout FILE] [--dry-run]
 * </pre>
 * Credentials: put {@code user}/{@code password} in the JDBC URL or set CLICKHOUSE_USER / CLICKHOUSE_PASSWORD.
 */
public final class Migrator {
    private Migrator() {}

    /** Applies the migrations bundled with this module, as {@code variant}. */
    public static MigrationResult apply(String jdbcUrl, Variant variant, Map<String, String> variables, boolean dryRun) {
        return apply(jdbcUrl, variant, MigrationFiles.sources(), ShardedLayout.bundled(), variables, dryRun);
    }

    /**
     * Applies {@code migrations} (single-node migrations, e.g. from {@link MigrationFiles#inDirectory}) as
     * {@code variant}; the sharded variant is derived from them with the bundled layout.
     */
    public static MigrationResult apply(String jdbcUrl, Variant variant, List<Migration> migrations,
                                        Map<String, String> variables, boolean dryRun) {
        return apply(jdbcUrl, variant, migrations, ShardedLayout.bundled(), variables, dryRun);
    }

    /**
     * Applies the single-node migrations {@code sources} as {@code variant} (the sharded one derived with
     * {@code layout}, see {@link ShardedSchema}). With {@code dryRun} nothing is changed and the rendered SQL of the
     * pending migrations is returned; a null {@code jdbcUrl} then means "all of them, without looking at a database".
     */
    public static MigrationResult apply(String jdbcUrl, Variant variant, List<Migration> sources, ShardedLayout layout,
                                        Map<String, String> variables, boolean dryRun) {
        Map<String, String> resolved = SqlTemplate.withDefaults(variables);
        List<Migration> migrations = variant == Variant.SHARDED ? ShardedSchema.derive(sources, layout, resolved) : sources;
        if (jdbcUrl == null) {
            if (!dryRun) {
                throw new MigrationException("a JDBC URL is needed unless it is a dry run");
            }
            return new MigrationResult(migrations, List.of(), List.of(), render(migrations, resolved));
        }
        try (Connection connection = DriverManager.getConnection(jdbcUrl, credentials())) {
            MigrationHistory history = new MigrationHistory(connection);
            List<AppliedMigration> applied = history.applied();
            List<Migration> pending = pending(migrations, applied, variant);
            // every variable known before anything runs
            List<String> allStatements = new ArrayList<>();
            for (Migration migration : migrations) {
                allStatements.addAll(SqlStatements.split(SqlTemplate.render(migration.template(), resolved, migration.id())));
            }
            KafkaTables kafkaTables = KafkaTables.definedBy(allStatements);
            if (dryRun) {
                List<KafkaTables.Repoint> repoints = kafkaTables.reconcile(connection, true);
                return new MigrationResult(pending, applied, describe(repoints), render(pending, resolved) + render(repoints));
            }
            history.create();
            for (Migration migration : pending) {
                execute(connection, migration, SqlTemplate.render(migration.template(), resolved, migration.id()));
                history.record(migration, variant);
            }
            List<KafkaTables.Repoint> repoints = kafkaTables.reconcile(connection, false);
            return new MigrationResult(pending, applied, describe(repoints), "");
        } catch (SQLException e) {
            throw new MigrationException("cannot read or write " + MigrationHistory.TABLE + " at " + jdbcUrl + ": " + e.getMessage(), e);
        }
    }

    private static List<String> describe(List<KafkaTables.Repoint> repoints) {
        return repoints.stream().map(r -> r.table() + " (" + r.reason() + ")").toList();
    }

    private static String render(List<KafkaTables.Repoint> repoints) {
        return repoints.stream()
                .map(r -> "\n-- re-point " + r.table() + " (" + r.reason() + ")\n" + String.join(";\n", r.statements()) + ";\n")
                .collect(Collectors.joining());
    }

    private static List<Migration> pending(List<Migration> migrations, List<AppliedMigration> applied, Variant variant) {
        Map<Integer, Migration> byVersion = new LinkedHashMap<>();
        migrations.forEach(m -> byVersion.put(m.version(), m));
        List<String> problems = new ArrayList<>();
        Set<Integer> done = new TreeSet<>();
        for (AppliedMigration a : applied) {
            done.add(a.version());
            Migration file = byVersion.get(a.version());
            if (a.variant() != variant) {
                problems.add(String.format("%04d_%s was applied as the %s variant, this run is %s",
                        a.version(), a.name(), a.variant().directory(), variant.directory()));
            } else if (file == null) {
                problems.add(String.format("%04d_%s was applied but there is no such migration file", a.version(), a.name()));
            } else if (!file.matches(a.checksum())) {
                problems.add(file.id() + " changed after it was applied (checksum " + a.checksum() + ", file now "
                        + file.checksum() + "); put the change into a new migration");
            }
        }
        if (!problems.isEmpty()) {
            throw new MigrationException("refusing to migrate:\n  " + String.join("\n  ", problems));
        }
        return migrations.stream().filter(m -> !done.contains(m.version())).toList();
    }

    private static void execute(Connection connection, Migration migration, String sql) {
        List<String> statements = SqlStatements.split(sql);
        for (int i = 0; i < statements.size(); i++) {
            try (Statement s = connection.createStatement()) {
                s.execute(statements.get(i));
            } catch (SQLException e) {
                throw new MigrationException(migration.id() + ", statement " + (i + 1) + " of " + statements.size()
                        + " failed: " + e.getMessage() + "\n" + statements.get(i), e);
            }
        }
    }

    private static String render(List<Migration> migrations, Map<String, String> variables) {
        return migrations.stream()
                .map(m -> "-- " + m.id() + "\n" + SqlTemplate.render(m.template(), variables, m.id()).strip() + "\n")
                .collect(Collectors.joining("\n"));
    }

    private static Properties credentials() {
        Properties properties = new Properties();
        String user = System.getenv("CLICKHOUSE_USER");
        String password = System.getenv("CLICKHOUSE_PASSWORD");
        if (user != null && !user.isEmpty()) {
            properties.setProperty("user", user);
        }
        if (password != null && !password.isEmpty()) {
            properties.setProperty("password", password);
        }
        return properties;
    }

    public static void main(String[] args) {
        // the JDBC driver logs through SLF4J; the CLI reports what matters itself, so without a logging backend on the
        // classpath (the migrator jar has none), no logging rather than SLF4J's "no providers" warning
        if (System.getProperty("slf4j.provider") == null
                && java.util.ServiceLoader.load(org.slf4j.spi.SLF4JServiceProvider.class).findFirst().isEmpty()) {
            System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
            if (System.getProperty("slf4j.internal.verbosity") == null) {
                System.setProperty("slf4j.internal.verbosity", "WARN");
            }
        }
        System.exit(run(args, System.out, System.err));
    }

    /** The CLI without the exit: 0 done, 1 refused or failed, 2 bad arguments. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        MigratorArguments arguments;
        try {
            arguments = MigratorArguments.parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println(MigratorArguments.USAGE);
            return 2;
        }
        try {
            List<Migration> sources = arguments.migrationsDir() != null
                    ? MigrationFiles.inDirectory(arguments.migrationsDir())
                    : MigrationFiles.sources();
            ShardedLayout layout = arguments.layout() != null ? ShardedLayout.read(arguments.layout()) : ShardedLayout.bundled();
            MigrationResult result = apply(arguments.jdbcUrl(), arguments.variant(), sources, layout,
                    arguments.variables(), arguments.dryRun());
            if (arguments.dryRun()) {
                out.print(result.renderedSql());
                out.println("-- dry run: " + result.applied().size() + " pending migration(s), "
                        + result.alreadyThere().size() + " already applied, " + result.repointed().size() + " Kafka table(s) to re-point");
            } else {
                result.applied().forEach(m -> out.println("applied " + m.id()));
                result.repointed().forEach(t -> out.println("re-pointed Kafka table " + t));
                out.println(result.applied().size() + " migration(s) applied, " + result.alreadyThere().size() + " already there"
                        + (result.repointed().isEmpty() ? "" : ", " + result.repointed().size() + " Kafka table(s) re-pointed"));
            }
            return 0;
        } catch (MigrationException e) {
            err.println(e.getMessage());
            return 1;
        }
    }
}
