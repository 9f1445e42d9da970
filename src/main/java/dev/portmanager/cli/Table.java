package dev.portmanager.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain left-aligned text table, columns as wide as their widest cell; cells are printed without control
 * characters (see {@link TerminalText}).
 */
final class Table {
    private final String[] headers;
    private final List<String[]> rows = new ArrayList<>();
    /** Cells longer than this (per column; 0: no limit) are cut with "...". */
    private int[] maxWidth;
    /** Whole lines are kept within this many columns by wrapping the last column (0: no limit). */
    private int lineWidth;
    /** Where the last column starts and how wide it may be, once {@link #fit} applies. */
    private int lastColumnStart;
    private int lastColumnWidth;

    Table(String... headers) {
        this.headers = headers;
    }

    Table row(Object... cells) {
        String[] r = new String[headers.length];
        for (int i = 0; i < r.length; i++) {
            Object c = i < cells.length ? cells[i] : null;
            r[i] = c == null ? "-" : TerminalText.safe(c.toString());
        }
        rows.add(r);
        return this;
    }

    /** Cuts cells of {@code column} (0-based) longer than {@code max} characters. */
    Table limit(int column, int max) {
        if (maxWidth == null) {
            maxWidth = new int[headers.length];
        }
        maxWidth[column] = max;
        return this;
    }

    /** Keeps each printed line under {@code width} columns by wrapping the last column at spaces onto lines of
     *  its own, aligned under it. */
    Table fit(int width) {
        lineWidth = width;
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    void print(PrintWriter out) {
        if (maxWidth != null || lineWidth > 0) {
            cut();
        }
        int[] width = new int[headers.length];
        for (int i = 0; i < headers.length; i++) {
            width[i] = headers[i].length();
        }
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        line(out, headers, width);
        for (String[] r : rows) {
            int last = r.length - 1;
            if (lastColumnWidth <= 0 || r[last].length() <= lastColumnWidth) {
                line(out, r, width);
                continue;
            }
            List<String> wrapped = HelpLayout.wrap(r[last], lastColumnWidth);
            String[] first = r.clone();
            first[last] = wrapped.get(0);
            line(out, first, width);
            for (String more : wrapped.subList(1, wrapped.size())) {
                out.println(" ".repeat(lastColumnStart) + more);
            }
        }
        out.flush();
    }

    private void cut() {
        int[] width = new int[headers.length];
        for (int i = 0; i < headers.length; i++) {
            width[i] = headers[i].length();
        }
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                if (maxWidth != null && maxWidth[i] > 0) {
                    r[i] = shorten(r[i], maxWidth[i]);
                }
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        if (lineWidth > 0) {
            int before = 0;
            for (int i = 0; i < headers.length - 1; i++) {
                before += width[i] + 2;
            }
            lastColumnStart = before;
            lastColumnWidth = Math.max(24, lineWidth - 1 - before);
        }
    }

    private static String shorten(String cell, int max) {
        return cell.length() <= max ? cell : cell.substring(0, Math.max(0, max - 3)) + "...";
    }

    private static void line(PrintWriter out, String[] cells, int[] width) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            sb.append(cells[i]);
            if (i < cells.length - 1) {
                char[] pad = new char[width[i] - cells[i].length() + 2];
                Arrays.fill(pad, ' ');
                sb.append(pad);
            }
        }
        out.println(sb.toString().stripTrailing());
    }
}
