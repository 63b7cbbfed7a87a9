package io.reflow.schemas;

import io.reflow.schemas.ShardedLayout.Kind;
import io.reflow.schemas.ShardedLayout.Placement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Derives the sharded variant from the single-node migrations and a {@link ShardedLayout}, so that there is one
 * source of columns, codecs, keys and views. Statement by statement:
 * <ul>
 *   <li>{@code CREATE TABLE t (...) ENGINE = XMergeTree(args) ...} of a table placed {@code sharded K}:
 *       {@code sharded_t} with {@code ReplicatedXMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', args)},
 *       then {@code writable_t} and {@code t}, both {@code Distributed('${CLUSTER}', currentDatabase(), 'sharded_t', K)};
 *       placed {@code replicated}: {@code t} with one replica set for the whole cluster
 *       ({@code '/clickhouse/tables/noshard/{database}/{table}', '{shard}-{replica}'}); placed {@code local}: unchanged.</li>
 *   <li>{@code CREATE TABLE ... ENGINE = Kafka}: unchanged (every node consumes its share of the partitions).</li>
 *   <li>{@code CREATE MATERIALIZED VIEW v TO t AS SELECT ... FROM s ...}: a view fed by Kafka (or any unsharded table)
 *       writes into {@code writable_t}; a view on a sharded table reads {@code sharded_s} and, when {@code t} is
 *       sharded, writes {@code sharded_t}: it runs on every shard for the rows of that shard.</li>
 *   <li>{@code ALTER TABLE t ...} of a sharded table: column changes go to {@code sharded_t}, {@code writable_t} and
 *       {@code t}; everything else (TTL, settings, indexes, projections) to {@code sharded_t} only.</li>
 * </ul>
 * Anything else (other engines, {@code CREATE TABLE ... AS}, joins in views, {@code DROP}, ...) stops the derivation
 * with the migration's name. Two variables change the shape and therefore the derived checksums:
 * {@code REPLICATION} = {@code replicated} (default) or {@code none} (plain MergeTree engines: shards without
 * replicas or Keeper; tables placed {@code replicated} are then fed on every node by a per-shard consumer group), and
 * {@code COLD_STORAGE} = {@code off} (default) or {@code on} (tables with a {@code cold_ttl} get
 * {@code storage_policy = '${COLD_STORAGE_POLICY}'} and a TTL moving parts to {@code '${COLD_VOLUME}'}
 * {@code ${COLD_AFTER_DAYS}} days after it).
 *
 * <p>No {@code ON CLUSTER}: the migrator applies the variant to every node, each keeping its own
 * {@code schema_migrations}, so a node added later is brought up the same way.
 */
public final class ShardedSchema {
    public static final String REPLICATION = "REPLICATION";
    public static final String COLD_STORAGE = "COLD_STORAGE";
    static final String SHARDED_PREFIX = "sharded_";
    static final String WRITABLE_PREFIX = "writable_";

    private static final String IDENTIFIER = "([A-Za-z_][A-Za-z0-9_]*)";
    private static final Pattern CREATE_TABLE = Pattern.compile(
            "(?is)^CREATE\\s+TABLE\\s+(IF\\s+NOT\\s+EXISTS\\s+)?" + IDENTIFIER + "\\s*(\\(|AS\\b)");
    private static final Pattern ENGINE = Pattern.compile("(?is)^\\s*ENGINE\\s*=\\s*" + IDENTIFIER + "\\s*");
    private static final Pattern CREATE_VIEW = Pattern.compile(
            "(?is)^CREATE\\s+MATERIALIZED\\s+VIEW\\s+(IF\\s+NOT\\s+EXISTS\\s+)?" + IDENTIFIER + "\\s+TO\\s+" + IDENTIFIER
                    + "\\s+AS\\s+(SELECT\\b.*)$");
    private static final Pattern ALTER_TABLE = Pattern.compile("(?is)^ALTER\\s+TABLE\\s+" + IDENTIFIER + "\\s+(.+)$");
    private static final Pattern FROM_TABLE = Pattern.compile("(?is)^FROM\\s+" + IDENTIFIER + "\\b");
    private static final Pattern BLANK_LINES = Pattern.compile("(?m)^[ \\t]*\\n");
    private static final Pattern GROUP_NAME = Pattern.compile("(?i)(kafka_group_name\\s*=\\s*')([^']*)(')");
    private static final List<String> COLUMN_COMMANDS = List.of("ADD COLUMN", "DROP COLUMN", "MODIFY COLUMN",
            "RENAME COLUMN", "COMMENT COLUMN", "CLEAR COLUMN");
    private static final List<String> LOCAL_COMMANDS = List.of("MODIFY TTL", "REMOVE TTL", "MATERIALIZE TTL",
            "MODIFY SETTING", "RESET SETTING", "ADD INDEX", "DROP INDEX", "MATERIALIZE INDEX", "CLEAR INDEX",
            "ADD PROJECTION", "DROP PROJECTION", "MATERIALIZE PROJECTION", "CLEAR PROJECTION", "MODIFY COMMENT");

    private ShardedSchema() {}

    /** Shape options read from the variables. */
    record Options(boolean replicated, boolean coldStorage) {
        static Options from(Map<String, String> variables) {
            String replication = variables.getOrDefault(REPLICATION, "replicated").strip().toLowerCase(Locale.ROOT);
            String cold = variables.getOrDefault(COLD_STORAGE, "off").strip().toLowerCase(Locale.ROOT);
            if (!replication.equals("replicated") && !replication.equals("none")) {
                throw new MigrationException(REPLICATION + " must be replicated or none, not '" + replication + "'");
            }
            if (!cold.equals("on") && !cold.equals("off")) {
                throw new MigrationException(COLD_STORAGE + " must be on or off, not '" + cold + "'");
            }
            return new Options(replication.equals("replicated"), cold.equals("on"));
        }

        String describe() {
            return REPLICATION + "=" + (replicated ? "replicated" : "none") + ", " + COLD_STORAGE + "=" + (coldStorage ? "on" : "off");
        }
    }

    /**
     * The sharded migrations: same versions and names as {@code single}, derived SQL, checksums of the derived SQL
     * (and, for a migration edited since its release, of the SQL derived from its released text, see {@link ReleasedText}).
     */
    public static List<Migration> derive(List<Migration> single, ShardedLayout layout, Map<String, String> variables) {
        Options options = Options.from(variables);
        List<String> current = deriveTemplates(single, layout, options);
        List<String> released = deriveTemplates(single.stream().map(Migration::asReleased).toList(), layout, options);
        List<Migration> derived = new ArrayList<>();
        for (int i = 0; i < single.size(); i++) {
            Migration migration = single.get(i);
            derived.add(Migration.derived(migration.version(), migration.name(), current.get(i), released.get(i)));
        }
        return derived;
    }

    private static List<String> deriveTemplates(List<Migration> single, ShardedLayout layout, Options options) {
        Set<String> perNodeConsumers = options.replicated() ? Set.of() : kafkaTablesFeedingReplicatedTables(single, layout);
        Map<String, Created> created = new HashMap<>();
        List<String> derived = new ArrayList<>();
        for (Migration migration : single) {
            Deriver deriver = new Deriver(migration.id(), layout, options, created, perNodeConsumers);
            List<String> statements = new ArrayList<>();
            for (String statement : SqlStatements.split(migration.template())) {
                for (String derivedStatement : deriver.derive(statement)) {
                    // the lines that held comments
                    statements.add(BLANK_LINES.matcher(derivedStatement).replaceAll(""));
                }
            }
            derived.add("-- " + migration.id() + ", sharded variant (" + options.describe()
                    + "): derived from the single-node migration with the sharded layout\n\n"
                    + String.join(";\n\n", statements) + ";\n");
        }
        return derived;
    }

    /** What an earlier statement created. */
    private record Created(boolean kafka, Placement placement) {}

    /**
     * Without replication, a table every node must hold entirely gets its rows from a consumer group of its own
     * per node, so the Kafka tables feeding such tables are found before any statement is derived.
     */
    private static Set<String> kafkaTablesFeedingReplicatedTables(List<Migration> single, ShardedLayout layout) {
        Set<String> kafka = new HashSet<>();
        Map<String, Set<Kind>> fedKinds = new HashMap<>();
        for (Migration migration : single) {
            for (String statement : SqlStatements.split(migration.template())) {
                Matcher table = CREATE_TABLE.matcher(statement);
                if (table.find() && table.group(3).equals("(")) {
                    int close = SqlScan.closingParen(statement, table.end(3) - 1);
                    Matcher engine = ENGINE.matcher(statement.substring(close + 1));
                    if (engine.find() && engine.group(1).equals("Kafka")) {
                        kafka.add(table.group(2));
                    }
                }
                Matcher view = CREATE_VIEW.matcher(statement);
                if (view.matches()) {
                    String source = sourceOf(view.group(4), migration.id());
                    layout.placement(view.group(3)).ifPresent(p ->
                            fedKinds.computeIfAbsent(source, s -> new HashSet<>()).add(p.kind()));
                }
            }
        }
        Set<String> perNode = new HashSet<>();
        for (String table : kafka) {
            Set<Kind> kinds = fedKinds.getOrDefault(table, Set.of());
            if (kinds.contains(Kind.REPLICATED)) {
                if (kinds.contains(Kind.SHARDED)) {
                    throw new MigrationException(table + " feeds both replicated and sharded tables, which needs"
                            + " REPLICATION=replicated (without it every node would have to consume the whole topic)");
                }
                perNode.add(table);
            }
        }
        return perNode;
    }

    private static String sourceOf(String select, String migration) {
        List<Integer> froms = SqlScan.topLevel(select, "FROM");
        if (froms.size() != 1 || SqlScan.firstTopLevel(select, "JOIN") >= 0) {
            throw new MigrationException(migration + ": a materialized view must read exactly one table (no joins,"
                    + " no unions) to be derived: " + SqlScan.abbreviate(select));
        }
        Matcher from = FROM_TABLE.matcher(select.substring(froms.get(0)));
        if (!from.find()) {
            throw new MigrationException(migration + ": cannot find the table the view reads: " + SqlScan.abbreviate(select));
        }
        return from.group(1);
    }

    /** Derives the statements of one migration, remembering what they create for the later ones. */
    private static final class Deriver {
        private final String migration;
        private final ShardedLayout layout;
        private final Options options;
        private final Map<String, Created> created;
        private final Set<String> perNodeConsumers;

        Deriver(String migration, ShardedLayout layout, Options options, Map<String, Created> created,
                Set<String> perNodeConsumers) {
            this.migration = migration;
            this.layout = layout;
            this.options = options;
            this.created = created;
            this.perNodeConsumers = perNodeConsumers;
        }

        List<String> derive(String statement) {
            Matcher table = CREATE_TABLE.matcher(statement);
            if (table.find()) {
                if (!table.group(3).equals("(")) {
                    throw refuse("CREATE TABLE ... AS", statement);
                }
                return createTable(statement, table.group(1) != null, table.group(2), table.end(3) - 1);
            }
            Matcher view = CREATE_VIEW.matcher(statement);
            if (view.matches()) {
                return List.of(createView(view.group(1) != null, view.group(2), view.group(3), view.group(4)));
            }
            Matcher alter = ALTER_TABLE.matcher(statement);
            if (alter.matches()) {
                return alterTable(alter.group(1), alter.group(2), statement);
            }
            throw refuse("this statement", statement);
        }

        private List<String> createTable(String statement, boolean ifNotExists, String name, int open) {
            int close = SqlScan.closingParen(statement, open);
            String columns = statement.substring(open, close + 1);
            String afterColumns = statement.substring(close + 1);
            Matcher engineMatch = ENGINE.matcher(afterColumns);
            if (!engineMatch.find()) {
                throw refuse("a table without ENGINE", statement);
            }
            String engine = engineMatch.group(1);
            String args = null;
            String tail = afterColumns.substring(engineMatch.end());
            if (tail.startsWith("(")) {
                int argsClose = SqlScan.closingParen(tail, 0);
                args = tail.substring(1, argsClose).strip();
                tail = tail.substring(argsClose + 1);
            }
            tail = tail.strip();
            String create = "CREATE TABLE " + (ifNotExists ? "IF NOT EXISTS " : "");
            if (engine.equals("Kafka")) {
                created.put(name, new Created(true, null));
                return List.of(perNodeConsumers.contains(name) ? perNodeGroup(statement) : statement);
            }
            if (!engine.endsWith("MergeTree") || engine.startsWith("Replicated")) {
                throw refuse("ENGINE = " + engine, statement);
            }
            Placement placement = layout.require(name, migration);
            created.put(name, new Created(false, placement));
            return switch (placement.kind()) {
                case LOCAL -> List.of(statement);
                case REPLICATED -> List.of(create + name + "\n" + columns + "\nENGINE = "
                        + engine(engine, args, "'/clickhouse/tables/noshard/{database}/{table}', '{shard}-{replica}'")
                        + "\n" + tail);
                case SHARDED -> {
                    String local = SHARDED_PREFIX + name;
                    String localTail = options.coldStorage() && placement.coldTtl() != null
                            ? withColdStorage(tail, placement.coldTtl(), statement) : tail;
                    String distributed = "\nENGINE = Distributed('${CLUSTER}', currentDatabase(), '" + local + "', "
                            + placement.shardingKey() + ")";
                    yield List.of(
                            create + local + "\n" + columns + "\nENGINE = "
                                    + engine(engine, args, "'/clickhouse/tables/{shard}/{database}/{table}', '{replica}'")
                                    + "\n" + localTail,
                            create + WRITABLE_PREFIX + name + " AS " + local + distributed,
                            create + name + " AS " + local + distributed);
                }
            };
        }

        private String engine(String engine, String args, String replicaArgs) {
            if (!options.replicated()) {
                return engine + (args == null ? "" : "(" + args + ")");
            }
            return "Replicated" + engine + "(" + replicaArgs + (args == null || args.isEmpty() ? "" : ", " + args) + ")";
        }

        private String perNodeGroup(String statement) {
            Matcher group = GROUP_NAME.matcher(statement);
            if (!group.find()) {
                throw refuse("a Kafka table without kafka_group_name", statement);
            }
            return group.replaceFirst(Matcher.quoteReplacement(group.group(1) + group.group(2) + "_{shard}" + group.group(3)));
        }

        /** Adds the move to the cold volume to the TTL clause (or a TTL clause) and the storage policy to SETTINGS. */
        private String withColdStorage(String tail, String coldTtl, String statement) {
            if (SqlScan.firstTopLevel(tail, "COMMENT") >= 0) {
                throw refuse("COLD_STORAGE=on with a table COMMENT", statement);
            }
            String move = coldTtl + " + INTERVAL ${COLD_AFTER_DAYS} DAY TO VOLUME '${COLD_VOLUME}'";
            int settings = SqlScan.firstTopLevel(tail, "SETTINGS");
            String beforeSettings = settings < 0 ? tail : tail.substring(0, settings).strip();
            String settingsClause = settings < 0 ? "" : tail.substring(settings).strip();
            if (SqlScan.firstTopLevel(beforeSettings, "TTL") >= 0) {
                String ttl = beforeSettings.substring(SqlScan.firstTopLevel(beforeSettings, "TTL"));
                if (SqlScan.firstTopLevel(ttl, "WHERE") >= 0 || SqlScan.firstTopLevel(ttl, "GROUP BY") >= 0) {
                    throw refuse("COLD_STORAGE=on with a TTL ... WHERE / GROUP BY", statement);
                }
                beforeSettings = beforeSettings + ",\n    " + move;
            } else {
                beforeSettings = beforeSettings + "\nTTL " + move;
            }
            String policy = "storage_policy = '${COLD_STORAGE_POLICY}'";
            settingsClause = settingsClause.isEmpty() ? "SETTINGS " + policy : settingsClause + ", " + policy;
            return beforeSettings + "\n" + settingsClause;
        }

        private String createView(boolean ifNotExists, String name, String target, String select) {
            String source = sourceOf(select, migration);
            Created from = created.get(source);
            Created to = created.get(target);
            if (from == null || to == null) {
                throw new MigrationException(migration + ": view " + name + " uses " + (from == null ? source : target)
                        + ", which no earlier migration creates");
            }
            boolean shardedSource = !from.kafka() && from.placement().kind() == Kind.SHARDED;
            boolean shardedTarget = !to.kafka() && to.placement().kind() == Kind.SHARDED;
            String derivedSelect = select;
            if (shardedSource) {
                int fromAt = SqlScan.firstTopLevel(select, "FROM");
                Matcher m = FROM_TABLE.matcher(select.substring(fromAt));
                m.find();
                derivedSelect = select.substring(0, fromAt) + "FROM " + SHARDED_PREFIX + source
                        + select.substring(fromAt + m.end());
            }
            String derivedTarget = !shardedTarget ? target : (shardedSource ? SHARDED_PREFIX : WRITABLE_PREFIX) + target;
            created.put(name, new Created(false, new Placement(Kind.LOCAL, null, null)));
            return "CREATE MATERIALIZED VIEW " + (ifNotExists ? "IF NOT EXISTS " : "") + name + " TO " + derivedTarget
                    + " AS\n" + derivedSelect;
        }

        private List<String> alterTable(String name, String commands, String statement) {
            Created table = created.get(name);
            if (table == null) {
                throw new MigrationException(migration + " alters " + name + ", which no earlier migration creates");
            }
            if (table.kafka() || table.placement().kind() != Kind.SHARDED) {
                return List.of(statement);
            }
            String local = SHARDED_PREFIX + name;
            if (startsWithAny(commands, List.of("MODIFY TTL"))) {
                // a TTL list has commas of its own: MODIFY TTL is the only command of its statement
                String ttl = commands;
                if (options.coldStorage() && table.placement().coldTtl() != null) {
                    ttl = ttl + ",\n    " + table.placement().coldTtl()
                            + " + INTERVAL ${COLD_AFTER_DAYS} DAY TO VOLUME '${COLD_VOLUME}'";
                }
                return List.of("ALTER TABLE " + local + "\n    " + ttl);
            }
            List<String> parts = SqlScan.splitTopLevel(commands, ',');
            if (parts.stream().allMatch(p -> startsWithAny(p, LOCAL_COMMANDS))) {
                return List.of("ALTER TABLE " + local + "\n    " + commands);
            }
            if (parts.stream().allMatch(p -> startsWithAny(p, COLUMN_COMMANDS))) {
                return List.of("ALTER TABLE " + local + "\n    " + commands,
                        "ALTER TABLE " + WRITABLE_PREFIX + name + "\n    " + commands,
                        "ALTER TABLE " + name + "\n    " + commands);
            }
            throw refuse("an ALTER mixing column changes with other changes, or an unknown ALTER command", statement);
        }

        private static boolean startsWithAny(String text, List<String> keywords) {
            return keywords.stream().anyMatch(k -> SqlScan.wordsAt(text, 0, k.split(" ")) >= 0);
        }

        private MigrationException refuse(String what, String statement) {
            return new MigrationException(migration + ": the sharded variant cannot be derived from " + what
                    + "; write it so it can, or extend io.reflow.schemas.ShardedSchema: " + SqlScan.abbreviate(statement));
        }
    }
}
