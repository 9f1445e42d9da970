package dev.portmanager.cli;

import dev.portmanager.InvalidRequestException;
import dev.portmanager.PortManagerException;
import dev.portmanager.config.ConfigException;
import dev.portmanager.http.ApiException;
import picocli.CommandLine;

import java.io.PrintWriter;

/** How the CLI reports problems: one line saying what was wrong and what is accepted, and an exit status. */
final class ErrorHandlers {
    /** Bad flags or values (picocli's usage error): exit 2. */
    static final int USAGE = 2;
    /** The command ran but failed (nothing found, range exhausted, sidecar unreachable...): exit 1. */
    static final int FAILURE = 1;
    /** The command printed this host's part only: the registry could not be read. */
    static final int PARTIAL = 3;

    private ErrorHandlers() {
    }

    /** Bad command line: the message and a pointer to --help instead of the whole usage text. */
    static final class Usage implements CommandLine.IParameterExceptionHandler {
        @Override
        public int handleParseException(CommandLine.ParameterException ex, String[] args) {
            CommandLine cmd = ex.getCommandLine();
            PrintWriter err = cmd.getErr();
            String name = cmd.getCommandSpec().qualifiedName();
            err.println(name + ": " + ex.getMessage());
            if (ex instanceof CommandLine.UnmatchedArgumentException unmatched) {
                String suggestion = Suggestions.forUnmatched(unmatched);
                if (suggestion != null) {
                    err.println(suggestion);
                }
            }
            if (cmd.getCommandSpec().userObject() instanceof RunCommand) {
                err.println("The command to run goes last, after the options (or after --): portmanager run "
                        + "--service S [--type T] -- COMMAND ARGS... ({port} in ARGS is replaced by the port).");
            }
            err.println("Run '" + name + " --help' for usage.");
            err.flush();
            return USAGE;
        }
    }

    /** Failures while running a command. */
    static final class Failure implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
            PrintWriter err = cmd.getErr();
            String name = cmd.getCommandSpec().qualifiedName();
            int code;
            if (ex instanceof ApiException a) {
                err.println(name + ": " + a.detail());
                code = a.status() == 400 || a.status() == 401 || a.status() == 415 ? USAGE : FAILURE;
            } else if (ex instanceof ConfigException || ex instanceof InvalidRequestException) {
                err.println(name + ": " + ex.getMessage());
                code = USAGE;
            } else if (ex instanceof PortManagerException) {
                err.println(name + ": " + ex.getMessage());
                code = FAILURE;
            } else {
                err.println(name + ": unexpected failure: " + ex);
                if (System.getenv("PORTMANAGER_DEBUG") != null) {
                    ex.printStackTrace(err);
                }
                code = FAILURE;
            }
            err.flush();
            return code;
        }
    }
}
