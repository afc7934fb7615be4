package org.jamespack.it.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.jamespack.it.clients.SmtpClient;
import org.jamespack.it.samples.SampleTree;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * Builds the image from the unpacked release archive ({@code docker build -f docker/Dockerfile .})
 * and runs it, where a Docker engine answers; elsewhere (these build machines) every test is
 * skipped with the reason printed. The on-disk replay of the same recipe is {@link DockerLayoutTest}.
 */
class DockerImageTest {

    @BeforeAll
    static void dockerOrSkip() {
        boolean available;
        String reason;
        try {
            available = DockerClientFactory.instance().isDockerAvailable();
            reason = available ? "" : "no Docker engine answers (DOCKER_HOST, /var/run/docker.sock)";
        } catch (RuntimeException | LinkageError e) {
            available = false;
            reason = "Testcontainers could not look for a Docker engine: " + e;
        }
        if (!available) {
            System.out.println("DockerImageTest skipped: " + reason
                + "; the Dockerfile's paths are checked by DockerLayoutTest without Docker");
        }
        Assumptions.assumeTrue(available, reason);
    }

    private static ImageFromDockerfile image(Path context) {
        return new ImageFromDockerfile("jamespack-it", true)
            .withFileFromPath(".", context)
            .withDockerfilePath("docker/Dockerfile");
    }

    @Test
    void imageShouldStartTheStockConfigurationAndShipTheTokenTool(@TempDir Path dir) throws Exception {
        Path context = Distribution.load().unpack(dir.resolve("context"));
        try (GenericContainer<?> james = new GenericContainer<>(image(context))
            .withExposedPorts(25)
            .waitingFor(Wait.forListeningPort().withStartupTimeout(Duration.ofMinutes(3)))) {
            james.start();
            assertThat(james.execInContainer("ls", "/root/libs").getStdout())
                .contains("jamespack-authenticators-", "unboundid-ldapsdk-7.0.5.jar")
                .doesNotContain("unboundid-ldapsdk-6.0.7.jar");
            if (Files.exists(context.resolve("bin/token"))) {
                assertThat(james.execInContainer("token", "--help").getExitCode()).isZero();
            }
        }
    }

    @Test
    void imageShouldStartThePackLauncherWithAMountedSampleTree(@TempDir Path dir) throws Exception {
        Path context = Distribution.load().unpack(dir.resolve("context"));
        Path keystore = dir.resolve("keystore");
        SampleTree.createKeystore(keystore);
        // the kopano tree as shipped (it starts without its backend: Kopano is asked at the first login),
        // plus the keystore its comments ask for; James may write into conf/ (JMX credentials), so read-write
        Path conf = dir.resolve("conf");
        copyTree(SampleTree.samplesRoot().resolve("kopano"), conf);
        Files.copy(keystore, conf.resolve("keystore"));
        try (GenericContainer<?> james = new GenericContainer<>(image(context))
            .withFileSystemBind(conf.toString(), "/root/conf", BindMode.READ_WRITE)
            .withExposedPorts(25)
            .waitingFor(Wait.forLogMessage(".*authpack: password-only mode.*", 1).withStartupTimeout(Duration.ofMinutes(3)))) {
            james.start();
            try (SmtpClient smtp = new SmtpClient(james.getMappedPort(25))) {
                assertThat(smtp.greeting()).startsWith("220");
            }
        }
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}
