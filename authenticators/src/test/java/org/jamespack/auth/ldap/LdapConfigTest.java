package org.jamespack.auth.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jamespack.foundation.config.ConfigNode;
import org.jamespack.foundation.config.ConfigProblems;
import org.junit.jupiter.api.Test;

class LdapConfigTest {

    private static final Path PACKAGE_INFO = Path.of("src/main/java/org/jamespack/auth/ldap/package-info.java");

    private static ConfigNode parse(String xml, ConfigProblems problems) {
        return ConfigNode.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), "usersrepository.xml", problems);
    }

    /** The keys of the package-info table, in order. */
    private static List<String> tableKeys() throws IOException {
        String source = Files.readString(PACKAGE_INFO);
        Matcher m = Pattern.compile("<tr><td>\\{@code ([A-Za-z][A-Za-z0-9]*)}</td>").matcher(source);
        List<String> keys = new ArrayList<>();
        while (m.find()) {
            keys.add(m.group(1));
        }
        return keys;
    }

    @Test
    void packageInfoTableShouldListExactlyTheKeysWhenComparedWithTheParser() throws IOException {
        assertThat(tableKeys()).containsExactlyElementsOf(LdapSettings.KEYS);
    }

    @Test
    void fromConfigShouldReadEveryDocumentedKeyWhenAllAreGiven() throws IOException {
        Path store = Files.createTempFile("trust", ".p12");
        try {
            StringBuilder xml = new StringBuilder("<ldap name=\"dir\" control=\"required\">\n");
            xml.append("<url>ldap://127.0.0.1:1389</url><url>ldap://127.0.0.1:2389</url>\n")
                .append("<startTls>true</startTls><trustStore>").append(store).append("</trustStore>")
                .append("<trustStorePassword>changeit</trustStorePassword><trustStoreType>pkcs12</trustStoreType>\n")
                .append("<connectTimeout>2s</connectTimeout><responseTimeout>1500ms</responseTimeout>\n")
                .append("<baseDn>dc=example,dc=org</baseDn><bindDn>cn=service,dc=example,dc=org</bindDn>")
                .append("<bindPassword>service-secret</bindPassword>\n")
                .append("<mode>rebind</mode><dnTemplate>uid={login},ou=people,dc=example,dc=org</dnTemplate>\n")
                .append("<loginAttribute>uid</loginAttribute><loginAttribute>mail</loginAttribute>")
                .append("<usernameAttribute>mail</usernameAttribute><objectClass>qmailUser</objectClass>")
                .append("<filter>(mailHost=mx1.example.org)</filter><passwordAttribute>userPassword</passwordAttribute>\n")
                .append("<poolSize>4</poolSize><maxFailoverConnectionAge>2m</maxFailoverConnectionAge>")
                .append("<healthCheckInterval>10s</healthCheckInterval><passwordPolicyControl>false</passwordPolicyControl>\n")
                .append("<maxBcryptCost>11</maxBcryptCost><maxShaCryptRounds>100000</maxShaCryptRounds>")
                .append("<maxPbkdf2Iterations>200000</maxPbkdf2Iterations><maxPbkdf2Length>128</maxPbkdf2Length>")
                .append("<maxArgon2Memory>19456</maxArgon2Memory><maxArgon2Iterations>2</maxArgon2Iterations>")
                .append("<maxArgon2Parallelism>1</maxArgon2Parallelism><dummyHash>{SSHA}/xtLoG3omStZWzfj+Ggq4U3sECrn8RcS</dummyHash>\n")
                .append("<dnCacheTtl>15s</dnCacheTtl><dnCacheSize>500</dnCacheSize>\n")
                .append("<mailHostAttribute>mailHost</mailHostAttribute><localHosts>mail1.example.org</localHosts>")
                .append("<localHosts>MX1.example.org.</localHosts>\n")
                .append("</ldap>");
            assertThat(xml.toString()).contains(LdapSettings.KEYS.stream().map(k -> "<" + k + ">").toList());
            ConfigProblems problems = new ConfigProblems();
            ConfigNode node = parse(xml.toString(), problems);
            LdapSettings settings = LdapSettings.from(node).orElseThrow();
            node.raw("name");
            node.raw("control");
            node.reportUnread();
            assertThat(problems.list()).isEmpty();
            assertThat(settings.urls()).containsExactly("ldap://127.0.0.1:1389", "ldap://127.0.0.1:2389");
            assertThat(settings.responseTimeout()).isEqualTo(Duration.ofMillis(1500));
            assertThat(settings.loginAttributes()).containsExactly("uid", "mail");
            assertThat(settings.usernameAttribute()).isEqualTo("mail");
            assertThat(settings.trustStoreType()).isEqualTo("PKCS12");
            assertThat(settings.passwordPolicyControl()).isFalse();
            assertThat(settings.dnCacheTtl()).isEqualTo(Duration.ofSeconds(15));
            assertThat(settings.dnCacheSize()).isEqualTo(500);
            assertThat(settings.mailHostAttribute()).isEqualTo("mailHost");
            assertThat(settings.localHosts()).containsExactly("mail1.example.org", "MX1.example.org.");
            assertThat(settings.mailHostEnabled()).isTrue();
            assertThat(settings.hashLimits()).isEqualTo(new org.jamespack.auth.hash.HashLimits(11, 100_000, 200_000, 128,
                19_456, 2, 1));
            assertThat(settings.dummyHash()).isEqualTo("{SSHA}/xtLoG3omStZWzfj+Ggq4U3sECrn8RcS");
            assertThat(settings.toString()).doesNotContain("service-secret").doesNotContain("changeit");
        } finally {
            Files.delete(store);
        }
    }

    @Test
    void fromConfigShouldApplyDefaultsWhenOnlyRequiredKeysAreGiven() {
        ConfigProblems problems = new ConfigProblems();
        ConfigNode node = parse("<ldap url=\"ldap://127.0.0.1:389\" baseDn=\"dc=example,dc=org\"/>", problems);
        LdapSettings settings = LdapSettings.from(node).orElseThrow();
        assertThat(settings.mode()).isEqualTo(LdapSettings.Mode.REBIND);
        assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.responseTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.loginAttributes()).containsExactly("uid");
        assertThat(settings.usernameAttribute()).isEqualTo("uid");
        assertThat(settings.passwordAttribute()).isEqualTo("userPassword");
        assertThat(settings.poolSize()).isEqualTo(8);
        assertThat(settings.passwordPolicyControl()).isTrue();
        // qmail-ldap clustering is off until this server's names are given
        assertThat(settings.mailHostAttribute()).isEqualTo("mailHost");
        assertThat(settings.localHosts()).isEmpty();
        assertThat(settings.mailHostEnabled()).isFalse();
        assertThat(problems.list()).isEmpty();
    }

    @Test
    void fromConfigShouldRecordEveryProblemWithLineWhenValuesAreBad() {
        ConfigProblems problems = new ConfigProblems();
        ConfigNode node = parse("<ldap>\n<url>http://x</url>\n<mode>guess</mode>\n<bindDn>cn=s</bindDn>\n"
            + "<filter>(uid=</filter>\n<connectTimeout>0s</connectTimeout>\n<dnTemplate>uid=x,dc=org</dnTemplate>\n"
            + "<trustStore>/nonexistent/store.p12</trustStore>\n<urll>typo</urll>\n</ldap>", problems);
        LdapVerifier verifier = LdapVerifier.fromConfig(node);
        node.reportUnread();
        String all = String.join("\n", problems.list());
        assertThat(all)
            .contains("usersrepository.xml:2: ldap/url")
            .contains("ldap/mode: 'guess'")
            .contains("ldap/baseDn: is required")
            .contains("ldap/bindPassword")
            .contains("usersrepository.xml:5: ldap/filter")
            .contains("ldap/connectTimeout")
            .contains("ldap/dnTemplate")
            .contains("ldap/trustStore")
            .contains("ldap/urll: unknown setting");
        // the caller throws; the verifier it got meanwhile never connects
        assertThat(verifier.verify(org.jamespack.auth.LoginAttempt.of("alice", org.jamespack.foundation.Secret.of("pw"),
            org.jamespack.auth.Protocol.IMAP)).state()).isEqualTo(org.jamespack.auth.Verdict.State.UNAVAILABLE);
    }

    @Test
    void fromConfigShouldNameKeyAndLineWhenMailHostSettingsAreBad() {
        ConfigProblems problems = new ConfigProblems();
        ConfigNode node = parse("<ldap url=\"ldap://127.0.0.1:389\" baseDn=\"dc=example,dc=org\">\n"
            + "<mailHostAttribute>mail host</mailHostAttribute>\n"
            + "<localHosts>mail1.example.org</localHosts>\n<localHosts>mail2/example.org</localHosts>\n</ldap>", problems);
        assertThat(LdapSettings.from(node)).isEmpty();
        String all = String.join("\n", problems.list());
        assertThat(all)
            .contains("usersrepository.xml:2: ldap/mailHostAttribute: 'mail host' is not an attribute name")
            .contains("ldap/localHosts: 'mail2/example.org' is not a host name")
            .doesNotContain("'mail1.example.org'");
    }

    @Test
    void fromConfigShouldLeaveNameAndControlUnreadWhenGiven() {
        ConfigProblems problems = new ConfigProblems();
        ConfigNode node = parse("<ldap name=\"dir\" control=\"sufficient\" url=\"ldap://127.0.0.1:389\" baseDn=\"dc=example,dc=org\"/>",
            problems);
        LdapVerifier.fromConfig(node).close();
        node.reportUnread();
        assertThat(problems.list()).hasSize(2).allMatch(p -> p.contains("/name") || p.contains("/control"));
    }

    @Test
    void fromConfigShouldRefuseMixedSchemesWhenUrlsDiffer() {
        ConfigProblems problems = new ConfigProblems();
        ConfigNode node = parse("<ldap url=\"ldap://a:389,ldaps://b:636\" baseDn=\"dc=example,dc=org\"/>", problems);
        assertThat(LdapSettings.from(node)).isEmpty();
        assertThat(String.join("\n", problems.list())).contains("mixes ldap:// and ldaps://");
    }
}
