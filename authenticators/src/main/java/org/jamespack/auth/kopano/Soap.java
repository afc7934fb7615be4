package org.jamespack.auth.kopano;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import org.jspecify.annotations.Nullable;

import net.jcip.annotations.Immutable;
import net.jcip.annotations.ThreadSafe;

/**
 * The three SOAP calls a password check needs ({@code logon}, {@code getUser}, {@code logoff})
 * and a reader for the server's answers.
 *
 * <p>Thread-safe: stateless but for a concurrent pool of StAX factories, each used by one parse at a time.
 *
 * <p>Why by hand: the requests have one tiny fixed shape (a handful of unqualified string and
 * number elements in {@code urn:zarafa}), while a SOAP stack (JAX-WS, Axis, CXF) would need a
 * WSDL Kopano does not publish, pull in a large dependency tree beside James', and hide the
 * wire details this check depends on (unqualified parameters, unsigned 64-bit session ids,
 * omitted null strings). Requests are written with strict XML escaping; answers are read with
 * the JDK's StAX parser with DTDs and external entities off, matching elements by local name so
 * that any namespace prefix, parameter order, omitted nulls and {@code xsi:nil} are accepted.
 */
@ThreadSafe
final class Soap {

    static final String NS_ENVELOPE = "http://schemas.xmlsoap.org/soap/envelope/";
    static final String NS_ENCODING = "http://schemas.xmlsoap.org/soap/encoding/";
    static final String NS_ZARAFA = "urn:zarafa";
    static final String NS_XSI = "http://www.w3.org/2001/XMLSchema-instance";

    /** KCERR_LOGON_FAILED: every logon failure, whatever the cause. */
    static final long LOGON_FAILED = 0x80000009L;
    /** KCERR_END_OF_SESSION: the session expired, is unknown, or came from another address. */
    static final long END_OF_SESSION = 0x80000010L;
    /** The client's szVersion is older than 6. */
    static final long INVALID_VERSION = 0x80000021L;
    /** The client did not announce the Unicode capability (Kopano 11.0.2+). */
    static final long UNICODE_MISSING = 0x80000031L;

    /** The Unicode capability (0x200) plus 64-bit session ids (0x10); nothing else, no compression or enhanced ICS. */
    static final int CAPABILITIES = 528;
    /** No-UID-auth: the server checks the password even for local socket callers. */
    static final int FLAG_NO_UID_AUTH = 0x1;
    /** No-register-session (8.5+): check the password without a usable session. */
    static final int FLAG_NO_REGISTER_SESSION = 0x2;

    /** PR_EC_DISABLED_FEATURES_A: the effective disabled-features list. */
    static final long PROP_DISABLED_FEATURES = 1739853854L;
    /** PR_EC_ENABLED_FEATURES_A: the effective enabled-features list. */
    static final long PROP_ENABLED_FEATURES = 1739788318L;
    /** An active user; contacts, rooms, equipment and non-active users have other classes. */
    static final long ACTIVE_USER = 65537L;

    static final String MASK = "***";
    private static final Pattern SESSION_IN_TEXT = Pattern.compile("(<(?:[A-Za-z0-9_-]+:)?(?:ulSessionId|szPassword|lpszPassword)\\b[^>]*(?<!/)>)[^<]*(<)");
    /** Answers are a few kilobytes; anything far bigger is not Kopano. */
    static final int MAX_RESPONSE_BYTES = 1 << 20;

    private static final String HEAD = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"" + NS_ENVELOPE + "\" xmlns:SOAP-ENC=\"" + NS_ENCODING + "\""
        + " xmlns:xsi=\"" + NS_XSI + "\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:ns=\"" + NS_ZARAFA + "\">"
        + "<SOAP-ENV:Body SOAP-ENV:encodingStyle=\"" + NS_ENCODING + "\">";
    private static final String TAIL = "</SOAP-ENV:Body></SOAP-ENV:Envelope>";

