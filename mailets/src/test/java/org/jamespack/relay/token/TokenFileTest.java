package org.jamespack.relay.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.jamespack.foundation.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.nimbusds.oauth2.sdk.util.JSONObjectUtils;

/** Seed 004's examples, verbatim, read and written back. */
class TokenFileTest {

    /** sasl-xoauth2 README, "Initial Access Token" (Gmail). */
    static final String SEED_TOKEN_FILE = """
        {
          "access_token" : "access token goes here",
          "expiry" : "0",
          "refresh_token" : "refresh token goes here"
        }
        """;

    /** sasl-xoauth2 README, "Using Multiple Mail Providers Simultaneously". */
    static final String SEED_TOKEN_FILE_WITH_CLIENT = """
        {
          "access_token" : "access token goes here",
          "client_id": "client ID goes here",
          "client_secret": "client secret goes here, if required",
          "token_endpoint": "token endpoint goes here, for non-Gmail",
          "expiry" : "0",
          "refresh_token" : "refresh token goes here"
        }
        """;

    /** sasl-xoauth2 README, Gmail "Client Credentials". */
    static final String SEED_GLOBAL_GMAIL = """
        {
          "client_id": "client ID goes here",
          "client_secret": "client secret goes here"
        }
        """;

    /** sasl-xoauth2 README, Outlook "Client Credentials". */
    static final String SEED_GLOBAL_OUTLOOK = """
        {
          "client_id": "client ID goes here",
          "client_secret": "",
          "token_endpoint": "https://login.microsoftonline.com/consumers/oauth2/v2.0/token"
        }
        """;

    /** sasl-xoauth2 README, "Debugging". */
    static final String SEED_GLOBAL_DEBUG = """
        {
          "client_id": "client ID goes here",
          "client_secret": "client secret goes here",
          "log_to_syslog_on_failure": "no"
        }
        """;

    @Test
    void parseShouldReadTheSeedTokenFileWhenGmail() {
        TokenFile f = TokenFile.parse(SEED_TOKEN_FILE);

        assertThat(f.refreshToken().reveal()).isEqualTo("refresh token goes here");
        assertThat(f.accessToken()).map(Secret::reveal).contains("access token goes here");
        assertThat(f.expiry()).isEqualTo(Instant.EPOCH);
        assertThat(f.clientId()).isEmpty();
        assertThat(f.tokenEndpoint()).isEmpty();
    }

    @Test
    void parseShouldReadPerFileClientSettingsWhenSeveralProviders() {
        TokenFile f = TokenFile.parse(SEED_TOKEN_FILE_WITH_CLIENT);

        assertThat(f.clientId()).contains("client ID goes here");
        assertThat(f.clientSecret()).map(Secret::reveal).contains("client secret goes here, if required");
        assertThat(f.tokenEndpoint()).contains("token endpoint goes here, for non-Gmail");
        assertThat(f.expiry()).isEqualTo(Instant.EPOCH);
    }

    @Test
    void toJsonShouldRoundTripEverySeedExampleWhenUnchanged() throws Exception {
        for (String seed : new String[] {SEED_TOKEN_FILE, SEED_TOKEN_FILE_WITH_CLIENT}) {
            TokenFile f = TokenFile.parse(seed);
            String written = f.toJson();

            assertThat(JSONObjectUtils.parse(written)).isEqualTo(JSONObjectUtils.parse(seed));
            assertThat(TokenFile.parse(written)).isEqualTo(f);
        }
    }

