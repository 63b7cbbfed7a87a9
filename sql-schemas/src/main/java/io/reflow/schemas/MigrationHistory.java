package io.reflow.schemas;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** The {@code schema_migrations} table: which migrations a database has, with the checksums they had. */
final class MigrationHistory {
    static final String TABLE = "schema_migrations";

    private final Connection connection;

    MigrationHistory(Connection connection) {
        this.connection = connection;
    }

    void create() throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " ("
                    + "version UInt32, name String, checksum String, variant LowCardinality(String),"
                    + " applied_at DateTime64(3, 'UTC') DEFAULT now64(3, 'UTC')"
                    + ") ENGINE = MergeTree ORDER BY version");
        }
    }

    /** What was applied, in version order; empty if the table does not exist yet. */
    List<AppliedMigration> applied() throws SQLException {
        List<AppliedMigration> applied = new ArrayList<>();
        try (Statement s = connection.createStatement()) {
            try (ResultSet exists = s.executeQuery("EXISTS TABLE " + TABLE)) {
                if (!exists.next() || exists.getInt(1) == 0) {
                    return applied;
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT version, name, checksum, variant FROM " + TABLE + " ORDER BY version")) {
                while (rs.next()) {
                    applied.add(new AppliedMigration(rs.getInt(1), rs.getString(2), rs.getString(3), Variant.parse(rs.getString(4))));
                }
            }
        }
        return applied;
    }

    void record(Migration migration, Variant variant) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT INTO " + TABLE + " (version, name, checksum, variant) VALUES (?, ?, ?, ?)")) {
            ps.setInt(1, migration.version());
            ps.setString(2, migration.name());
            ps.setString(3, migration.checksum());
            ps.setString(4, variant.directory());
            ps.executeUpdate();
        }
    }
}
