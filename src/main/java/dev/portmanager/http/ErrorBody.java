package dev.portmanager.http;

/** The JSON body of every error response: a short code and one sentence for humans. */
public record ErrorBody(String error, String detail) {
}
