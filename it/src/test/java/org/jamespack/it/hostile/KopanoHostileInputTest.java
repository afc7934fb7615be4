package org.jamespack.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.LongSupplier;

import org.jamespack.auth.kopano.standin.KopanoStandIn;
import org.jamespack.it.james.PackJamesExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The corpus against Kopano alone, in password-only mode (Kopano cannot list users): James'
 * own repository holds alice, bob and carol, so a hostile login unknown to James is refused
 * before Kopano is asked and only the hostile passwords of the real users reach the SOAP
 * request. The chain test sends hostile logins to Kopano too.
 */
class KopanoHostileInputTest extends HostileInputSuite {

    static final KopanoStandIn KOPANO = HostileBackends.kopanoWithUsers();

    @RegisterExtension
    @Order(1)
    static PackJamesExtension james = PackJamesExtension.builder()
        .backends(HostileBackends.factories())
        .usersRepositoryXml(() -> HostileBackends.usersRepository("password-only", HostileBackends.kopanoElement(KOPANO, "")))
        .build();

    @BeforeAll
    static void jamesUsers() {
        james.addJamesUser(HostileCorpus.ALICE, "james-own-password-a");
        james.addJamesUser(HostileCorpus.BOB, "james-own-password-b");
        james.addJamesUser(HostileCorpus.CAROL, "james-own-password-c");
    }

    @AfterAll
    static void stop() {
        assertThat(KOPANO.clientViolations()).as("SOAP requests the stand-in found malformed").isEmpty();
        KOPANO.close();
    }

    @Override
    PackJamesExtension james() {
        return james;
    }

    @Override
    LongSupplier passwordChecksAtBackend() {
        return () -> KOPANO.logons().size();
    }

    @Override
    String configuration() {
        return "Kopano, password-only mode";
    }
}
