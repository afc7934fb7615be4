package org.jamespack.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.LongSupplier;

import org.jamespack.auth.kopano.standin.KopanoStandIn;
import org.jamespack.auth.ldap.InMemoryLdap;
import org.jamespack.it.james.PackJamesExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The corpus against the chain Kopano ({@code sufficient}) then LDAP rebind ({@code required})
 * in directory mode: the directory is James' user base, so every hostile login reaches
 * Kopano's SOAP request and then the directory.
 */
class KopanoThenLdapHostileInputTest extends HostileInputSuite {

    static final KopanoStandIn KOPANO = HostileBackends.kopanoWithUsers();
    static final InMemoryLdap LDAP = HostileBackends.ldapWithUsers();

    @RegisterExtension
    @Order(1)
    static PackJamesExtension james = PackJamesExtension.builder()
        .backends(HostileBackends.factories())
        .usersRepositoryXml(() -> HostileBackends.usersRepository("directory",
            HostileBackends.kopanoElement(KOPANO, "control=\"sufficient\" quiet=\"true\""),
            HostileBackends.ldapElement(LDAP.url(), "rebind", "control=\"required\"")))
        .build();

    @AfterAll
    static void stop() {
        assertThat(KOPANO.clientViolations()).as("SOAP requests the stand-in found malformed").isEmpty();
        KOPANO.close();
        LDAP.close();
    }

    @Override
    PackJamesExtension james() {
        return james;
    }

    @Override
    LongSupplier passwordChecksAtBackend() {
        return () -> KOPANO.logons().size() + LDAP.binds();
    }

    @Override
    String configuration() {
        return "chain Kopano (sufficient) then LDAP rebind (required), directory mode";
    }
}
