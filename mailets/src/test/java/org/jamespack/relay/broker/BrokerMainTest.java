package org.jamespack.relay.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.jamespack.foundation.config.ConfigException;
import org.jamespack.relay.broker.BrokerFixtures.FixedTokenSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerMainTest {

    static final String ME = System.getProperty("user.name");

    @TempDir
    Path dir;

    final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @Test
    void startShouldServeTheAccountsOfTheFile() throws IOException {
        Path socket = dir.resolve("b.sock");
        Path config = Files.writeString(dir.resolve("broker.xml"), "<?xml version=\"1.0\"?>\n<broker socket=\"" + socket
            + "\">\n  <account name=\"a@example.org\" allow=\"" + ME + "\"/>\n</broker>\n");

        try (CredentialBroker broker = BrokerMain.start(config, a -> FixedTokenSource.serving(a, "tok"))) {
            byte[] answer = EximReadsocketClient.readsocket(socket, "SMTP a@example.org", true, Duration.ofSeconds(5));

            assertThat(new String(answer, StandardCharsets.US_ASCII)).isEqualTo("user=a@example.org\u0001auth=Bearer tok\u0001\u0001");
            assertThat(broker.socketPath()).isEqualTo(socket);
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void startShouldListEveryProblemWithFileAndLineWhenConfigIsWrong() throws IOException {
        Path config = Files.writeString(dir.resolve("broker.xml"), "<broker socket=\"" + dir.resolve("b.sock")
            + "\" mode=\"rw\">\n  <account name=\"a@example.org\" allow=\"" + ME + "\"/>\n"
            + "  <account name=\"b@example.org\" allow=\"" + ME + "\"/>\n</broker>\n");

        assertThatThrownBy(() -> BrokerMain.start(config, a -> {
            if (a.startsWith("b@")) {
                throw new IllegalArgumentException("no token file for it");
            }
            return FixedTokenSource.serving(a, "tok");
        }))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining(config + ":1: broker/mode: 'rw'")
            .hasMessageContaining(config + ":3: broker/account: 'b@example.org' has no token source: no token file for it");
        assertThat(dir.resolve("b.sock")).doesNotExist();
    }

    @Test
    void runShouldExitWithUsageWhenArgumentsAreWrong() {
        assertThat(BrokerMain.run(new String[0], err)).isEqualTo(BrokerMain.EXIT_USAGE);
        assertThat(BrokerMain.run(new String[] {"--help"}, err)).isEqualTo(BrokerMain.EXIT_USAGE);
        assertThat(BrokerMain.run(new String[] {dir.resolve("missing.xml").toString()}, err)).isEqualTo(BrokerMain.EXIT_USAGE);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains("usage: BrokerMain BROKER.xml", "cannot be read");
    }

    @Test
    void runShouldSaySoWhenNoTokenSourcesAreOnTheClassPath() throws IOException {
        Path config = Files.writeString(dir.resolve("broker.xml"), "<broker/>");

        assertThat(BrokerMain.run(new String[] {config.toString()}, err)).isEqualTo(BrokerMain.EXIT_NO_SOURCES);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains("no token sources on the class path");
    }
}
