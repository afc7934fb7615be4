package org.jamespack.relay.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.jamespack.foundation.Secret;
import org.jamespack.relay.route.Route;
import org.jamespack.relay.route.SmartHostsParser;
import org.jamespack.relay.testing.SmtpFront;
import org.jamespack.relay.testing.TestCa;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

/**
 * One connection's transaction against a smarthost (GreenMail behind the STARTTLS front) that is slow to answer the final
 * {@code .} or offers SIZE, DSN, SMTPUTF8: what goes on the wire, and what is refused before anything is sent.
 */
class RelayConnectionTest {

    private static TestCa ca;

    @TempDir
    Path dir;

    private GreenMail sink;
    private SmtpFront front;
    private SmtpConnector connector;
    private RelayConnection connection;

    @BeforeAll
    static void makeCa() throws Exception {
        ca = TestCa.create("localhost");
    }

    @BeforeEach
    void start() throws Exception {
        sink = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        sink.start();
        sink.setUser("relay@a.example", "relay@a.example", "pw");
        front = new SmtpFront(SmtpFront.Mode.STARTTLS, ca.serverContext(), sink.getSmtp().getPort());
    }

    @AfterEach
    void stop() throws Exception {
        if (connection != null) {
            connection.close();
        }
        if (connector != null) {
            connector.close();
        }
        front.close();
        sink.stop();
    }

    private RelayConnection connect(Duration readTimeout, Duration dataEndTimeout) throws Exception {
        Path trust = ca.writeTrustStore(dir.resolve("trust.p12"));
        SmtpSettings settings = SmtpSettings.defaults().withTrustStore(trust, Optional.of(Secret.of(new String(TestCa.PASSWORD))),
            "PKCS12").withReadTimeout(readTimeout).withDataEndTimeout(dataEndTimeout);
        connector = new SmtpConnector(settings);
        Route route = SmartHostsParser.parse("a.example: host=localhost::" + front.port()
            + " helo=relay.test user=relay@a.example password=pw\n", "test").routes().get(0);
        SmtpConnector.ConnectResult result = connector.connect(route, route.password());
        assertThat(result).isInstanceOf(SmtpConnector.Connected.class);
        connection = ((SmtpConnector.Connected) result).connection();
        return connection;
    }

