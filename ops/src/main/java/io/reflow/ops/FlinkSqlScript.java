package io.reflow.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Flink SQL script of {@code sql-schemas/flink/} with {@code ${NAME}} placeholders, which the SQL client itself
 * does not have. A script declares its parameters in its header, one per line:
 * <pre>-- @param NAME [= default]: what it is</pre>
 * A parameter without a default is required. A placeholder inside a string literal takes any value (quotes are
 * doubled); one outside a literal takes whole numbers only, so no value can add SQL of its own. Line breaks and
 * {@code ;} (which would end the SQL client's statement) are refused everywhere.
 */
public record FlinkSqlScript(String name, String text, Map<String, Parameter> parameters) {
    private static final Pattern PARAM = Pattern.compile("^--\\s*@param\\s+([A-Z][A-Z0-9_]*)\\s*(?:=\\s*(\\S+))?\\s*(?::\\s*(.*))?$",
            Pattern.MULTILINE);
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)}");
    private static final Pattern NUMBER = Pattern.compile("-?[0-9]+");

    /** A declared parameter; {@code defaultValue} is null when it is required. */
    public record Parameter(String name, String defaultValue, String description) {
        public boolean required() {
            return defaultValue == null;
        }
    }

    public static FlinkSqlScript read(Path file) {
        try {
            return parse(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static FlinkSqlScript parse(String name, String text) {
        Map<String, Parameter> parameters = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(text);
        while (m.find()) {
            parameters.put(m.group(1), new Parameter(m.group(1), m.group(2), m.group(3) == null ? "" : m.group(3).strip()));
        }
        Set<String> undeclared = new TreeSet<>();
        for (Placeholder p : placeholders(text)) {
            if (!parameters.containsKey(p.name())) {
                undeclared.add(p.name());
            }
        }
        if (!undeclared.isEmpty()) {
            throw new IllegalArgumentException(name + " uses undeclared parameters " + undeclared
                    + " (declare them in its header: -- @param NAME [= default]: description)");
        }
        return new FlinkSqlScript(name, text, Map.copyOf(parameters));
    }

    /**
     * The script with every placeholder replaced: by {@code values} where given (values for parameters it does not
     * declare are ignored, so one set of values serves several scripts), else by its default.
     */
    public String render(Map<String, String> values) {
        Set<String> missing = new TreeSet<>();
        List<String> refused = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        int last = 0;
        for (Placeholder p : placeholders(text)) {
            String value = values.containsKey(p.name()) ? values.get(p.name()) : parameters.get(p.name()).defaultValue();
            out.append(text, last, p.start());
            last = p.end();
            if (value == null) {
                missing.add(p.name());
            } else if (value.contains(";") || value.contains("\n") || value.contains("\r")) {
                refused.add(p.name() + " (no ';' or line breaks)");
            } else if (p.inStringLiteral()) {
                out.append(value.replace("'", "''"));
            } else if (!NUMBER.matcher(value).matches()) {
                refused.add(p.name() + " (a whole number)");
            } else {
                out.append(value);
            }
        }
        out.append(text.substring(last));
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(name + " needs " + missing + ": pass --set NAME=VALUE");
        }
        if (!refused.isEmpty()) {
            throw new IllegalArgumentException(name + ": bad value for " + String.join(", ", refused));
        }
        return out.toString();
    }

    private record Placeholder(String name, int start, int end, boolean inStringLiteral) {}

    /** Placeholders outside comments, each knowing whether it sits inside a '...' literal. */
    private static List<Placeholder> placeholders(String text) {
        List<Placeholder> found = new ArrayList<>();
        boolean inString = false;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (!inString && c == '-' && i + 1 < text.length() && text.charAt(i + 1) == '-') {
                int eol = text.indexOf('\n', i);
                i = eol < 0 ? text.length() : eol;
                continue;
            }
            if (c == '\'') {
                inString = !inString; // '' inside a literal toggles twice
            } else if (c == '$') {
                Matcher m = PLACEHOLDER.matcher(text).region(i, text.length());
                if (m.lookingAt()) {
                    found.add(new Placeholder(m.group(1), i, m.end(), inString));
                    i = m.end();
                    continue;
                }
            }
            i++;
        }
        return found;
    }
}
