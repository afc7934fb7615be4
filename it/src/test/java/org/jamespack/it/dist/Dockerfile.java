package org.jamespack.it.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The instructions of {@code conf-samples/docker/Dockerfile} that the layout test replays on disk:
 * FROM (the last one without {@code AS}: the image; {@code FROM … AS name}: a stage), RUN (only
 * {@code rm -f}), COPY (from the build context, or {@code --from=stage}: recorded in
 * {@code stageCopies}, since the replay runs on the test's own JDK), ENV, WORKDIR, ENTRYPOINT (exec
 * form). Any other instruction fails the parse, so that a change to the recipe cannot slip past
 * the test. Immutable.
 */
record Dockerfile(String from, List<String> removed, List<String[]> copies, Map<String, String> env, String workdir,
    List<String> entrypoint, Map<String, String> stages, List<String[]> stageCopies) {

    private static final Pattern EXEC_FORM = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    static Dockerfile parse(Path file) throws IOException {
        String from = null;
        String workdir = "/";
        List<String> removed = new ArrayList<>();
        List<String[]> copies = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        List<String> entrypoint = List.of();
        Map<String, String> stages = new LinkedHashMap<>();
        List<String[]> stageCopies = new ArrayList<>();
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+", 2);
            String args = parts.length > 1 ? parts[1] : "";
            switch (parts[0].toUpperCase(java.util.Locale.ROOT)) {
                case "FROM" -> {
                    String[] words = args.split("\\s+");
                    if (words.length == 3 && words[1].equalsIgnoreCase("AS")) {
                        stages.put(words[2], words[0]);
                    } else if (words.length == 1) {
                        from = args;
                    } else {
                        throw new IllegalArgumentException("FROM image [AS name] expected: " + line);
                    }
                }
                case "RUN" -> {
                    if (!args.startsWith("rm -f ")) {
                        throw new IllegalArgumentException("the layout test replays only 'RUN rm -f': " + line);
                    }
                    removed.addAll(List.of(args.substring("rm -f ".length()).strip().split("\\s+")));
                }
                case "COPY" -> {
                    String[] sd = args.split("\\s+");
                    if (sd.length == 3 && sd[0].startsWith("--from=") && stages.containsKey(sd[0].substring(7))) {
                        stageCopies.add(new String[] {stages.get(sd[0].substring(7)), sd[1], sd[2]});
                        continue;
                    }
                    if (sd.length != 2 || sd[0].startsWith("--")) {
                        throw new IllegalArgumentException("one source and one destination expected: " + line);
                    }
                    copies.add(sd);
                }
                case "ENV" -> {
                    int eq = args.indexOf('=');
                    env.put(args.substring(0, eq), args.substring(eq + 1));
                }
                case "WORKDIR" -> workdir = args;
                case "ENTRYPOINT" -> {
                    List<String> words = new ArrayList<>();
                    Matcher m = EXEC_FORM.matcher(args);
                    while (m.find()) {
                        words.add(m.group(1));
                    }
                    if (!args.startsWith("[") || words.isEmpty()) {
                        throw new IllegalArgumentException("ENTRYPOINT in exec form expected: " + line);
                    }
                    entrypoint = List.copyOf(words);
                }
                default -> throw new IllegalArgumentException("instruction the layout test does not replay: " + line);
            }
        }
        return new Dockerfile(from, List.copyOf(removed), List.copyOf(copies), Map.copyOf(env), workdir, entrypoint,
            Map.copyOf(stages), List.copyOf(stageCopies));
    }
}
