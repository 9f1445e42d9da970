package dev.portmanager.http;

import java.util.List;

/** A service and its live instances. */
public record ServiceView(String name, List<InstanceView> instances) {
}
