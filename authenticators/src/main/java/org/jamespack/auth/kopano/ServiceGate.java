package org.jamespack.auth.kopano;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import net.jcip.annotations.Immutable;

/**
 * pam_mapi's {@code service=} option: a list of Kopano feature names joined by {@code |}
 * ({@code imap|pop3}), passed when <em>any</em> of them is on for the user (an OR gate).
 * An empty gate is no gate: the password alone decides.
 *
 * <p>Immutable and thread-safe. Names are kept in lower case because Kopano compares feature
 * names case-insensitively (its IMAP and POP3 gateways do).
 *
 * @param features the feature names in lower case, in the order given; empty for no gate
 */
@Immutable
public record ServiceGate(List<String> features) {

    /** No feature gate. */
    public static final ServiceGate NONE = new ServiceGate(List.of());

    public ServiceGate {
        List<String> clean = new ArrayList<>();
        for (String f : features) {
            String name = f.trim().toLowerCase(Locale.ROOT);
            if (name.isEmpty() || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '|')) {
                throw new IllegalArgumentException("'" + f + "' is not a feature name (printable ASCII, no spaces or '|')");
            }
            if (!clean.contains(name)) {
                clean.add(name);
            }
        }
        features = List.copyOf(clean);
    }

    /**
     * Parses pam_mapi's syntax, {@code pop3|imap|mobile|outlook}; any feature name is allowed,
     * since a site may define its own. An empty or blank text gives {@link #NONE}.
     */
    public static ServiceGate parse(String text) {
        if (text.isBlank()) {
            return NONE;
        }
        List<String> names = new ArrayList<>();
        for (String part : text.split("\\|", -1)) {
            if (part.isBlank()) {
                throw new IllegalArgumentException("empty feature name in '" + text + "'");
            }
            names.add(part);
        }
        return new ServiceGate(names);
    }

    public boolean isOpen() {
        return features.isEmpty();
    }

    /**
     * Whether the gate passes for a user whose effective disabled-feature list is {@code disabled}:
     * a feature is on iff it is not in that list (Kopano's own gateways decide so), and the gate
     * passes when any listed feature is on.
     */
    public boolean passes(Collection<String> disabled) {
        if (features.isEmpty()) {
            return true;
        }
        Set<String> off = new java.util.HashSet<>();
        for (String d : disabled) {
            off.add(d.trim().toLowerCase(Locale.ROOT));
        }
        for (String f : features) {
            if (!off.contains(f)) {
                return true;
            }
        }
        return false;
    }

    /** pam_mapi's spelling, {@code imap|pop3}; empty for no gate. */
    @Override
    public String toString() {
        return String.join("|", features);
    }
}
