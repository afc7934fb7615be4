package org.jamespack.auth.james;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jamespack.auth.Protocol;

import org.slf4j.MDC;

import com.google.common.net.InetAddresses;

import net.jcip.annotations.ThreadSafe;

/**
 * Finds which James protocol server is asking for a password check, by walking the calling
 * thread's stack up to the first frame of a known James protocol package.
 *
 * <p>Why: James' mailbox {@code Authenticator#isAuthentic(Username, CharSequence)} and
 * {@code UsersRepository#test(Username, String)} receive no session and no protocol, yet Kopano's
 * feature gates ({@code imap}, {@code pop3}) and per-protocol settings need it. IMAP's
 * {@code LoginProcessor}, POP3's {@code PassCmdHandler}, JMAP's and WebAdmin's authentication
 * strategies all call the mailbox manager synchronously, so their frames are on the stack. The
 * walk is lazy ({@link StackWalker#walk} stops at the first match, which a
 * {@code new Throwable().getStackTrace()} cannot) and reads class names only (no
 * {@code RETAIN_CLASS_REFERENCE}): tens of microseconds at most, against the milliseconds of a
 * directory round trip. An unknown caller gives {@link Protocol#OTHER}.
 *
 * <p>Stateless and thread-safe.
 */
@ThreadSafe
public final class CallerProtocol {

    private static final StackWalker WALKER = StackWalker.getInstance();

    /** Package prefixes of James 3.8.1's protocol servers, most specific first. */
    private static final List<Map.Entry<String, Protocol>> PREFIXES = List.of(
        Map.entry("org.apache.james.imap.", Protocol.IMAP),
        Map.entry("org.apache.james.imapserver.", Protocol.IMAP),
        Map.entry("org.apache.james.pop3server.", Protocol.POP3),
        Map.entry("org.apache.james.protocols.pop3.", Protocol.POP3),
        Map.entry("org.apache.james.smtpserver.", Protocol.SMTP),
        Map.entry("org.apache.james.protocols.smtp.", Protocol.SMTP),
        Map.entry("org.apache.james.jmap.", Protocol.JMAP),
        Map.entry("org.apache.james.managesieve.", Protocol.MANAGESIEVE),
        Map.entry("org.apache.james.managesieveserver.", Protocol.MANAGESIEVE),
        Map.entry("org.apache.james.webadmin.", Protocol.WEBADMIN));

    private CallerProtocol() {
    }

    /** The protocol of the nearest James protocol frame on the current stack, or OTHER. */
    public static Protocol detect() {
        return WALKER.walk(frames -> frames
                .map(f -> classify(f.getClassName()))
                .flatMap(Optional::stream)
                .findFirst())
            .orElse(Protocol.OTHER);
    }

    /**
     * The client's address as James' protocol servers put it in the logging context (key
     * {@code ip} of James' {@code MDCBuilder}), when the check runs on the thread that holds it.
     * Only an IP literal is accepted, so that no name is ever resolved here.
     */
    public static Optional<InetAddress> clientFromLoggingContext() {
        String ip = MDC.get("ip");
        if (ip == null || ip.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddresses.forString(ip));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static Optional<Protocol> classify(String className) {
        if (!className.startsWith("org.apache.james.")) {
            return Optional.empty();
        }
        for (Map.Entry<String, Protocol> e : PREFIXES) {
            if (className.startsWith(e.getKey())) {
                return Optional.of(e.getValue());
            }
        }
        return Optional.empty();
    }
}
