package dev.portmanager;

/** The request itself is malformed (bad name, unknown type, port out of 1-65535...). Maps to HTTP 400. */
public class InvalidRequestException extends PortManagerException {
    public InvalidRequestException(String message) {
        super(message);
    }
}
