package io.reflow.schemas;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps the Kafka engine tables of a database on the settings of the current run. A Kafka table keeps the brokers,
 * topic, consumer group, format and skip-broken limit it was created with, and {@code CREATE TABLE IF NOT EXISTS}
 * leaves an existing one alone; ClickHouse cannot {@code ALTER} them either. So after the migrations, every Kafka table
 * the migrations define is compared with what {@code system.tables} shows; one whose settings differ is dropped with
 * the materialized views reading it and created again, then its views (as the migrations define them; views the
 * migrations do not know as they were). Target tables
 * are not touched, and the consumer group's committed offsets stay in Kafka: a table re-pointed to the same topic and
 * group goes on where it was. A view of a Kafka table that the migrations define but the database lacks (a run that
 * died while re-pointing) is created as well.
 */
final class KafkaTables {
    private static final String IDENTIFIER = "([A-Za-z_][A-Za-z0-9_]*)";
    private static final Pattern CREATE_TABLE = Pattern.compile("(?is)^CREATE\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?" + IDENTIFIER + "\\s*\\(");
    private static final Pattern KAFKA_ENGINE = Pattern.compile("(?is)^\\s*ENGINE\\s*=\\s*Kafka\\b");
    private static final Pattern CREATE_VIEW = Pattern.compile("(?is)^CREATE\\s+MATERIALIZED\\s+VIEW\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?"
            + IDENTIFIER + "\\s+TO\\s+" + IDENTIFIER + "\\s+AS\\s+(SELECT\\b.*)$");
    private static final Pattern DROP = Pattern.compile("(?is)^DROP\\s+(?:TABLE|VIEW)\\s+(?:IF\\s+EXISTS\\s+)?" + IDENTIFIER + "\\b");
    private static final Pattern FROM_TABLE = Pattern.compile("(?is)^FROM\\s+" + IDENTIFIER + "\\b");
    private static final String HIDDEN = "[HIDDEN]";

    /** A Kafka table as the migrations define it: the rendered statement and its settings. */
    record Definition(String name, String statement, Map<String, String> settings) {}

    /** A view reading a Kafka table, as the migrations define it. */
    record View(String name, String source, String statement) {}

    /** What a run did, or in a dry run would do, to one Kafka table. */
    record Repoint(String table, String reason, List<String> statements) {}

    private final Map<String, Definition> tables;
    private final Map<String, View> views;

    private KafkaTables(Map<String, Definition> tables, Map<String, View> views) {
        this.tables = tables;
        this.views = views;
    }

    /** The Kafka tables and their views that {@code renderedStatements} (all migrations, in order) leave in place. */
    static KafkaTables definedBy(List<String> renderedStatements) {
        Map<String, Definition> tables = new LinkedHashMap<>();
        Map<String, View> views = new LinkedHashMap<>();
        for (String statement : renderedStatements) {
            Matcher table = CREATE_TABLE.matcher(statement);
            if (table.find()) {
                int close = SqlScan.closingParen(statement, table.end() - 1);
                String rest = statement.substring(close + 1);
                if (KAFKA_ENGINE.matcher(rest).find()) {
                    tables.put(table.group(1), new Definition(table.group(1), statement, settings(rest)));
                }
                continue;
            }
            Matcher view = CREATE_VIEW.matcher(statement);
            if (view.matches()) {
                sourceOf(view.group(3)).ifPresent(source -> views.put(view.group(1), new View(view.group(1), source, statement)));
                continue;
            }
            Matcher drop = DROP.matcher(statement);
            if (drop.find()) {
                tables.remove(drop.group(1));
                views.remove(drop.group(1));
            }
        }
        views.values().removeIf(v -> !tables.containsKey(v.source()));
        return new KafkaTables(tables, views);
    }

    Map<String, Definition> tables() {
        return tables;
    }

