package io.reflow.contracts;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The zstd dictionaries blocks may be compressed with, by id: those shipped with the product (resources
 * {@code io/reflow/contracts/zstd/*.dict}, listed in {@code dictionaries.txt}, the last line being the one new
 * blocks use) and any {@code *.dict} files in the directory {@code REFLOW_ZSTD_DICTIONARIES} names (dictionaries an
 * operator retrained on their own traffic). A dictionary is never removed while blocks compressed with it are kept.
 */
public final class BlockDictionaries {
    public static final String ENV = "REFLOW_ZSTD_DICTIONARIES";
    private static final String RESOURCE_DIR = "io/reflow/contracts/zstd/";
    private static final BlockDictionaries DEFAULT = load(Optional.ofNullable(System.getenv(ENV)).map(Path::of).orElse(null));

    private final Map<Long, BlockDictionary> byId;
    private final Map<String, BlockDictionary> byName;
    private final BlockDictionary shippedCurrent;

    private BlockDictionaries(Map<Long, BlockDictionary> byId, Map<String, BlockDictionary> byName, BlockDictionary shippedCurrent) {
        this.byId = byId;
        this.byName = byName;
        this.shippedCurrent = shippedCurrent;
    }

    /** The shipped dictionaries plus those in {@code $REFLOW_ZSTD_DICTIONARIES}. */
    public static BlockDictionaries standard() {
        return DEFAULT;
    }

    /** The shipped dictionaries plus the {@code *.dict} files of {@code extraDir} (may be null). */
    public static BlockDictionaries load(Path extraDir) {
        Map<Long, BlockDictionary> byId = new LinkedHashMap<>();
        Map<String, BlockDictionary> byName = new LinkedHashMap<>();
        BlockDictionary current = null;
        for (String name : shippedNames()) {
            current = add(byId, byName, new BlockDictionary(name, resource(RESOURCE_DIR + name + ".dict")));
        }
        if (extraDir != null && Files.isDirectory(extraDir)) {
            try (Stream<Path> files = Files.list(extraDir)) {
                for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".dict")).sorted().toList()) {
                    String name = f.getFileName().toString().replaceFirst("\\.dict$", "");
                    add(byId, byName, new BlockDictionary(name, Files.readAllBytes(f)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read dictionaries in " + extraDir, e);
            }
        }
        return new BlockDictionaries(Map.copyOf(byId), Map.copyOf(byName), current);
    }

    /** The dictionary new blocks use by default: the newest shipped one. */
    public BlockDictionary current() {
        if (shippedCurrent == null) {
            throw new IllegalStateException("no zstd dictionary is shipped");
        }
        return shippedCurrent;
    }

    /** A dictionary by name ({@code none} for plain zstd, which gives an empty result). */
    public Optional<BlockDictionary> named(String name) {
        if ("none".equals(name)) {
            return Optional.empty();
        }
        BlockDictionary d = byName.get(name);
        if (d == null) {
            throw new IllegalArgumentException("no zstd dictionary named " + name + " (known: " + byName.keySet() + ", none)");
        }
        return Optional.of(d);
    }

    /** The dictionary a zstd frame needs, from the id in its header (null when it was compressed without one). */
    public BlockDictionary forFrame(byte[] frameStart) {
        long id = Zstd.getDictIdFromFrame(frameStart);
        if (id == 0) {
            return null;
        }
        BlockDictionary d = byId.get(id);
        if (d == null) {
            throw new IllegalArgumentException("the block needs zstd dictionary " + id + ", which is not installed (known: "
                    + byId.keySet() + "; see " + ENV + ")");
        }
        return d;
    }

    public Collection<BlockDictionary> all() {
        return byId.values();
    }

    private static BlockDictionary add(Map<Long, BlockDictionary> byId, Map<String, BlockDictionary> byName, BlockDictionary d) {
        BlockDictionary clash = byId.putIfAbsent(d.id(), d);
        if (clash != null && !java.util.Arrays.equals(clash.bytes(), d.bytes())) {
            throw new IllegalStateException("dictionaries " + clash.name() + " and " + d.name() + " share id " + d.id());
        }
        byName.put(d.name(), d);
        return d;
    }

    private static String[] shippedNames() {
        String index = new String(resource(RESOURCE_DIR + "dictionaries.txt"), StandardCharsets.UTF_8);
        return index.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toArray(String[]::new);
    }

    private static byte[] resource(String name) {
        try (InputStream in = BlockDictionaries.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
