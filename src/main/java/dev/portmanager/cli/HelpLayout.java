package dev.portmanager.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * How {@code --help} is laid out: text wraps at spaces only, so a path, a URI or {@code {port}} is never cut in
 * two (picocli's own wrapping breaks after '.', ':' and '/'); the global options are listed once, under
 * {@code portmanager --help}, and each subcommand names them in one line instead of repeating them.
 */
final class HelpLayout {
    /** Wide enough for the longest option name plus a readable description on an 80-column terminal and up. */
    static final int WIDTH = 100;
    private static final int LABEL_COLUMN = 24;

    private HelpLayout() {
    }

    static void install(CommandLine top) {
        apply(top, true);
        for (CommandLine sub : top.getSubcommands().values()) {
            apply(sub, false);
        }
    }

    private static void apply(CommandLine cl, boolean top) {
        cl.getCommandSpec().usageMessage().width(WIDTH);
        if (!top) {
            // "Usage: portmanager conflicts [OPTIONS]" instead of every global option once more.
            cl.getCommandSpec().usageMessage().abbreviateSynopsis(true);
        }
        Map<String, CommandLine.IHelpSectionRenderer> sections = cl.getHelpSectionMap();
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_DESCRIPTION,
                help -> paragraphs(help.commandSpec().usageMessage().description(), 0));
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST, help -> options(help.commandSpec(), top));
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_PARAMETER_LIST, help -> parameters(help.commandSpec()));
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER, help -> footer(help.commandSpec(), top));
    }

    private static String options(CommandSpec spec, boolean top) {
        List<OptionSpec> shown = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (!o.hidden() && (top || !o.inherited())) {
                shown.add(o);
            }
        }
        shown.sort(Comparator.comparing(o -> o.longestName().replaceFirst("^-+", "")));
        StringBuilder sb = new StringBuilder();
        for (OptionSpec o : shown) {
            String names = String.join(", ", o.names());
            if (o.names().length == 1 && o.longestName().startsWith("--")) {
                names = "    " + names;
            }
            if (o.arity().max() > 0) {
                names += "=" + o.paramLabel();
            }
            sb.append(row("  " + names, String.join(" ", o.description())));
        }
        return sb.toString();
    }

    private static String parameters(CommandSpec spec) {
        StringBuilder sb = new StringBuilder();
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (!p.hidden()) {
                sb.append(row("      " + p.paramLabel() + (p.arity().max() > 1 ? "..." : ""),
                        String.join(" ", p.description())));
            }
        }
        return sb.toString();
    }

    private static String footer(CommandSpec spec, boolean top) {
        List<String> lines = new ArrayList<>(List.of(spec.usageMessage().footer()));
        if (!top) {
            lines.add("");
            lines.add("Global options, accepted here as well: --state-dir=DIR, --store=STORE, --config=FILE, "
                    + "--url=URL, --token=TOKEN (see 'portmanager --help').");
        }
        return paragraphs(lines.toArray(new String[0]), 0);
    }

    /** One option or parameter: the label, then its description wrapped in the second column. */
    private static String row(String label, String description) {
        StringBuilder sb = new StringBuilder();
        List<String> lines = wrap(description, WIDTH - LABEL_COLUMN);
        if (label.length() + 2 > LABEL_COLUMN) {
            sb.append(label).append('\n');
            label = "";
        }
        for (int i = 0; i < Math.max(1, lines.size()); i++) {
            String text = i < lines.size() ? lines.get(i) : "";
            String left = i == 0 ? label : "";
            sb.append(left).append(" ".repeat(LABEL_COLUMN - left.length())).append(text).append('\n');
        }
        return sb.toString().replaceAll(" +\n", "\n");
    }

    /** Each entry is a paragraph, wrapped to the width; an empty entry is an empty line. */
    private static String paragraphs(String[] entries, int indent) {
        StringBuilder sb = new StringBuilder();
        for (String entry : entries) {
            String text = entry.replace("%n", "\n");
            for (String line : text.split("\n", -1)) {
                List<String> wrapped = wrap(line, WIDTH - indent);
                if (wrapped.isEmpty()) {
                    sb.append('\n');
                }
                for (String w : wrapped) {
                    sb.append(" ".repeat(indent)).append(w).append('\n');
                }
            }
        }
        return sb.toString();
    }

    /** Words (split at spaces only) filled into lines of at most {@code width}; a longer word stands alone. */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.trim().split(" +")) {
            if (word.isEmpty()) {
                continue;
            }
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }
}