    /**
     * Idle parsers, one factory each. The JDK's StAX factory can hand back the reader it made
     * last ({@code reuse-instance}), which saves most of the cost of reading a short answer (a new
     * reader allocates its scanners and buffers anew), but then one
     * factory serves one parse at a time; so each parse borrows a factory. The pool never holds
     * more factories than parses ran at once.
     */
    private static final ConcurrentLinkedDeque<XMLInputFactory> FACTORIES = new ConcurrentLinkedDeque<>();
    /** One spare factory outside the deque: the usual single-thread case allocates no deque node. */
    private static final AtomicReference<@Nullable XMLInputFactory> SPARE = new AtomicReference<>();

    private Soap() {
    }

    private static XMLInputFactory secureFactory() {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        try {
            // JDK-only: a reused reader is reset from this factory's settings (the ones above)
            f.setProperty("reuse-instance", Boolean.TRUE);
        } catch (IllegalArgumentException otherImplementation) {
            // another StAX implementation on the class path: it builds a reader per parse
        }
        return f;
    }

    /**
     * The logon request. {@code password} is the real one for the wire and {@link #MASK} for a
     * debug log. Throws {@link IllegalArgumentException} when a value holds a character XML 1.0
     * cannot carry (the message names no value).
     */
    static String logon(String user, String password, int flags, String clientApp) {
        StringBuilder s = new StringBuilder(HEAD.length() + 600).append(HEAD).append("<ns:logon>");
        element(s, "szUsername", user);
        element(s, "szPassword", password);
        // empty, never absent: a non-empty value would log in as that user if permitted
        element(s, "szImpersonateUser", "");
        // G,M,m with G >= 6; an older major gives 0x80000021
        element(s, "szVersion", "8,7,0");
        element(s, "ulCapabilities", Integer.toString(CAPABILITIES));
        element(s, "ulFlags", Integer.toString(flags));
        // empty: a non-empty value starts license processing on the server
        element(s, "sLicenseReq", "");
        element(s, "ullSessionGroup", "0");
        element(s, "szClientApp", clientApp);
        element(s, "szClientAppVersion", "1.0");
        element(s, "szClientAppMisc", clientApp);
        return s.append("</ns:logon>").append(TAIL).toString();
    }

    /** The getUser request for the session's own user ({@code ulUserId} 0). */
    static String getUser(String sessionId) {
        StringBuilder s = new StringBuilder(HEAD).append("<ns:getUser>");
        element(s, "ulSessionId", sessionId);
        element(s, "ulUserId", "0");
        element(s, "sUserId", "");
        return s.append("</ns:getUser>").append(TAIL).toString();
    }

    static String logoff(String sessionId) {
        StringBuilder s = new StringBuilder(HEAD).append("<ns:logoff>");
        element(s, "ulSessionId", sessionId);
        return s.append("</ns:logoff>").append(TAIL).toString();
    }

    /** A request or answer with session ids and passwords masked, for a debug log. */
    static String maskSessions(String xml) {
        return SESSION_IN_TEXT.matcher(xml).replaceAll("$1" + MASK + "$2");
    }

    private static void element(StringBuilder s, String name, String value) {
        s.append('<').append(name).append('>');
        escape(s, value);
        s.append("</").append(name).append('>');
    }

