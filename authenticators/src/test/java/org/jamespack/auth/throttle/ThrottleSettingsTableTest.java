package org.jamespack.auth.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.jamespack.auth.Protocol;
import org.jamespack.foundation.config.ConfigNode;
import org.jamespack.foundation.config.ConfigProblems;
import org.jamespack.testing.SettingsTable;
import org.junit.jupiter.api.Test;

class ThrottleSettingsTableTest {

    private static final List<String> PER_PROTOCOL = List.of(ThrottleSettings.ENABLED, ThrottleSettings.FAILURE_DELAY,
        ThrottleSettings.PENALTY_AFTER, ThrottleSettings.PENALTY_INITIAL, ThrottleSettings.PENALTY_MAX);

    @Test
    void tableShouldListExactlyTheKeysTheParserReadsWhenComparedWithTheConstants() throws Exception {
        List<SettingsTable.Row> rows = SettingsTable.of(ThrottlingVerifier.class);

        assertThat(rows).extracting(SettingsTable.Row::key)
            .containsExactlyInAnyOrderElementsOf(SettingsTable.keyConstants(ThrottleSettings.class));
        assertThat(rows).filteredOn(r -> r.type().contains("per protocol")).extracting(SettingsTable.Row::key)
            .containsExactlyInAnyOrderElementsOf(PER_PROTOCOL);
    }

    @Test
    void tableDefaultsShouldParseToTheCodeDefaultsWhenWrittenOutAtTopLevelAndPerProtocol() throws Exception {
        StringBuilder top = new StringBuilder("<throttle");
        StringBuilder perProtocol = new StringBuilder("<protocol name=\"smtp\"");
        for (SettingsTable.Row row : SettingsTable.of(ThrottlingVerifier.class)) {
            if (row.defaultValue().isEmpty()) {
                continue; // the protocol element and its name: no default
            }
            String attribute = " " + row.key() + "=\"" + row.defaultValue().get() + "\"";
            top.append(attribute);
            if (row.type().contains("per protocol")) {
                perProtocol.append(attribute);
            }
        }
        String xml = top + ">" + perProtocol + "/></throttle>";
        ConfigProblems problems = new ConfigProblems();

        ThrottleSettings parsed = ThrottleSettings.from(ConfigNode.parse(
            new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), "table.xml", problems));

        assertThat(problems.list()).isEmpty();
        assertThat(parsed).isEqualTo(ThrottleSettings.defaults().withProtocol(Protocol.SMTP, ThrottleSettings.PerProtocol.defaults()));
    }
}
