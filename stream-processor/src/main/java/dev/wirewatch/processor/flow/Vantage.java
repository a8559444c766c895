package dev.wirewatch.processor.flow;

/** Where a packet was seen: a monitored host's sensor and the interface it captured on. */
public record Vantage(String host, String iface) {
    @Override
    public String toString() {
        return iface.isEmpty() ? host : host + "/" + iface;
    }
}
