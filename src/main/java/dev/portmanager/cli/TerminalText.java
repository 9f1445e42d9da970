package dev.portmanager.cli;

/**
 * Text from the registry (service names, hosts, commands, details written by any host that can reach Redis)
 * made safe to print: a terminal control character would let an entry move the cursor, rewrite earlier lines,
 * set the window title or hide itself.
 */
final class TerminalText {
    private TerminalText() {
    }

    /** {@code text} with every control character (C0, DEL, C1) and bidirectional override shown as '?'. */
    static String safe(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || isBidiControl(c)) {
                if (sb == null) {
                    sb = new StringBuilder(text.length()).append(text, 0, i);
                }
                sb.append('?');
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? text : sb.toString();
    }

    /** Marks and overrides that reorder what follows them on screen (the "Trojan Source" characters). */
    private static boolean isBidiControl(char c) {
        return c == '\u061C' || c == '\u200E' || c == '\u200F' || (c >= '\u202A' && c <= '\u202E')
                || (c >= '\u2066' && c <= '\u2069');
    }
}
