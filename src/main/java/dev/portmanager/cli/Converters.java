package dev.portmanager.cli;

import dev.portmanager.AllocationRequest;
import dev.portmanager.discovery.ClientSettings;
import dev.portmanager.http.ApiException;
import dev.portmanager.http.RemoteApi;
import dev.portmanager.http.Validation;
import picocli.CommandLine;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/** picocli converters: each rejects a bad value with what was wrong and what is accepted. */
final class Converters {
    private Converters() {
    }

    /** 1-65535. */
    static final class Port implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                return Validation.port("port", value);
            } catch (ApiException e) {
                throw new CommandLine.TypeConversionException("'" + Validation.printable(value)
                        + "' is not a port: expected " + Validation.PORT_RULE);
            }
        }
    }

    /** 0-65535 for {@code serve --port}, where 0 picks a free port. */
    static final class ListenPort implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            if ("0".equals(value)) {
                return 0;
            }
            try {
                return Validation.port("port", value);
            } catch (ApiException e) {
                throw new CommandLine.TypeConversionException("'" + Validation.printable(value)
                        + "' is not a port: expected a whole number from 0 (any free port) to 65535");
            }
        }
    }

    /** Service, endpoint and type names. */
    static final class Name implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!AllocationRequest.isName(value)) {
                throw new CommandLine.TypeConversionException("'" + Validation.printable(value)
                        + "' is not accepted: expected " + AllocationRequest.NAME_RULE);
            }
            return value;
        }
    }

    /** Reservation lifetimes: 30s, 10m, 2h, 1d. */
    static final class Ttl implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Validation.ttl(value);
            } catch (ApiException e) {
                throw new CommandLine.TypeConversionException(e.detail());
            }
        }
    }

    static final class Store implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return ClientSettings.checkStore(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Url implements CommandLine.ITypeConverter<URI> {
        @Override
        public URI convert(String value) {
            try {
                return RemoteApi.checkBase(new URI(value));
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + Validation.printable(value)
                        + "' is not a sidecar URL: expected http://host:port, e.g. http://127.0.0.1:8081");
            }
        }
    }
}
