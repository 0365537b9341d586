package dev.podkit.splitter.proxy;

import dev.podkit.splitter.config.ServerAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Round-robin over one variant's servers. */
final class Balancer {
    private final List<ServerAddress> servers;
    private final AtomicInteger next = new AtomicInteger();

    Balancer(List<ServerAddress> servers) {
        this.servers = List.copyOf(servers);
    }

    ServerAddress next() {
        return servers.get(Math.floorMod(next.getAndIncrement(), servers.size()));
    }

    int size() {
        return servers.size();
    }
}
