package org.jamespack.relay.smtp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;

import net.jcip.annotations.NotThreadSafe;

/**
 * SASL client for XOAUTH2 and OAUTHBEARER (RFC 7628) that survives the error challenge. Not
 * thread-safe: one instance per authentication, as SASL clients are.
 *
 * <p>Written by hand because the one in Angus Mail ({@code OAuth2SaslClient}) only knows XOAUTH2,
 * and the built-in authenticator throws on a 334 challenge without answering it. Here: the first
 * evaluation returns the client response (sent as the initial response, or after the server's
 * empty {@code 334} when the AUTH line would be too long); a second challenge can only be the
 * server's error JSON (Google, Dovecot), answered as the mechanism requires — an empty line for
 * XOAUTH2, a single {@code 0x01} ({@code AQ==}) for OAUTHBEARER (RFC 7628 §3.2.3) — after which the
 * server sends its final 535. The client stays incomplete until then, because Angus only
 * evaluates challenges for incomplete clients.
 */
@NotThreadSafe
final class BearerSaslClient implements SaslClient {

    private static final byte[] OAUTHBEARER_ERROR_ANSWER = {0x01};

    private final String mechanism;
    private final boolean initialResponse;
    private byte[] response;
    private int step;
    private final AtomicReference<String> errorChallenge;

    /**
     * @param response        the client response, built by {@link #xoauth2} or {@link #oauthBearer}; owned by this client
     * @param initialResponse whether to send it with the AUTH command
     * @param errorChallenge  receives the server's error challenge (its JSON), for the failure report
     */
    BearerSaslClient(String mechanism, byte[] response, boolean initialResponse, AtomicReference<String> errorChallenge) {
        this.mechanism = mechanism;
        this.response = response;
        this.initialResponse = initialResponse;
        this.errorChallenge = errorChallenge;
    }

    BearerSaslClient(String mechanism, byte[] response, boolean initialResponse) {
        this(mechanism, response, initialResponse, new AtomicReference<>(""));
    }

    /** XOAUTH2: {@code user=U^Aauth=Bearer T^A^A}. */
    static byte[] xoauth2(String user, char[] token) {
        return join("user=" + user + "\u0001auth=Bearer ", token, "\u0001\u0001");
    }

    /** OAUTHBEARER (RFC 7628 §3.1): {@code n,a=U,^Ahost=H^Aport=P^Aauth=Bearer T^A^A}. */
    static byte[] oauthBearer(String user, String host, int port, char[] token) {
        String gs2 = "n,a=" + user.replace("=", "=3D").replace(",", "=2C") + ",";
        return join(gs2 + "\u0001host=" + host + "\u0001port=" + port + "\u0001auth=Bearer ", token, "\u0001\u0001");
    }

    private static byte[] join(String before, char[] token, String after) {
        byte[] a = before.getBytes(StandardCharsets.UTF_8);
        byte[] t = new String(token).getBytes(StandardCharsets.UTF_8);
        byte[] c = after.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[a.length + t.length + c.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(t, 0, out, a.length, t.length);
        System.arraycopy(c, 0, out, a.length + t.length, c.length);
        Arrays.fill(t, (byte) 0);
        return out;
    }

    @Override
    public String getMechanismName() {
        return mechanism;
    }

    @Override
    public boolean hasInitialResponse() {
        return initialResponse;
    }

    @Override
    public byte[] evaluateChallenge(byte[] challenge) throws SaslException {
        step++;
        if (step == 1) {
            byte[] out = response.clone();
            Arrays.fill(response, (byte) 0);
            response = new byte[0];
            return out;
        }
        if (step == 2) {
            // the server's error report, e.g. {"status":"401","schemes":"bearer","scope":"…"}; no secret in it
            errorChallenge.set(new String(challenge, StandardCharsets.UTF_8));
            return mechanism.equals("OAUTHBEARER") ? OAUTHBEARER_ERROR_ANSWER.clone() : new byte[0];
        }
        throw new SaslException(mechanism + ": unexpected challenge after the error report");
    }

    /** The error JSON the server sent before refusing the token, or "". */
    String errorChallenge() {
        return errorChallenge.get();
    }

    @Override
    public boolean isComplete() {
        return step >= 2;
    }

    @Override
    public byte[] unwrap(byte[] incoming, int offset, int len) {
        throw new IllegalStateException("no security layer");
    }

    @Override
    public byte[] wrap(byte[] outgoing, int offset, int len) {
        throw new IllegalStateException("no security layer");
    }

    @Override
    public Object getNegotiatedProperty(String propName) {
        return null;
    }

    @Override
    public void dispose() {
        Arrays.fill(response, (byte) 0);
    }
}
