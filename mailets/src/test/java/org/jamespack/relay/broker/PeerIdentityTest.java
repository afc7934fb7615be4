package org.jamespack.relay.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerIdentityTest {

    @TempDir
    Path dir;

    @Test
    void uidOfShouldReadPasswdWhenNameIsKnownAndDigitsWhenNot() throws IOException {
        Path passwd = Files.writeString(dir.resolve("passwd"),
            "root:x:0:0:root:/root:/bin/bash\nDebian-exim:x:101:103::/var/spool/exim4:/usr/sbin/nologin\nbroken\n");

        assertThat(PeerIdentity.uidOf("Debian-exim", passwd)).isEqualTo(OptionalLong.of(101));
        assertThat(PeerIdentity.uidOf("1234", passwd)).isEqualTo(OptionalLong.of(1234));
        assertThat(PeerIdentity.uidOf("ldapuser", passwd)).isEmpty();
        assertThat(PeerIdentity.uidOf("root", dir.resolve("missing"))).isEmpty();
    }
}
