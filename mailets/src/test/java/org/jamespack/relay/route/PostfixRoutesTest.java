package org.jamespack.relay.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * Postfix's two maps written as Postfix's documentation writes them (SASL_README's sender-dependent example,
 * sasl-xoauth2's README), read into the relay's routes with Postfix's lookup order.
 */
class PostfixRoutesTest {

    static final Path RELAY = Path.of("/etc/postfix/sender_relay");
    static final Path PASSWD = Path.of("/etc/postfix/sasl_passwd");

    /** SASL_README, "Configuring Sender-Dependent SASL authentication", with sasl-xoauth2's token paths as passwords. */
    static final String SENDER_RELAY = """
        # /etc/postfix/sender_relay
        # Per-sender relayhost: full address first, then @domain.
        user1@example.com           [mail.example.com]:submission
        user2@example.net           [mail.example.net]

        # the whole of example.org through Microsoft 365
        @example.org
                [smtp.office365.com]:587
        @example.edu                [smtp.gmail.com]:465
        """;

    static final String SASL_PASSWD = """
        # /etc/postfix/sasl_passwd
        # Per-sender authentication; see also /etc/postfix/sender_relay
        user1@example.com               username1@example.com:/etc/tokens/username1@example.com
        user2@example.net               username2@example.net:/etc/tokens/username2@example.net
        ceo@example.org                 ceo@example.org:/etc/tokens/ceo@example.org
        @example.org                    relay@example.org:/etc/tokens/relay@example.org
        # Login information for the default relayhost.
        [smtp.gmail.com]:465            relay@example.edu:/etc/tokens/relay@example.edu
        """;

    private static PostfixRoutes postfix(boolean senderDependent, Optional<String> relayhost) {
        return new PostfixRoutes(Optional.of(RELAY), Optional.of(PASSWD), relayhost, "mailetcontainer.xml: mailet relay/postfixRelayhost",
            senderDependent, Mechanism.XOAUTH2, Optional.empty());
    }

    private static RouteTable table(SmartHostsParser.Result r) {
        return RouteTable.of(r.routes());
    }

    @Test
    void parseShouldReadBothMapsAsPostfixDocumentsThemWithSenderDependentAuthentication() {
        SmartHostsParser.Result r = postfix(true, Optional.empty()).parse(List.of(SENDER_RELAY, SASL_PASSWD));

        assertThat(r.problems()).isEmpty();
        Route user1 = table(r).lookup("User1@Example.com").orElseThrow();
        assertThat(user1.host()).isEqualTo("mail.example.com");
        assertThat(user1.port()).as(":submission").isEqualTo(587);
        assertThat(user1.tls()).isEqualTo(TlsMode.STARTTLS);
        assertThat(user1.user()).contains("username1@example.com");
        assertThat(user1.oauth()).as("the sasl-xoauth2 token file").contains("/etc/tokens/username1@example.com");
        assertThat(user1.mechanism()).contains(Mechanism.XOAUTH2);
        assertThat(user1.origin()).isEqualTo("/etc/postfix/sender_relay:3 (account: /etc/postfix/sasl_passwd:3)");

        Route user2 = table(r).lookup("user2@example.net").orElseThrow();
        assertThat(user2.port()).as("[host] alone is Postfix's port 25").isEqualTo(25);
        assertThat(table(r).lookup("other@example.net")).as("no @example.net entry: not relayed").isEmpty();

        // @example.org's smarthost (a continuation line), the account by full address before @domain
        Route ceo = table(r).lookup("ceo@example.org").orElseThrow();
        assertThat(ceo.smarthost()).isEqualTo("smtp.office365.com:587");
        assertThat(ceo.user()).contains("ceo@example.org");
        assertThat(ceo.limits()).isEqualTo(SendingLimits.M365);
        Route anyone = table(r).lookup("anyone@example.org").orElseThrow();
        assertThat(anyone.smarthost()).isEqualTo("smtp.office365.com:587");
        assertThat(anyone.user()).contains("relay@example.org");
        assertThat(anyone.oauth()).contains("/etc/tokens/relay@example.org");

        // no sender entry for @example.edu: the next hop as written, [smtp.gmail.com]:465, over implicit TLS
        Route edu = table(r).lookup("someone@example.edu").orElseThrow();
        assertThat(edu.tls()).isEqualTo(TlsMode.IMPLICIT);
        assertThat(edu.user()).contains("relay@example.edu");
    }

    @Test
    void parseShouldLookUpThePasswordMapByHostNameBeforeTheNextHopAsWritten() {
        String passwd = """
            [smtp.gmail.com]:587     by-next-hop@example.com:/etc/tokens/next-hop
            smtp.gmail.com           by-host-name@example.com:/etc/tokens/host-name
            """;
        SmartHostsParser.Result r = postfix(false, Optional.of("[smtp.gmail.com]:587")).parse(List.of("", passwd));

        assertThat(r.problems()).isEmpty();
        assertThat(table(r).lookup("anyone@anywhere.example").orElseThrow().user()).contains("by-host-name@example.com");
    }

    /** sasl-xoauth2's README: relayhost = [smtp.gmail.com]:587 and one line keyed by the next hop. */
    @Test
    void parseShouldGiveEverySenderTheRelayhostAndItsAccountAsSaslXoauth2SetsPostfixUp() {
        PostfixRoutes p = new PostfixRoutes(Optional.empty(), Optional.of(PASSWD), Optional.of("[smtp.gmail.com]:587"), "postfixRelayhost",
            false, Mechanism.XOAUTH2, Optional.of(Path.of("/var/spool/postfix")));
        SmartHostsParser.Result r = p.parse(List.of("[smtp.gmail.com]:587 username@domain.com:/etc/tokens/username@domain.com\n"));

        assertThat(r.problems()).isEmpty();
        Route route = table(r).lookup("alice@domain.com").orElseThrow();
        assertThat(route.key()).isEqualTo("*");
        assertThat(route.smarthost()).isEqualTo("smtp.gmail.com:587");
        assertThat(route.user()).contains("username@domain.com");
        assertThat(route.oauth()).as("below Postfix's chroot").contains("/var/spool/postfix/etc/tokens/username@domain.com");
        assertThat(route.origin()).isEqualTo("postfixRelayhost (account: /etc/postfix/sasl_passwd:1)");
    }

    @Test
    void parseShouldIgnoreSenderKeysOfThePasswordMapWithoutSenderDependentAuthenticationAndSaySo() {
        SmartHostsParser.Result r = postfix(false, Optional.empty()).parse(List.of(SENDER_RELAY, SASL_PASSWD));

        assertThat(table(r).lookup("user1@example.com").orElseThrow().user()).as("no [mail.example.com]:submission entry: no AUTH")
            .isEmpty();
        assertThat(table(r).lookup("someone@example.edu").orElseThrow().user()).contains("relay@example.edu");
        assertThat(r.problems()).extracting(RouteProblem::toString).contains(
            "/etc/postfix/sasl_passwd:3: route 'user1@example.com': a sender key is looked up only with "
                + "postfixSenderDependentAuthentication=true (Postfix: smtp_sender_dependent_authentication = yes); ignored");
    }

    @Test
    void parseShouldGoToTheRelayhostForDunnoAsPostfixDoes() {
        String relay = "@example.org [smtp.office365.com]:587\nnoreply@example.org DUNNO\n";
        SmartHostsParser.Result r = postfix(true, Optional.of("[relay.example.net]:587")).parse(List.of(relay, ""));

        assertThat(r.problems()).isEmpty();
        assertThat(table(r).lookup("noreply@example.org").orElseThrow().smarthost()).isEqualTo("relay.example.net:587");
        assertThat(table(r).lookup("x@example.org").orElseThrow().smarthost()).isEqualTo("smtp.office365.com:587");
        assertThat(table(r).lookup("x@example.com").orElseThrow().smarthost()).isEqualTo("relay.example.net:587");
    }

    @Test
    void parseShouldNameFileLineAndKeyOfEveryBadLineAndLoadTheGoodOnes() {
        String relay = """
            # sender_dependent_relayhost_maps
            @good.example        [smtp.office365.com]:587
            @mx.example          smtp.office365.com:587
            bare.example         [smtp.office365.com]:587
            @port.example        [smtp.office365.com]:imaps
            @nothing.example
            @good.example        [other.example]:587
              [continued.example]
            """;
        String passwd = """
            @good.example        no-colon-here
            @mx.example          relay@mx.example:relative/token
            """;
        SmartHostsParser.Result r = postfix(true, Optional.empty()).parse(List.of(relay, passwd));

        assertThat(r.problems()).extracting(RouteProblem::toString).containsExactlyInAnyOrder(
            "/etc/postfix/sender_relay:6: route '@nothing.example': no value: the format is 'key value' (postmap's \"expected format\")",
            "/etc/postfix/sender_relay:7: route '@good.example': duplicate entry, the entry of line 2 is used (as in Postfix's hash: tables)",
            "/etc/postfix/sender_relay:4: route 'bare.example': 'bare.example' is not a sender address or @domain (Postfix looks senders "
                + "up by user@domain, then @domain; write @bare.example for a whole domain)",
            "/etc/postfix/sender_relay:3: route '@mx.example': 'smtp.office365.com:587' is not a next hop [host] or [host]:port: without [ ] "
                + "Postfix looks up the MX records of the name, which the relay does not do for a smarthost; write [smtp.office365.com]:587",
            "/etc/postfix/sender_relay:5: route '@port.example': '[smtp.office365.com]:imaps': 'imaps' is not a port (a number, smtp, "
                + "submission, smtps or submissions)",
            "/etc/postfix/sasl_passwd:1: route '@good.example': the value is not username:password (for sasl-xoauth2 "
                + "username:/path/to/token-file)");
        assertThat(r.routes()).isEmpty();
    }

    @Test
    void problemsShouldNeverShowAPassword() {
        String passwd = "@example.org  relay@example.org:Sup3r-Secret\n";
        SmartHostsParser.Result r = postfix(true, Optional.empty()).parse(List.of("@example.org [smtp.office365.com]:587\n", passwd));

        assertThat(r.routes()).isEmpty();
        assertThat(r.problems()).singleElement().asString().contains("sasl_passwd:1", "'@example.org'", "relay@example.org",
            "not an absolute token file path").doesNotContain("Sup3r-Secret");
    }

    @Test
    void problemsShouldNotShowThePasswordOfALineThatLacksItsKey() {
        SmartHostsParser.Result r = postfix(true, Optional.empty()).parse(List.of("", "relay@example.org:Sup3r-Secret\n"));

        assertThat(r.problems()).singleElement().asString().isEqualTo("/etc/postfix/sasl_passwd:1: route 'relay@example.org:…': no value: "
            + "the format is 'key value' (postmap's \"expected format\")");
    }

    @Test
    void plainMechanismShouldTakeThePasswordAsASecret() {
        PostfixRoutes p = new PostfixRoutes(Optional.of(RELAY), Optional.of(PASSWD), Optional.empty(), "postfixRelayhost", true,
            Mechanism.PLAIN, Optional.empty());
        SmartHostsParser.Result r = p.parse(List.of("@example.org [mail.example.net]:587\n", "@example.org user@example.org:pass:word\n"));

        Route route = r.routes().get(0);
        assertThat(route.password().orElseThrow().equals(org.jamespack.foundation.Secret.of("pass:word"))).isTrue();
        assertThat(route.oauth()).isEmpty();
        assertThat(route.toString()).doesNotContain("pass:word");
    }
}
