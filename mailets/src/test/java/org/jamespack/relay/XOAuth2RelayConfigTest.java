package org.jamespack.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.jamespack.foundation.config.ConfigException;
import org.jamespack.relay.delivery.TokenSources;
import org.junit.jupiter.api.Test;

class XOAuth2RelayConfigTest {

    private XOAuth2Relay relay() {
        TokenSources none = route -> Optional.empty();
        return new XOAuth2Relay(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory()), Optional.of(none),
            Clock.systemUTC(), false);
    }

    @Test
    void initShouldReportEveryProblemAtOnceWithItsKey() {
        FakeMailetConfig config = FakeMailetConfig.builder().mailetName("relay").mailetContext(FakeMailContext.defaultContext())
            .setProperty("routes", "a.org: host=h user=u@a.org oauth=x\nb.org: nohost=1\n")
            .setProperty("retrySchedule", "F,2h")
            .setProperty("noRoute", "drop")
            .setProperty("deliveryThreads", "0")
            .setProperty("trustStorePassword", "hunter2-secret")
            .setProperty("trustStore", "/nonexistent/trust.p12")
            .setProperty("retrySchedual", "typo")
            .build();

        assertThatThrownBy(() -> relay().init(config))
            .isInstanceOf(ConfigException.class)
            .satisfies(e -> {
                ConfigException c = (ConfigException) e;
                assertThat(c.problems()).hasSize(6);
                assertThat(c.getMessage())
                    .contains("routes line:2: route 'b.org'")
                    .contains("relay/retrySchedule")
                    .contains("relay/noRoute: 'drop' is not one of")
                    .contains("relay/deliveryThreads")
                    .contains("relay/retrySchedual: unknown setting")
                    .contains("relay/trustStore")
                    .doesNotContain("hunter2-secret");
            });
    }

    @Test
    void initShouldReportZeroTimeOutsAndRefreshPeriodWithMailetAndKey() {
        FakeMailetConfig config = FakeMailetConfig.builder().mailetName("relay").mailetContext(FakeMailContext.defaultContext())
            .setProperty("connectTimeout", "0s")
            .setProperty("readTimeout", "0")
            .setProperty("tokenIdleRefresh", "0s")
            .build();

        assertThatThrownBy(() -> relay().init(config))
            .isInstanceOf(ConfigException.class)
            .satisfies(e -> {
                assertThat(((ConfigException) e).problems()).hasSize(3);
                assertThat(e.getMessage())
                    .contains("mailetcontainer.xml: mailet relay")
                    .contains("relay/connectTimeout: must be longer than 0")
                    .contains("relay/readTimeout: must be longer than 0")
                    .contains("relay/tokenIdleRefresh: must be longer than 0");
            });
    }

    @Test
    void documentationShouldListEveryInitParameterInThePackageInfoOnly() throws Exception {
        String mailet = Files.readString(Path.of("src/main/java/org/jamespack/relay/XOAuth2Relay.java"));
        String packageInfo = Files.readString(Path.of("src/main/java/org/jamespack/relay/package-info.java"));

        for (String key : RelayConfig.DEFAULTS.keySet()) {
            assertThat(packageInfo).as(key).contains("<tr><td>{@code " + key + "}</td>");
        }
        long documented = packageInfo.lines().filter(l -> l.contains("<tr><td>{@code ")).count();
        assertThat(documented).isEqualTo(RelayConfig.DEFAULTS.size());
        assertThat(mailet).doesNotContain("<tr><td>");
    }
}
