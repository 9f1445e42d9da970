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

    /**
     * Runs the chosen subcommand; a view that could not read the registry says so in its status (3) instead of
     * success or "nothing found", since other hosts were left out. {@code serve} and {@code run} keep their own.
     */
    private static int execute(CommandLine.ParseResult parsed) {
        int code = new CommandLine.RunLast().execute(parsed);
        Object root = parsed.commandSpec().userObject();
        CommandLine.ParseResult last = parsed;
        while (last.hasSubcommand()) {
            last = last.subcommand();
        }
        Object chosen = last.commandSpec().userObject();
        boolean view = !(chosen instanceof ServeCommand) && !(chosen instanceof RunCommand);
        if (view && (code == 0 || code == ErrorHandlers.FAILURE) && root instanceof PortManagerCommand pm
                && pm.partialResult()) {
            String notice = pm.staleNotice();
            if (notice != null) {
                // stderr: stdout stays the table or the API's JSON, unchanged, for scripts that parse it
                java.io.PrintWriter err = parsed.commandSpec().commandLine().getErr();
                err.println(notice);
                err.flush();
            }
            return ErrorHandlers.PARTIAL;
        }
        return code;
    }

    /** The configured command line (also used by tests that run the CLI in-process). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new PortManagerCommand());
        cl.setParameterExceptionHandler(new ErrorHandlers.Usage());
        cl.setExecutionExceptionHandler(new ErrorHandlers.Failure());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionStrategy(Main::execute);
        // `run --service S python3 -m http.server {port}` means what it says: the first positional argument starts
        // the command, and everything after it (options too) belongs to that command. `--` still works.
        cl.getSubcommands().get("run").getCommandSpec().parser().stopAtPositional(true);
        HelpLayout.install(cl);
        return cl;
    }
}
