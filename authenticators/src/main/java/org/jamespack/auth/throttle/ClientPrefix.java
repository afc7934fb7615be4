package org.jamespack.auth.throttle;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

import net.jcip.annotations.Immutable;

/**
 * The part of a client address that names one client: all of an IPv4 address (/32), the
 * first 64 bits of an IPv6 one (/64, one subnet: a single host can pick any address in it, so
 * keying on the full address would let it dodge the penalty by changing its interface ID).
 * IPv4-mapped IPv6 addresses ({@code ::ffff:a.b.c.d}) count as the IPv4 address.
 *
 * <p>Immutable and thread-safe.
 */
@Immutable
record ClientPrefix(boolean ipv6, long bits) {

    static ClientPrefix of(InetAddress address) {
        byte[] raw = address.getAddress();
        if (address instanceof Inet4Address) {
            return new ClientPrefix(false, ByteBuffer.wrap(raw).getInt() & 0xffffffffL);
        }
        if (address instanceof Inet6Address && isIpv4Mapped(raw)) {
            return new ClientPrefix(false, ByteBuffer.wrap(raw, 12, 4).getInt() & 0xffffffffL);
        }
        return new ClientPrefix(true, ByteBuffer.wrap(raw, 0, 8).getLong());
    }

    private static boolean isIpv4Mapped(byte[] raw) {
        for (int i = 0; i < 10; i++) {
            if (raw[i] != 0) {
                return false;
            }
        }
        return raw[10] == (byte) 0xff && raw[11] == (byte) 0xff;
    }

    @Override
    public String toString() {
        if (!ipv6) {
            return ((bits >>> 24) & 0xff) + "." + ((bits >>> 16) & 0xff) + "." + ((bits >>> 8) & 0xff) + "." + (bits & 0xff);
        }
        return String.format("%x:%x:%x:%x::/64", (bits >>> 48) & 0xffff, (bits >>> 32) & 0xffff, (bits >>> 16) & 0xffff,
            bits & 0xffff);
    }
}
