package org.jamespack.auth.chain;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.LogSafe;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.Verdict.Reason;
import org.jamespack.auth.Verdict.State;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.Immutable;
import net.jcip.annotations.ThreadSafe;

/**
 * Verifiers stacked with PAM's control words, asked in order, each with the same login and
 * password; see the package documentation for the rules.
 *
 * <p>Thread-safe when its members are (every {@link CredentialVerifier} must be): the chain holds
 * no state between calls.
 */
@ThreadSafe
public final class VerifierChain implements CredentialVerifier {

    private static final Logger LOG = LoggerFactory.getLogger(VerifierChain.class);

    private final List<Member> members;
    private final String name;

    private VerifierChain(List<Member> members) {
        this.members = List.copyOf(members);
        StringBuilder n = new StringBuilder("chain(");
        for (int i = 0; i < members.size(); i++) {
            if (i > 0) {
                n.append(',');
            }
            n.append(members.get(i).control().word()).append(' ').append(members.get(i).verifier().name());
        }
        this.name = n.append(')').toString();
    }

    /** A chain of {@code members}, asked in this order; at least one. */
    public static VerifierChain of(List<Member> members) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a chain needs at least one member");
        }
        return new VerifierChain(members);
    }

    /** The members, in order. */
    public List<Member> members() {
        return members;
    }

    /** PAM's control words. Immutable and thread-safe, as every enum. */
    public enum Control {
        /** Must succeed; a failure is remembered and the chain goes on (PAM {@code [success=ok default=bad]}). */
        REQUIRED,
        /** Must succeed; a failure ends the chain at once (PAM {@code [success=ok default=die]}). */
        REQUISITE,
        /**
         * Success ends the chain as ACCEPTED unless a required member already failed; failure is
         * ignored (PAM {@code [success=done default=ignore]}), except DISABLED, which is final.
         */
        SUFFICIENT,
        /** Success counts only when no required member decides; failure is ignored ({@code [success=ok default=ignore]}). */
        OPTIONAL;

        /** The word as written in configuration, in lower case. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code required}, {@code requisite}, {@code sufficient}, {@code optional}, any case. */
        public static Control parse(String word) {
            for (Control c : values()) {
                if (c.name().equalsIgnoreCase(word.trim())) {
                    return c;
                }
            }
            throw new IllegalArgumentException("'" + word + "' is not a control word (required, requisite, sufficient, optional)");
        }
    }

    /**
     * One verifier of the chain and its control word. Immutable; thread-safe as its verifier.
     *
     * @param verifier the verifier asked
     * @param control  what its answer does to the chain
     */
    @Immutable
    public record Member(CredentialVerifier verifier, Control control) {
        public Member {
            Objects.requireNonNull(verifier, "verifier");
            Objects.requireNonNull(control, "control");
        }
    }

    @Override
    public Verdict verify(LoginAttempt attempt) {
        // PAM's "impression": the first failure of a required or requisite member, or a success
        Verdict failure = null;
        boolean succeeded = false;
        // an UNAVAILABLE member that could still have made the chain succeed (Dovecot's rule:
        // nothing accepted and an internal failure is an internal failure, not a wrong password)
        Verdict unavailable = null;
        // where the first member that accepted says the mailbox lives, kept for the chain's own ACCEPTED
        String mailHost = null;
        for (Member m : members) {
            Verdict v = ask(m, attempt);
            boolean ok = v.state() == State.ACCEPTED;
            if (ok && mailHost == null) {
                mailHost = v.mailHost().orElse(null);
            }
            if (!ok && v.state() == State.UNAVAILABLE && failure == null && unavailable == null) {
                unavailable = v;
            }
            switch (m.control()) {
                case REQUIRED:
                    if (ok) {
                        succeeded = true;
                    } else if (failure == null) {
                        failure = v;
                    }
                    break;
                case REQUISITE:
                    if (ok) {
                        succeeded = true;
                    } else {
                        return finish(attempt, failure == null ? v : failure, unavailable);
                    }
                    break;
                case SUFFICIENT:
                    if (ok) {
                        if (failure == null) {
                            return finish(attempt, v, null);
                        }
                        // PAM's "done" after an earlier failure: the stack ends, failed
                        return finish(attempt, failure, unavailable);
                    }
                    break;
                case OPTIONAL:
                default:
                    if (ok) {
                        succeeded = true;
                    }
                    break;
            }
            if (v.state() == State.DISABLED) {
                // the password was right and this member owns the account: its "no" is a policy
                // decision that a later member must not overturn (a feature switched off in Kopano
                // is not to be bypassed through a second directory holding the same password)
                return finish(attempt, failure == null ? v : failure, null);
            }
        }
        if (failure != null) {
            return finish(attempt, failure, unavailable);
        }
        if (succeeded) {
            return finish(attempt, mailHost == null ? Verdict.accepted() : Verdict.accepted().withMailHost(mailHost), null);
        }
        return finish(attempt, Verdict.rejected(Reason.NOT_DECIDED, "no member of " + name + " accepted"), unavailable);
    }

    private Verdict finish(LoginAttempt attempt, Verdict result, @Nullable Verdict unavailable) {
        Verdict v = result;
        if (v.state() == State.REJECTED && unavailable != null) {
            v = unavailable;
        }
        LOG.debug("{}: {} by {} -> {}", name, LogSafe.lazy(attempt.login()), attempt.protocol().configName(), v);
        return v;
    }

    private static Verdict ask(Member m, LoginAttempt attempt) {
        try {
            Verdict v = m.verifier().verify(attempt);
            if (v == null) {
                LOG.error("chain member {} returned no verdict (a bug); taken as UNAVAILABLE", m.verifier().name());
                return Verdict.unavailable(Reason.SERVER_ERROR, m.verifier().name() + " returned no verdict");
            }
            return v.withDetailPrefix(m.verifier().name());
        } catch (RuntimeException e) {
            // a verifier must not throw; if one does, the chain must still not call it a wrong password
            LOG.error("chain member {} threw (a bug); taken as UNAVAILABLE", m.verifier().name(), e);
            return Verdict.unavailable(Reason.SERVER_ERROR, m.verifier().name() + " failed: " + e.getClass().getSimpleName(), e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** Passes the invalidation on to every member. */
    @Override
    public void forget(String user) {
        for (Member m : members) {
            m.verifier().forget(user);
        }
    }

    @Override
    public void forgetAll() {
        for (Member m : members) {
            m.verifier().forgetAll();
        }
    }

    /** Closes every member, even when one fails to. */
    @Override
    public void close() {
        List<RuntimeException> failures = new ArrayList<>();
        for (Member m : members) {
            try {
                m.verifier().close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            for (int i = 1; i < failures.size(); i++) {
                first.addSuppressed(failures.get(i));
            }
            throw first;
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
