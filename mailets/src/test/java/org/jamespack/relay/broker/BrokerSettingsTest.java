package org.jamespack.relay.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jamespack.foundation.config.ConfigProblems;
import org.junit.jupiter.api.Test;

class BrokerSettingsTest {

    static final String ME = System.getProperty("user.name");

    static BrokerSettings read(String xml, ConfigProblems problems) {
        return BrokerSettings.fromConfig(BrokerFixtures.parse(xml, problems));
    }

    @Test
    void fromConfigShouldApplyDocumentedDefaultsWhenOnlyRequiredKeysAreGiven() {
        ConfigProblems problems = new ConfigProblems();

        BrokerSettings s = read("<broker socket=\"/run/jp/broker.sock\"><account name=\"a@example.org\" allow=\"" + ME
            + "\"/></broker>", problems);

        assertThat(problems.list()).isEmpty();
        assertThat(s.socket()).isEqualTo(Path.of("/run/jp/broker.sock"));
        assertThat(PosixFilePermissions.toString(s.mode())).isEqualTo("rw-rw----");
        assertThat(s.group()).isEmpty();
        assertThat(s.threads()).isEqualTo(4);
        assertThat(s.queue()).isEqualTo(16);
        assertThat(s.readTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.requestQuiet()).isEqualTo(Duration.ofMillis(200));
        assertThat(s.maxRequestBytes()).isEqualTo(512);
        assertThat(s.refusal()).isEqualTo(BrokerSettings.RefusalReply.EMPTY);
        assertThat(s.accounts()).singleElement().satisfies(a -> {
            assertThat(a.account()).isEqualTo("a@example.org");
            assertThat(a.location()).isEqualTo("broker.xml:1");
        });
    }

    @Test
    void fromConfigShouldReadEveryKeyWhenAllAreGiven() {
        ConfigProblems problems = new ConfigProblems();

        BrokerSettings s = read("<broker socket=\"/s\" mode=\"640\" group=\"0\" threads=\"2\" queue=\"0\""
            + " read-timeout=\"1s\" request-quiet=\"50ms\" max-request=\"128\" refusal=\"line\">\n"
            + "  <account name=\"a@example.org\"><allow>0</allow><allow>" + ME + "</allow></account>\n"
            + "  <account name=\"b@example.org\" allow=\"65534, 1\"/>\n"
            + "</broker>", problems);

        assertThat(problems.list()).isEmpty();
        assertThat(PosixFilePermissions.toString(s.mode())).isEqualTo("rw-r-----");
        assertThat(s.group()).isPresent();
        assertThat(s.threads()).isEqualTo(2);
        assertThat(s.queue()).isZero();
        assertThat(s.readTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.requestQuiet()).isEqualTo(Duration.ofMillis(50));
        assertThat(s.maxRequestBytes()).isEqualTo(128);
        assertThat(s.refusal()).isEqualTo(BrokerSettings.RefusalReply.LINE);
        assertThat(s.accounts()).hasSize(2);
        assertThat(s.accounts().get(1).allowed()).hasSize(2);
        assertThat(s.accounts().get(1).location()).isEqualTo("broker.xml:3");
    }

