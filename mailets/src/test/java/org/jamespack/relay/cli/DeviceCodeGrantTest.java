package org.jamespack.relay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import org.jamespack.relay.cli.DeviceEndpointStandIn.Reply;
import org.jamespack.relay.token.TokenFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code token init} with the device authorization grant against a loopback stand-in (RFC 8628). */
class DeviceCodeGrantTest {

    @TempDir
    Path dir;

    DeviceEndpointStandIn idp;
    final FakeTime time = new FakeTime();
    ToolRun tool;

    @BeforeEach
    void start() throws Exception {
        idp = new DeviceEndpointStandIn(2, 900);
        tool = new ToolRun(InputStream.nullInputStream(), time, time, true);
    }

    @AfterEach
    void stop() {
        idp.close();
    }

    private int init(Path file) {
        return tool.run("init", file.toString(), "--provider", "microsoft", "--tenant", "organizations", "--client-id", "relay-app",
            "--user", "alice@example.org", "--device-endpoint", idp.device().toString(), "--token-endpoint", idp.token().toString(),
            "--sasl-xoauth2-config", writeEmptyGlobal().toString());
    }

    private Path writeEmptyGlobal() {
        try {
            return Files.writeString(dir.resolve("sasl-xoauth2.conf"), "{}");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void initShouldPollAtTheIntervalSlowDownAndWriteTheFileWhenTheUserSignsIn() throws Exception {
        idp.polls(n -> switch (n) {
            case 1 -> Reply.error("authorization_pending");
            case 2 -> Reply.error("slow_down");
            case 3 -> Reply.error("authorization_pending");
            default -> Reply.tokens("access-token-value-A1", "refresh-token-value-R1");
        });
        Path file = dir.resolve("alice@example.org");

        int code = init(file);

        assertThat(code).as(tool.all()).isEqualTo(TokenTool.OK);
        assertThat(idp.deviceRequests).singleElement().satisfies(r -> assertThat(r)
            .containsEntry("client_id", "relay-app").containsEntry("scope", "https://outlook.office.com/SMTP.Send offline_access"));
        assertThat(idp.tokenRequests).hasSize(4).allSatisfy(r -> assertThat(r)
            .containsEntry("grant_type", "urn:ietf:params:oauth:grant-type:device_code")
            .containsEntry("device_code", DeviceEndpointStandIn.DEVICE_CODE).containsEntry("client_id", "relay-app"));
        // Waits before each poll: 2 s, 2 s, then 7 s after slow_down (RFC 8628 §3.5: +5 s), and 7 s again.
        assertThat(totalSlept()).isEqualTo(Duration.ofSeconds(2 + 2 + 7 + 7));
        assertThat(time.sleeps).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofSeconds(1)));
        assertThat(tool.out()).contains("https://microsoft.com/devicelogin", "ABCD-EFGH", "The code expires in 15:00",
            "waiting for the sign-in, 14:58 left", "poll more slowly: every 7 s", "Wrote " + file);

        TokenFile written = TokenFile.read(file);
        assertThat(written.refreshToken().reveal()).isEqualTo("refresh-token-value-R1");
        assertThat(written.accessToken().orElseThrow().reveal()).isEqualTo("access-token-value-A1");
        assertThat(written.clientId()).contains("relay-app");
        assertThat(written.tokenEndpoint()).contains(idp.token().toString());
        assertThat(written.user()).contains("alice@example.org");
        assertThat(written.clientSecret()).isEmpty();
        assertThat(written.expiry()).isEqualTo(time.instant().plusSeconds(3600));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(tool.all()).doesNotContain("access-token-value-A1", "refresh-token-value-R1", DeviceEndpointStandIn.DEVICE_CODE);
    }

    @Test
    void initShouldFailWithoutWritingWhenTheServerSaysExpiredToken() {
        idp.polls(n -> n < 3 ? Reply.error("authorization_pending") : Reply.error("expired_token"));
        Path file = dir.resolve("alice@example.org");

        assertThat(init(file)).isEqualTo(TokenTool.FAILED);
        assertThat(tool.err()).contains("expired_token", "run token init again");
        assertThat(file).doesNotExist();
        assertThat(idp.tokenRequests).hasSize(3);
    }

    @Test
    void initShouldFailWhenTheUserDeclines() {
        idp.polls(n -> Reply.error("access_denied"));
        Path file = dir.resolve("alice@example.org");

        assertThat(init(file)).isEqualTo(TokenTool.FAILED);
        assertThat(tool.err()).contains("declined (access_denied)");
        assertThat(file).doesNotExist();
    }

    @Test
    void initShouldStopPollingWhenTheCodeLifetimeRunsOut() throws Exception {
        idp.close();
        idp = new DeviceEndpointStandIn(5, 12);
        idp.polls(n -> Reply.error("authorization_pending"));
        Path file = dir.resolve("alice@example.org");

        assertThat(init(file)).isEqualTo(TokenTool.FAILED);
        assertThat(tool.err()).contains("the code expired before anyone signed in");
        // polls at 5 s and 10 s; the third wait reaches the 12 s lifetime
        assertThat(idp.tokenRequests).hasSize(2);
        assertThat(totalSlept()).isEqualTo(Duration.ofSeconds(12));
    }

    @Test
    void initShouldDiagnoseWhenTheAppIsNotAPublicClient() {
        idp.polls(n -> new Reply(401, "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000218: The request body"
            + " must contain the following parameter: 'client_assertion' or 'client_secret'.\"}"));
        Path file = dir.resolve("alice@example.org");

        assertThat(init(file)).isEqualTo(TokenTool.FAILED);
        assertThat(tool.err()).contains("AADSTS7000218", "diagnosis [AADSTS7000218]", "Allow public client flows");
    }

    private Duration totalSlept() {
        return time.sleeps.stream().reduce(Duration.ZERO, Duration::plus);
    }
}
