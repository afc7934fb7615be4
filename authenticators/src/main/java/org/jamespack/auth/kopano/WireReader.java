package org.jamespack.auth.kopano;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;

import net.jcip.annotations.NotThreadSafe;

/** Buffered reading of HTTP lines and bodies from a {@link Wire} under a deadline. Not thread-safe. */
@NotThreadSafe
final class WireReader {
    private static final int MAX_LINE = 8192;
    private final Wire wire;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int end;
    long deadline;

    WireReader(Wire wire) {
        this.wire = wire;
    }

    private boolean fill() throws IOException {
        if (pos < end) {
            return true;
        }
        int n = wire.read(buf, 0, buf.length, deadline);
        if (n < 0) {
            return false;
        }
        pos = 0;
        end = n;
        return true;
    }

    void awaitFirstByte() throws IOException {
        if (!fill()) {
            throw new EOFException("connection closed before an answer");
        }
    }

    String line() throws IOException {
        StringBuilder s = new StringBuilder();
        while (true) {
            if (!fill()) {
                throw new EOFException("connection closed in an HTTP header");
            }
            byte b = buf[pos++];
            if (b == '\n') {
                int len = s.length();
                if (len > 0 && s.charAt(len - 1) == '\r') {
                    s.setLength(len - 1);
                }
                return s.toString();
            }
            if (s.length() >= MAX_LINE) {
                throw new IOException("HTTP header line too long");
            }
            s.append((char) (b & 0xff));
        }
    }

    byte[] exactly(int n) throws IOException {
        byte[] out = new byte[n];
        int got = 0;
        while (got < n) {
            if (!fill()) {
                throw new EOFException("connection closed in an HTTP body");
            }
            int take = Math.min(n - got, end - pos);
            System.arraycopy(buf, pos, out, got, take);
            pos += take;
            got += take;
        }
        return out;
    }

    byte[] chunked() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = line();
            int semi = sizeLine.indexOf(';');
            int size;
            try {
                size = Integer.parseInt((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size");
            }
            if (size < 0 || out.size() + (long) size > Soap.MAX_RESPONSE_BYTES) {
                throw new IOException("answer too large");
            }
            if (size == 0) {
                while (!line().isEmpty()) {
                    // trailers carry nothing the check needs
                }
                return out.toByteArray();
            }
            out.write(exactly(size));
            line();
        }
    }

    byte[] untilClose() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (fill()) {
            out.write(buf, pos, end - pos);
            pos = end;
            if (out.size() > Soap.MAX_RESPONSE_BYTES) {
                throw new IOException("answer too large");
            }
        }
        return out.toByteArray();
    }
}
