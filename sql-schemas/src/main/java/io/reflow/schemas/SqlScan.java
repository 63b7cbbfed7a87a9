package io.reflow.schemas;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds structure in one SQL statement (comments already removed, see {@link SqlStatements}): matching parentheses,
 * keywords and separators at the top level, i.e. outside parentheses and quotes. Enough to take the DDL of the
 * migrations apart; not a SQL parser.
 */
final class SqlScan {
    private SqlScan() {}

    /** Index of the parenthesis closing the one at {@code open}. */
    static int closingParen(String sql, int open) {
        if (sql.charAt(open) != '(') {
            throw new IllegalArgumentException("no '(' at " + open);
        }
        int depth = 0;
        for (int i = open; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (isQuote(c)) {
                i = endOfQuoted(sql, i) - 1;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        throw new MigrationException("unbalanced parentheses in: " + abbreviate(sql));
    }

    /** Start indexes of {@code keyword} (a whole word, any case; words separated by single spaces match any blanks) at the top level. */
    static List<Integer> topLevel(String sql, String keyword) {
        String[] words = keyword.toUpperCase(Locale.ROOT).split(" ");
        List<Integer> found = new ArrayList<>();
        int depth = 0;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (isQuote(c)) {
                i = endOfQuoted(sql, i) - 1;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (depth == 0 && (i == 0 || !isWordChar(sql.charAt(i - 1))) && wordsAt(sql, i, words) >= 0) {
                found.add(i);
            }
        }
        return found;
    }

    /** The first top-level occurrence of {@code keyword}, or -1. */
    static int firstTopLevel(String sql, String keyword) {
        List<Integer> all = topLevel(sql, keyword);
        return all.isEmpty() ? -1 : all.get(0);
    }

    /** Index just past {@code words} starting at {@code start} (whole words, blanks between them), or -1. */
    static int wordsAt(String sql, int start, String[] words) {
        int i = start;
        for (int w = 0; w < words.length; w++) {
            if (w > 0) {
                int blanks = i;
                while (i < sql.length() && Character.isWhitespace(sql.charAt(i))) {
                    i++;
                }
                if (i == blanks) {
                    return -1;
                }
            }
            String word = words[w];
            if (!sql.regionMatches(true, i, word, 0, word.length())) {
                return -1;
            }
            i += word.length();
        }
        return i < sql.length() && isWordChar(sql.charAt(i)) ? -1 : i;
    }

    /** Splits at top-level {@code separator}s; parts are stripped. */
    static List<String> splitTopLevel(String sql, char separator) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (isQuote(c)) {
                i = endOfQuoted(sql, i) - 1;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == separator && depth == 0) {
                parts.add(sql.substring(start, i).strip());
                start = i + 1;
            }
        }
        parts.add(sql.substring(start).strip());
        return parts;
    }

    static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    static String abbreviate(String sql) {
        String oneLine = sql.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 117) + "...";
    }

    private static boolean isQuote(char c) {
        return c == '\'' || c == '"' || c == '`';
    }

    /** Index just past the closing quote; backslash escapes and doubled quotes stay inside. */
    private static int endOfQuoted(String sql, int start) {
        char quote = sql.charAt(start);
        int i = start + 1;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        throw new MigrationException("unterminated " + quote + " quote in: " + abbreviate(sql));
    }
}