    /**
     * Escapes text content. {@code \r} becomes {@code &#13;} because an XML parser turns a raw CR
     * into LF, which would change a password; characters XML 1.0 cannot carry at all are refused.
     */
    static void escape(StringBuilder s, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '&': s.append("&amp;"); break;
                case '<': s.append("&lt;"); break;
                case '>': s.append("&gt;"); break;
                case '"': s.append("&quot;"); break;
                case '\'': s.append("&apos;"); break;
                case '\r': s.append("&#13;"); break;
                default:
                    if (c == '\t' || c == '\n' || c >= 0x20 && c < 0xD800 || c >= 0xE000 && c <= 0xFFFD) {
                        s.append(c);
                    } else if (Character.isHighSurrogate(c) && i + 1 < value.length()
                        && Character.isLowSurrogate(value.charAt(i + 1))) {
                        s.append(c).append(value.charAt(++i));
                    } else {
                        throw new IllegalArgumentException("a character XML cannot carry (U+"
                            + String.format("%04X", (int) c) + ")");
                    }
            }
        }
    }

    /** Whether every character of {@code value} can travel in XML 1.0. */
    static boolean xmlSafe(char[] value) {
        for (int i = 0; i < value.length; i++) {
            char c = value[i];
            if (c == '\t' || c == '\n' || c == '\r' || c >= 0x20 && c < 0xD800 || c >= 0xE000 && c <= 0xFFFD) {
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length && Character.isLowSurrogate(value[i + 1])) {
                i++;
                continue;
            }
            return false;
        }
        return true;
    }

    /** The unsigned 64-bit session id as the wire spells it. */
    static String sessionText(long sessionId) {
        return Long.toUnsignedString(sessionId);
    }

    /**
     * Parses a SOAP envelope and returns the first element in its Body: the method response
     * or a Fault. Throws {@link SoapException} when the text is not a SOAP envelope.
     */
    static SoapElement parseBody(String xml) throws SoapException {
        SoapElement root = parse(xml);
        if (!root.name().equals("Envelope")) {
            throw new SoapException("not a SOAP envelope (root element " + root.name() + ")");
        }
        SoapElement body = root.child("Body").orElseThrow(() -> new SoapException("SOAP envelope without a Body"));
        if (body.children().isEmpty()) {
            throw new SoapException("empty SOAP Body");
        }
        return body.children().get(0);
    }

    /** A secure StAX parse into a small tree of local names; DTDs are refused outright. */
    static SoapElement parse(String xml) throws SoapException {
        XMLInputFactory factory = SPARE.getAndSet(null);
        if (factory == null) {
            factory = FACTORIES.pollFirst();
        }
        if (factory == null) {
            factory = secureFactory();
        }
        XMLStreamReader r = null;
        try {
            r = factory.createXMLStreamReader(new StringReader(xml));
            List<SoapElement> stack = new ArrayList<>();
            SoapElement root = null;
            while (r.hasNext()) {
                int event = r.next();
                switch (event) {
                    case XMLStreamConstants.DTD:
                    case XMLStreamConstants.ENTITY_REFERENCE:
                        throw new SoapException("a DTD or entity reference in a SOAP answer");
                    case XMLStreamConstants.START_ELEMENT: {
                        // most elements carry no attribute: skip the lookup then
                        String nilValue = r.getAttributeCount() == 0 ? null : r.getAttributeValue(NS_XSI, "nil");
                        boolean nil = "true".equals(nilValue) || "1".equals(nilValue);
                        SoapElement e = new SoapElement(r.getLocalName(), nil);
                        if (stack.isEmpty()) {
                            root = e;
                        } else {
                            stack.get(stack.size() - 1).add(e);
                        }
                        stack.add(e);
                        break;
                    }
                    case XMLStreamConstants.END_ELEMENT:
                        stack.remove(stack.size() - 1);
                        break;
                    case XMLStreamConstants.CHARACTERS:
                    case XMLStreamConstants.CDATA:
                    case XMLStreamConstants.SPACE:
                        if (!stack.isEmpty()) {
                            stack.get(stack.size() - 1).append(r.getText());
                        }
                        break;
                    default:
                        break;
                }
            }
            if (root == null) {
                throw new SoapException("no XML element in the answer");
            }
            return root;
        } catch (XMLStreamException | RuntimeException e) {
            throw new SoapException("unparseable SOAP answer: " + e.getMessage(), e);
        } finally {
            if (r != null) {
                try {
                    r.close();
                } catch (XMLStreamException ignored) {
                    // the text is in memory: closing frees nothing that could fail
                }
            }
            if (!SPARE.compareAndSet(null, factory)) {
                FACTORIES.addFirst(factory);
            }
        }
    }

    /** The fault text of a SOAP 1.1 or 1.2 Fault element, for a log line. */
    static String faultText(SoapElement fault) {
        String code = fault.text("faultcode").or(() -> fault.child("Code").flatMap(c -> c.text("Value"))).orElse("?");
        String reason = fault.text("faultstring").or(() -> fault.child("Reason").flatMap(c -> c.text("Text"))).orElse("");
        return code + " " + reason;
    }

    static String abbreviate(String s) {
        return abbreviate(s, 40);
    }

    /** A server's text cut to {@code max} characters, so that a hostile answer cannot flood a log line. */
    private static String abbreviate(String s, int max) {
        return s.length() > max ? s.substring(0, max) + "…" : s;
    }

    /** The answer was not a SOAP envelope the verifier understands. */
    static class SoapException extends Exception {
        private static final long serialVersionUID = 1L;

        SoapException(String message) {
            super(message);
        }

        SoapException(String message, @Nullable Throwable cause) {
            super(message, cause);
        }
    }

    /** What a logon returned. Immutable. */
    @Immutable
    record LogonResult(long er, long sessionId, String version) {

        /** The server's major version from {@code 0,<maj>,<min>,…}, or -1 when it sent none. */
        int major() {
            String[] parts = version.split(",");
            if (parts.length >= 2) {
                try {
                    return Integer.parseInt(parts[1].trim());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
            return -1;
        }
    }

    static LogonResult logonResult(SoapElement response) throws SoapException {
        expect(response, "logonResponse");
        long session = response.unsigned("ulSessionId");
        long er;
        try {
            er = response.errorCode();
        } catch (MalformedAnswerException e) {
            // the server may have opened a session all the same: hand its id over, so that it is logged off
            throw new MalformedAnswerException(e.getMessage(), session);
        }
        return new LogonResult(er, session, response.text("lpszVersion").orElse(""));
    }

    /** What getUser returned. Immutable. */
    @Immutable
    record UserResult(long er, long objectClass, Optional<List<String>> disabled, Optional<List<String>> enabled) {
    }

    static UserResult userResult(SoapElement response) throws SoapException {
        expect(response, "getUserResponse");
        long er = response.errorCode();
        Optional<SoapElement> user = response.child("lpsUser").filter(u -> !u.isNil());
        if (er != 0 || user.isEmpty()) {
            return new UserResult(er, 0, Optional.empty(), Optional.empty());
        }
        return new UserResult(er, user.get().unsigned("ulObjClass"),
            user.get().multiValued(PROP_DISABLED_FEATURES), user.get().multiValued(PROP_ENABLED_FEATURES));
    }

    static long logoffResult(SoapElement response) throws SoapException {
        expect(response, "logoffResponse");
        return response.unsigned("result");
    }

    private static void expect(SoapElement response, String name) throws SoapException {
        if (response.name().equals("Fault")) {
            throw new FaultException(faultText(response));
        }
        if (!response.name().equals(name)) {
            throw new SoapException("expected " + name + ", got " + response.name());
        }
    }

    /**
     * The answer is a well-formed method response that lacks what a success needs (its error
     * code): a server fault, never read as success.
     */
    static final class MalformedAnswerException extends SoapException {
        private static final long serialVersionUID = 1L;
        private final long sessionId;

        MalformedAnswerException(String message) {
            this(message, 0);
        }

        MalformedAnswerException(String message, long sessionId) {
            super(message);
            this.sessionId = sessionId;
        }

        /** A session id the faulty answer carried anyway (0 when none): the caller logs it off. */
        long sessionId() {
            return sessionId;
        }
    }

    /** The server answered with a SOAP Fault. */
    static final class FaultException extends SoapException {
        private static final long serialVersionUID = 1L;

        FaultException(String fault) {
            super("SOAP Fault: " + abbreviate(fault, 200));
        }
    }
}