    private RelayConnection connect() throws Exception {
        return connect(Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    private static byte[] message(int bodyLines) {
        return ("From: alice@a.example\r\nTo: bob@b.example\r\nSubject: test\r\n\r\n" + "body line\r\n".repeat(bodyLines))
            .getBytes(StandardCharsets.US_ASCII);
    }

    private List<String> commands(String prefix) {
        return front.commands().stream().filter(c -> c.toUpperCase().startsWith(prefix)).toList();
    }

    @Test
    void sendShouldWaitForTheReplyToTheFinalDotLongerThanTheReadTimeoutAndDeliverOnce() throws Exception {
        front.pauseBeforeDataEnd(Duration.ofMillis(1500));
        RelayConnection c = connect(Duration.ofMillis(500), Duration.ofSeconds(10));

        SendResult result = c.send("alice@a.example", List.of("bob@b.example"), message(3));

        assertThat(result.failure()).isEmpty();
        assertThat(result.delivered()).containsExactly("bob@b.example");
        assertThat(sink.getReceivedMessages()).hasSize(1);
        assertThat(commands("DATA")).hasSize(1);
        assertThat(c.isUsable()).isTrue();
    }

    @Test
    void sendShouldFailAsTransientWhenTheReplyToTheFinalDotTakesLongerThanTheDataEndTimeout() throws Exception {
        front.pauseBeforeDataEnd(Duration.ofMillis(1500));
        RelayConnection c = connect(Duration.ofMillis(500), Duration.ofMillis(500));

        SendResult result = c.send("alice@a.example", List.of("bob@b.example"), message(3));

        assertThat(result.delivered()).isEmpty();
        assertThat(result.failure()).isPresent();
        assertThat(result.failure().get().reply().code()).isEqualTo(-1);
        assertThat(result.failure().get().classify(false, false)).isEqualTo(FailureKind.TRANSIENT);
    }

    @Test
    void sendShouldRefuseWith534BeforeMailFromWhenTheMessageIsLargerThanTheSmarthostsSize() throws Exception {
        front.offer("SIZE 1000");
        RelayConnection c = connect();

        SendResult result = c.send("alice@a.example", List.of("bob@b.example"), message(200));

        assertThat(result.delivered()).isEmpty();
        SmtpFailure failure = result.failure().orElseThrow();
        assertThat(failure.reply().code()).isEqualTo(552);
        assertThat(failure.reply().enhanced()).contains("5.3.4");
        assertThat(failure.classify(false, false)).isEqualTo(FailureKind.PERMANENT);
        assertThat(commands("MAIL")).isEmpty();
        assertThat(sink.getReceivedMessages()).isEmpty();
        assertThat(c.mayKeep()).isTrue();
    }

    @Test
    void sendShouldDeclareTheSizeWithMailFromWhenTheSmarthostOffersSize() throws Exception {
        front.offer("SIZE 100000");
        RelayConnection c = connect();
        byte[] message = message(20);

        SendResult result = c.send("alice@a.example", List.of("bob@b.example"), message);

        assertThat(result.failure()).isEmpty();
        assertThat(commands("MAIL")).containsExactly("MAIL FROM:<alice@a.example> SIZE=" + message.length);
        assertThat(sink.getReceivedMessages()).hasSize(1);
    }

    @Test
    void sendShouldPassTheSendersDsnParametersWhenTheSmarthostOffersDsn() throws Exception {
        front.offer("DSN");
        RelayConnection c = connect();
        DsnRequest dsn = new DsnRequest(Optional.of("HDRS"), Optional.of("QQ314159+2Bx"), Map.of(
            "bob@b.example", new DsnRequest.Recipient(Set.of("SUCCESS", "FAILURE"), Optional.of("bob+list@b.example")),
            "carol@c.example", new DsnRequest.Recipient(Set.of("NEVER"), Optional.empty())));

        SendResult result = c.send("alice@a.example", List.of("bob@b.example", "carol@c.example"), message(3), Optional.empty(), dsn);

        assertThat(result.failure()).isEmpty();
        assertThat(commands("MAIL")).containsExactly("MAIL FROM:<alice@a.example> RET=HDRS ENVID=QQ314159+2Bx");
        assertThat(commands("RCPT")).containsExactly(
            "RCPT TO:<bob@b.example> NOTIFY=FAILURE,SUCCESS ORCPT=rfc822;bob+2Blist@b.example",
            "RCPT TO:<carol@c.example> NOTIFY=NEVER");
        assertThat(sink.getReceivedMessages()).hasSize(2);
    }

    @Test
    void sendShouldLeaveDsnParametersOutWhenTheSmarthostDoesNotOfferDsn() throws Exception {
        RelayConnection c = connect();
        DsnRequest dsn = new DsnRequest(Optional.of("FULL"), Optional.of("id1"), Map.of(
            "bob@b.example", new DsnRequest.Recipient(Set.of("SUCCESS"), Optional.of("bob@b.example"))));

        SendResult result = c.send("alice@a.example", List.of("bob@b.example"), message(3), Optional.empty(), dsn);

        assertThat(result.failure()).isEmpty();
        assertThat(commands("MAIL")).containsExactly("MAIL FROM:<alice@a.example>");
        assertThat(commands("RCPT")).containsExactly("RCPT TO:<bob@b.example>");
    }

    @Test
    void sendShouldRefuseWith567WhenAnAddressIsNotAsciiAndTheSmarthostLacksSmtputf8() throws Exception {
        RelayConnection c = connect();

        SendResult result = c.send("alice@a.example", List.of("jörg@b.example"), message(3));

        SmtpFailure failure = result.failure().orElseThrow();
        assertThat(failure.reply().code()).isEqualTo(553);
        assertThat(failure.reply().enhanced()).contains("5.6.7");
        assertThat(failure.classify(false, false)).isEqualTo(FailureKind.PERMANENT);
        assertThat(commands("MAIL")).isEmpty();
        assertThat(c.mayKeep()).isTrue();
    }

    @Test
    void sendShouldAskForSmtputf8AndSendTheAddressAsUtf8WhenTheSmarthostOffersIt() throws Exception {
        front.offer("SMTPUTF8");
        RelayConnection c = connect();

        SendResult result = c.send("alice@a.example", List.of("jörg@b.example"), message(3));

        assertThat(result.failure()).isEmpty();
        assertThat(commands("MAIL")).containsExactly("MAIL FROM:<alice@a.example> SMTPUTF8");
        assertThat(commands("RCPT")).containsExactly("RCPT TO:<jörg@b.example>");
    }

    @Test
    void sendShouldNotAskForSmtputf8ForAsciiAddressesEvenWhenTheSmarthostOffersIt() throws Exception {
        front.offer("SMTPUTF8");
        RelayConnection c = connect();

        SendResult result = c.send("alice@a.example", List.of("bob@b.example"), message(3));

        assertThat(result.failure()).isEmpty();
        assertThat(commands("MAIL")).containsExactly("MAIL FROM:<alice@a.example>");
    }
}
