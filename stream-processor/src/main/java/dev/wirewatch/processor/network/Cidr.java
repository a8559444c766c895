package dev.wirewatch.processor.network;

import dev.wirewatch.processor.config.ConfigException;
import dev.wirewatch.schemas.Addresses;
import java.util.Arrays;

/** An address with its prefix length, as in {@code 10.0.0.5/24}; a bare address is a host route (/32, /128). */
public record Cidr(byte[] address, int prefixLength) {

    public static Cidr parse(String text) {
        String[] parts = text.trim().split("/", 2);
        byte[] address;
        try {
            address = Addresses.parse(parts[0]);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("'" + text + "' is not an address or CIDR prefix");
        }
        int max = address.length * 8;
        int length = max;
        if (parts.length == 2) {
            try {
                length = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                length = -1;
            }
            if (length < 0 || length > max) {
                throw new ConfigException("'" + text + "': prefix length must be 0.." + max);
            }
        }
        return new Cidr(address, length);
    }

    /** True when {@code ip} is this exact address. */
    public boolean isAddress(byte[] ip) {
        return Arrays.equals(address, ip);
    }

    /** True when {@code ip} lies in this prefix. */
    public boolean contains(byte[] ip) {
        if (ip.length != address.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (ip[i] != address[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (ip[full] & mask) == (address[full] & mask);
    }

    /** The prefix's first address, e.g. 172.16.0.0 for 172.16.5.1/12. */
    public String network() {
        byte[] network = address.clone();
        for (int bit = prefixLength; bit < network.length * 8; bit++) {
            network[bit / 8] &= (byte) ~(0x80 >> (bit % 8));
        }
        return Addresses.ip(network);
    }

    /** The IPv4 netmask, e.g. 255.240.0.0 for a /12 (as Windows' {@code route} wants it). */
    public String netmask() {
        long mask = prefixLength == 0 ? 0 : (0xffffffffL << (32 - prefixLength)) & 0xffffffffL;
        return (mask >> 24) + "." + ((mask >> 16) & 0xff) + "." + ((mask >> 8) & 0xff) + "." + (mask & 0xff);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Cidr cidr && prefixLength == cidr.prefixLength && Arrays.equals(address, cidr.address);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(address) + prefixLength;
    }

    @Override
    public String toString() {
        return Addresses.ip(address) + "/" + prefixLength;
    }
}
