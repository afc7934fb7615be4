package org.jamespack.relay.smtp;

import java.io.IOException;
import java.security.Provider;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslClientFactory;
import javax.security.sasl.SaslException;

import net.jcip.annotations.ThreadSafe;

/**
 * A JCA provider offering {@link BearerSaslClient} for {@code XOAUTH2} and {@code OAUTHBEARER}
 * through {@code javax.security.sasl.Sasl}, which is how Angus Mail's SASL path
 * ({@code mail.smtp.sasl.enable}) finds clients. Thread-safe.
 *
 * <p>It is inserted first so that it wins over Angus' own XOAUTH2 factory, and only while a
 * {@link SmtpConnector} is open (see {@link JvmMailSetup} for why it must be in the JVM's list); it
 * only answers sessions marked with {@link #MARKER} (those of this relay); for any other JavaMail
 * user in the JVM it returns null and the next provider is asked, so nothing else changes behaviour.
 */
@ThreadSafe
public final class BearerSaslProvider extends Provider {

    private static final long serialVersionUID = 1L;

    /** Session property that marks the relay's sessions. */
    public static final String MARKER = "org.jamespack.relay.sasl";
    /** Session property: longest AUTH command line (octets, without CRLF) that may carry the initial response. */
    public static final String MAX_AUTH_LINE = "org.jamespack.relay.sasl.maxAuthLine";
    /** Session property: the port, for OAUTHBEARER's {@code port=}. */
    public static final String PORT = "org.jamespack.relay.sasl.port";
    /**
     * Where the SASL client of the connection being opened on this thread writes the server's error challenge (its
     * JSON), so that the connector can put it in the failure. A thread-local rather than a session property: one
     * session serves every connection of a kind of route, and Angus runs the whole AUTH exchange inside
     * {@code connect} on the caller's thread. The connector sets it before {@code connect} and removes it after.
     */
    static final ThreadLocal<AtomicReference<String>> CHALLENGE_SINK = new ThreadLocal<>();

    static final String NAME = "JamesPackRelaySasl";

    private BearerSaslProvider() {
        super(NAME, "1.0", "XOAUTH2 and OAUTHBEARER SASL clients of the James pack relay");
        for (String mech : new String[] {"XOAUTH2", "OAUTHBEARER"}) {
            putService(new Service(this, "SaslClientFactory", mech, Factory.class.getName(), null, null) {
                @Override
                public Object newInstance(Object constructorParameter) {
                    return new Factory();
                }
            });
        }
    }

    /** A new provider; {@link JvmMailSetup} installs it while a connector is open. */
    static BearerSaslProvider create() {
        return new BearerSaslProvider();
    }

    /** Creates the clients; thread-safe (stateless). */
    static final class Factory implements SaslClientFactory {

        @Override
        public SaslClient createSaslClient(String[] mechanisms, String authorizationId, String protocol, String serverName,
                                           Map<String, ?> props, CallbackHandler cbh) throws SaslException {
            if (props == null || !"true".equals(String.valueOf(props.get(MARKER)))) {
                return null;
            }
            String mech = null;
            for (String m : mechanisms) {
                if (m.equals("XOAUTH2") || m.equals("OAUTHBEARER")) {
                    mech = m;
                    break;
                }
            }
            if (mech == null) {
                return null;
            }
            NameCallback name = new NameCallback("user");
            PasswordCallback token = new PasswordCallback("token", false);
            try {
                cbh.handle(new Callback[] {name, token});
            } catch (IOException | UnsupportedCallbackException e) {
                throw new SaslException(mech + ": cannot get user and token", e);
            }
            char[] t = token.getPassword();
            token.clearPassword();
            if (name.getName() == null || t == null) {
                throw new SaslException(mech + ": no user or token");
            }
            byte[] response;
            try {
                if (mech.equals("XOAUTH2")) {
                    response = BearerSaslClient.xoauth2(name.getName(), t);
                } else {
                    int port = Integer.parseInt(String.valueOf(props.get(PORT)));
                    response = BearerSaslClient.oauthBearer(name.getName(), serverName, port, t);
                }
            } finally {
                Arrays.fill(t, '\0');
            }
            int maxLine = Integer.parseInt(String.valueOf(props.get(MAX_AUTH_LINE)));
            // RFC 4954 §4: "AUTH " + mechanism + " " + base64; beyond the limit send it after the server's 334
            int line = 5 + mech.length() + 1 + ((response.length + 2) / 3) * 4;
            boolean initial = line <= maxLine;
            AtomicReference<String> sink = CHALLENGE_SINK.get();
            AtomicReference<String> challenge = sink != null ? sink : new AtomicReference<>("");
            return new BearerSaslClient(mech, response, initial, challenge);
        }

        @Override
        public String[] getMechanismNames(Map<String, ?> props) {
            return new String[] {"XOAUTH2", "OAUTHBEARER"};
        }
    }

    /** Base64 of a client response, for tests of the wire format. */
    static String encode(byte[] response) {
        return Base64.getEncoder().encodeToString(response);
    }
}
