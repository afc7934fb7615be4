package org.jamespack.foundation.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;

import org.jamespack.foundation.Secret;
import org.xml.sax.Attributes;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

import net.jcip.annotations.NotThreadSafe;

/**
 * One element of an XML configuration file, with the file name and line it came from, so that
 * every error can say where it is. Settings are read as an attribute or as a child element of
 * the same name ({@code <url>ldap://…</url>} or {@code url="ldap://…"}). Every key read is
 * remembered, so that {@link #reportUnread} can name the keys nobody understood (typos).
 *
 * <p>Why by hand: James' commons-configuration tree has no line numbers, and the pack promises
 * file, line and key in every configuration error. The JDK's SAX parser gives the lines.
 *
 * <p>Not thread-safe: read once, at start-up, by one thread.
 */
@NotThreadSafe
public final class ConfigNode {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?", Pattern.CASE_INSENSITIVE);

    private final String file;
    private final int line;
    private final String name;
    private final String path;
    private final Map<String, String> attributes;
    private final List<ConfigNode> children = new ArrayList<>();
    private final StringBuilder text = new StringBuilder();
    private final Set<String> read = new LinkedHashSet<>();
    private final ConfigProblems problems;

    private ConfigNode(String file, int line, String name, String path, Map<String, String> attributes, ConfigProblems problems) {
        this.file = file;
        this.line = line;
        this.name = name;
        this.path = path;
        this.attributes = attributes;
        this.problems = problems;
    }

