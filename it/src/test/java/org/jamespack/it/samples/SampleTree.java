package org.jamespack.it.samples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.jamespack.testing.ReservedPort;
import org.jamespack.testing.TestPorts;

/**
 * One {@code conf-samples/} tree copied into a James working directory, with the test's
 * backends put in place of the sample's by address only: every listening port becomes a
 * loopback port reserved by {@link TestPorts} (James reads them from XML and properties before
 * it binds, so port 0 is not an option for all of them), backend host:port strings and URLs
 * become the test servers', and the Docker image's {@code /root/conf/} becomes the copy's
 * absolute path. Anything else stays as the operator gets it. Close it after James stopped to
 * give the ports back. Not thread-safe: one tree per test.
 */
public final class SampleTree implements AutoCloseable {

    /** Where the trees live; Surefire runs in {@code it/}, the property wins when set. */
    public static Path samplesRoot() {
        return Path.of(System.getProperty("jamespack.confSamples", "../conf-samples")).toAbsolutePath().normalize();
    }

    /** The trees: the directories of {@code conf-samples/} that hold a {@code usersrepository.xml}. */
    static List<String> names() {
        try (Stream<Path> dirs = Files.list(samplesRoot())) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("usersrepository.xml")))
                .map(d -> d.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final Pattern BIND = Pattern.compile("<bind>0\\.0\\.0\\.0:(\\d+)</bind>");
    private static final Pattern PROPERTY_PORT = Pattern.compile("(?m)^((?:jmap\\.|jmx\\.)?port)=(\\d+)$");

    private final String name;
    private final Path workingDirectory;
    private final Path conf;
    /** Sample port (25, 143, …) to the reserved port that replaced it. */
    private final Map<Integer, ReservedPort> ports = new LinkedHashMap<>();
    private final Map<String, String> replacements = new LinkedHashMap<>();

    private final Path keystore;

    public SampleTree(Path keystore, String name, Path workingDirectory) {
        this.keystore = keystore;
        this.name = name;
        this.workingDirectory = workingDirectory;
        this.conf = workingDirectory.resolve("conf");
    }

    /** Replaces a backend's address (a host:port or URL as the sample writes it) in every file. */
    public SampleTree backend(String sampleAddress, String testAddress) {
        replacements.put(sampleAddress, testAddress);
        return this;
    }

    /** Copies the tree, rewrites addresses, and puts the keystore in place. */
    public SampleTree install() throws IOException {
        Path source = samplesRoot().resolve(name);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(source)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        replacements.put("/root/conf/", conf.toString() + "/");
        for (Path file : files) {
            Path target = conf.resolve(source.relativize(file).toString());
            Files.createDirectories(target.getParent());
            String text = Files.readString(file, StandardCharsets.UTF_8);
            for (Map.Entry<String, String> r : replacements.entrySet()) {
                text = text.replace(r.getKey(), r.getValue());
            }
            text = replaceAll(BIND, text, m -> "<bind>127.0.0.1:" + reservedPortFor(Integer.parseInt(m.group(1))) + "</bind>");
            text = replaceAll(PROPERTY_PORT, text, m -> m.group(1) + "=" + reservedPortFor(Integer.parseInt(m.group(2))));
            Files.writeString(target, text, StandardCharsets.UTF_8);
        }
        // the step the samples' smtpserver.xml asks of the operator: a keystore in conf/ with the
        // password written there (CHANGE-ME); made once per test class and copied
        Files.copy(keystore, conf.resolve("keystore"));
        return this;
    }

    private static final Pattern INSTALLED_BIND = Pattern.compile("<bind>127\\.0\\.0\\.1:(\\d+)</bind>");

    /**
     * After a start failed because a foreign program took one of the ports: gives every port back
     * and puts fresh reserved ones in the installed copy (whatever the test changed in it stays).
     */
    public void reassignPorts() throws IOException {
        Map<Integer, Integer> renumber = new LinkedHashMap<>();
        for (Map.Entry<Integer, ReservedPort> e : ports.entrySet()) {
            ReservedPort fresh = TestPorts.reserve();
            renumber.put(e.getValue().number(), fresh.number());
            e.getValue().close();
            e.setValue(fresh);
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(conf)) {
            files = walk.filter(f -> Files.isRegularFile(f) && !f.getFileName().toString().endsWith(".p12")
                && !f.getFileName().toString().equals("keystore")).toList();
        }
        for (Path file : files) {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            String changed = replaceAll(INSTALLED_BIND, text,
                m -> "<bind>127.0.0.1:" + renumber.getOrDefault(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(1))) + "</bind>");
            changed = replaceAll(PROPERTY_PORT, changed,
                m -> m.group(1) + "=" + renumber.getOrDefault(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(2))));
            if (!changed.equals(text)) {
                Files.writeString(file, changed, StandardCharsets.UTF_8);
            }
        }
    }

    /** A keystore as the samples' comments tell the operator to make it: the JDK's keytool, password CHANGE-ME. */
    public static void createKeystore(Path file) throws IOException, InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "james", "-keyalg", "RSA",
            "-keysize", "2048", "-storetype", "PKCS12", "-keystore", file.toString(),
            "-storepass", "CHANGE-ME", "-dname", "CN=localhost", "-validity", "2")
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + out);
        }
    }

    private int reservedPortFor(int samplePort) {
        return ports.computeIfAbsent(samplePort, p -> TestPorts.reserve()).number();
    }

    /** The reserved port that replaced the sample's {@code samplePort}. */
    public int port(int samplePort) {
        ReservedPort p = ports.get(samplePort);
        if (p == null) {
            throw new IllegalStateException(name + " does not listen on " + samplePort + " (ports: " + ports.keySet() + ")");
        }
        return p.number();
    }

    private void releasePorts() {
        ports.values().forEach(ReservedPort::close);
        ports.clear();
    }

    /** Gives the tree's ports back; James must have stopped. */
    @Override
    public void close() {
        releasePorts();
    }

    Path workingDirectory() {
        return workingDirectory;
    }

    Path conf() {
        return conf;
    }

    String name() {
        return name;
    }

    /** Text of a file of the installed copy. */
    String read(String file) throws IOException {
        return Files.readString(conf.resolve(file), StandardCharsets.UTF_8);
    }

    void write(String file, String text) throws IOException {
        Files.createDirectories(conf.resolve(file).getParent());
        Files.writeString(conf.resolve(file), text, StandardCharsets.UTF_8);
    }

    private static String replaceAll(Pattern pattern, String text, java.util.function.Function<Matcher, String> f) {
        Matcher m = pattern.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(f.apply(m)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Lines of every file of the original tree that name {@code text}, for failure messages. */
    static List<String> grep(String tree, String text) throws IOException {
        List<String> hits = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(samplesRoot().resolve(tree))) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).contains(text)) {
                        hits.add(f.getFileName() + ":" + (i + 1) + ": " + lines.get(i).trim());
                    }
                }
            }
        }
        return hits;
    }
}
