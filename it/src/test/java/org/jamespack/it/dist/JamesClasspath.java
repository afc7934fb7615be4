package org.jamespack.it.dist;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.apache.james.MemoryJamesServerMain;

/**
 * James 3.8.1's own run-time class path, as James' build recorded it: the
 * {@code META-INF/DEPENDENCIES} file of {@code james-server-memory-app-3.8.1.jar} lists every
 * transitive dependency (group:artifact:type:version) the memory app was built and shipped with,
 * unaffected by what this build's dependency mediation picks. Immutable after construction.
 */
final class JamesClasspath {

    private static final Pattern COORDINATE = Pattern.compile("\\s([\\w.\\-]+):([\\w.\\-]+):(jar|bundle):([\\w.\\-]+)\\s*$");

    /** group:artifact to version. */
    private final Map<String, String> versions;
    private final Path memoryAppJar;

    private JamesClasspath(Map<String, String> versions, Path memoryAppJar) {
        this.versions = Map.copyOf(versions);
        this.memoryAppJar = memoryAppJar;
    }

    static JamesClasspath load() {
        try {
            Path jar = Path.of(MemoryJamesServerMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Map<String, String> versions = new LinkedHashMap<>();
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                ZipEntry entry = zip.getEntry("META-INF/DEPENDENCIES");
                if (entry == null) {
                    throw new IllegalStateException(jar + " has no META-INF/DEPENDENCIES");
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                        Matcher m = COORDINATE.matcher(line);
                        if (m.find()) {
                            versions.put(m.group(1) + ":" + m.group(2), m.group(4));
                        }
                    }
                }
            }
            return new JamesClasspath(versions, jar);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    Map<String, String> versions() {
        return versions;
    }

    Optional<String> version(String groupAndArtifact) {
        return Optional.ofNullable(versions.get(groupAndArtifact));
    }

    Path memoryAppJar() {
        return memoryAppJar;
    }

    /** The jar of {@code group:artifact} at James' version in the local Maven repository, if it was downloaded. */
    Optional<Path> localJar(String groupAndArtifact) {
        String v = versions.get(groupAndArtifact);
        if (v == null) {
            return Optional.empty();
        }
        String[] ga = groupAndArtifact.split(":");
        Path repo = localRepository();
        Path jar = repo.resolve(ga[0].replace('.', '/')).resolve(ga[1]).resolve(v).resolve(ga[1] + "-" + v + ".jar");
        return Files.isRegularFile(jar) ? Optional.of(jar) : Optional.empty();
    }

    /** The local repository: the one this James jar was loaded from (…/org/apache/james/…/3.8.1/x.jar). */
    Path localRepository() {
        // james-server-memory-app/3.8.1/<jar> -> james -> apache -> org -> repository
        return memoryAppJar.getParent().getParent().getParent().getParent().getParent().getParent();
    }
}
