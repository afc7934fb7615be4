package org.jamespack.auth.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.jamespack.foundation.config.ConfigNode;
import org.jamespack.foundation.config.ConfigProblems;
import org.jamespack.testing.SettingsTable;
import org.junit.jupiter.api.Test;

class CacheSettingsTableTest {

    @Test
    void tableShouldListExactlyTheKeysTheParserReadsWhenComparedWithTheConstants() throws Exception {
        List<SettingsTable.Row> rows = SettingsTable.of(CachingVerifier.class);

        assertThat(rows).extracting(SettingsTable.Row::key)
            .containsExactlyInAnyOrderElementsOf(SettingsTable.keyConstants(CacheSettings.class));
    }

    @Test
    void tableDefaultsShouldParseToTheCodeDefaultsWhenWrittenOut() throws Exception {
        Map<String, String> written = new LinkedHashMap<>();
        for (SettingsTable.Row row : SettingsTable.of(CachingVerifier.class)) {
            written.put(row.key(), row.defaultValue().orElseThrow(() -> new AssertionError(row.key() + " has no default")));
        }
        ConfigProblems problems = new ConfigProblems();

        CacheSettings parsed = CacheSettings.from(ConfigNode.of("table", "cache", written, problems));

        assertThat(problems.list()).isEmpty();
        assertThat(parsed).isEqualTo(CacheSettings.defaults());
    }

    @Test
    void parserShouldReportAKeyWhenTheTableDoesNotDocumentIt() throws Exception {
        ConfigProblems problems = new ConfigProblems();
        Map<String, String> all = SettingsTable.of(CachingVerifier.class).stream()
            .collect(Collectors.toMap(SettingsTable.Row::key, r -> r.defaultValue().orElseThrow()));
        all.put("undocumented", "1");

        CacheSettings.from(ConfigNode.of("table", "cache", all, problems));

        assertThat(problems.list()).containsExactly("table: cache/undocumented: unknown setting (a typo?)");
    }
}
