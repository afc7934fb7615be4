package org.jamespack.testing;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the settings table of a package's {@code package-info.java} (rows of
 * {@code <tr><td>{@code key}</td><td>type</td><td>default</td><td>meaning</td></tr>}), so that
 * a test can hold the table and the parser in step. Tests run with the module as working
 * directory (Surefire's default), where {@code src/main/java} is.
 */
public final class SettingsTable {

    private static final Pattern ROW = Pattern.compile(
        "<tr><td>\\{@code ([^}]+)}</td><td>([^<]*)</td><td>(.*?)</td>", Pattern.DOTALL);
    private static final Pattern CODE = Pattern.compile("^\\{@code ([^}]*)}$");

    /** One documented key. {@code defaultValue} is the text inside {@code {@code …}}, empty when the default is prose. */
    public record Row(String key, String type, Optional<String> defaultValue) {
    }

    private SettingsTable() {
    }

    public static List<Row> of(Class<?> anyClassOfThePackage) throws IOException {
        Path file = Path.of("src/main/java", anyClassOfThePackage.getPackageName().replace('.', '/'), "package-info.java");
        String text = Files.readString(file).replaceAll("\\n\\s*\\*\\s*", " ");
        List<Row> rows = new ArrayList<>();
        Matcher m = ROW.matcher(text);
        while (m.find()) {
            Matcher code = CODE.matcher(m.group(3).trim());
            rows.add(new Row(m.group(1), m.group(2).trim(), code.matches() ? Optional.of(code.group(1)) : Optional.empty()));
        }
        return rows;
    }

    /**
     * The values of the {@code public static final String} constants of {@code settingsClass}
     * (the XML keys, as the house style keeps them).
     */
    public static Set<String> keyConstants(Class<?> settingsClass) throws IllegalAccessException {
        Set<String> keys = new LinkedHashSet<>();
        for (Field f : settingsClass.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (Modifier.isPublic(mod) && Modifier.isStatic(mod) && Modifier.isFinal(mod) && f.getType() == String.class) {
                keys.add((String) f.get(null));
            }
        }
        return keys;
    }
}
