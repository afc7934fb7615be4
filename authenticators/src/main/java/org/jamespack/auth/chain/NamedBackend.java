package org.jamespack.auth.chain;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import org.jamespack.auth.BackendUnavailableException;
import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.UserDirectory;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.VerdictMeter;

import net.jcip.annotations.ThreadSafe;

/**
 * A backend under the name the operator gave it: alone, the name is the audit line's
 * {@code backend}; in a {@link VerifierChain}, the chain puts it in front of the deciding
 * member's detail. It is also where each backend's verdicts are counted and timed: the cache and
 * the throttle sit outside it, so an answer from the cache is not counted as a question to the
 * backend.
 *
 * <p>Thread-safe when the delegate is (every {@link CredentialVerifier} must be).
 */
@ThreadSafe
public sealed class NamedBackend implements CredentialVerifier {

    private final String name;
    private final CredentialVerifier delegate;
    private final Supplier<VerdictMeter> meter;

    private NamedBackend(String name, CredentialVerifier delegate, Supplier<VerdictMeter> meter) {
        this.name = Objects.requireNonNull(name, "name");
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.meter = Objects.requireNonNull(meter, "meter");
    }

    /**
     * {@code backend} named {@code name}, metered by whatever {@code meter} gives at each call (the
     * server's metrics exist only after the pack is built). When {@code backend} is also a
     * {@link UserDirectory}, so is the result: the cache asks it which logins name the same user
     * when an operator invalidates one.
     */
    public static CredentialVerifier of(String name, CredentialVerifier backend, Supplier<VerdictMeter> meter) {
        return backend instanceof UserDirectory directory
            ? new Directory(name, backend, meter, directory)
            : new NamedBackend(name, backend, meter);
    }

    @Override
    public final Verdict verify(LoginAttempt attempt) {
        VerdictMeter.Stopwatch watch = meter.get().start(name);
        Verdict verdict = delegate.verify(attempt);
        watch.stop(verdict);
        return verdict;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final void forget(String user) {
        delegate.forget(user);
    }

    @Override
    public final void forgetAll() {
        delegate.forgetAll();
    }

    @Override
    public final void close() {
        delegate.close();
    }

    /**
     * A named backend that is also a directory: the directory's answers pass through, not
     * metered (they are no logins). Thread-safe when the delegates are.
     */
    @ThreadSafe
    private static final class Directory extends NamedBackend implements UserDirectory {
        private final UserDirectory directory;

        Directory(String name, CredentialVerifier backend, Supplier<VerdictMeter> meter, UserDirectory directory) {
            super(name, backend, meter);
            this.directory = directory;
        }

        @Override
        public Optional<String> lookup(String login) throws BackendUnavailableException {
            return directory.lookup(login);
        }

        @Override
        public List<String> list() throws BackendUnavailableException {
            return directory.list();
        }

        @Override
        public long count() throws BackendUnavailableException {
            return directory.count();
        }
    }
}
