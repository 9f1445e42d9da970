package dev.portmanager.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.portmanager.http.Json;

import java.io.PrintWriter;
import java.io.UncheckedIOException;

/** Prints values as the {@code --json} flag asks: the same JSON the HTTP API answers with. */
final class Output {
    private Output() {
    }

    static void json(PrintWriter out, Object value) {
        try {
            out.println(Json.OUT.writerWithDefaultPrettyPrinter().writeValueAsString(value));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