    /** Parses {@code file}; a malformed file throws {@link ConfigException} with its line. */
    public static ConfigNode parse(Path file, ConfigProblems problems) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString(), problems);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read: " + e.getMessage());
        }
    }

    /** Parses a stream named {@code fileName} in messages. */
    public static ConfigNode parse(InputStream in, String fileName, ConfigProblems problems) {
        try {
            SAXParserFactory factory = SAXParserFactory.newInstance();
            factory.setNamespaceAware(false);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            SAXParser parser = factory.newSAXParser();
            Builder builder = new Builder(fileName, problems);
            parser.parse(in, builder);
            return builder.root;
        } catch (SAXParseException e) {
            throw new ConfigException(fileName + ":" + e.getLineNumber() + ": not well-formed XML: " + e.getMessage());
        } catch (SAXException | ParserConfigurationException | IOException e) {
            throw new ConfigException(fileName + ": cannot be parsed: " + e.getMessage());
        }
    }

    /** A node built in code (tests, defaults), located at {@code origin}. */
    public static ConfigNode of(String origin, String name, Map<String, String> settings, ConfigProblems problems) {
        ConfigNode node = new ConfigNode(origin, 0, name, name, new LinkedHashMap<>(settings), problems);
        return node;
    }

    public String name() {
        return name;
    }

    /** {@code file:line}, for messages. */
    public String location() {
        return line > 0 ? file + ":" + line : file;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }

    /** The collector this node reports to. */
    public ConfigProblems problems() {
        return problems;
    }

    /** The element's own text, trimmed. */
    public String text() {
        return text.toString().trim();
    }

    public List<ConfigNode> children(String childName) {
        read.add(childName);
        List<ConfigNode> found = new ArrayList<>();
        for (ConfigNode c : children) {
            if (c.name.equals(childName)) {
                found.add(c);
            }
        }
        return found;
    }

    public List<ConfigNode> children() {
        for (ConfigNode c : children) {
            read.add(c.name);
        }
        return List.copyOf(children);
    }

    public Optional<ConfigNode> child(String childName) {
        List<ConfigNode> found = children(childName);
        if (found.size() > 1) {
            problems.add(found.get(1).location(), keyPath(childName), "given more than once");
        }
        return found.stream().findFirst();
    }

    /** Whether the key is present as an attribute or a child element. */
    public boolean has(String key) {
        return attributes.containsKey(key) || children.stream().anyMatch(c -> c.name.equals(key));
    }

    /** The raw value of {@code key} and where it was written. */
    public Optional<Located> raw(String key) {
        read.add(key);
        List<ConfigNode> found = new ArrayList<>();
        for (ConfigNode c : children) {
            if (c.name.equals(key)) {
                found.add(c);
            }
        }
        if (attributes.containsKey(key)) {
            if (!found.isEmpty()) {
                // an attribute and an element of the same name: one would be silently ignored
                found.forEach(ConfigNode::markAllRead);
                problems.add(found.get(0).location(), keyPath(key), "given more than once");
            }
            return Optional.of(new Located(attributes.get(key).trim(), location()));
        }
        if (found.isEmpty()) {
            return Optional.empty();
        }
        if (found.size() > 1) {
            problems.add(found.get(1).location(), keyPath(key), "given more than once");
        }
        ConfigNode c = found.get(0);
        c.markAllRead();
        return Optional.of(new Located(c.text(), c.location()));
    }

    /** All values of a repeated key ({@code <url>a</url><url>b</url>}), or a comma-separated attribute. */
    public List<String> list(String key) {
        read.add(key);
        List<String> values = new ArrayList<>();
        if (attributes.containsKey(key)) {
            for (String v : attributes.get(key).split(",")) {
                if (!v.isBlank()) {
                    values.add(v.trim());
                }
            }
        }
        for (ConfigNode c : children) {
            if (c.name.equals(key)) {
                c.markAllRead();
                if (!c.text().isEmpty()) {
                    values.add(c.text());
                }
            }
        }
        return values;
    }

    public Optional<String> string(String key) {
        return raw(key).map(Located::value).filter(v -> !v.isEmpty());
    }

    public String string(String key, String defaultValue) {
        return string(key).orElse(defaultValue);
    }

    /** A required string; a missing one is recorded as a problem and {@code ""} returned. */
    public String requiredString(String key) {
        Optional<String> v = string(key);
        if (v.isEmpty()) {
            problems.add(location(), keyPath(key), "is required");
            return "";
        }
        return v.get();
    }

    /** A secret value; its text never reaches a message. */
    public Optional<Secret> secret(String key) {
        return string(key).map(Secret::of);
    }

    public int integer(String key, int defaultValue, int min, int max) {
        Optional<Located> v = raw(key);
        if (v.isEmpty() || v.get().value().isEmpty()) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(v.get().value());
            if (parsed < min || parsed > max) {
                problems.add(v.get().location(), keyPath(key), "'" + parsed + "' is out of range " + min + ".." + max);
                return defaultValue;
            }
            return parsed;
        } catch (NumberFormatException e) {
            problems.add(v.get().location(), keyPath(key), "'" + v.get().value() + "' is not a whole number");
            return defaultValue;
        }
    }

    /** {@code true/false/yes/no/on/off}; anything else is a problem, never a silent default. */
    public boolean bool(String key, boolean defaultValue) {
        Optional<Located> v = raw(key);
        if (v.isEmpty() || v.get().value().isEmpty()) {
            return defaultValue;
        }
        switch (v.get().value().toLowerCase(Locale.ROOT)) {
            case "true": case "yes": case "on":
                return true;
            case "false": case "no": case "off":
                return false;
            default:
                problems.add(v.get().location(), keyPath(key), "'" + v.get().value() + "' is not true or false");
                return defaultValue;
        }
    }

    /** A duration such as {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 2d}; a bare number is seconds. */
    public Duration duration(String key, Duration defaultValue) {
        Optional<Located> v = raw(key);
        if (v.isEmpty() || v.get().value().isEmpty()) {
            return defaultValue;
        }
        Optional<Duration> parsed = parseDuration(v.get().value());
        if (parsed.isEmpty()) {
            problems.add(v.get().location(), keyPath(key), "'" + v.get().value() + "' is not a duration (e.g. 500ms, 10s, 5m, 1h)");
            return defaultValue;
        }
        return parsed.get();
    }

    /**
     * A duration of at least {@code min} ({@link Duration#ZERO} allows zero, {@code 1ms} demands a
     * positive one). A shorter value is a problem reported as "must be at least MIN" (or "must be
     * longer than 0" for a positive minimum of one millisecond), and the default is used.
     */
    public Duration duration(String key, Duration defaultValue, Duration min) {
        Duration d = duration(key, defaultValue);
        if (d.compareTo(min) < 0) {
            problem(key, min.equals(Duration.ofMillis(1)) ? "must be longer than 0"
                : "must be at least " + describe(min));
            return defaultValue;
        }
        return d;
    }

    /** {@code 1500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 2d}: the shortest exact spelling this class reads back. */
    public static String describe(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000L == 0 && ms != 0) {
            return ms / 86_400_000L + "d";
        } else if (ms % 3_600_000L == 0 && ms != 0) {
            return ms / 3_600_000L + "h";
        } else if (ms % 60_000L == 0 && ms != 0) {
            return ms / 60_000L + "m";
        } else if (ms % 1000L == 0) {
            return ms / 1000L + "s";
        }
        return ms + "ms";
    }

    /** Parses {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 2d}; a bare number is seconds. */
    public static Optional<Duration> parseDuration(String value) {
        Matcher m = DURATION.matcher(value.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
        try {
            // too many digits or too many days overflow: a malformed value, not an exception
            long n = Long.parseLong(m.group(1));
            switch (unit) {
                case "ms": return Optional.of(Duration.ofMillis(n));
                case "m": return Optional.of(Duration.ofMinutes(n));
                case "h": return Optional.of(Duration.ofHours(n));
                case "d": return Optional.of(Duration.ofDays(n));
                default: return Optional.of(Duration.ofSeconds(n));
            }
        } catch (NumberFormatException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    /** An enum-like choice; the message lists the accepted words. */
    public <T> T choice(String key, T defaultValue, Map<String, T> accepted) {
        Optional<Located> v = raw(key);
        if (v.isEmpty() || v.get().value().isEmpty()) {
            return defaultValue;
        }
        T found = accepted.get(v.get().value().toLowerCase(Locale.ROOT));
        if (found == null) {
            problems.add(v.get().location(), keyPath(key), "'" + v.get().value() + "' is not one of " + accepted.keySet());
            return defaultValue;
        }
        return found;
    }

    /** Converts a value with {@code parser}; an {@link IllegalArgumentException} becomes a problem. */
    public <T> Optional<T> parsed(String key, Function<String, T> parser) {
        Optional<Located> v = raw(key);
        if (v.isEmpty() || v.get().value().isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(v.get().value()));
        } catch (IllegalArgumentException e) {
            problems.add(v.get().location(), keyPath(key), "'" + v.get().value() + "': " + e.getMessage());
            return Optional.empty();
        }
    }

    /** Records a problem about {@code key} of this node. */
    public void problem(String key, String what) {
        Optional<ConfigNode> c = children.stream().filter(n -> n.name.equals(key)).findFirst();
        problems.add(c.map(ConfigNode::location).orElse(location()), keyPath(key), what);
    }

    /** The dotted path of {@code key} under this node, e.g. {@code authpack/ldap/url}. */
    public String keyPath(String key) {
        return path + "/" + key;
    }

    /** Reports every attribute and child element below this node that no reader asked for. */
    public void reportUnread() {
        for (String a : attributes.keySet()) {
            if (!read.contains(a)) {
                problems.add(location(), keyPath(a), "unknown setting (a typo?)");
            }
        }
        for (ConfigNode c : children) {
            if (!read.contains(c.name)) {
                problems.add(c.location(), keyPath(c.name), "unknown setting (a typo?)");
            } else {
                c.reportUnread();
            }
        }
    }

    private void markAllRead() {
        read.addAll(attributes.keySet());
        for (ConfigNode c : children) {
            read.add(c.name);
            c.markAllRead();
        }
    }

    /** A value and the {@code file:line} it was written at. */
    public record Located(String value, String location) {
    }

    private static final class Builder extends DefaultHandler {
        private final String file;
        private final ConfigProblems problems;
        private final List<ConfigNode> stack = new ArrayList<>();
        private Locator locator;
        private ConfigNode root;

        Builder(String file, ConfigProblems problems) {
            this.file = file;
            this.problems = problems;
        }

        @Override
        public void setDocumentLocator(Locator locator) {
            this.locator = locator;
        }

        @Override
        public void startElement(String uri, String localName, String qName, Attributes atts) {
            Map<String, String> attributes = new LinkedHashMap<>();
            for (int i = 0; i < atts.getLength(); i++) {
                attributes.put(atts.getQName(i), atts.getValue(i));
            }
            String parentPath = stack.isEmpty() ? "" : stack.get(stack.size() - 1).path + "/";
            ConfigNode node = new ConfigNode(file, locator == null ? 0 : locator.getLineNumber(), qName, parentPath + qName,
                attributes, problems);
            if (stack.isEmpty()) {
                root = node;
            } else {
                stack.get(stack.size() - 1).children.add(node);
            }
            stack.add(node);
        }

        @Override
        public void endElement(String uri, String localName, String qName) {
            stack.remove(stack.size() - 1);
        }

        @Override
        public void characters(char[] ch, int start, int length) {
            if (!stack.isEmpty()) {
                stack.get(stack.size() - 1).text.append(ch, start, length);
            }
        }
    }
}