    /** The re-points {@code connection}'s database needs; runs them unless {@code dryRun}. */
    List<Repoint> reconcile(Connection connection, boolean dryRun) throws SQLException {
        List<Repoint> done = new ArrayList<>();
        for (Definition table : tables.values()) {
            Optional<String> live = createQuery(connection, table.name());
            if (live.isEmpty()) {
                continue; // not created yet (a dry run before the migrations)
            }
            List<String> statements = new ArrayList<>();
            String reason = differences(table.settings(), settings(afterColumns(live.get())));
            List<View> itsViews = views.values().stream().filter(v -> v.source().equals(table.name())).toList();
            if (!reason.isEmpty()) {
                List<String> liveViews = liveViewsOf(connection, table.name());
                for (String view : liveViews) {
                    statements.add("DROP VIEW IF EXISTS " + view + " SYNC");
                }
                statements.add("DROP TABLE IF EXISTS " + table.name() + " SYNC");
                statements.add(table.statement());
                itsViews.forEach(v -> statements.add(v.statement()));
                // views someone added by hand come back as they were
                for (String view : liveViews) {
                    if (itsViews.stream().noneMatch(v -> v.name().equals(view))) {
                        statements.add(createQuery(connection, view).orElseThrow());
                    }
                }
            } else {
                List<String> missing = itsViews.stream().filter(v -> !exists(connection, v.name())).map(View::statement).toList();
                if (missing.isEmpty()) {
                    continue;
                }
                reason = "views missing";
                statements.addAll(missing);
            }
            if (!dryRun) {
                for (String sql : statements) {
                    try (Statement s = connection.createStatement()) {
                        s.execute(sql);
                    } catch (SQLException e) {
                        throw new MigrationException("re-pointing Kafka table " + table.name() + " (" + reason + ") failed: "
                                + e.getMessage() + "\n" + sql, e);
                    }
                }
            }
            done.add(new Repoint(table.name(), reason, statements));
        }
        return done;
    }

    /** {@code setting: 'live' -> 'wanted'} for every difference, comma-separated; empty when they agree. */
    static String differences(Map<String, String> wanted, Map<String, String> live) {
        Map<String, String> all = new TreeMap<>(live);
        all.putAll(wanted);
        List<String> differences = new ArrayList<>();
        for (String key : all.keySet()) {
            String w = wanted.get(key);
            String l = live.get(key);
            if (HIDDEN.equals(l) || (w != null && w.equals(l))) {
                continue;
            }
            differences.add(key + ": " + (l == null ? "unset" : "'" + l + "'") + " -> " + (w == null ? "unset" : "'" + w + "'"));
        }
        return String.join(", ", differences);
    }

    /** The SETTINGS of a table's definition after its column list, names lower-cased, values unquoted. */
    static Map<String, String> settings(String afterColumns) {
        Map<String, String> settings = new TreeMap<>();
        int at = SqlScan.firstTopLevel(afterColumns, "SETTINGS");
        if (at < 0) {
            return settings;
        }
        for (String assignment : SqlScan.splitTopLevel(afterColumns.substring(at + "SETTINGS".length()), ',')) {
            int eq = assignment.indexOf('=');
            if (eq > 0) {
                String value = assignment.substring(eq + 1).strip();
                if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
                    value = value.substring(1, value.length() - 1).replace("\\'", "'");
                }
                settings.put(assignment.substring(0, eq).strip().toLowerCase(Locale.ROOT), value);
            }
        }
        return settings;
    }

    private static String afterColumns(String createQuery) {
        int open = createQuery.indexOf('(');
        return open < 0 ? createQuery : createQuery.substring(SqlScan.closingParen(createQuery, open) + 1);
    }

    private static Optional<String> sourceOf(String select) {
        List<Integer> froms = SqlScan.topLevel(select, "FROM");
        if (froms.size() != 1) {
            return Optional.empty();
        }
        Matcher from = FROM_TABLE.matcher(select.substring(froms.get(0)));
        return from.find() ? Optional.of(from.group(1)) : Optional.empty();
    }

    private static Optional<String> createQuery(Connection connection, String table) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT create_table_query FROM system.tables WHERE database = currentDatabase() AND name = ?")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private static boolean exists(Connection connection, String table) {
        try {
            return createQuery(connection, table).isPresent();
        } catch (SQLException e) {
            throw new MigrationException("cannot read system.tables: " + e.getMessage(), e);
        }
    }

    /** The materialized views of this database that read {@code table}, whether the migrations define them or not. */
    private static List<String> liveViewsOf(Connection connection, String table) throws SQLException {
        List<String> found = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT arrayJoin(arrayFilter((t, d) -> d = currentDatabase(),"
                + " dependencies_table, dependencies_database)) FROM system.tables WHERE database = currentDatabase() AND name = ?")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
        }
        return found;
    }
}
