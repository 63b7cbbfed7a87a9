package io.reflow.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Where each MergeTree-family table of the single-node schema lives in the sharded variant
 * ({@code clickhouse/sharded/layout.properties}, whose header explains the placements).
 */
public final class ShardedLayout {
    static final String BUNDLED = "clickhouse/sharded/layout.properties";
    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String COLD_TTL = ".cold_ttl";

    /** How a table is spread over the cluster. */
    public enum Kind { SHARDED, REPLICATED, LOCAL }

    /**
     * @param shardingKey for {@link Kind#SHARDED}: the Distributed tables' sharding expression
     * @param coldTtl     a Date/DateTime expression parts move to cold storage after (with COLD_STORAGE=on), or null
     */
    public record Placement(Kind kind, String shardingKey, String coldTtl) {}

    private final Map<String, Placement> tables;
    private final String source;

    private ShardedLayout(Map<String, Placement> tables, String source) {
        this.tables = tables;
        this.source = source;
    }

    /** The layout shipped with this module. */
    public static ShardedLayout bundled() {
        try (InputStream in = ShardedLayout.class.getClassLoader().getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new MigrationException(BUNDLED + " is not on the classpath");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), BUNDLED);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + BUNDLED, e);
        }
    }

    public static ShardedLayout read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static ShardedLayout parse(String text, String source) {
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> coldTtls = new TreeMap<>();
        Map<String, Placement> tables = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            String value = properties.getProperty(key).strip();
            if (key.endsWith(COLD_TTL)) {
                coldTtls.put(key.substring(0, key.length() - COLD_TTL.length()), value);
                continue;
            }
            if (!TABLE.matcher(key).matches()) {
                throw new MigrationException(source + ": '" + key + "' is not a table name");
            }
            String[] kindAndKey = value.split("\\s+", 2);
            Kind kind;
            try {
                kind = Kind.valueOf(kindAndKey[0].toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new MigrationException(source + ": " + key + " = " + value + " (expected sharded <key>, replicated or local)");
            }
            String shardingKey = kindAndKey.length > 1 ? kindAndKey[1].strip() : null;
            if ((kind == Kind.SHARDED) != (shardingKey != null)) {
                throw new MigrationException(source + ": " + key + " = " + value
                        + (kind == Kind.SHARDED ? " needs a sharding key" : " takes no sharding key"));
            }
            tables.put(key, new Placement(kind, shardingKey, null));
        }
        for (Map.Entry<String, String> cold : coldTtls.entrySet()) {
            Placement placement = tables.get(cold.getKey());
            if (placement == null || placement.kind() != Kind.SHARDED) {
                throw new MigrationException(source + ": " + cold.getKey() + COLD_TTL + " is only for sharded tables");
            }
            tables.put(cold.getKey(), new Placement(Kind.SHARDED, placement.shardingKey(), cold.getValue()));
        }
        return new ShardedLayout(Map.copyOf(tables), source);
    }

    public Optional<Placement> placement(String table) {
        return Optional.ofNullable(tables.get(table));
    }

    Placement require(String table, String migration) {
        return placement(table).orElseThrow(() -> new MigrationException(migration + " creates " + table
                + ", which " + source + " does not place: add '" + table + " = sharded <key> | replicated | local'"));
    }

    public Map<String, Placement> tables() {
        return tables;
    }
}
