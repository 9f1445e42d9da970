package dev.portmanager.http;

import java.util.List;

/**
 * What {@code POST /services/refresh} changed.
 *
 * @param checked how many instances were checked on their real port
 * @param up      how many answered
 * @param dropped the instances that did not answer and were withdrawn from discovery
 */
public record RefreshResult(int checked, int up, List<InstanceView> dropped) {
}
