package dev.portmanager.cli;

import picocli.CommandLine;

import java.io.PrintWriter;

/** What every subcommand shares: the global options and its own output streams. */
abstract class Subcommand {
    @CommandLine.ParentCommand
    PortManagerCommand root;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** One line on stderr with the prefix every error of the CLI has: {@code portmanager <command>: }. */
    void error(String message) {
        err().println(spec.qualifiedName() + ": " + message);
        err().flush();
    }

    CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
