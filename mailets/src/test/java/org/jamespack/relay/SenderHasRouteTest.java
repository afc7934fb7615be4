package org.jamespack.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMatcherConfig;
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
}
