package dev.wirewatch.schemas;

import dev.wirewatch.record.VrrpAdvertisement;
import java.nio.ByteBuffer;

/**
 * What names a VRRP virtual router, for the sensors that key advertisements and the processor that tracks them:
 * its first virtual address (the source address when the list is empty), so that its advertisements meet that
 * address's ARP and neighbour discovery in one partition of ww.l2.
 */
public final class VrrpKeys {
    private VrrpKeys() {}

    public static ByteBuffer firstAddress(VrrpAdvertisement advertisement) {
        return advertisement.getAddresses().isEmpty() ? advertisement.getSrc() : advertisement.getAddresses().get(0);
    }

    /** One virtual router on one segment: its id, its address family and its first address. */
    public static String router(VrrpAdvertisement advertisement) {
        return "vrid " + advertisement.getVrid() + " " + Addresses.ip(firstAddress(advertisement));
    }
}
