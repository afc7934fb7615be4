package org.jamespack.auth;

import java.util.Locale;

import net.jcip.annotations.Immutable;

/**
 * The protocol a login arrives by. Feature gates (Kopano's {@code imap}, {@code pop3}) and
 * per-protocol settings key on it.
 *
 * <p>Immutable and thread-safe, as every enum.
 */
@Immutable
public enum Protocol {
    SMTP,
    IMAP,
    POP3,
    JMAP,
    MANAGESIEVE,
    WEBADMIN,
    /** The caller could not tell (e.g. a James component we do not recognise). */
    OTHER;

    /** The lower-case name used in configuration files ({@code smtp}, {@code imap}, ...). */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a configuration name case-insensitively, or throws with the accepted names. */
    public static Protocol fromConfigName(String name) {
        for (Protocol p : values()) {
            if (p.name().equalsIgnoreCase(name.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown protocol '" + name
            + "' (expected one of smtp, imap, pop3, jmap, managesieve, webadmin, other)");
    }
}
