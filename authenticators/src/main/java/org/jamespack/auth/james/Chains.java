package org.jamespack.auth.james;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import org.jamespack.auth.BackendUnavailableException;
import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.UserDirectory;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.VerdictMeter;
import org.jamespack.auth.chain.VerifierChain;

import net.jcip.annotations.Immutable;
import net.jcip.annotations.ThreadSafe;

/**
 * Turns the backend elements of {@code <authpack>} into one verifier: one backend is used as
 * is, several become a chain with PAM's control words.
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
            Named named = new Named(only.name(), only.verifier(), meter);
            // the cache asks a directory which logins name the same user when invalidating (issue 12)
            return only.verifier() instanceof UserDirectory directory ? new NamedDirectory(named, directory) : named;
        }
        List<VerifierChain.Member> chain = new ArrayList<>();
        for (AuthPack.Member m : members) {
            VerifierChain.Control control = CONTROLS.contains(m.control())
                ? VerifierChain.Control.parse(m.control()) : VerifierChain.Control.REQUIRED;
            chain.add(new VerifierChain.Member(new Named(m.name(), m.verifier(), meter), control));
        }
        return VerifierChain.of(chain);
    }

    /**
     * A backend under the name the operator gave it: alone, the name is the audit line's
     * {@code backend}; in a chain, the chain puts it in front of the deciding member's detail. It
     * is also where each backend's verdicts are counted and timed (the cache and the throttle sit
     * outside it, so an answer from the cache is not counted as a question to the backend).
     *
     * <p>Thread-safe when the delegate is.
     */
    @ThreadSafe
    static final class Named implements CredentialVerifier {
        private final String name;
        private final CredentialVerifier delegate;
        private final Supplier<VerdictMeter> meter;

        Named(String name, CredentialVerifier delegate, Supplier<VerdictMeter> meter) {
            this.name = name;
            this.delegate = delegate;
            this.meter = meter;
        }

        @Override
        public Verdict verify(LoginAttempt attempt) {
            VerdictMeter.Stopwatch watch = meter.get().start(name);
            Verdict verdict = delegate.verify(attempt);
            watch.stop(verdict);
            return verdict;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void forget(String user) {
            delegate.forget(user);
        }

        @Override
        public void forgetAll() {
            delegate.forgetAll();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /**
     * A {@link Named} backend that is also a directory: the directory's answers pass through
     * (not metered: they are no logins).
     *
     * <p>Thread-safe when the delegates are.
     */
    @ThreadSafe
    static final class NamedDirectory implements CredentialVerifier, UserDirectory {
        private final Named named;
        private final UserDirectory directory;

        NamedDirectory(Named named, UserDirectory directory) {
            this.named = named;
            this.directory = directory;
        }

        @Override
        public Verdict verify(LoginAttempt attempt) {
            return named.verify(attempt);
        }

        @Override
        public String name() {
            return named.name();
        }

        @Override
        public void close() {
            named.close();
        }

        @Override
        public java.util.Optional<String> lookup(String login) throws BackendUnavailableException {
            return directory.lookup(login);
        }

        @Override
        public java.util.List<String> list() throws BackendUnavailableException {
            return directory.list();
        }

        @Override
        public long count() throws BackendUnavailableException {
            return directory.count();
        }
    }
}
