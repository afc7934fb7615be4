package org.jamespack.auth.kopano;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jamespack.auth.Protocol;
import org.jamespack.foundation.config.ConfigNode;
import org.jamespack.foundation.config.ConfigProblems;
import org.junit.jupiter.api.Test;

class KopanoConfigTest {

    static ConfigNode xml(String text, ConfigProblems problems) {
        return ConfigNode.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "kopano.xml", problems);
    }

    @Test
    void fromConfigShouldUseTheDefaultsOfAnEmptyElement() {
        ConfigProblems problems = new ConfigProblems();

        KopanoVerifier v = KopanoVerifier.fromConfig(xml("<kopano/>", problems));

        assertThat(problems.list()).isEmpty();
        assertThat(v.settings().url()).isEqualTo(URI.create("http://localhost:236/kopano"));
        assertThat(v.settings().connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(v.settings().responseTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(v.settings().anyGate()).isFalse();
        assertThat(v.settings().verifyHostname()).isTrue();
        v.close();
    }

    @Test
    void fromConfigShouldReadADefaultServiceAndPerProtocolChoices() {
        ConfigProblems problems = new ConfigProblems();
        ConfigNode node = xml("<kopano control=\"sufficient\" name=\"kopano\">\n"
            + "  <url>https://mail.example.org/zarafa</url>\n"
            + "  <service>imap|pop3</service>\n"
            + "  <service protocol=\"imap\">IMAP</service>\n"
            + "  <service protocol=\"pop3\">pop3</service>\n"
            + "  <ungatedProtocols>jmap</ungatedProtocols>\n"
            + "  <quiet>true</quiet><debug>yes</debug>\n"
            + "  <connectTimeout>2s</connectTimeout><responseTimeout>1500ms</responseTimeout>\n"
            + "</kopano>", problems);

        KopanoVerifier v = KopanoVerifier.fromConfig(node);
        KopanoSettings s = v.settings();

        assertThat(problems.list()).isEmpty();
        assertThat(s.gateFor(Protocol.SMTP)).hasValueSatisfying(g -> assertThat(g).hasToString("imap|pop3"));
        assertThat(s.gateFor(Protocol.IMAP)).hasValueSatisfying(g -> assertThat(g).hasToString("imap"));
        assertThat(s.gateFor(Protocol.POP3)).hasValueSatisfying(g -> assertThat(g).hasToString("pop3"));
        assertThat(s.gateFor(Protocol.JMAP)).contains(ServiceGate.NONE);
        assertThat(s.gateFor(Protocol.MANAGESIEVE)).hasValueSatisfying(g -> assertThat(g).hasToString("imap|pop3"));
        assertThat(s.quiet()).isTrue();
        assertThat(s.debug()).isTrue();
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.responseTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(SoapHttpClient.port(s.url())).isEqualTo(237);
        v.close();
    }

    @Test
    void fromConfigShouldNotReadControlOrName() {
        ConfigProblems problems = new ConfigProblems();
        ConfigNode node = xml("<kopano control=\"sufficient\" name=\"k\" quiet=\"true\"/>", problems);

        KopanoVerifier.fromConfig(node).close();
        node.reportUnread();

        assertThat(problems.list()).containsExactlyInAnyOrder(
            "kopano.xml:1: kopano/control: unknown setting (a typo?)",
            "kopano.xml:1: kopano/name: unknown setting (a typo?)");
    }

    @Test
    void fromConfigShouldRecordEveryProblemWithFileLineAndKey() {
        ConfigProblems problems = new ConfigProblems();
        ConfigNode node = xml("<kopano>\n"
            + "  <url>gopher://x</url>\n"
            + "  <service>imap||pop3</service>\n"
            + "  <service protocol=\"imap\">imap</service>\n"
            + "  <service protocol=\"imap\">pop3</service>\n"
            + "  <service protocol=\"fax\">pop3</service>\n"
            + "  <sessionless>true</sessionless>\n"
            + "  <connectTimeout>0s</connectTimeout>\n"
            + "  <responseTimeout>soon</responseTimeout>\n"
            + "  <quiet>maybe</quiet>\n"
            + "  <sevrice>imap</sevrice>\n"
            + "</kopano>", problems);

        KopanoVerifier v = KopanoVerifier.fromConfig(node);
        node.reportUnread();

        assertThat(problems.list()).anySatisfy(p -> assertThat(p).startsWith("kopano.xml:2: kopano/url: 'gopher://x'"))
            .anySatisfy(p -> assertThat(p).startsWith("kopano.xml:3: kopano/service: empty feature name"))
            .anySatisfy(p -> assertThat(p).startsWith("kopano.xml:5: kopano/service: given more than once for protocol imap"))
            .anySatisfy(p -> assertThat(p).startsWith("kopano.xml:6:").contains("protocol").contains("fax"))
            .anySatisfy(p -> assertThat(p).startsWith("kopano.xml:7: kopano/sessionless: cannot be combined"))
            .anySatisfy(p -> assertThat(p).startsWith("kopano.xml:8: kopano/connectTimeout: must be longer than 0"))
            .anySatisfy(p -> assertThat(p).startsWith("kopano.xml:9: kopano/responseTimeout: 'soon'"))
            .anySatisfy(p -> assertThat(p).startsWith("kopano.xml:10: kopano/quiet: 'maybe'"))
            .anySatisfy(p -> assertThat(p).startsWith("kopano.xml:11: kopano/sevrice: unknown setting"));
        assertThat(v.verify(KopanoVerifierTest.alice(Protocol.SMTP)).state().name()).isEqualTo("UNAVAILABLE");
    }

    @Test
    void fromConfigShouldLeaveAProtocolWithoutAGateClosedUnlessUngatedProtocolsListsIt() {
        ConfigProblems problems = new ConfigProblems();
        KopanoSettings s = KopanoVerifier.fromConfig(xml("<kopano>\n"
            + "  <service protocol=\"imap\">imap</service>\n"
            + "  <service protocol=\"pop3\">pop3</service>\n"
            + "  <ungatedProtocols>smtp, managesieve</ungatedProtocols>\n"
            + "</kopano>", problems)).settings();

        assertThat(problems.list()).isEmpty();
        assertThat(s.ungatedProtocols()).containsExactlyInAnyOrder(Protocol.SMTP, Protocol.MANAGESIEVE);
        assertThat(s.gateFor(Protocol.SMTP)).contains(ServiceGate.NONE);
        assertThat(s.gateFor(Protocol.MANAGESIEVE)).contains(ServiceGate.NONE);
        assertThat(s.gateFor(Protocol.JMAP)).isEmpty();
        assertThat(s.gateFor(Protocol.WEBADMIN)).isEmpty();
        assertThat(s.gateFor(Protocol.OTHER)).isEmpty();
        // no gate at all: pam_mapi without service=, the password alone decides for every protocol
        assertThat(KopanoSettings.defaults().gateFor(Protocol.OTHER)).contains(ServiceGate.NONE);
    }

    @Test
    void fromConfigShouldRefuseAnEmptyPerProtocolGateAndUngatedProtocolsThatContradictOrDoNothing() {
        ConfigProblems problems = new ConfigProblems();
        KopanoVerifier.fromConfig(xml("<kopano>\n"
            + "  <service protocol=\"imap\">imap</service>\n"
            + "  <service protocol=\"jmap\"/>\n"
            + "  <ungatedProtocols>imap fax</ungatedProtocols>\n"
            + "</kopano>", problems)).close();
        ConfigProblems noGate = new ConfigProblems();
        KopanoVerifier.fromConfig(xml("<kopano>\n<ungatedProtocols>jmap</ungatedProtocols>\n</kopano>", noGate)).close();

        assertThat(problems.list())
            .anySatisfy(p -> assertThat(p).startsWith("kopano.xml:3: kopano/service: empty for protocol jmap")
                .contains("ungatedProtocols"))
            .anySatisfy(p -> assertThat(p).startsWith("kopano.xml:4: kopano/ungatedProtocols:").contains("fax"))
            .anySatisfy(p -> assertThat(p).startsWith("kopano.xml:4: kopano/ungatedProtocols: imap also has a service gate"));
        assertThat(noGate.list()).singleElement().satisfies(p -> assertThat(p)
            .startsWith("kopano.xml:2: kopano/ungatedProtocols: has no effect without a service gate"));
    }

    @Test
    void fromConfigShouldAcceptAUnixSocketOnlyWhenAllowed() {
        ConfigProblems problems = new ConfigProblems();
        KopanoVerifier v = KopanoVerifier.fromConfig(xml(
            "<kopano url=\"file:///var/run/kopano/server.sock\" allowUnixSocket=\"true\"/>", problems));

        assertThat(problems.list()).isEmpty();
        assertThat(v.settings().url().getScheme()).isEqualTo("file");
        v.close();
    }

    @Test
    void fromConfigShouldKeepTheTrustStorePasswordOutOfProblems() throws IOException {
        Path store = Files.createTempFile("trust", ".p12");
        Files.writeString(store, "not a key store");
        ConfigProblems problems = new ConfigProblems();

        KopanoVerifier.fromConfig(xml("<kopano><url>https://mail.example.org/</url><trustStore>" + store
            + "</trustStore><trustStorePassword>Tru5t-Me-Not</trustStorePassword></kopano>", problems)).close();

        assertThat(problems.list()).singleElement().asString().contains("kopano/trustStore").doesNotContain("Tru5t-Me-Not");
        assertThat(KopanoSettings.builder().trustStore(store, java.util.Optional.of(org.jamespack.foundation.Secret.of("Tru5t-Me-Not")), "PKCS12")
            .build().toString()).doesNotContain("Tru5t-Me-Not");
    }

    @Test
    void fromConfigShouldRecordAProblemWithoutThePasswordWhenTheUrlCarriesUserInformation() {
        ConfigProblems problems = new ConfigProblems();

        KopanoVerifier.fromConfig(xml("<kopano>\n<url>https://admin:Pa55-In-Url@mail.example.org/kopano</url></kopano>",
            problems)).close();

        assertThat(problems.list()).singleElement().asString().contains("kopano.xml", "kopano/url", "user information")
            .doesNotContain("Pa55-In-Url");
    }

    @Test
    void settingsShouldNotPrintThePasswordOfAUrlTheyRefuse() {
        assertThatThrownBy(() -> KopanoSettings.builder().url(URI.create("http://admin:Pa55-In-Url@localhost:236/")).build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user information")
            .hasMessageNotContaining("Pa55-In-Url");
    }

    @Test
    void settingsTableShouldListExactlyTheKeysTheParserReads() throws IOException {
        String info = Files.readString(Path.of("src/main/java/org/jamespack/auth/kopano/package-info.java"));
        Matcher rows = Pattern.compile("<tr><td>([A-Za-z]+)</td>").matcher(info);
        List<String> documented = new ArrayList<>();
        while (rows.find()) {
            documented.add(rows.group(1));
        }

        assertThat(documented).containsExactlyInAnyOrderElementsOf(KopanoSettings.KEYS);
    }

    @Test
    void everyDocumentedKeyShouldBeUnderstoodByTheParser() {
        ConfigProblems problems = new ConfigProblems();
        ConfigNode node = xml("<kopano>"
            + "<url>http://127.0.0.1:236/kopano</url><service>imap</service><sessionless>false</sessionless>"
            + "<quiet>true</quiet><debug>false</debug><allowUnixSocket>false</allowUnixSocket>"
            + "<connectTimeout>1s</connectTimeout><responseTimeout>1s</responseTimeout><idleTimeout>2s</idleTimeout>"
            + "<maxIdleConnections>2</maxIdleConnections><trustStoreType>JKS</trustStoreType>"
            + "<verifyHostname>true</verifyHostname><ungatedProtocols>smtp</ungatedProtocols></kopano>", problems);

        KopanoVerifier.fromConfig(node).close();
        node.reportUnread();

        // trustStore and trustStorePassword are read too; they need an https URL and a file (see the test above)
        assertThat(problems.list()).isEmpty();
        assertThat(KopanoSettings.KEYS).contains(KopanoSettings.KEY_TRUST_STORE, KopanoSettings.KEY_TRUST_STORE_PASSWORD);
    }

    @Test
    void settingsTableShouldNamePamMapisOptions() throws IOException {
        String info = Files.readString(Path.of("src/main/java/org/jamespack/auth/kopano/package-info.java"));

        assertThat(info).contains("socket=").contains("service=").contains("<td>quiet</td><td>boolean</td><td>false</td><td>quiet</td>")
            .contains("try_first_pass").contains("use_first_pass");
    }

    @Test
    void serviceGateShouldParsePamMapiSyntax() {
        assertThat(ServiceGate.parse("pop3|IMAP|mobile|outlook").features()).containsExactly("pop3", "imap", "mobile", "outlook");
        assertThat(ServiceGate.parse("  ").isOpen()).isTrue();
        assertThat(ServiceGate.parse("imap").passes(List.of("IMAP"))).isFalse();
        assertThat(ServiceGate.parse("imap|pop3").passes(List.of("imap"))).isTrue();
    }
}
