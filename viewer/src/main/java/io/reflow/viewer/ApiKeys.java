package io.reflow.viewer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Personal API keys, the projects (team ids) each may use and what it may do there, parsed from
 * {@code key=1,2;other-key=3/recordings:read,recordings:delete}. A key listed without scopes may only read
 * ({@code recordings:read}): deleting is granted explicitly. Keys are compared in constant time.
 */
public record ApiKeys(Map<String, Grant> grantsByKey) {
    /** What a key may do. */
    public enum Scope {
        /** list sessions, read their events and console lines */
        RECORDINGS_READ("recordings:read"),
        /** delete recordings for real (crypto-shredding, docs/PRIVACY.md) */
        RECORDINGS_DELETE("recordings:delete");

        private final String label;

        Scope(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        static Optional<Scope> of(String label) {
            return Arrays.stream(values()).filter(s -> s.label.equals(label)).findFirst();
        }
    }

    /** The projects a key may use and its scopes there (the same scopes for each of its projects). */
    public record Grant(Set<Long> teams, Set<Scope> scopes) {
        public Grant {
            teams = Set.copyOf(teams);
            scopes = Set.copyOf(scopes);
        }

        public boolean allows(Scope scope) {
            return scopes.contains(scope);
        }

        /** The scopes' labels, in declaration order (read before delete). */
        public List<String> scopeLabels() {
            return Arrays.stream(Scope.values()).filter(scopes::contains).map(Scope::label).toList();
        }
    }

    /** Scopes of a key configured without any. */
    public static final Set<Scope> DEFAULT_SCOPES = Set.of(Scope.RECORDINGS_READ);

    public ApiKeys {
        grantsByKey = Map.copyOf(grantsByKey);
    }

    public static ApiKeys parse(String spec) {
        Map<String, Grant> keys = new LinkedHashMap<>();
        for (String entry : spec.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException("an API key entry is key=team[,team…][/scope[,scope…]], got '" + redact(entry) + "'");
            }
            String key = entry.substring(0, eq).trim();
            if (key.length() < 8) {
                throw new IllegalArgumentException("API keys must have at least 8 characters");
            }
            String grant = entry.substring(eq + 1);
            int slash = grant.indexOf('/');
            Set<Long> teams = new TreeSet<>();
            for (String t : (slash < 0 ? grant : grant.substring(0, slash)).split(",")) {
                try {
                    teams.add(Long.parseLong(t.trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("team ids are numbers, got '" + t.trim() + "' for key " + redact(key));
                }
            }
            Set<Scope> scopes = slash < 0 ? DEFAULT_SCOPES : scopes(grant.substring(slash + 1), key);
            keys.put(key, new Grant(teams, scopes));
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no API keys configured");
        }
        return new ApiKeys(keys);
    }

    private static Set<Scope> scopes(String list, String key) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String s : list.split(",")) {
            String label = s.trim();
            scopes.add(Scope.of(label).orElseThrow(() -> new IllegalArgumentException("unknown scope '" + label + "' for key "
                    + redact(key) + "; the scopes are " + Arrays.stream(Scope.values()).map(Scope::label).collect(Collectors.joining(", ")))));
        }
        return scopes;
    }

    /** The key's grant; empty for an unknown key. */
    public Optional<Grant> grantOf(String presented) {
        byte[] p = presented.getBytes(StandardCharsets.UTF_8);
        Grant found = null;
        for (Map.Entry<String, Grant> e : grantsByKey.entrySet()) {
            if (MessageDigest.isEqual(p, e.getKey().getBytes(StandardCharsets.UTF_8))) {
                found = e.getValue();
            }
        }
        return Optional.ofNullable(found);
    }

    private static String redact(String s) {
        return s.length() <= 4 ? "…" : s.substring(0, 4) + "…";
    }

    @Override
    public String toString() {
        return "ApiKeys[" + grantsByKey.size() + " keys]";
    }
}
