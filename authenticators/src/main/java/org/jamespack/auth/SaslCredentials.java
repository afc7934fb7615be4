package org.jamespack.auth;

import org.jamespack.foundation.Secret;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

import net.jcip.annotations.Immutable;

/**
 * A login name and password taken from a SASL exchange by the pack's own, strict parsers, for
 * the protocol entry points (SMTP AUTH, IMAP AUTHENTICATE and LOGIN) so that James' lenient
 * parsing never decides who logs in.
 *
 * <p>Why: James 3.8.1 splits PLAIN on NUL and drops empty fields, so
 * {@code \0alice\0\0secret\0} logs alice in and {@code \0alice\0secret\0junk} takes the password
 * for the login (which its audit line then records). Here, PLAIN is RFC 4616 section 2:
 * {@code [authzid] NUL authcid NUL passwd}, exactly two NULs, authcid and passwd not empty,
 * the whole message valid UTF-8, and the authzid empty or equal to the authcid (the pack has
 * no delegation). Anything else is <em>malformed</em> ({@link Optional#empty()}): the caller
 * answers a syntax error and asks no backend. Base64 is RFC 4648 section 4 without line breaks
 * or surrounding blanks; a trailing CRLF is the line's, not the message's.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the password.
 *
 * @param login    the authentication identity (RFC 4616 authcid), never empty
 * @param password the password, never empty
 */
@Immutable
public record SaslCredentials(String login, Secret password) {

    public SaslCredentials {
        if (login.isEmpty() || password.isEmpty()) {
            throw new IllegalArgumentException("empty login or password");
        }
    }

    /** RFC 4616 PLAIN from its base64 form (SMTP AUTH PLAIN, IMAP AUTHENTICATE PLAIN); empty when malformed. */
    public static Optional<SaslCredentials> plain(String base64) {
        return decodeBase64(base64).flatMap(SaslCredentials::plainMessage);
    }

    /** RFC 4616 PLAIN from the decoded message; empty when malformed. */
    public static Optional<SaslCredentials> plainMessage(byte[] message) {
        int first = indexOf(message, 0);
        int second = first < 0 ? -1 : indexOf(message, first + 1);
        if (second < 0 || indexOf(message, second + 1) >= 0) {
            return Optional.empty();
        }
        Optional<String> authzid = utf8(message, 0, first);
        Optional<String> authcid = utf8(message, first + 1, second);
        Optional<String> passwd = utf8(message, second + 1, message.length);
        if (authzid.isEmpty() || authcid.isEmpty() || passwd.isEmpty()
            || authcid.get().isEmpty() || passwd.get().isEmpty()) {
            return Optional.empty();
        }
        if (!authzid.get().isEmpty() && !authzid.get().equals(authcid.get())) {
            // acting as another user: not something the pack authorises
            return Optional.empty();
        }
        return Optional.of(new SaslCredentials(authcid.get(), Secret.of(passwd.get())));
    }

    /**
     * One field of the LOGIN mechanism (draft-murchison-sasl-login: the user name, then the
     * password, each base64): valid base64 of non-empty UTF-8 without NUL; empty when malformed.
     */
    public static Optional<String> loginField(String base64) {
        return decodeBase64(base64).flatMap(bytes -> {
            if (bytes.length == 0 || indexOf(bytes, 0) >= 0) {
                return Optional.empty();
            }
            return utf8(bytes, 0, bytes.length);
        });
    }

    /** Strict base64 of one line (its CRLF removed), empty when it is not base64. */
    static Optional<byte[]> decodeBase64(String base64) {
        String line = base64.endsWith("\r\n") ? base64.substring(0, base64.length() - 2) : base64;
        if (line.isEmpty() || line.length() % 4 != 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(Base64.getDecoder().decode(line));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static Optional<String> utf8(byte[] bytes, int from, int to) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return Optional.of(decoder.decode(ByteBuffer.wrap(Arrays.copyOfRange(bytes, from, to))).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "SaslCredentials[" + login + ", " + password + "]";
    }
}
