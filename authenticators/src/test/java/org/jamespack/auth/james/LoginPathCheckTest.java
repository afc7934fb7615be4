package org.jamespack.auth.james;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.james.server.core.configuration.Configuration;
import org.apache.james.server.core.filesystem.FileSystemImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoginPathCheckTest {

    @TempDir
    Path home;

    private java.util.List<String> check() {
        Configuration conf = Configuration.builder().workingDirectory(home.toFile()).build();
        return LoginPathCheck.run(new FileSystemImpl(conf.directories()), conf.configurationPath());
    }

    private void write(String name, String text) throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf").resolve(name), text);
    }

    @Test
    void checkShouldBeQuietWhenEveryEnabledLoginPathGoesThroughThePack() throws Exception {
        write("imapserver.xml", "<imapservers><imapPackages>org.apache.james.modules.protocols.ImapPackage$DefaultNoAuth</imapPackages>"
            + "<imapPackages>org.jamespack.auth.james.PackImapPackage</imapPackages><imapserver enabled=\"true\"/></imapservers>");
        write("pop3server.xml", "<pop3servers><pop3server enabled=\"true\"><handler class=\"org.jamespack.auth.james.PackPop3PassHandler\"/>"
            + "</pop3server></pop3servers>");
        write("smtpserver.xml", "<smtpservers><smtpserver enabled=\"true\"><handler class=\"org.jamespack.auth.james.PackSmtpAuthCmdHandler\"/>"
            + "<handler class=\"org.jamespack.auth.james.PackAuthHook\"/></smtpserver></smtpservers>");
        write("managesieveserver.xml", "<managesieveservers><managesieveserver enabled=\"false\"/></managesieveservers>");
        write("jmap.properties", "# enabled=true\nenabled=false\n");
        assertThat(check()).isEmpty();
    }

    @Test
    void checkShouldNameEveryEnabledPathThatBypassesThePack() throws Exception {
        // the pack's class only in a comment does not count
        write("imapserver.xml", "<imapservers><!-- <imapPackages>org.jamespack.auth.james.PackImapPackage</imapPackages> -->"
            + "<imapserver enabled=\"true\"/></imapservers>");
        write("pop3server.xml", "<pop3servers><pop3server enabled=\"true\"/></pop3servers>");
        write("smtpserver.xml", "<smtpservers><smtpserver enabled=\"true\"><handler class=\"org.jamespack.auth.james.PackAuthHook\"/>"
            + "</smtpserver></smtpservers>");
        write("managesieveserver.xml", "<managesieveservers><managesieveserver enabled=\"true\"/></managesieveservers>");
        write("jmap.properties", "enabled=true\n");
        assertThat(check()).hasSize(5)
            .anyMatch(p -> p.startsWith("imapserver.xml:")).anyMatch(p -> p.startsWith("pop3server.xml:"))
            .anyMatch(p -> p.startsWith("smtpserver.xml:")).anyMatch(p -> p.startsWith("managesieveserver.xml:"))
            .anyMatch(p -> p.startsWith("jmap.properties:"));
    }

    @Test
    void checkShouldIgnoreDisabledServersAndMissingFiles() throws Exception {
        write("pop3server.xml", "<pop3servers><pop3server enabled=\"false\"/></pop3servers>");
        assertThat(check()).isEmpty();
    }
}
