package org.jamespack.auth.james;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.Username;
import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.UserDirectory;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.pack.AuthPack;
import org.jamespack.auth.pack.BackendFactories;
import org.junit.jupiter.api.Test;

/**
 * James' yes/no {@code UsersRepository#test} (JMAP, ManageSieve and whatever else James asks)
 * says yes to a right password whose mailbox lives on another host: it cannot send the caller
 * there, and the login is right.
 */
class PackUsersRepositoryMailHostTest {

    /** A directory backend whose every answer is {@code verdict}. */
    private record Answering(Verdict verdict) implements CredentialVerifier, UserDirectory {
        @Override
        public Verdict verify(LoginAttempt attempt) {
            return verdict;
        }

        @Override
        public String name() {
            return "dir";
        }

        @Override
        public Optional<String> lookup(String login) {
            return Optional.of(login);
        }

        @Override
        public List<String> list() {
            return List.of();
        }
    }

    private static AuthPack pack(Verdict verdict) {
        BackendFactories factories = BackendFactories.standard().withBackend("dir", n -> new Answering(verdict));
        return AuthPack.load(new ByteArrayInputStream(
            "<usersrepository><authpack mode=\"directory\"><dir/></authpack></usersrepository>".getBytes(StandardCharsets.UTF_8)),
            "usersrepository.xml", factories);
    }

    @Test
    void testShouldSayYesWhenTheMailboxIsOnAnotherHost() throws Exception {
        Username dave = Username.of("dave@example.org");
        try (AuthPack elsewhere = pack(Verdict.accepted().withMailHost("mail2.example.org"));
             AuthPack wrong = pack(Verdict.rejected())) {
            // test() never consults the domain list
            assertThat(new PackUsersRepository(elsewhere, null).test(dave, "dave-secret")).isTrue();
            assertThat(new PackUsersRepository(wrong, null).test(dave, "wrong")).isFalse();
        }
    }
}
