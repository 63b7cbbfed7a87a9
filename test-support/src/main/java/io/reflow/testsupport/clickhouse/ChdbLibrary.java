package io.reflow.testsupport.clickhouse;

import io.reflow.testsupport.Cache;
import io.reflow.testsupport.ChildProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * libchdb.so (ClickHouse as an embeddable library) from the npm package {@value #NPM_PACKAGE}, fetched on first
 * use with the ordinary npm client into {@code Cache.dir()/chdb/<version>/}.
 *
 * <p>Concurrent JVMs are safe: the fetch runs under a file lock, unpacks into a private temporary directory and
 * publishes it with one atomic rename, so a version directory is either absent or complete.
 */
public final class ChdbLibrary {
    public static final String NPM_PACKAGE = "@chdb/lib-linux-x64-gnu";
    public static final String VERSION = "26.7.3-stable.1";
    static final String FILE_NAME = "libchdb.so";
    private static final long FETCH_TIMEOUT_SECONDS = 900;
    private static final String STAGING = ".staging-";

    private ChdbLibrary() {}

    /** The library of {@link #VERSION}, fetched if it is not in the cache yet. */
    public static Path path() {
        return path(Cache.dir().resolve("chdb"), VERSION);
    }

    static synchronized Path path(Path chdbCacheDir, String version) {
        Path versionDir = chdbCacheDir.resolve(version);
        Path library = versionDir.resolve(FILE_NAME);
        if (Files.isRegularFile(library)) {
            return library;
        }
        try {
            Files.createDirectories(chdbCacheDir);
            try (FileChannel lockFile = FileChannel.open(chdbCacheDir.resolve(version + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockFile.lock()) {
                if (!Files.isRegularFile(library)) {
                    deleteAbandonedStaging(chdbCacheDir, version);
                    fetch(chdbCacheDir, version, versionDir);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fetch " + NPM_PACKAGE + "@" + version + " into " + chdbCacheDir, e);
        }
        if (!Files.isRegularFile(library)) {
            throw new IllegalStateException(versionDir + " exists but holds no " + FILE_NAME + "; delete it to fetch again");
        }
        return library;
    }

    private static void fetch(Path chdbCacheDir, String version, Path versionDir) throws IOException {
        String npm = findOnPath("npm", "The ClickHouse engine for tests (chDB) is fetched from the npm registry as "
                + NPM_PACKAGE + "@" + version + " with 'npm pack'; install Node.js/npm (e.g. apt-get install npm), or unpack"
                + " that package's " + FILE_NAME + " into " + versionDir + "/ yourself");
        Path staging = Files.createTempDirectory(chdbCacheDir, version + STAGING);
        try {
            Path log = staging.resolve("fetch.log");
            ChildProcess.runToCompletion("npm pack " + NPM_PACKAGE,
                    List.of(npm, "pack", NPM_PACKAGE + "@" + version, "--pack-destination", staging.toString(), "--silent"),
                    log, FETCH_TIMEOUT_SECONDS);
            Path tarball;
            try (Stream<Path> files = Files.list(staging)) {
                tarball = files.filter(p -> p.getFileName().toString().endsWith(".tgz")).findFirst()
                        .orElseThrow(() -> new IllegalStateException("npm pack left no .tgz in " + staging));
            }
            ChildProcess.runToCompletion("untar " + tarball.getFileName(),
                    List.of(findOnPath("tar", "It unpacks the chDB npm package."), "-xzf", tarball.toString(), "-C", staging.toString(), "package/" + FILE_NAME),
                    log, FETCH_TIMEOUT_SECONDS);
            Files.move(staging.resolve("package").resolve(FILE_NAME), staging.resolve(FILE_NAME));
            Files.delete(tarball);
            Files.delete(staging.resolve("package"));
            Files.delete(log);
            // temp dirs are private; the cache is meant to be shared like any other download cache
            Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwxr-xr-x"));
            try {
                Files.move(staging, versionDir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // a process that did not honour the lock (or an older layout) got there first: keep its copy
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the cache dir " + chdbCacheDir + " does not support atomic renames", e);
            }
        } finally {
            deleteRecursively(staging);
        }
    }

    /** Staging dirs are only written under the lock, so any found while holding it are left over from a crash. */
    private static void deleteAbandonedStaging(Path chdbCacheDir, String version) throws IOException {
        try (Stream<Path> entries = Files.list(chdbCacheDir)) {
            for (Path p : entries.filter(p -> p.getFileName().toString().startsWith(version + STAGING)).toList()) {
                deleteRecursively(p);
            }
        }
    }

    private static String findOnPath(String program, String why) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(dir, program);
                if (Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        throw new IllegalStateException("'" + program + "' is not on the PATH. " + why);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