    @Test
    void withTokensShouldKeepUnknownKeysAndOptionalKeysWhenRewritten() throws Exception {
        String withExtras = """
            {
              "access_token" : "old",
              "expiry" : "0",
              "refresh_token" : "r1",
              "user" : "alice@example.org",
              "proxy" : "http://proxy.example:3128",
              "ca_bundle_file" : "/etc/ssl/certs/ca-certificates.crt",
              "ca_certs_dir" : "/etc/ssl/certs",
              "refresh_window" : "600",
              "x_operator_note" : {"owner": "ops", "tags": ["a", 1, true]}
            }
            """;
        TokenFile f = TokenFile.parse(withExtras)
            .withTokens(Secret.of("new access"), Instant.ofEpochSecond(1_900_000_000L), Optional.empty());

        var json = JSONObjectUtils.parse(f.toJson());
        assertThat(json).containsEntry("access_token", "new access")
            .containsEntry("expiry", "1900000000")
            .containsEntry("refresh_token", "r1")
            .containsEntry("user", "alice@example.org")
            .containsEntry("proxy", "http://proxy.example:3128")
            .containsEntry("refresh_window", "600")
            .containsKey("x_operator_note");
        assertThat(json.get("x_operator_note").toString()).contains("ops").contains("tags");
        assertThat(f.refreshWindow()).contains(Duration.ofSeconds(600));
        assertThat(f.user()).contains("alice@example.org");
        assertThat(f.caCertsDir()).contains("/etc/ssl/certs");
    }

    @Test
    void withTokensShouldReplaceTheRefreshTokenWhenRotated() {
        TokenFile f = TokenFile.parse(SEED_TOKEN_FILE)
            .withTokens(Secret.of("a2"), Instant.ofEpochSecond(100), Optional.of(Secret.of("r2")));

        assertThat(f.refreshToken().reveal()).isEqualTo("r2");
        assertThat(f.expiry()).isEqualTo(Instant.ofEpochSecond(100));
    }

    @Test
    void writeAtomicallyShouldCreateAnOwnerOnlyFileAndLeaveNoTempFileWhenDone(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("alice@example.org");

        Optional<String> changed = TokenFile.parse(SEED_TOKEN_FILE)
            .withTokens(Secret.of("a2"), Instant.ofEpochSecond(100), Optional.of(Secret.of("r2"))).writeAtomically(file);

        assertThat(changed).isEmpty();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(TokenFile.read(file).refreshToken().reveal()).isEqualTo("r2");
        try (var listing = Files.list(dir)) {
            assertThat(listing).containsExactly(file);
        }
    }

    @Test
    void writeAtomicallyShouldKeepTheModeAndGroupOfAFileSharedWithPostfix(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("alice@example.org");
        Files.writeString(file, SEED_TOKEN_FILE);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        GroupPrincipal postfixGroup = otherGroupThanOwn(file);
        Files.getFileAttributeView(file, PosixFileAttributeView.class).setGroup(postfixGroup);
        UserPrincipal owner = Files.getOwner(file);

        Optional<String> changed = TokenFile.parse(SEED_TOKEN_FILE)
            .withTokens(Secret.of("a2"), Instant.ofEpochSecond(100), Optional.of(Secret.of("r2"))).writeAtomically(file);

        PosixFileAttributes now = Files.readAttributes(file, PosixFileAttributes.class);
        assertThat(changed).isEmpty();
        assertThat(PosixFilePermissions.toString(now.permissions())).isEqualTo("rw-r-----");
        assertThat(now.group()).isEqualTo(postfixGroup);
        assertThat(now.owner()).isEqualTo(owner);
        assertThat(TokenFile.read(file).refreshToken().reveal()).isEqualTo("r2");
    }

    /** {@code mail} when this process may give a file any group (root), else its own primary group. */
    private static GroupPrincipal otherGroupThanOwn(Path file) throws Exception {
        var lookup = file.getFileSystem().getUserPrincipalLookupService();
        return "root".equals(System.getProperty("user.name")) ? lookup.lookupPrincipalByGroupName("mail")
            : Files.readAttributes(file, PosixFileAttributes.class).group();
    }

