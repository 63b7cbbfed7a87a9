package io.reflow.testsupport.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflow.testsupport.Cache;
import io.reflow.testsupport.ChildProcess;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A set of pinned npm packages installed with the machine's {@code npm} into
 * {@code Cache.dir()/node/<hash of the package list>/node_modules}, once per package list.
 *
 * <pre>{@code
 * NodePackages pkgs = NodePackages.install(NodePackages.POSTHOG_JS);
 * Path sdk = pkgs.file("posthog-js", "dist/array.full.no-external.js");
 * }</pre>
 *
 * <p>Concurrent JVMs are safe: the install runs under a file lock into a private staging directory that is
 * published with one atomic rename, so a package-list directory is either absent or complete. Packages are
 * installed with {@code --ignore-scripts} (nothing of theirs runs at install time) and must be pinned to an
 * exact version ({@code name@1.2.3}); a package that needs its install script cannot be used this way.
 */
public final class NodePackages {
    /** The browser SDK the fixtures were recorded with; ships {@code dist/array.full.no-external.js}. */
    public static final String POSTHOG_JS = "posthog-js@1.449.2";
    /**
     * Drives a system Chromium over CDP; never downloads browsers by itself. 1.61 is the newest release that
     * runs on Node 18, the nodejs of Debian 12 (later ones exit with "Playwright requires Node.js 20").
     */
    public static final String PLAYWRIGHT_CORE = "playwright-core@1.61.1";

    private static final long INSTALL_TIMEOUT_SECONDS = 900;
    private static final String STAGING = ".staging-";
    private static final String LAYOUT = "reflow-node-packages-v1";
    private static final Pattern EXACT_VERSION = Pattern.compile("\\d+\\.\\d+\\.\\d+([-+][0-9A-Za-z.+-]+)?");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final List<String> specs;

    private NodePackages(Path root, List<String> specs) {
        this.root = root;
        this.specs = specs;
    }

    /** Installs {@code specs} ({@code name@exact-version}, e.g. {@link #POSTHOG_JS}) unless they are cached already. */
    public static NodePackages install(String... specs) {
        return install(List.of(specs));
    }

    /** As {@link #install(String...)}. */
    public static NodePackages install(List<String> specs) {
        return install(Cache.dir().resolve("node"), specs);
    }

