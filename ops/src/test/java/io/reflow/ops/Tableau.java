package io.reflow.ops;

import java.util.ArrayList;
import java.util.List;

/** The result tables the SQL client printed in tableau mode ({@code +---+} framed, {@code |} separated). */
record Tableau(List<String> header, List<List<String>> rows) {
    private static final java.util.regex.Pattern BORDER = java.util.regex.Pattern.compile("\\+-[-+]*\\+");

    /** Every table in the output, in order. */
    static List<Tableau> parseAll(String output) {
        List<Tableau> tables = new ArrayList<>();
        List<String> header = null;
        List<List<String>> rows = null;
        boolean inTable = false;
        for (String line : output.split("\n")) {
            String l = line.strip();
            // the client prints a table's first frame line right after the echoed statement, on the same line
            int frame = l.indexOf("+-");
            if (frame > 0 && BORDER.matcher(l.substring(frame)).matches()) {
                l = l.substring(frame);
            }
            if (BORDER.matcher(l).matches()) {
                inTable = true;
                continue;
            }
            if (inTable && l.startsWith("|") && l.endsWith("|")) {
                List<String> cells = new ArrayList<>();
                for (String cell : l.substring(1, l.length() - 1).split("\\|", -1)) {
                    cells.add(cell.strip());
                }
                if (header == null) {
                    header = cells;
                    rows = new ArrayList<>();
                } else {
                    rows.add(cells);
                }
                continue;
            }
            if (inTable && header != null) {
                tables.add(new Tableau(header, rows));
            }
            inTable = false;
            header = null;
        }
        if (header != null) {
            tables.add(new Tableau(header, rows));
        }
        return tables;
    }

    /** The last table in the output (a script's final query). */
    static Tableau last(String output) {
        List<Tableau> all = parseAll(output);
        if (all.isEmpty()) {
            throw new AssertionError("no result table in the SQL client's output:\n" + output);
        }
        return all.get(all.size() - 1);
    }

    /** The rows as lists of the named columns' values. */
    List<List<String>> columns(String... names) {
        List<Integer> idx = new ArrayList<>();
        for (String n : names) {
            int i = header.indexOf(n);
            if (i < 0) {
                throw new AssertionError("no column " + n + " in " + header);
            }
            idx.add(i);
        }
        return rows.stream().map(r -> idx.stream().map(r::get).toList()).toList();
    }
}
