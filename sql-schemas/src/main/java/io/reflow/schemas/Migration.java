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
 * environments with different variables agree on it (and a change of brokers or topics is not a change of history:
 * {@link KafkaTables} re-points existing Kafka tables instead).
 *
 * @param releasedChecksum the checksum of the text this migration was first released with, when it was edited since
 *                         without changing what it does (see {@link ReleasedText}); null when it was not
 */
public record Migration(int version, String name, String template, String checksum, String releasedChecksum) {
    private static final Pattern FILE_NAME = Pattern.compile("(\\d{4,})_([A-Za-z0-9_]+)\\.sql");

    public static boolean isMigrationFile(String fileName) {
        return FILE_NAME.matcher(fileName).matches();
    }

    public static Migration of(String fileName, String template) {
        Matcher m = FILE_NAME.matcher(fileName);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + fileName + "' is not named NNNN_name.sql");
        }
        int version = Integer.parseInt(m.group(1));
        String released = ReleasedText.of(version, template);
        return new Migration(version, m.group(2), template, sha256(template),
                released.equals(template) ? null : sha256(released));
    }

    /**
     * A migration generated from another (the sharded variant from the single-node one); the checksum is of
     * {@code template}, the released one of {@code releasedTemplate} (the same generation from the released text).
     */
    public static Migration derived(int version, String name, String template, String releasedTemplate) {
        return new Migration(version, name, template, sha256(template),
                releasedTemplate.equals(template) ? null : sha256(releasedTemplate));
    }

    /** This migration as it was first released: its template is the released text. */
    Migration asReleased() {
        return new Migration(version, name, ReleasedText.of(version, template), releasedChecksum != null ? releasedChecksum : checksum, null);
    }

    /** Whether a database that recorded {@code recorded} for this version applied this migration (or its released text). */
    public boolean matches(String recorded) {
        return checksum.equals(recorded) || recorded.equals(releasedChecksum);
    }

    /** {@code 0001_session_replay_events} */
    public String id() {
        return String.format("%04d_%s", version, name);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