    static synchronized NodePackages install(Path nodeCacheDir, List<String> specs) {
        List<String> sorted = List.copyOf(new TreeSet<>(specs));
        if (sorted.isEmpty()) {
            throw new IllegalArgumentException("no packages to install");
        }
        sorted.forEach(NodePackages::validate);
        String hash = hash(sorted);
        Path root = nodeCacheDir.resolve(hash);
        NodePackages packages = new NodePackages(root, sorted);
        if (packages.complete()) {
            return packages;
        }
        try {
            Files.createDirectories(nodeCacheDir);
            try (FileChannel lockFile = FileChannel.open(nodeCacheDir.resolve(hash + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockFile.lock()) {
                if (!packages.complete()) {
                    deleteAbandonedStaging(nodeCacheDir, hash);
                    fetch(nodeCacheDir, hash, sorted, root);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install " + sorted + " into " + root, e);
        }
        if (!packages.complete()) {
            throw new IllegalStateException(root + " exists but does not hold " + sorted + "; delete it to install again");
        }
        return packages;
    }

    /** The directory holding {@code package.json} and {@code node_modules} (what Node resolves {@code require} from). */
    public Path root() {
        return root;
    }

    public Path nodeModules() {
        return root.resolve("node_modules");
    }

    /** The installed specs, sorted. */
    public List<String> specs() {
        return specs;
    }

    /** A file inside an installed package, e.g. {@code file("posthog-js", "dist/array.full.no-external.js")}; fails if absent. */
    public Path file(String packageName, String relativePath) {
        Path f = nodeModules().resolve(packageName).resolve(relativePath).normalize();
        if (!f.startsWith(nodeModules()) || !Files.isRegularFile(f)) {
            throw new IllegalArgumentException("no file " + relativePath + " in package " + packageName + " under " + nodeModules());
        }
        return f;
    }

    /** The {@code node} executable on the PATH; fails with what to install when there is none. */
    public static Path node() {
        return findOnPath("node", "The browser tests run a Node.js script (playwright-core); install Node.js"
                + " (bin/setup-machine, or apt-get install nodejs npm).");
    }

    /** The {@code npm} executable on the PATH; fails with what to install when there is none. */
    public static Path npm() {
        return findOnPath("npm", "npm packages for the browser tests are installed with the machine's npm; install it"
                + " (bin/setup-machine, or apt-get install npm).");
    }

    private boolean complete() {
        for (String spec : specs) {
            Path manifest = nodeModules().resolve(name(spec)).resolve("package.json");
            if (!Files.isRegularFile(manifest)) {
                return false;
            }
        }
        return true;
    }

    private static void fetch(Path nodeCacheDir, String hash, List<String> specs, Path root) throws IOException {
        Path npm = npm();
        Path staging = Files.createTempDirectory(nodeCacheDir, hash + STAGING);
        try {
            ObjectNode manifest = JSON.createObjectNode();
            manifest.put("name", "reflow-node-packages-" + hash);
            manifest.put("private", true);
            manifest.put("description", "installed by io.reflow.testsupport.browser.NodePackages");
            ObjectNode deps = manifest.putObject("dependencies");
            specs.forEach(s -> deps.put(name(s), version(s)));
            Files.write(staging.resolve("package.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
            Path log = staging.resolve("npm-install.log");
            ChildProcess.runToCompletion("npm install " + String.join(" ", specs),
                    List.of(npm.toString(), "install", "--no-audit", "--no-fund", "--ignore-scripts",
                            "--loglevel=warn", "--prefix", staging.toString()),
                    log, INSTALL_TIMEOUT_SECONDS);
            for (String spec : specs) {
                Path installed = staging.resolve("node_modules").resolve(name(spec)).resolve("package.json");
                if (!Files.isRegularFile(installed)) {
                    throw new IllegalStateException("npm install left no " + name(spec) + " in " + staging);
                }
                JsonNode v = JSON.readTree(installed.toFile()).get("version");
                if (v == null || !v.asText().equals(version(spec))) {
                    throw new IllegalStateException("npm installed " + name(spec) + "@" + v + " instead of " + spec);
                }
            }
            Files.writeString(staging.resolve("packages.txt"), LAYOUT + "\n" + String.join("\n", specs) + "\n",
                    StandardCharsets.UTF_8);
            // temp dirs are private; the cache is meant to be shared like any other download cache
            Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwxr-xr-x"));
            try {
                Files.move(staging, root, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // a process that did not honour the lock got there first: keep its copy
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the cache dir " + nodeCacheDir + " does not support atomic renames", e);
            }
        } finally {
            deleteRecursively(staging);
        }
    }

    private static void validate(String spec) {
        int at = spec.lastIndexOf('@');
        if (at <= 0 || !EXACT_VERSION.matcher(spec.substring(at + 1)).matches()) {
            throw new IllegalArgumentException("npm packages must be pinned to an exact version (name@1.2.3), got '" + spec + "'");
        }
    }

    static String name(String spec) {
        return spec.substring(0, spec.lastIndexOf('@'));
    }

    static String version(String spec) {
        return spec.substring(spec.lastIndexOf('@') + 1);
    }

    private static String hash(List<String> sortedSpecs) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((LAYOUT + "\n" + String.join("\n", sortedSpecs)).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Staging dirs are only written under the lock, so any found while holding it are left over from a crash. */
    private static void deleteAbandonedStaging(Path nodeCacheDir, String hash) throws IOException {
        try (Stream<Path> entries = Files.list(nodeCacheDir)) {
            for (Path p : entries.filter(p -> p.getFileName().toString().startsWith(hash + STAGING)).toList()) {
                deleteRecursively(p);
            }
        }
    }

    static Path findOnPath(String program, String why) {
        String path = System.getenv("PATH");
        List<String> dirs = new ArrayList<>();
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.add("/usr/bin");
        dirs.add("/usr/local/bin");
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("'" + program + "' is not on the PATH. " + why);
    }

    static void deleteRecursively(Path dir) throws IOException {
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
