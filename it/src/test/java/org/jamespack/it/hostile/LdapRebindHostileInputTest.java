package org.jamespack.it.hostile;

import java.util.function.LongSupplier;

import org.jamespack.auth.ldap.InMemoryLdap;
import org.jamespack.it.james.PackJamesExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The corpus against LDAP in rebind mode (directory mode: the directory is James' user base). */
class LdapRebindHostileInputTest extends HostileInputSuite {

    static final InMemoryLdap LDAP = HostileBackends.ldapWithUsers();

    @RegisterExtension
    @Order(1)
    static PackJamesExtension james = PackJamesExtension.builder()
        .backends(HostileBackends.factories())
        .usersRepositoryXml(() -> HostileBackends.usersRepository("directory", HostileBackends.ldapElement(LDAP.url(), "rebind", "")))
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
        return LDAP::binds;
    }

    @Override
    String configuration() {
        return "LDAP rebind, directory mode";
    }
}
