package dev.portmanager.cli;

import picocli.CommandLine;

/** Entry point of {@code portmanager.jar} and {@code bin/portmanager}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // The shaded jar carries slf4j-api without a provider (the library leaves logging to its host); keep
        // SLF4J's "no providers" notice out of command output.
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (also used by tests that run the CLI in-process). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new PortManagerCommand());
        cl.setParameterExceptionHandler(new ErrorHandlers.Usage());
        cl.setExecutionExceptionHandler(new ErrorHandlers.Failure());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }
}
