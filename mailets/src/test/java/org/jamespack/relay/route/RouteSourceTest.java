package org.jamespack.relay.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouteSourceTest {

    @TempDir
    Path dir;

    @Test
    void currentShouldReloadTheFileWhenItChangesAndKeepGoodLines() throws Exception {
        Path file = dir.resolve("smart-hosts");
        Files.writeString(file, "a.org: host=a.example\n");
        MutableClock clock = new MutableClock();
        RouteSource source = new RouteSource(List.of(), Optional.of(file), Duration.ofSeconds(5), clock);
        assertThat(source.current().lookup("x@a.org")).isPresent();

        Files.writeString(file, "b.org: host=b.example\nbad.org: nohost=1\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
        assertThat(source.current().lookup("x@a.org")).as("not polled before the interval").isPresent();

        clock.advance(Duration.ofSeconds(6));
        RouteTable table = source.current();
        assertThat(table.lookup("x@a.org")).isEmpty();
        assertThat(table.lookup("x@b.org")).isPresent();
        assertThat(source.problems()).extracting(RouteProblem::line).containsExactly(2);
    }

    @Test
    void currentShouldKeepTheLastTableWhenTheFileDisappears() throws Exception {
        Path file = dir.resolve("smart-hosts");
        Files.writeString(file, "a.org: host=a.example\n");
        MutableClock clock = new MutableClock();
        RouteSource source = new RouteSource(List.of(), Optional.of(file), Duration.ofSeconds(1), clock);

        Files.delete(file);
        clock.advance(Duration.ofSeconds(2));

        assertThat(source.current().lookup("x@a.org")).isPresent();
    }

    @Test
    void currentShouldPreferInlineRoutesOverFileRoutes() throws Exception {
        Path file = dir.resolve("smart-hosts");
        Files.writeString(file, "a.org: host=file.example\n");
        Route inline = SmartHostsParser.parse("a.org: host=inline.example", "inline").routes().get(0);

        RouteSource source = new RouteSource(List.of(inline), Optional.of(file), Duration.ofSeconds(1), new MutableClock());

        assertThat(source.current().lookup("x@a.org").orElseThrow().host()).isEqualTo("inline.example");
    }

    @Test
    void currentShouldReloadPostfixMapsWhenEitherChangesAndLetTheEximFileWin() throws Exception {
        Path exim = dir.resolve("exim-smart-hosts");
        Files.writeString(exim, "exim.example: host=from-exim.example\n");
        Path relay = dir.resolve("sender_relay");
        Files.writeString(relay, "@example.org [smtp.office365.com]:587\n@exim.example [from-postfix.example]:587\n");
        Path passwd = dir.resolve("sasl_passwd");
        Files.writeString(passwd, "@example.org relay@example.org:/etc/tokens/relay@example.org\n");
        PostfixRoutes postfix = new PostfixRoutes(Optional.of(relay), Optional.of(passwd), Optional.empty(), "postfixRelayhost", true,
            Mechanism.XOAUTH2, Optional.empty());
        MutableClock clock = new MutableClock();
        RouteSource source = new RouteSource(List.of(), List.of(RouteFiles.eximSmartHosts(exim), postfix), Duration.ofSeconds(5), clock);

        assertThat(source.current().lookup("a@example.org").orElseThrow().user()).contains("relay@example.org");
        assertThat(source.current().lookup("a@exim.example").orElseThrow().host()).as("the earlier set wins").isEqualTo("from-exim.example");

        // only the password map changes: the route follows
        Files.writeString(passwd, "@example.org other@example.org:/etc/tokens/other@example.org\nbroken-line\n");
        Files.setLastModifiedTime(passwd, FileTime.from(Instant.now().plusSeconds(10)));
        clock.advance(Duration.ofSeconds(6));
        assertThat(source.current().lookup("a@example.org").orElseThrow().user()).contains("other@example.org");
        assertThat(source.problems()).extracting(RouteProblem::toString).containsExactly(passwd + ":2: route 'broken-line': no value: "
            + "the format is 'key value' (postmap's \"expected format\")");

        // the relayhost map disappears: the last good Postfix routes stay
        Files.delete(relay);
        clock.advance(Duration.ofSeconds(6));
        assertThat(source.current().lookup("a@example.org")).isPresent();
    }

    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-11-23T12:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
