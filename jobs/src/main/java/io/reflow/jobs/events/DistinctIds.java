package io.reflow.jobs.events;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Distinct ids: which are illegal, the key a distinct id's state lives under, and the deterministic person
 * UUID (PostHog's: UUIDv5 of {@code "team_id:distinct_id"} in PostHog's person namespace, so person ids agree
 * with a PostHog installation for the same team and distinct id).
 */
public final class DistinctIds {
    static final UUID PERSON_NAMESPACE = UUID.fromString("932979b4-65c3-4424-8467-0b66ec27bc22");
    /** Namespace of the uuids generated for events that arrive without a valid one (a random v4, fixed forever). */
    static final UUID EVENT_NAMESPACE = UUID.fromString("5b1f3c2e-8f0d-4f63-9a0e-61f0f2f6c3a7");

    private static final String[] CASE_INSENSITIVE = {
        "anonymous", "guest", "distinctid", "distinct_id", "id", "not_authenticated", "email", "undefined", "true", "false",
    };
    private static final String[] CASE_SENSITIVE = {"[object Object]", "NaN", "None", "none", "null", "0", "undefined"};
    private static final Set<String> ILLEGAL_ANY_CASE = withQuotes(CASE_INSENSITIVE);
    private static final Set<String> ILLEGAL_EXACT = withQuotes(CASE_SENSITIVE);

    /** Looking a digest up by name is a good part of its cost: one per thread, reused. */
    private static final ThreadLocal<MessageDigest> SHA1 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private DistinctIds() {}

    /**
     * PostHog's list: ids that stem from a bug (an unset variable, a placeholder for every logged-out user) and would
     * merge unrelated users into one person. Also empty and whitespace-only ids, and the same words in quotes.
     */
    public static boolean isIllegal(String distinctId) {
        return distinctId == null || distinctId.isBlank()
                || ILLEGAL_ANY_CASE.contains(distinctId.toLowerCase(Locale.ROOT)) || ILLEGAL_EXACT.contains(distinctId);
    }

    /** The state key of a distinct id: {@code team_id:distinct_id} (the team is a number, so the first ':' splits). */
    public static String key(long teamId, String distinctId) {
        return teamId + ":" + distinctId;
    }

    /** The distinct id part of a {@link #key}. */
    public static String distinctIdOf(String key) {
        int colon = key.indexOf(':');
        return key.substring(colon + 1);
    }

    /** The team part of a {@link #key}. */
    public static long teamOf(String key) {
        return Long.parseLong(key.substring(0, key.indexOf(':')));
    }

    /** The person id a distinct id gets when it first creates a person, and its personless events carry. */
    public static String personUuid(long teamId, String distinctId) {
        return uuid5(PERSON_NAMESPACE, teamId + ":" + distinctId).toString();
    }

    /** RFC 4122 name-based UUID, version 5 (SHA-1). */
    static UUID uuid5(UUID namespace, String name) {
        MessageDigest sha1 = SHA1.get(); // digest() below resets it for the next use
        byte[] ns = new byte[16];
        long msb = namespace.getMostSignificantBits();
        long lsb = namespace.getLeastSignificantBits();
        for (int i = 0; i < 8; i++) {
            ns[i] = (byte) (msb >>> (56 - 8 * i));
            ns[8 + i] = (byte) (lsb >>> (56 - 8 * i));
        }
        sha1.update(ns);
        byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
        long m = 0;
        long l = 0;
        for (int i = 0; i < 8; i++) {
            m = (m << 8) | (hash[i] & 0xff);
            l = (l << 8) | (hash[8 + i] & 0xff);
        }
        return new UUID(m, l);
    }

    private static Set<String> withQuotes(String[] ids) {
        Set<String> set = new HashSet<>();
        for (String id : ids) {
            set.add(id);
            set.add("'" + id + "'");
            set.add("\"" + id + "\"");
        }
        return Set.copyOf(set);
    }
}
