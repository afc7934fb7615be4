package org.jamespack.auth.pack;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.UserDirectory;
import org.jamespack.auth.Verdict;
import org.jamespack.foundation.config.ConfigNode;

/** A test backend that answers what it was told and records each attempt. Thread-safe. */
public final class FixedVerifier implements CredentialVerifier, UserDirectory {

    final List<LoginAttempt> seen = new CopyOnWriteArrayList<>();
    final List<String> forgotten = new CopyOnWriteArrayList<>();
    volatile Verdict answer = Verdict.accepted();
    volatile boolean closed;
    final String who;

    FixedVerifier(String who) {
        this.who = who;
    }

    public static FixedVerifier fromConfig(ConfigNode node) {
        return new FixedVerifier(node.string("who", "fixed"));
    }

    @Override
    public Verdict verify(LoginAttempt attempt) {
        seen.add(attempt);
        return answer;
    }

    @Override
    public String name() {
        return "fixed";
    }

    @Override
    public void forget(String user) {
        forgotten.add(user);
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public Optional<String> lookup(String login) {
        return Optional.of(login);
    }

    @Override
    public List<String> list() {
        return List.of(who);
    }
}
