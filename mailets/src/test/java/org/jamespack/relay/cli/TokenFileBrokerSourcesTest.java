package org.jamespack.relay.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.jamespack.relay.broker.BrokerMain;
import org.jamespack.relay.broker.CredentialBroker;
import org.jamespack.relay.broker.EximReadsocketClient;
import org.jamespack.relay.token.PathDefaults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone broker's accounts served from token files {@code DIR/ACCOUNT}, asked the way exim's readsocket asks. */
class TokenFileBrokerSourcesTest {

    @TempDir
    Path dir;

    @Test
    void brokerShouldServeTheTokenOfTheAccountsFileWhenItIsStillValid() throws Exception {
        long expiry = Instant.now().plus(Duration.ofHours(1)).getEpochSecond();
        Files.writeString(dir.resolve("alice@example.org"), "{\"access_token\":\"file-access-token\",\"client_id\":\"c\","
            + "\"token_endpoint\":\"http://127.0.0.1:9/token\",\"expiry\":\"" + expiry + "\",\"refresh_token\":\"r\"}");
        Path socket = dir.resolve("b.sock");
        Path config = Files.writeString(dir.resolve("broker.xml"), "<broker socket=\"" + socket + "\">\n  <account name=\""
            + "alice@example.org\" allow=\"" + System.getProperty("user.name") + "\"/>\n</broker>\n");

        try (TokenFileBrokerSources sources = new TokenFileBrokerSources(dir, PathDefaults.standard());
             CredentialBroker broker = BrokerMain.start(config, sources.resolver(config))) {
            byte[] answer = EximReadsocketClient.readsocket(socket, "SMTP alice@example.org", true, Duration.ofSeconds(5));

            assertThat(new String(answer, StandardCharsets.US_ASCII))
                .isEqualTo("user=alice@example.org\u0001auth=Bearer file-access-token\u0001\u0001");
        }
    }

    @Test
    void resolverShouldRefuseAccountsThatLeaveTheDirectory() {
        try (TokenFileBrokerSources sources = new TokenFileBrokerSources(dir, PathDefaults.standard())) {
            assertThatThrownBy(() -> sources.resolver(dir).apply("../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> sources.resolver(dir).apply("bob@example.org"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token init");
        }
    }
}
