package org.jamespack.auth.pack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Keeps the settings table of {@code package-info.java} in step with the keys the reader knows. */
class SettingsTableTest {

    @Test
    void packageInfoShouldDocumentEveryKeyWhenReaderKnowsIt() throws Exception {
        String table = Files.readString(Path.of("src/main/java/org/jamespack/auth/pack/package-info.java"));
        List<String> keys = List.of("authpack/" + AuthPack.MODE, "…/" + AuthPack.CONTROL, "…/" + AuthPack.NAME,
            AuthPack.ENABLE_VIRTUAL_HOSTING, AuthPack.ADMINISTRATOR_ID, AuthPack.ADMINISTRATOR_IDS + "/" + AuthPack.ADMINISTRATOR_ID,
            "authpack/ldap", "authpack/kopano", "authpack/" + MailHostAnswer.IMAP_KEY);
        for (String key : keys) {
            assertThat(table).as(key).contains("{@code " + key + "}");
        }
        for (String wrapper : BackendFactories.WRAPPER_ORDER) {
            assertThat(table).as(wrapper).contains("{@code authpack/" + wrapper + "}");
        }
        for (MailHostAnswer.ImapStyle style : MailHostAnswer.ImapStyle.values()) {
            assertThat(table).as(style.name()).contains("{@code " + style.configName() + "}");
        }
        for (PackMode mode : PackMode.values()) {
            assertThat(table).as(mode.name()).contains("{@code " + mode.configName() + "}");
        }
        for (String control : Chains.CONTROLS) {
            assertThat(table).as(control).contains("{@code " + control + "}");
        }
        assertThat(table).contains(AuthPack.AUDIT_LOGGER);
    }
}
