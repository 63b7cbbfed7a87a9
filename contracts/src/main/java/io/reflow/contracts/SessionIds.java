package io.reflow.contracts;

/** What a recording's session id may be, as PostHog has it: 1 to 70 letters, digits and '-' (posthog-js sends UUIDv7s). */
public final class SessionIds {
    public static final int MAX_CHARS = 70;

    private SessionIds() {}

    public static boolean isValid(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_CHARS) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')) {
                return false;
            }
        }
        return true;
    }
}
