package org.jamespack.relay.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;

import org.junit.jupiter.api.Test;

class BearerSaslClientTest {

    private static final String TOKEN = "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg";

    @Test
    void xoauth2ShouldEncodeTheReferenceWireFormat() throws Exception {
        byte[] response = BearerSaslClient.xoauth2("someuser@example.com", TOKEN.toCharArray());

        // Google's documented example of the XOAUTH2 initial client response
        assertThat(new String(response, StandardCharsets.UTF_8))
            .isEqualTo("user=someuser@example.com\u0001auth=Bearer " + TOKEN + "\u0001\u0001");
        assertThat(BearerSaslProvider.encode(response)).isEqualTo(
            "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==");
    }

    @Test
    void oauthBearerShouldEncodeRfc7628WithHostAndPort() {
        byte[] response = BearerSaslClient.oauthBearer("user@example.com", "server.example.com", 587, "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==".toCharArray());

        // RFC 7628 §4.1, with the port and token of our own
        assertThat(new String(response, StandardCharsets.UTF_8)).isEqualTo(
            "n,a=user@example.com,\u0001host=server.example.com\u0001port=587\u0001auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\u0001\u0001");
    }

    @Test
    void evaluateChallengeShouldAnswerTheErrorChallengeWithAnEmptyLineForXoauth2() throws Exception {
        BearerSaslClient client = new BearerSaslClient("XOAUTH2", BearerSaslClient.xoauth2("u@example.com", TOKEN.toCharArray()), true);

        byte[] first = client.evaluateChallenge(new byte[0]);
        assertThat(client.isComplete()).as("stays incomplete so that Angus evaluates the 334").isFalse();
        byte[] second = client.evaluateChallenge("{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"mail\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(new String(first, StandardCharsets.UTF_8)).contains("auth=Bearer " + TOKEN);
        assertThat(second).isEmpty();
        assertThat(client.isComplete()).isTrue();
        assertThat(client.errorChallenge()).contains("\"status\":\"401\"");
    }

    @Test
    void evaluateChallengeShouldAnswerTheErrorChallengeWithAQForOauthBearer() throws Exception {
        BearerSaslClient client = new BearerSaslClient("OAUTHBEARER",
            BearerSaslClient.oauthBearer("u@example.com", "h", 587, TOKEN.toCharArray()), true);

        client.evaluateChallenge(new byte[0]);
        byte[] answer = client.evaluateChallenge("{\"status\":\"invalid_token\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(BearerSaslProvider.encode(answer)).isEqualTo("AQ==");
    }

    @Test
    void saslShouldFindTheRelayClientOnlyForMarkedSessionsAndGoTwoStepWhenTheLineIsLong() throws Exception {
        int before = JvmMailSetup.users();
        SmtpConnector connector = new SmtpConnector(SmtpSettings.defaults());
        assertThat(JvmMailSetup.providerInstalled()).isTrue();
        javax.security.auth.callback.CallbackHandler cbh = callbacks -> {
            ((NameCallback) callbacks[0]).setName("u@example.com");
            ((PasswordCallback) callbacks[1]).setPassword(TOKEN.toCharArray());
        };
        Map<String, Object> marked = Map.of(BearerSaslProvider.MARKER, "true", BearerSaslProvider.MAX_AUTH_LINE, "12288",
            BearerSaslProvider.PORT, "587");
        Map<String, Object> shortLines = Map.of(BearerSaslProvider.MARKER, "true", BearerSaslProvider.MAX_AUTH_LINE, "80",
            BearerSaslProvider.PORT, "587");

        SaslClient initial = Sasl.createSaslClient(new String[] {"XOAUTH2"}, null, "smtp", "h", marked, cbh);
        SaslClient twoStep = Sasl.createSaslClient(new String[] {"XOAUTH2"}, null, "smtp", "h", shortLines, cbh);
        SaslClient bearer = Sasl.createSaslClient(new String[] {"OAUTHBEARER"}, null, "smtp", "h", marked, cbh);
        SaslClient other = Sasl.createSaslClient(new String[] {"XOAUTH2"}, null, "smtp", "h", Map.of(), cbh);

        assertThat(initial).isInstanceOf(BearerSaslClient.class);
        assertThat(initial.hasInitialResponse()).isTrue();
        assertThat(twoStep.hasInitialResponse()).isFalse();
        assertThat(bearer.getMechanismName()).isEqualTo("OAUTHBEARER");
        assertThat(other instanceof BearerSaslClient).as("unmarked sessions get Angus' own client or none").isFalse();

        connector.close();
        connector.close();
        assertThat(JvmMailSetup.users()).as("close counts once").isEqualTo(before);
        // other test classes in this JVM may hold relays open; with none, the provider leaves the JVM's list
        assertThat(JvmMailSetup.providerInstalled()).isEqualTo(before > 0);
        if (before == 0) {
            assertThat(Sasl.createSaslClient(new String[] {"XOAUTH2"}, null, "smtp", "h", marked, cbh) instanceof BearerSaslClient)
                .isFalse();
        }
    }
}
