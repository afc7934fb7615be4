package org.jamespack.foundation.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.jamespack.foundation.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigNodeTest {

    private final ConfigProblems problems = new ConfigProblems();

    private ConfigNode parse(String xml) {
        return ConfigNode.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), "auth.xml", problems);
    }

    @Test
    void integerShouldRecordFileLineAndKeyWhenValueIsNotANumber() {
        ConfigNode root = parse("<authpack>\n"
            + "  <ldap>\n"
            + "    <timeout>x</timeout>\n"
            + "    <poolSize>12abc</poolSize>\n"
            + "  </ldap>\n"
            + "</authpack>\n");
        ConfigNode ldap = root.child("ldap").orElseThrow();

        assertThat(ldap.integer("poolSize", 4, 1, 100)).isEqualTo(4);
        assertThat(problems.list()).containsExactly("auth.xml:4: authpack/ldap/poolSize: '12abc' is not a whole number");
    }

    @Test
    void integerShouldRecordRangeWhenOutOfBounds() {
        ConfigNode root = parse("<a>\n<n>0</n>\n</a>");
        assertThat(root.integer("n", 5, 1, 10)).isEqualTo(5);
        assertThat(problems.list()).containsExactly("auth.xml:2: a/n: '0' is out of range 1..10");
    }

    @Test
    void reportUnreadShouldNameFileLineAndKeyWhenSettingsAreUnknown() {
        ConfigNode root = parse("<authpack>\n"
            + "  <ldap url=\"ldap://x\" tmeout=\"5s\">\n"
            + "    <bindDn>cn=a</bindDn>\n"
            + "    <pasword>s3cret</pasword>\n"
            + "  </ldap>\n"
            + "  <kopno/>\n"
            + "</authpack>\n");
        ConfigNode ldap = root.child("ldap").orElseThrow();
        ldap.string("url");
        ldap.string("bindDn");
        root.reportUnread();

        assertThat(problems.list()).containsExactly(
            "auth.xml:2: authpack/ldap/tmeout: unknown setting (a typo?)",
            "auth.xml:4: authpack/ldap/pasword: unknown setting (a typo?)",
            "auth.xml:6: authpack/kopno: unknown setting (a typo?)");
        assertThat(String.join("\n", problems.list())).doesNotContain("s3cret");
    }

    @Test
    void durationShouldParseEveryUnitWhenWellFormed() {
        ConfigNode n = ConfigNode.of("test", "n", Map.of("a", "500ms", "b", "10s", "c", "5m", "d", "1h", "e", "2d", "f", "7",
            "g", " 3 S "), problems);

        assertThat(n.duration("a", Duration.ZERO)).isEqualTo(Duration.ofMillis(500));
        assertThat(n.duration("b", Duration.ZERO)).isEqualTo(Duration.ofSeconds(10));
        assertThat(n.duration("c", Duration.ZERO)).isEqualTo(Duration.ofMinutes(5));
        assertThat(n.duration("d", Duration.ZERO)).isEqualTo(Duration.ofHours(1));
        assertThat(n.duration("e", Duration.ZERO)).isEqualTo(Duration.ofDays(2));
        assertThat(n.duration("f", Duration.ZERO)).isEqualTo(Duration.ofSeconds(7));
        assertThat(n.duration("g", Duration.ZERO)).isEqualTo(Duration.ofSeconds(3));
        assertThat(n.duration("absent", Duration.ofSeconds(9))).isEqualTo(Duration.ofSeconds(9));
        assertThat(problems.isEmpty()).isTrue();
    }

    @Test
    void durationShouldRecordAProblemWhenMalformed() {
        ConfigNode n = ConfigNode.of("test", "n", Map.of("a", "-5s", "b", "5 minutes", "c", "1.5h"), problems);

        assertThat(n.duration("a", Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
        assertThat(n.duration("b", Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
        assertThat(n.duration("c", Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
        assertThat(problems.list()).hasSize(3).allMatch(p -> p.startsWith("test: n/") && p.contains("is not a duration"));
    }

    @Test
    void durationShouldRecordAProblemNotThrowWhenTheNumberOverflows() {
        ConfigNode n = ConfigNode.of("test", "n", Map.of("a", "99999999999999999999s", "b", "9999999999999999d"), problems);

        assertThat(n.duration("a", Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
        assertThat(n.duration("b", Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
        assertThat(problems.list()).hasSize(2);
        assertThat(ConfigNode.parseDuration("99999999999999999999")).isEmpty();
    }

    @Test
    void boolShouldAcceptOnlyTheSixWordsWhenParsing() {
        ConfigNode n = ConfigNode.of("test", "n", Map.of("a", "TRUE", "b", "off", "c", "Yes", "d", "1", "e", "enabled", "f", "no"),
            problems);

        assertThat(n.bool("a", false)).isTrue();
        assertThat(n.bool("b", true)).isFalse();
        assertThat(n.bool("c", false)).isTrue();
        assertThat(n.bool("f", true)).isFalse();
        assertThat(n.bool("d", false)).isFalse();
        assertThat(n.bool("e", true)).isTrue();
        assertThat(problems.list()).containsExactly(
            "test: n/d: '1' is not true or false",
            "test: n/e: 'enabled' is not true or false");
    }

    @Test
    void secretShouldNeverReachAProblemWhenTheKeyIsRepeatedOrUnknown() {
        ConfigNode root = parse("<a>\n<password>hunter2</password>\n<password>hunter3</password>\n<passwrd>hunter4</passwrd>\n</a>");

        Secret s = root.secret("password").orElseThrow();
        root.reportUnread();

        assertThat(s.reveal()).isEqualTo("hunter2");
        assertThat(problems.list()).containsExactly(
            "auth.xml:3: a/password: given more than once",
            "auth.xml:4: a/passwrd: unknown setting (a typo?)");
        assertThat(String.join("\n", problems.list())).doesNotContain("hunter");
    }

    @Test
    void rawShouldReportBothWhenAKeyIsGivenAsAttributeAndAsElement() {
        ConfigNode root = parse("<a url=\"ldap://one\">\n<url>ldap://two</url>\n</a>");

        assertThat(root.string("url")).contains("ldap://one");
        assertThat(problems.list()).containsExactly("auth.xml:2: a/url: given more than once");
    }

    @Test
    void requiredStringShouldRecordAProblemWhenMissingOrEmpty() {
        ConfigNode root = parse("<a>\n<b url=\"\"/>\n</a>");
        ConfigNode b = root.child("b").orElseThrow();

        assertThat(b.requiredString("url")).isEmpty();
        assertThat(b.requiredString("host")).isEmpty();
        assertThat(problems.list()).containsExactly("auth.xml:2: a/b/url: is required", "auth.xml:2: a/b/host: is required");
    }

    @Test
    void listShouldJoinAttributeAndElementsWhenBothAreUsed() {
        ConfigNode root = parse("<a url=\"x, y,\">\n<url>z</url>\n<url></url>\n</a>");
        assertThat(root.list("url")).containsExactly("x", "y", "z");
    }

    @Test
    void choiceShouldListTheAcceptedWordsWhenTheValueIsUnknown() {
        ConfigNode n = ConfigNode.of("test", "n", Map.of("mode", "Compare", "bad", "other"), problems);
        Map<String, Integer> accepted = new java.util.LinkedHashMap<>();
        accepted.put("bind", 1);
        accepted.put("compare", 2);

        assertThat(n.choice("mode", 1, accepted)).isEqualTo(2);
        assertThat(n.choice("bad", 1, accepted)).isEqualTo(1);
        assertThat(problems.list()).containsExactly("test: n/bad: 'other' is not one of [bind, compare]");
    }

    @Test
    void parseShouldThrowWithTheLineWhenXmlIsMalformed() {
        assertThatThrownBy(() -> parse("<a>\n<b>\n</a>"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("auth.xml:3:");
    }

    @Test
    void parseShouldRefuseADoctypeWhenEntitiesCouldBeExpanded() {
        String xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<a>&x;</a>";
        assertThatThrownBy(() -> parse(xxe)).isInstanceOf(ConfigException.class);
    }

    @Test
    void parseShouldReadAFileWhenGivenAPath(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cache.xml");
        Files.writeString(file, "<cache>\n  <ttl>5m</ttl>\n</cache>\n");
        ConfigNode root = ConfigNode.parse(file, problems);

        assertThat(root.duration("ttl", Duration.ZERO)).isEqualTo(Duration.ofMinutes(5));
        assertThat(root.location()).isEqualTo(file + ":1");
        assertThatThrownBy(() -> ConfigNode.parse(dir.resolve("missing.xml"), problems))
            .isInstanceOf(ConfigException.class).hasMessageContaining("missing.xml");
    }

    @Test
    void throwIfAnyShouldListEveryProblemWhenSeveralWereFound() {
        ConfigNode n = ConfigNode.of("f.xml", "n", Map.of("a", "x", "b", "y"), problems);
        n.integer("a", 0, 0, 1);
        n.bool("b", false);

        assertThatThrownBy(problems::throwIfAny)
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("2 problems")
            .hasMessageContaining("f.xml: n/a:")
            .hasMessageContaining("f.xml: n/b:")
            .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(2));
    }

    @Test
    void parsedShouldTurnIllegalArgumentIntoAProblemWhenTheParserRefuses() {
        ConfigNode n = ConfigNode.of("f.xml", "n", Map.of("protocol", "gopher"), problems);
        assertThat(n.parsed("protocol", ConfigNodeTest::protocolNamed)).isEmpty();
        assertThat(problems.list()).singleElement().asString().startsWith("f.xml: n/protocol: 'gopher': unknown protocol");
    }

    private static String protocolNamed(String name) {
        if (!name.equals("imap")) {
            throw new IllegalArgumentException("unknown protocol (imap is the one this test knows)");
        }
        return name;
    }

    @Test
    void durationWithAMinimumShouldReportAShorterValueAndKeepTheDefault() {
        ConfigNode n = ConfigNode.of("f.xml", "n", Map.of("zero", "0s", "short", "500ms", "fine", "2s", "none", "0"), problems);

        assertThat(n.duration("zero", Duration.ofSeconds(9), Duration.ofMillis(1))).isEqualTo(Duration.ofSeconds(9));
        assertThat(n.duration("short", Duration.ofSeconds(9), Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(9));
        assertThat(n.duration("fine", Duration.ofSeconds(9), Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(2));
        assertThat(n.duration("none", Duration.ofSeconds(9), Duration.ZERO)).isEqualTo(Duration.ZERO);
        assertThat(problems.list()).extracting(Object::toString).containsExactly(
            "f.xml: n/zero: must be longer than 0", "f.xml: n/short: must be at least 1s");
    }

    @Test
    void describeShouldGiveTheShortestSpellingThatParsesBack() {
        for (Duration d : List.of(Duration.ofMillis(1500), Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofHours(4),
            Duration.ofDays(2), Duration.ZERO)) {
            assertThat(ConfigNode.parseDuration(ConfigNode.describe(d))).contains(d);
        }
        assertThat(ConfigNode.describe(Duration.ofHours(4))).isEqualTo("4h");
    }
}