    @Test
    void fromConfigShouldReportEveryProblemWithLineAndKeyWhenSettingsAreWrong() {
        ConfigProblems problems = new ConfigProblems();

        read("<broker mode=\"0999\" group=\"no-such-group-xyz\" threads=\"0\" refusal=\"loud\" typo=\"1\">\n"
            + "  <account name=\"a@example.org\" allow=\"no-such-user-xyz\"/>\n"
            + "  <account name=\"A@example.org\" allow=\"root\"/>\n"
            + "  <account name=\"has space@example.org\" allow=\"root\"/>\n"
            + "  <account name=\"c@example.org\"/>\n"
            + "  <account name=\"d@example.org\" allow=\"OWNER@\"/>\n"
            + "</broker>", problems);

        assertThat(problems.list()).anySatisfy(p -> assertThat(p).isEqualTo("broker.xml:1: broker/socket: is required"))
            .anySatisfy(p -> assertThat(p).startsWith("broker.xml:1: broker/mode: '0999'"))
            .anySatisfy(p -> assertThat(p).startsWith("broker.xml:1: broker/group: 'no-such-group-xyz': no such local group"))
            .anySatisfy(p -> assertThat(p).startsWith("broker.xml:1: broker/threads: '0' is out of range"))
            .anySatisfy(p -> assertThat(p).startsWith("broker.xml:1: broker/refusal: 'loud' is not one of"))
            .anySatisfy(p -> assertThat(p).isEqualTo("broker.xml:1: broker/typo: unknown setting (a typo?)"))
            .anySatisfy(p -> assertThat(p).startsWith("broker.xml:2: broker/account/allow: 'no-such-user-xyz': no such local user"))
            .anySatisfy(p -> assertThat(p).isEqualTo(
                "broker.xml:3: broker/account/name: 'A@example.org' is already configured at broker.xml:2"))
            .anySatisfy(p -> assertThat(p).startsWith("broker.xml:4: broker/account/name: 'has space@example.org' is not an account name"))
            .anySatisfy(p -> assertThat(p).startsWith("broker.xml:5: broker/account/allow: is required"))
            .anySatisfy(p -> assertThat(p).startsWith("broker.xml:6: broker/account/allow: 'OWNER@': not a local user"));
    }

    @Test
    void fromConfigShouldRequireAnAccount() {
        ConfigProblems problems = new ConfigProblems();

        read("<broker socket=\"/s\"/>", problems);

        assertThat(problems.list()).singleElement().asString().contains("broker/account", "at least one");
    }

    @Test
    void allowListShouldMatchByUidWhenWrittenAsNameOrNumber() throws IOException {
        var lookup = Path.of("/").getFileSystem().getUserPrincipalLookupService();
        ConfigProblems problems = new ConfigProblems();

        BrokerSettings s = read("<broker socket=\"/s\"><account name=\"a@b\" allow=\"65534\"/></broker>", problems);

        // "65534" and "nobody" are the same principal to the JDK: equality is by uid
        assertThat(s.accounts().get(0).allows(lookup.lookupPrincipalByName("nobody"))).isTrue();
        assertThat(s.accounts().get(0).allows(lookup.lookupPrincipalByName("root"))).isFalse();
    }

    /** The package table lists exactly the keys the parser reads. */
    @Test
    void packageTableShouldListEveryKeyThatFromConfigReads() throws IOException {
        String doc = Files.readString(Path.of("src/main/java/org/jamespack/relay/broker/package-info.java"));
        Matcher m = Pattern.compile("<tr><td>\\{@code ([a-z/-]+)\\}").matcher(doc);
        Set<String> documented = new TreeSet<>();
        while (m.find()) {
            documented.add(m.group(1));
        }

        assertThat(documented).containsExactlyInAnyOrder(BrokerSettings.SOCKET, BrokerSettings.MODE, BrokerSettings.GROUP,
            BrokerSettings.THREADS, BrokerSettings.QUEUE, BrokerSettings.READ_TIMEOUT, BrokerSettings.REQUEST_QUIET,
            BrokerSettings.MAX_REQUEST, BrokerSettings.REFUSAL, BrokerSettings.ACCOUNT,
            BrokerSettings.ACCOUNT + "/" + BrokerSettings.ACCOUNT_NAME, BrokerSettings.ACCOUNT + "/" + BrokerSettings.ACCOUNT_ALLOW);
        assertThat(doc).contains("<td>{@code " + BrokerSettings.DEFAULT_MODE + "}</td>", "<td>" + BrokerSettings.DEFAULT_THREADS + "</td>",
            "<td>" + BrokerSettings.DEFAULT_QUEUE + "</td>", "<td>{@code 2s}</td>", "<td>{@code 200ms}</td>",
            "<td>" + BrokerSettings.DEFAULT_MAX_REQUEST + "</td>");
    }
}
