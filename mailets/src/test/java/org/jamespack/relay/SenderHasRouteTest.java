package org.jamespack.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.jamespack.relay.ops.RelayRegistry;
import org.jamespack.relay.route.Route;
import org.jamespack.relay.route.RouteSource;
import org.jamespack.relay.route.SmartHostsParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SenderHasRouteTest {

    @TempDir
    Path dir;

    private SenderHasRoute matcher(String condition) throws Exception {
        SenderHasRoute m = new SenderHasRoute();
        m.init(FakeMatcherConfig.builder().matcherName("SenderHasRoute").condition(condition)
            .mailetContext(FakeMailContext.defaultContext()).build());
        return m;
    }

    @Test
    void matchShouldSelectSendersWithARouteInTheFileOrTheKeys() throws Exception {
        Path file = dir.resolve("smart-hosts");
        Files.writeString(file, "domain.com: host=smtp.office365.com::587 helo=cms user=user@domain.com oauth=/home/XX/mail/.cms/exim/unix\n");
        SenderHasRoute m = matcher(file + ", *.example.net, boss@example.org");

        assertThat(m.match(FakeMail.builder().name("1").sender("a@Domain.com").recipients("x@y.org").build()))
            .containsExactly(new MailAddress("x@y.org"));
        assertThat(m.match(FakeMail.builder().name("2").sender("a@sub.example.net").recipients("x@y.org").build())).hasSize(1);
        assertThat(m.match(FakeMail.builder().name("3").sender("boss@example.org").recipients("x@y.org").build())).hasSize(1);
        assertThat(m.match(FakeMail.builder().name("4").sender("other@example.org").recipients("x@y.org").build())).isEmpty();
        assertThat(m.match(FakeMail.builder().name("5").sender("a@sub.domain.com").recipients("x@y.org").build())).isEmpty();
        assertThat(m.match(FakeMail.builder().name("6").sender(MaybeSender.nullSender()).recipients("x@y.org").build())).isEmpty();
    }

    @Test
    void matchShouldSelectSendersOfAPostfixRelayhostMap() throws Exception {
        Path map = dir.resolve("sender_relay");
        Files.writeString(map, "# sender_dependent_relayhost_maps\nceo@example.org [smtp.office365.com]:587\n@example.net\n"
            + "    [smtp.gmail.com]:587\n");
        SenderHasRoute m = matcher("postfix:" + map);

        assertThat(m.match(FakeMail.builder().name("1").sender("CEO@example.org").recipients("x@y.org").build())).hasSize(1);
        assertThat(m.match(FakeMail.builder().name("2").sender("other@example.org").recipients("x@y.org").build())).isEmpty();
        assertThat(m.match(FakeMail.builder().name("3").sender("anyone@example.net").recipients("x@y.org").build())).hasSize(1);
        assertThat(m.match(FakeMail.builder().name("4").sender("anyone@sub.example.net").recipients("x@y.org").build())).isEmpty();
    }

    @Test
    void matchShouldUseTheRoutesARunningRelayLoadedFromTheSameFile() throws Exception {
        Path file = dir.resolve("smart-hosts");
        Files.writeString(file, "a.example: host=smtp.a.example::587\n");
        RelayRegistry registry = new RelayRegistry();
        SenderHasRoute m = new SenderHasRoute(registry);
        m.init(FakeMatcherConfig.builder().matcherName("SenderHasRoute").condition(dir + "/./smart-hosts")
            .mailetContext(FakeMailContext.defaultContext()).build());
        // the relay's source: inline routes of its own, a stopped clock, so it reads the file once and not again
        List<Route> inline = SmartHostsParser.parse("inline.example: host=smtp.i.example::587", "inline").routes();
        RouteSource relays = new RouteSource(inline, Optional.of(file), Duration.ofHours(1),
            Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
        relays.current();
        registry.publishRoutes(relays);
        Files.writeString(file, "b.example: host=smtp.b.example::587\n");

        assertThat(m.match(FakeMail.builder().name("1").sender("x@a.example").recipients("r@y.org").build())).hasSize(1);
        assertThat(m.match(FakeMail.builder().name("2").sender("x@b.example").recipients("r@y.org").build())).isEmpty();
        // the file's routes only: the relay's inline routes are not the file's
        assertThat(m.match(FakeMail.builder().name("3").sender("x@inline.example").recipients("r@y.org").build())).isEmpty();

        registry.withdrawRoutes(relays);
        // no relay reads the file any more: the matcher loads it itself, as it is now
        assertThat(m.match(FakeMail.builder().name("4").sender("x@b.example").recipients("r@y.org").build())).hasSize(1);
    }
}
