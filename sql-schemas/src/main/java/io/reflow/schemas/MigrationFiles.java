package io.reflow.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/** Finds the migrations of a variant: on the classpath ({@code clickhouse/<variant>/}) or in a directory. */
public final class MigrationFiles {
    private static final String ROOT = "clickhouse/";

    private MigrationFiles() {}

    /**
     * The migrations shipped with this module, in version order: for {@link Variant#SINGLE} the files, for
     * {@link Variant#SHARDED} those derived from them with the bundled layout and default shape options (the migrator
     * derives them again with the variables of the run, see {@link ShardedSchema}).
     */
    public static List<Migration> bundled(Variant variant) {
        return switch (variant) {
            case SINGLE -> sources();
            case SHARDED -> ShardedSchema.derive(sources(), ShardedLayout.bundled(), SqlTemplate.defaults());
        };
    }

    /** The single-node migration files, the source of both variants. */
    public static List<Migration> sources() {
        String folder = ROOT + Variant.SINGLE.directory() + "/";
        URL url = MigrationFiles.class.getClassLoader().getResource(folder);
        if (url == null) {
            return List.of();
        }
        try {
            return switch (url.getProtocol()) {
                case "file" -> inDirectory(Path.of(url.toURI()));
                case "jar" -> inJar(((JarURLConnection) url.openConnection()).getJarFile(), folder);
                default -> throw new MigrationException("cannot list migrations at " + url);
            };
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read migrations at " + url, e);
        } catch (URISyntaxException e) {
            throw new MigrationException("cannot read migrations at " + url, e);
        }
    }

    /** The {@code NNNN_name.sql} files of {@code directory}, in version order. */
    public static List<Migration> inDirectory(Path directory) {
        List<Migration> migrations = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.toList()) {
                String fileName = file.getFileName().toString();
                if (Migration.isMigrationFile(fileName)) {
                    migrations.add(Migration.of(fileName, Files.readString(file, StandardCharsets.UTF_8)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read migrations in " + directory, e);
        }
        return inVersionOrder(migrations);
    }

    private static List<Migration> inJar(JarFile jar, String folder) throws IOException {
        List<Migration> migrations = new ArrayList<>();
        for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
            JarEntry entry = entries.nextElement();
            String name = entry.getName();
            if (name.startsWith(folder) && name.indexOf('/', folder.length()) < 0
                    && Migration.isMigrationFile(name.substring(folder.length()))) {
                try (InputStream in = jar.getInputStream(entry)) {
                    migrations.add(Migration.of(name.substring(folder.length()),
                            new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                }
            }
        }
        return inVersionOrder(migrations);
    }

    private static List<Migration> inVersionOrder(List<Migration> migrations) {
        Map<Integer, Migration> byVersion = new HashMap<>();
        for (Migration m : migrations) {
            Migration other = byVersion.put(m.version(), m);
            if (other != null) {
                throw new MigrationException("two migrations with version " + m.version() + ": " + other.id() + ", " + m.id());
            }
        }
        return migrations.stream().sorted(Comparator.comparingInt(Migration::version)).toList();
    }
}
