package io.reflow.schemas;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One migration file, {@code NNNN_name.sql}: a SQL template (see {@link SqlTemplate}) holding one or more
 * statements separated by {@code ;}. The checksum is over the template, not the rendered SQL, so that
 * environments with different variables agree on it.
 */
public record Migration(int version, String name, String template, String checksum) {
    private static final Pattern FILE_NAME = Pattern.compile("(\\d{4,})_([A-Za-z0-9_]+)\\.sql");

    public static boolean isMigrationFile(String fileName) {
        return FILE_NAME.matcher(fileName).matches();
    }

    public static Migration of(String fileName, String template) {
        Matcher m = FILE_NAME.matcher(fileName);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + fileName + "' is not named NNNN_name.sql");
        }
        return new Migration(Integer.parseInt(m.group(1)), m.group(2), template, sha256(template));
    }

    /** A migration generated from another (the sharded variant from the single-node one); the checksum is of {@code template}. */
    public static Migration derived(int version, String name, String template) {
        return new Migration(version, name, template, sha256(template));
    }

    /** {@code 0001_session_replay_events} */
    public String id() {
        return String.format("%04d_%s", version, name);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
