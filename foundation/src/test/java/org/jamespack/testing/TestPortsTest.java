package org.jamespack.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class TestPortsTest {

    @Test
    void reserveShouldHandOutDistinctPortsBelowTheEphemeralRange() throws IOException {
        int ephemeralFirst = Integer.parseInt(
            Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
        List<ReservedPort> held = new ArrayList<>();
        try {
            Set<Integer> numbers = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                ReservedPort p = TestPorts.reserve();
                held.add(p);
                numbers.add(p.number());
                assertThat(p.number()).isLessThan(ephemeralFirst).isGreaterThan(1024);
            }
            assertThat(numbers).hasSize(200);
        } finally {
            held.forEach(ReservedPort::close);
        }
    }

    @Test
    void reservedPortShouldBeBindableByTheServerThatAsksForIt() throws IOException {
        try (ReservedPort p = TestPorts.reserve();
             ServerSocket server = new ServerSocket(p.number(), 5, InetAddress.getLoopbackAddress())) {
            assertThat(server.getLocalPort()).isEqualTo(p.number());
        }
    }

    @Test
    void closedPortShouldRefuseConnections() {
        int port = TestPorts.closedPort();
        assertThatThrownBy(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            }
        }).isInstanceOf(ConnectException.class);
    }

    @Test
    void aPortAnotherJvmHoldsShouldNotBeHandedOut() throws Exception {
        try (ReservedPort mine = TestPorts.reserve()) {
            // a second JVM on the same machine, as a second Surefire fork or Maven build would be
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ChildJvm.class.getName(), String.valueOf(mine.number()))
                .redirectErrorStream(true).start();
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(out).as("the other JVM's answer for port " + mine.number()).isEqualTo("refused");
        }
    }

    @Test
    void aPortGivenBackShouldBeReservableAgain() {
        ReservedPort first = TestPorts.reserve();
        int number = first.number();
        first.close();
        ReservedPort again = TestPorts.tryReserveForTest(number);
        try {
            assertThat(again).isNotNull();
        } finally {
            again.close();
        }
    }

    @Test
    void aPortAForeignProgramListensOnShouldBeSkipped() throws IOException {
        ReservedPort probe = TestPorts.reserve();
        int number = probe.number();
        probe.close();
        try (ServerSocket foreign = new ServerSocket(number, 5, InetAddress.getLoopbackAddress())) {
            assertThat(TestPorts.tryReserveForTest(number)).isNull();
        }
    }

    @Test
    void retryOnBindFailureShouldStartAgainOnlyForAPortInUse() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        String started = TestPorts.retryOnBindFailure(() -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("start failed", new BindException("Address already in use"));
            }
            return "started";
        });
        assertThat(started).isEqualTo("started");
        assertThat(attempts).hasValue(2);

        AtomicInteger other = new AtomicInteger();
        assertThatThrownBy(() -> TestPorts.retryOnBindFailure(() -> {
            other.incrementAndGet();
            throw new IOException("permission denied");
        })).hasMessage("permission denied");
        assertThat(other).hasValue(1);
    }

    @Test
    void retryOnBindFailureShouldGiveUpAfterThreeStarts() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> TestPorts.retryOnBindFailure(() -> {
            attempts.incrementAndGet();
            throw new IOException("bind(127.0.0.1, 20001) failed: Address already in use");
        })).isInstanceOf(IOException.class);
        assertThat(attempts).hasValue(TestPorts.START_ATTEMPTS);
    }

    /** Tries to reserve the port named by its argument and prints whether it could. */
    public static final class ChildJvm {
        public static void main(String[] args) {
            ReservedPort p = TestPorts.tryReserveForTest(Integer.parseInt(args[0]));
            System.out.println(p == null ? "refused" : "reserved");
        }
    }
}
