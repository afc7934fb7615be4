package org.jamespack.relay.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import net.jcip.annotations.ThreadSafe;

/**
 * Reads one protocol line byte by byte, so that nothing after the line is consumed (the rest of
 * the stream may be handed to a TLS handshake after STARTTLS, which a buffered reader would
 * break). Used by the test smarthosts ({@link SmtpFront}, the demo's smarthost).
 *
 * <p>Stateless and thread-safe.
 */
@ThreadSafe
public final class CrlfLines {

    private CrlfLines() {
    }

    /** The next line without its CRLF (or LF), decoded as UTF-8; null at end of stream. */
    public static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.UTF_8);
            }
            b.write(c);
        }
        return null;
    }
}
