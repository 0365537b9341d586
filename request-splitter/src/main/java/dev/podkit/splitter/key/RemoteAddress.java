package dev.podkit.splitter.key;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * {@code $remote_addr} as nginx prints it: dotted IPv4; IPv6 as {@code ngx_inet6_ntop} writes it
 * (lower-case hex, the longest run of two or more zero groups as {@code ::}, IPv4-mapped and
 * IPv4-compatible addresses with a dotted tail).
 */
public final class RemoteAddress {
    private RemoteAddress() {
    }

    public static String text(SocketAddress address) {
        if (!(address instanceof InetSocketAddress isa) || isa.getAddress() == null) {
            return "";
        }
        return text(isa.getAddress());
    }

    public static String text(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        if (address instanceof Inet6Address) {
            return inet6(address.getAddress());
        }
        return address.getHostAddress();
    }

    static String inet6(byte[] p) {
        int zero = -1;
        int last = -1;
        int max = 1;
        int n = 0;
        for (int i = 0; i < 16; i += 2) {
            if (p[i] != 0 || p[i + 1] != 0) {
                if (max < n) {
                    zero = last;
                    max = n;
                }
                n = 0;
                continue;
            }
            if (n++ == 0) {
                last = i;
            }
        }
        if (max < n) {
            zero = last;
            max = n;
        }
        StringBuilder out = new StringBuilder(40);
        int end = 16;
        if (zero == 0) {
            if ((max == 5 && (p[10] & 0xff) == 0xff && (p[11] & 0xff) == 0xff)
                    || max == 6
                    || (max == 7 && p[14] != 0 && p[15] != 1)) {
                end = 12;
            }
            out.append(':');
        }
        for (int i = 0; i < end; i += 2) {
            if (i == zero) {
                out.append(':');
                i += (max - 1) * 2;
                continue;
            }
            out.append(Integer.toHexString((p[i] & 0xff) * 256 + (p[i + 1] & 0xff)));
            if (i < 14) {
                out.append(':');
            }
        }
        if (end == 12) {
            out.append(p[12] & 0xff).append('.').append(p[13] & 0xff).append('.')
                    .append(p[14] & 0xff).append('.').append(p[15] & 0xff);
        }
        return out.toString();
    }
}
