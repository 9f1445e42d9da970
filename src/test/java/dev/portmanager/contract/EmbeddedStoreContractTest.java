package dev.portmanager.contract;

import dev.portmanager.Allocation;
import dev.portmanager.PortManager;
import dev.portmanager.config.ConfigFile;

import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The contract on the host-local state directory alone. */
class EmbeddedStoreContractTest extends PortManagerContract {
    @Override
    String store() {
        return "embedded";
    }

    @Override
    void afterRace(Path configFile, Set<Integer> ports) {
        try (PortManager pm = PortManager.open(ConfigFile.load(configFile))) {
            assertEquals(ports, pm.allocations().stream().map(Allocation::port).collect(Collectors.toSet()),
                    "the state directory holds exactly what was granted");
        }
    }
}
