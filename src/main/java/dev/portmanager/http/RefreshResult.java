package dev.portmanager.http;

import java.util.List;

/**
 * What {@code POST /services/refresh} found and changed.
 *
 * @param checked   how many instances were checked on their real port
 * @param up        how many answered
 * @param dropped   instances that did not answer and whose owner process is gone: withdrawn from discovery
 * @param unhealthy instances that did not answer but were kept: their owner process still runs on this host
 *                  (a refresh never takes a port from a live process), or they belong to another host
 */
public record RefreshResult(int checked, int up, List<InstanceView> dropped, List<InstanceView> unhealthy) {
}
