package dev.portmanager.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.portmanager.Allocation;
import dev.portmanager.http.Json;
import dev.portmanager.http.PortManagerApi;
import dev.portmanager.watch.WaitParameters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;

@Command(name = "watch", mixinStandardHelpOptions = true,
        description = {"Print one line per allocation that appears, changes or goes, as it happens (first the "
                + "current ones, as added). Runs until interrupted.",
                "Lines: '+ SERVICE HOST:PORT STATE ...' added, '~ ...' changed (e.g. ALLOCATED to LISTENING), "
                        + "'- ...' gone."})
final class WatchCommand extends Subcommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", converter = Converters.Name.class,
            description = "Only this service's allocations; default: all.")
    String name;

    @Option(names = "--json", description = "Print ND-JSON: one {\"event\", \"index\", \"allocation\"} object "
            + "per line, the allocation as in GET /api/v1/port-management/allocations.")
    boolean json;

    @Override
    public Integer call() {
        try (PortManagerApi api = root.openApi()) {
            Map<String, Allocation> shown = new LinkedHashMap<>();
            long index = api.index();
            while (!Thread.currentThread().isInterrupted()) {
                Map<String, Allocation> now = snapshot(api.allocations());
                for (Map.Entry<String, Allocation> e : now.entrySet()) {
                    Allocation before = shown.get(e.getKey());
                    if (before == null) {
                        print("added", index, e.getValue(), null);
                    } else if (!sameForReaders(before, e.getValue())) {
                        print("changed", index, e.getValue(), before);
                    }
                }
                for (Map.Entry<String, Allocation> e : shown.entrySet()) {
                    if (!now.containsKey(e.getKey())) {
                        print("removed", index, e.getValue(), null);
                    }
                }
                shown = now;
                index = api.awaitChange(index, WaitParameters.MAX_WAIT);
            }
            return 0;
        }
    }

    private Map<String, Allocation> snapshot(List<Allocation> all) {
        Map<String, Allocation> m = new LinkedHashMap<>();
        all.stream().filter(a -> name == null || name.equals(a.service()))
                .sorted((x, y) -> x.host().equals(y.host()) ? Integer.compare(x.port(), y.port())
                        : x.host().compareTo(y.host()))
                .forEach(a -> m.put(a.host() + ":" + a.port(), a));
        return m;
    }

    /** Registry strings reach a terminal: control characters become '?'. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        String v = String.valueOf(s);
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return b.toString();
    }

    /** Lease renewals are not changes; what a reader of the port map sees is. */
    private static boolean sameForReaders(Allocation a, Allocation b) {
        return Objects.equals(a.service(), b.service()) && Objects.equals(a.state(), b.state())
                && a.pid() == b.pid() && a.generation() == b.generation()
                && Objects.equals(a.advertised(), b.advertised()) && Objects.equals(a.endpoint(), b.endpoint());
    }

    private void print(String event, long index, Allocation a, Allocation before) {
        if (json) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("event", event);
            line.put("index", index);
            line.put("allocation", a);
            try {
                out().println(Json.OUT.writeValueAsString(line));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            String sign = event.equals("added") ? "+" : event.equals("removed") ? "-" : "~";
            StringBuilder b = new StringBuilder();
            b.append(sign).append(' ').append(printable(a.service())).append(' ')
                    .append(a.host()).append(':').append(a.port()).append(' ');
            if (before != null && before.state() != a.state()) {
                b.append(before.state()).append(" -> ");
            }
            b.append(a.state());
            b.append(a.pid() == 0 ? " reservation" : " pid " + a.pid());
            if (a.requestedPort() > 0 && a.requestedPort() != a.port()) {
                b.append(" (moved from ").append(a.requestedPort()).append(')');
            }
            out().println(b);
        }
        out().flush();
    }
}
