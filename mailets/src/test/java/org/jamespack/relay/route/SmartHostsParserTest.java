package org.jamespack.relay.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class SmartHostsParserTest {

    // Verbatim from seed 002 (cloud_mdir_sync doc/example-exim4.conf), without the leading "# ".
    private static final String SEED_LINE =
        "domain.com: host=smtp.office365.com::587 helo=cms user=user@domain.com oauth=/home/XX/mail/.cms/exim/unix";
    // The password= variant the seed describes ("oauth= may also be replaced with password="), as in the reference.
    private static final String SEED_PASSWORD_LINE = "other.org:  host=smtp.gmail.com::587 user=me@other.org password=secret";

    @Test
    void parseShouldReadTheSeedOauthLineWhenGivenVerbatim() {
        SmartHostsParser.Result result = SmartHostsParser.parse(SEED_LINE + "\n", "exim-smart-hosts");

        assertThat(result.problems()).isEmpty();
        Route r = result.routes().get(0);
        assertThat(r.key()).isEqualTo("domain.com");
        assertThat(r.host()).isEqualTo("smtp.office365.com");
        assertThat(r.port()).isEqualTo(587);
        assertThat(r.tls()).isEqualTo(TlsMode.STARTTLS);
        assertThat(r.helo()).contains("cms");
        assertThat(r.user()).contains("user@domain.com");
        assertThat(r.oauth()).contains("/home/XX/mail/.cms/exim/unix");
        assertThat(r.password()).isEmpty();
        assertThat(r.mechanism()).contains(Mechanism.XOAUTH2);
        assertThat(r.limits()).isEqualTo(SendingLimits.M365);
        assertThat(r.origin()).isEqualTo("exim-smart-hosts:1");
    }

    @Test
    void parseShouldReadTheSubmittersAndUnauthenticatedSettingsOfARoute() {
        SmartHostsParser.Result result = SmartHostsParser.parse(
            "shared@example.org: host=smtp.office365.com::587 user=shared@example.org oauth=m365 submitters=Alice@example.org,bob"
                + " unauthenticated=allow\n"
                + "example.org: host=smtp.office365.com::587 user=relay@example.org oauth=m365\n", "f");

        assertThat(result.problems()).isEmpty();
        assertThat(result.routes().get(0).submitters()).containsExactlyInAnyOrder("alice@example.org", "bob");
        assertThat(result.routes().get(0).unauthenticated()).contains(true);
        assertThat(result.routes().get(1).submitters()).isEmpty();
        assertThat(result.routes().get(1).unauthenticated()).isEmpty();
    }

    @Test
    void parseShouldRefuseBadSubmittersAndUnauthenticatedValuesNamingTheLine() {
        SmartHostsParser.Result result = SmartHostsParser.parse(
            "a.example: host=h user=u@a.example oauth=x submitters=alice,,bob\n"
                + "b.example: host=h user=u@b.example oauth=x unauthenticated=yes\n"
                + "c.example: host=h submitters=alice\n", "f");

        assertThat(result.routes()).isEmpty();
        assertThat(result.problems()).extracting(Object::toString).satisfiesExactly(
            p -> assertThat(p).contains("f:1").contains("submitters: 'alice,,bob' is not a comma-separated list"),
            p -> assertThat(p).contains("f:2").contains("unauthenticated: 'yes' is not allow or refuse"),
            p -> assertThat(p).contains("f:3").contains("submitters: needs user"));
    }

    @Test
    void parseShouldReadThePasswordVariantWithPlainAndNoPresetWhenHostIsNotMicrosoft() {
        SmartHostsParser.Result result = SmartHostsParser.parse(SEED_PASSWORD_LINE, "f");

        assertThat(result.problems()).isEmpty();
        Route r = result.routes().get(0);
        assertThat(r.host()).isEqualTo("smtp.gmail.com");
        assertThat(r.password().orElseThrow().reveal()).isEqualTo("secret");
        assertThat(r.mechanism()).contains(Mechanism.PLAIN);
        assertThat(r.limits()).isEqualTo(SendingLimits.UNLIMITED);
        assertThat(r.toString()).doesNotContain("secret");
    }

    @Test
    void parseShouldSkipCommentsBlankLinesAndJoinContinuationLines() {
        String text = "# a comment\n\n"
            + "\"Quoted.Example\":\n"
            + "   host=mx.quoted.example::465\n"
            + "\tuser=a@quoted.example password=\"p w\"\n"
            + "*: host=fallback.example\n";

        SmartHostsParser.Result result = SmartHostsParser.parse(text, "f");

        assertThat(result.problems()).isEmpty();
        assertThat(result.routes()).hasSize(2);
        Route quoted = result.routes().get(0);
        assertThat(quoted.key()).isEqualTo("quoted.example");
        assertThat(quoted.port()).isEqualTo(465);
        assertThat(quoted.tls()).isEqualTo(TlsMode.IMPLICIT);
        assertThat(quoted.password().orElseThrow().reveal()).isEqualTo("p w");
        assertThat(quoted.origin()).isEqualTo("f:3");
        Route fallback = result.routes().get(1);
        assertThat(fallback.key()).isEqualTo("*");
        assertThat(fallback.user()).isEmpty();
        assertThat(fallback.mechanism()).isEmpty();
        assertThat(fallback.port()).isEqualTo(587);
    }

    @Test
    void parseShouldReportBadLinesWithFileLineAndKeyAndStillLoadTheGoodOnes() {
        String text = SEED_LINE + "\n"
            + "broken.org: helo=x user=u@broken.org oauth=t\n"
            + "weird.org: host=a:b\n"
            + "typo.org: host=h hots=x\n"
            + "both.org: host=h user=u@both.org oauth=a password=hidden-value\n"
            + "domain.com: host=other.example\n"
            + "plain.org: host=h tls=none\n"
            + "bad key!: host=h\n"
            + SEED_PASSWORD_LINE + "\n";

        SmartHostsParser.Result result = SmartHostsParser.parse(text, "/etc/exim4/exim-smart-hosts");

        assertThat(result.routes()).extracting(Route::key).containsExactly("domain.com", "other.org");
        assertThat(result.problems()).extracting(RouteProblem::line).containsExactly(2, 3, 4, 5, 6, 7, 8);
        assertThat(result.problems().get(0).toString())
            .isEqualTo("/etc/exim4/exim-smart-hosts:2: route 'broken.org': host: is required");
        assertThat(result.problems().get(1).problem()).contains("host lists are not supported");
        assertThat(result.problems().get(2).problem()).contains("hots: unknown setting");
        assertThat(result.problems().get(3).problem()).contains("oauth and password");
        assertThat(result.problems().get(4).problem()).contains("duplicate key, the entry of line 1 is used");
        assertThat(result.problems().get(5).problem()).contains("plain text is never used");
        assertThat(result.problems().get(6).key()).isEqualTo("bad");
        assertThat(result.problems()).allSatisfy(p -> assertThat(p.toString()).doesNotContain("hidden-value"));
    }

    @Test
    void parseShouldNotEchoTheTailOfAnUnquotedPasswordWithASpace() {
        SmartHostsParser.Result result = SmartHostsParser.parse(
            "spaced.org: host=h user=u@spaced.org password=first-half Second-Half-Secret mechanism=plain\n", "smart-hosts");

        assertThat(result.routes()).isEmpty();
        assertThat(result.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(1);
            assertThat(p.key()).isEqualTo("spaced.org");
            assertThat(p.problem()).contains("not name=value", "after the setting 'password'", "quote");
            assertThat(p.toString()).doesNotContainIgnoringCase("second-half-secret").doesNotContain("first-half");
        });
    }

    @Test
    void parseShouldApplyTheM365PresetAndExplicitLimitsWhenAsked() {
        String text = "a.org: host=relay.example preset=m365 user=u@a.org oauth=x mechanism=oauthbearer\n"
            + "b.org: host=smtp.office365.com messages-per-minute=10 connections=1 user=u@b.org oauth=y\n"
            + "c.org: host=smtp.office365.com preset=none\n";

        SmartHostsParser.Result result = SmartHostsParser.parse(text, "f");

        assertThat(result.problems()).isEmpty();
        assertThat(result.routes().get(0).limits()).isEqualTo(SendingLimits.M365);
        assertThat(result.routes().get(0).mechanism()).contains(Mechanism.OAUTHBEARER);
        assertThat(result.routes().get(1).limits()).isEqualTo(new SendingLimits(10, 10_000, 1));
        assertThat(result.routes().get(2).limits()).isEqualTo(SendingLimits.UNLIMITED);
    }

    @Test
    void parseShouldRefuseAMechanismThatWouldSendATokenAsAPassword() {
        SmartHostsParser.Result result = SmartHostsParser.parse("a.org: host=h user=u@a.org oauth=x mechanism=login", "f");

        assertThat(result.routes()).isEmpty();
        assertThat(result.problems().get(0).problem()).contains("mechanism: 'login' does not fit oauth=");
    }

    @Test
    void lookupShouldPreferAddressThenDomainThenClosestWildcardThenDefault() {
        SmartHostsParser.Result result = SmartHostsParser.parse(
            "Boss@Example.org: host=boss.example\n"
                + "example.org: host=domain.example\n"
                + "*.example.org: host=wild.example\n"
                + "*.eu.example.org: host=eu.example\n"
                + "*: host=default.example\n", "f");
        RouteTable table = RouteTable.of(result.routes());

        assertThat(host(table.lookup("boss@EXAMPLE.ORG"))).isEqualTo("boss.example");
        assertThat(host(table.lookup("alice@example.org"))).isEqualTo("domain.example");
        assertThat(host(table.lookup("alice@sub.example.org"))).isEqualTo("wild.example");
        assertThat(host(table.lookup("alice@paris.eu.example.org"))).isEqualTo("eu.example");
        assertThat(host(table.lookup("alice@example.org.evil"))).isEqualTo("default.example");
        assertThat(host(table.lookup("alice@notexample.org"))).isEqualTo("default.example");
    }

    @Test
    void lookupShouldBeExactOnTheDomainWhenThereIsNoWildcardOrDefault() {
        RouteTable table = RouteTable.of(SmartHostsParser.parse(SEED_LINE, "f").routes());

        assertThat(table.lookup("user@domain.com")).isPresent();
        assertThat(table.lookup("user@sub.domain.com")).isEmpty();
        assertThat(table.lookup("user@xdomain.com")).isEmpty();
    }

    private static String host(Optional<Route> route) {
        return route.orElseThrow().host();
    }

    @Test
    void parseShouldReadAGraphRouteWithTheGlobalServiceAndMicrosoftsLimitsByDefault() {
        SmartHostsParser.Result result = SmartHostsParser.parse(
            "example.org: transport=graph user=relay@example.org oauth=m365-graph\n"
                + "example.us: transport=graph graph-url=https://graph.microsoft.us/v1.0/ user=relay@example.us oauth=gov"
                + " preset=none messages-per-minute=100\n", "f");

        assertThat(result.problems()).isEmpty();
        Route global = result.routes().get(0);
        assertThat(global.usesGraph()).isTrue();
        assertThat(global.graph().orElseThrow().base()).hasToString("https://graph.microsoft.com/v1.0");
        assertThat(global.smarthost()).isEqualTo("graph.microsoft.com:443");
        assertThat(global.mechanism()).isEmpty();
        assertThat(global.limits()).isEqualTo(SendingLimits.M365);
        Route gov = result.routes().get(1);
        assertThat(gov.graph().orElseThrow().base()).hasToString("https://graph.microsoft.us/v1.0");
        assertThat(gov.limits().messagesPerMinute()).isEqualTo(100);
        assertThat(gov.limits().recipientsPerDay()).isZero();
    }

    @Test
    void parseShouldRefuseGraphRoutesWithSmtpSettingsOrWithoutAccountNamingTheLine() {
        SmartHostsParser.Result result = SmartHostsParser.parse(
            "a.example: transport=graph host=smtp.office365.com user=u@a.example oauth=x\n"
                + "b.example: transport=graph oauth=x\n"
                + "c.example: transport=graph user=u@c.example oauth=x graph-url=http://graph.example/v1.0\n"
                + "d.example: host=h user=u@d.example oauth=x graph-url=https://graph.microsoft.com/v1.0\n"
                + "e.example: transport=pigeon host=h\n", "f");

        assertThat(result.routes()).isEmpty();
        assertThat(result.problems()).extracting(Object::toString).satisfiesExactly(
            p -> assertThat(p).contains("f:1", "host: not taken by transport=graph"),
            p -> assertThat(p).contains("f:2", "user: is required with transport=graph"),
            p -> assertThat(p).contains("f:3", "graph-url:", "must be https"),
            p -> assertThat(p).contains("f:4", "graph-url: needs transport=graph"),
            p -> assertThat(p).contains("f:5", "transport: 'pigeon' is not smtp or graph"));
    }

    @Test
    void parseShouldReportAContinuationLineWithNoEntryBeforeItAndReadTheRest() {
        SmartHostsParser.Result result = SmartHostsParser.parse("# routes\n   host=orphan::587\n" + SEED_LINE + "\n", "f");

        assertThat(result.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(2);
            assertThat(p.problem()).contains("continuation line");
        });
        assertThat(result.routes()).hasSize(1);
    }
}
