package org.jamespack.auth.pack;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.VerdictMeter;
import org.jamespack.auth.chain.NamedBackend;
import org.jamespack.auth.chain.VerifierChain;

import net.jcip.annotations.Immutable;

/**
 * Turns the backend elements of {@code <authpack>} into one verifier: one backend is used as
 * is, several become a chain with PAM's control words; each backend under its operator's name,
 * metered ({@link NamedBackend}).
 *
 * <p>Stateless and thread-safe.
 */
@Immutable
final class Chains {

    static final Set<String> CONTROLS = Set.of("required", "requisite", "sufficient", "optional");

    private Chains() {
    }

    static CredentialVerifier of(List<AuthPack.Member> members, Supplier<VerdictMeter> meter) {
        for (AuthPack.Member m : members) {
            if (!CONTROLS.contains(m.control())) {
                m.node().problem(AuthPack.CONTROL, "'" + m.control() + "' is not one of " + CONTROLS);
            }
        }
        if (members.size() == 1) {
            AuthPack.Member only = members.get(0);
            return NamedBackend.of(only.name(), only.verifier(), meter);
        }
        List<VerifierChain.Member> chain = new ArrayList<>();
        for (AuthPack.Member m : members) {
            VerifierChain.Control control = CONTROLS.contains(m.control())
                ? VerifierChain.Control.parse(m.control()) : VerifierChain.Control.REQUIRED;
            chain.add(new VerifierChain.Member(NamedBackend.of(m.name(), m.verifier(), meter), control));
        }
        return VerifierChain.of(chain);
    }
}
