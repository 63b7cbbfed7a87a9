package io.reflow.schemas;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Command line of {@link Migrator}. */
record MigratorArguments(String jdbcUrl, Variant variant, Map<String, String> variables, Path migrationsDir,
                         Path layout, boolean dryRun) {
    static final String USAGE = "usage: Migrator --jdbc-url URL [--variant single|sharded] [--var NAME=VALUE]..."
            + " [--migrations-dir DIR] [--layout FILE] [--dry-run]";

    static MigratorArguments parse(String[] args) {
        String jdbcUrl = null;
        Variant variant = Variant.SINGLE;
        Map<String, String> variables = new LinkedHashMap<>();
        Path migrationsDir = null;
        Path layout = null;
        boolean dryRun = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--dry-run" -> dryRun = true;
                case "--jdbc-url" -> jdbcUrl = value(args, ++i, arg);
                case "--variant" -> variant = Variant.parse(value(args, ++i, arg));
                case "--migrations-dir" -> migrationsDir = Path.of(value(args, ++i, arg));
                case "--layout" -> layout = Path.of(value(args, ++i, arg));
                case "--var" -> {
                    String assignment = value(args, ++i, arg);
                    int eq = assignment.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--var needs NAME=VALUE, got " + assignment);
                    }
                    variables.put(assignment.substring(0, eq), assignment.substring(eq + 1));
                }
                default -> throw new IllegalArgumentException("unknown argument " + arg);
            }
        }
        if (jdbcUrl == null && !dryRun) {
            throw new IllegalArgumentException("--jdbc-url is required (or --dry-run to only print the SQL)");
        }
        return new MigratorArguments(jdbcUrl, variant, variables, migrationsDir, layout, dryRun);
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }
}
