package dev.portmanager.cli;

import picocli.CommandLine;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * "Did you mean" for a mistyped subcommand or option: only the names closest to what was typed, by edit
 * distance with swapped neighbours counting as one edit. picocli's own suggester also offers names that merely
 * share letters ({@code allocatoins} got {@code health}).
 */
final class Suggestions {
    private Suggestions() {
    }

    /** The line to print for an unmatched argument, or null when nothing is close enough. */
    static String forUnmatched(CommandLine.UnmatchedArgumentException ex) {
        List<String> unmatched = ex.getUnmatched();
        if (unmatched.isEmpty()) {
            return null;
        }
        String typed = unmatched.get(0);
        CommandLine.Model.CommandSpec spec = ex.getCommandLine().getCommandSpec();
        Collection<String> names = typed.startsWith("-") ? optionNames(spec) : spec.subcommands().keySet();
        List<String> close = closest(typed, names);
        if (close.isEmpty()) {
            return null;
        }
        String prefix = typed.startsWith("-") ? "" : spec.qualifiedName() + " ";
        List<String> shown = new ArrayList<>();
        close.forEach(n -> shown.add(prefix + n));
        return "Did you mean: " + String.join(" or ", shown) + "?";
    }

    private static List<String> optionNames(CommandLine.Model.CommandSpec spec) {
        List<String> names = new ArrayList<>();
        spec.options().forEach(o -> names.addAll(List.of(o.names())));
        return names;
    }

    /** The names at the smallest distance from {@code typed}, if that distance is small for its length. */
    static List<String> closest(String typed, Collection<String> names) {
        String t = typed.toLowerCase(Locale.ROOT);
        int best = Integer.MAX_VALUE;
        List<String> found = new ArrayList<>();
        for (String name : names) {
            int d = distance(t, name.toLowerCase(Locale.ROOT));
            if (d > Math.max(2, name.length() / 3)) {
                continue;
            }
            if (d < best) {
                best = d;
                found.clear();
            }
            if (d == best) {
                found.add(name);
            }
        }
        return found;
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[a.length()][b.length()];
    }
}