    @Test
    void writeAtomicallyShouldTakeAwayAccessForOthersAndSaySo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("alice@example.org");
        Files.writeString(file, SEED_TOKEN_FILE);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        Optional<String> changed = TokenFile.parse(SEED_TOKEN_FILE)
            .withTokens(Secret.of("a2"), Instant.ofEpochSecond(100), Optional.of(Secret.of("r2"))).writeAtomically(file);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
        assertThat(changed).hasValueSatisfying(c -> assertThat(c).contains("was rw-r--r--, now rw-r-----")
            .doesNotContain("r2"));
        assertThat(TokenFile.read(file).refreshToken().reveal()).isEqualTo("r2");
        try (var listing = Files.list(dir)) {
            assertThat(listing).containsExactly(file);
        }
    }

    @Test
    void writeAtomicallyShouldNeverWriteThroughALinkPlantedAtItsTemporaryName(@TempDir Path dir) throws Exception {
        // Someone who can write the directory plants links at the temporary names the writer will try first: one to a
        // file of theirs (to be truncated and overwritten with the refresh token), one to a name that does not exist yet
        // (to have the token written where they can read it). Exclusive creation never follows either.
        Path target = dir.resolve("alice@example.org");
        Files.writeString(target, SEED_TOKEN_FILE);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
        Path victim = Files.writeString(dir.resolve("victim"), "untouched");
        Path elsewhere = dir.resolve("readable-by-attacker");
        Files.createSymbolicLink(dir.resolve(".alice@example.org.first.tmp"), victim);
        Files.createSymbolicLink(dir.resolve(".alice@example.org.second.tmp"), elsewhere);
        java.util.Iterator<String> names = java.util.List.of("first", "second", "third").iterator();
        TokenFile updated = TokenFile.parse(SEED_TOKEN_FILE).withTokens(Secret.of("new-access"), Instant.ofEpochSecond(1_900_000_000L),
            Optional.of(Secret.of("rotated-refresh")));

        updated.writeAtomically(target, names::next);

        assertThat(victim).hasContent("untouched");
        assertThat(elsewhere).doesNotExist();
        assertThat(Files.isSymbolicLink(dir.resolve(".alice@example.org.first.tmp"))).isTrue();
        assertThat(Files.isSymbolicLink(target)).isFalse();
        assertThat(TokenFile.read(target).refreshToken().reveal()).isEqualTo("rotated-refresh");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-------");
        assertThat(dir.resolve(".alice@example.org.third.tmp")).as("renamed into place, not left behind").doesNotExist();
    }

    @Test
    void parseShouldRefuseWithoutQuotingTheTextWhenNoRefreshToken() {
        assertThatThrownBy(() -> TokenFile.parse("{\"access_token\": \"sekrit-access\"}"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("refresh_token")
            .hasMessageNotContaining("sekrit");
        assertThatThrownBy(() -> TokenFile.parse("{\"refresh_token\": \"sekrit-refresh\", \"expiry\": \"soon\"}"))
            .hasMessageContaining("expiry")
            .hasMessageNotContaining("sekrit");
        assertThatThrownBy(() -> TokenFile.parse("{\"refresh_token\": \"sekrit-refresh\""))
            .hasMessageNotContaining("sekrit");
    }

    @Test
    void toStringShouldNameKeysOnlyWhenPrinted() {
        TokenFile f = TokenFile.parse(SEED_TOKEN_FILE_WITH_CLIENT);

        assertThat(f.toString()).contains("refresh_token").doesNotContain("goes here");
    }

    @Test
    void globalConfigShouldReadEverySeedExampleWhenParsed() {
        SaslXoauth2Config gmail = SaslXoauth2Config.parse(SEED_GLOBAL_GMAIL);
        SaslXoauth2Config outlook = SaslXoauth2Config.parse(SEED_GLOBAL_OUTLOOK);
        SaslXoauth2Config debug = SaslXoauth2Config.parse(SEED_GLOBAL_DEBUG);

        assertThat(gmail.clientId()).contains("client ID goes here");
        assertThat(gmail.clientSecret()).map(Secret::reveal).contains("client secret goes here");
        assertThat(gmail.tokenEndpoint()).isEmpty();
        assertThat(outlook.clientSecret()).as("the README's empty secret means a public client").isEmpty();
        assertThat(outlook.tokenEndpoint()).contains("https://login.microsoftonline.com/consumers/oauth2/v2.0/token");
        assertThat(debug.logToSyslogOnFailure()).isFalse();
        assertThat(gmail.logToSyslogOnFailure()).isTrue();
        assertThat(debug.toString()).doesNotContain("goes here");
    }
}
