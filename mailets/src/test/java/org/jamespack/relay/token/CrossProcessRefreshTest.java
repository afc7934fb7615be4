package org.jamespack.relay.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.jamespack.relay.token.TokenEndpointStandIn.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two JVMs sharing a token file make one endpoint call between them. */
class CrossProcessRefreshTest {

    @Test
    void tokenShouldRefreshOnceWhenAChildJvmIsRefreshingTheSameFile(@TempDir Path dir) throws Exception {
        try (TokenEndpointStandIn endpoint = new TokenEndpointStandIn()) {
            // The child's call is held long enough for this JVM to queue behind its file lock.
            endpoint.delay(1500);
            endpoint.replies(n -> Reply.token("access-" + n, 3600, "refresh-R" + (n + 1)));
            Path file = dir.resolve("shared@example.org");
            Files.writeString(file, "{\"client_id\":\"client-1\",\"token_endpoint\":\"" + endpoint.uri()
                + "\",\"expiry\":\"0\",\"refresh_token\":\"refresh-R1\"}");

            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ChildProcessRefresh.class.getName(), file.toString())
                .redirectErrorStream(true).start();
            try {
                assertThat(endpoint.awaitFirstRequest(30_000)).as("the child called the endpoint").isTrue();

                TokenOutcome mine = TokenFileBinding.plain(PathDefaults.standard())
                    .open("parent@example.org", "parent", file).token(false);

                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                String childOut = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(childOut).contains("TOKEN access-1");
                assertThat(mine).isInstanceOfSatisfying(TokenOutcome.Token.class,
                    t -> assertThat(t.accessToken().reveal()).isEqualTo("access-1"));
                assertThat(endpoint.calls()).isEqualTo(1);
                assertThat(TokenFile.read(file).refreshToken().reveal()).isEqualTo("refresh-R2");
            } finally {
                child.destroyForcibly();
            }
        }
    }
}
