package dev.portmanager.config;

/**
 * The environment variable of a setting, for the library, the CLI and the agent alike: {@code stateDir} ->
 * {@code PORTMANAGER_STATE_DIR}. A loop, not a regular expression: the agent asks for a score of these while the
 * app starts, and each {@code replaceAll} would compile a pattern in code still interpreted that early.
 */
public final class EnvironmentNames {
    private EnvironmentNames() {
    }

    /** {@code PORTMANAGER_} and the key in upper snake case: '_' before each capital, '.' becomes '_'. */
    public static String of(String key) {
        StringBuilder b = new StringBuilder("PORTMANAGER_");
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isUpperCase(c)) {
                b.append('_');
            }
            b.append(c == '.' ? '_' : Character.toUpperCase(c));
        }
        return b.toString();
    }
}
