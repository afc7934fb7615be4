package org.jamespack.it.hostile;

import java.util.function.LongSupplier;

import org.jamespack.auth.ldap.InMemoryLdap;
import org.jamespack.it.james.PackJamesExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The corpus against LDAP in compare mode (the hash is read with the service account and checked locally) (directory mode: the directory is James' user base). */
class LdapCompareHostileInputTest extends HostileInputSuite {

    static final InMemoryLdap LDAP = HostileBackends.ldapWithUsers();

    @RegisterExtension
    @Order(1)
    static PackJamesExtension james = PackJamesExtension.builder()
        .backends(HostileBackends.factories())
        .usersRepositoryXml(() -> HostileBackends.usersRepository("directory", HostileBackends.ldapElement(LDAP.url(), "compare", "")))
        .build();

    @AfterAll
    static void stop() {
        LDAP.close();
    }

    @Override
    PackJamesExtension james() {
        return james;
    }

    @Override
    LongSupplier passwordChecksAtBackend() {
        // compare mode binds as nobody per login: its password check is the search that reads userPassword
        return () -> LDAP.binds() + LDAP.passwordReads();
    }

    @Override
    String configuration() {
        return "LDAP compare, directory mode";
    }
}
