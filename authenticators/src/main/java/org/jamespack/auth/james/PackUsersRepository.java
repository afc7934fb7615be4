package org.jamespack.auth.james;

import java.util.Iterator;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;
import org.apache.james.user.api.model.User;
import org.jamespack.auth.BackendUnavailableException;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.foundation.Secret;
import org.jamespack.auth.UserDirectory;
import org.jamespack.auth.Verdict;
import org.reactivestreams.Publisher;
import org.jamespack.auth.pack.AuthPack;

import net.jcip.annotations.ThreadSafe;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * James' users repository in directory mode: who exists, the user list and the count come from
 * the directory; {@link #test} asks the pack's verifier. Read-only, as James' own
 * {@code ReadOnlyUsersLDAPRepository}: writes fail with a message that says where users live.
 *
 * <p>Thread-safe: holds only the thread-safe {@link AuthPack} and James' domain list.
 *
 * <p>Unlike James' LDAP repository, a directory outage is never a wrong password:
 * {@code test} then throws {@link UsersRepositoryException}, so that IMAP answers
 * {@code NO LOGIN processing failed} and POP3 {@code -ERR Unexpected error} (as James 3.8.1 does),
 * and the pack's SMTP hook answers {@code 454 4.7.0}. A right password whose mailbox lives on
 * another host (the verdict's mail host) is {@code true} here: the login is right, and a yes/no
 * answer cannot send the caller elsewhere (the pack's IMAP and POP3 entry points do).
 */
@ThreadSafe
public final class PackUsersRepository implements UsersRepository {

    private final AuthPack pack;
    private final UserDirectory directory;
    private final DomainList domainList;

    @Inject
    public PackUsersRepository(AuthPack pack, DomainList domainList) {
        this.pack = pack;
        this.directory = pack.directory().orElseThrow(() -> new IllegalStateException(
            "the pack's users repository needs directory mode with a listing backend (" + pack.origin() + ")"));
        this.domainList = domainList;
    }

    @Override
    public boolean test(Username name, String password) throws UsersRepositoryException {
        LoginAttempt attempt = attempt(name.asString(), password);
        Verdict verdict = pack.verify(attempt);
        switch (verdict.state()) {
            case ACCEPTED:
                return true;
            case UNAVAILABLE:
                // James turns this into "processing failed" (IMAP) and "Unexpected error" (POP3): a
                // temporary failure, not a wrong password. The message holds no secret.
                throw new UsersRepositoryException("authentication backend unavailable: " + verdict.reason()
                    + (verdict.detail().isEmpty() ? "" : " (" + verdict.detail() + ")"));
            default:
                return false;
        }
    }

    /** The attempt as James' caller makes it: protocol from the stack, client from the logging context. */
    static LoginAttempt attempt(String login, CharSequence password) {
        return new LoginAttempt(login, Secret.of(password), CallerProtocol.detect(), CallerProtocol.clientFromLoggingContext());
    }

    @Override
    public boolean contains(Username name) throws UsersRepositoryException {
        return lookup(name).isPresent();
    }

    @Override
    public Publisher<Boolean> containsReactive(Username name) {
        // the directory client blocks: keep it off James' event-loop threads
        return Mono.fromCallable(() -> contains(name)).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public User getUserByName(Username name) throws UsersRepositoryException {
        // James' convention: null when the user does not exist
        return lookup(name).map(DirectoryUser::new).orElse(null);
    }

    @Override
    public int countUsers() throws UsersRepositoryException {
        try {
            return (int) Math.min(Integer.MAX_VALUE, directory.count());
        } catch (BackendUnavailableException e) {
            throw unavailable(e);
        }
    }

    @Override
    public Iterator<Username> list() throws UsersRepositoryException {
        return listed().iterator();
    }

    @Override
    public Publisher<Username> listReactive() {
        return Flux.defer(() -> {
            try {
                return Flux.fromIterable(listed());
            } catch (UsersRepositoryException e) {
                return Flux.error(e);
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    private List<Username> listed() throws UsersRepositoryException {
        try {
            return directory.list().stream().map(Username::of).toList();
        } catch (BackendUnavailableException e) {
            throw unavailable(e);
        }
    }

    private Optional<Username> lookup(Username name) throws UsersRepositoryException {
        try {
            return directory.lookup(name.asString()).map(Username::of);
        } catch (BackendUnavailableException e) {
            throw unavailable(e);
        }
    }

    private static UsersRepositoryException unavailable(BackendUnavailableException e) {
        return new UsersRepositoryException("authentication backend unavailable: " + e.getMessage(), e);
    }

    @Override
    public void addUser(Username username, String password) throws UsersRepositoryException {
        throw readOnly("add " + username.asString());
    }

    @Override
    public void updateUser(User user) throws UsersRepositoryException {
        throw readOnly("update " + user.getUserName().asString());
    }

    @Override
    public void removeUser(Username name) throws UsersRepositoryException {
        throw readOnly("remove " + name.asString());
    }

    private UsersRepositoryException readOnly(String what) {
        return new UsersRepositoryException("cannot " + what + ": users live in the directory (authpack directory mode, "
            + pack.origin() + "); change them there");
    }

    @Override
    public boolean supportVirtualHosting() {
        return pack.virtualHosting();
    }

    @Override
    public MailAddress getMailAddressFor(Username username) throws UsersRepositoryException {
        try {
            if (supportVirtualHosting()) {
                return new MailAddress(username.asString());
            }
            return new MailAddress(username.getLocalPart(), domainList.getDefaultDomain());
        } catch (Exception e) {
            throw new UsersRepositoryException("cannot make a mail address for " + username.asString(), e);
        }
    }

    @Override
    public boolean isAdministrator(Username username) throws UsersRepositoryException {
        assertValid(username);
        return pack.administrators().contains(username.asString());
    }

    @Override
    public boolean isReadOnly() {
        return true;
    }

    /**
     * A directory entry seen as a James user: it can check a password (through the pack, so an
     * outage reads as "no") but never change one.
     */
    private final class DirectoryUser implements User {
        private final Username name;

        DirectoryUser(Username name) {
            this.name = name;
        }

        @Override
        public Username getUserName() {
            return name;
        }

        @Override
        public boolean verifyPassword(String password) {
            return pack.verify(attempt(name.asString(), password)).isAccepted();
        }

        @Override
        public boolean setPassword(String newPass) {
            return false;
        }
    }
}
