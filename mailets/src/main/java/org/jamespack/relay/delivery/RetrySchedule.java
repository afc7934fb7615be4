package org.jamespack.relay.delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import net.jcip.annotations.Immutable;

/**
 * When to try a deferred message again, in exim's retry-rule syntax
 * ({@code F,2h,15m; G,16h,1h,1.5; F,4d,6h}). Immutable and thread-safe.
 *
 * <p>Written by hand: no Java library reads exim retry rules. Each rule applies while the time
 * since the first failure is below its cutoff: {@code F,cutoff,interval} retries at a fixed
 * interval, {@code G,cutoff,start,multiplier} at intervals growing from {@code start} by
 * {@code multiplier}. Times are exim's: a number with {@code s}, {@code m}, {@code h}, {@code d}
 * or {@code w}, combinable ({@code 1h30m}). The attempts form one timeline from the first failure;
 * once the time since the first failure reaches the last cutoff the schedule is over (exim then
 * bounces). exim's {@code H} (randomised) rules are not supported.
 */
@Immutable
public final class RetrySchedule {

    /** exim's default retry rule. */
    public static final String DEFAULT = "F,2h,15m; G,16h,1h,1.5; F,4d,6h";

    private static final Pattern TIME_PART = Pattern.compile("(\\d+)([smhdw])");
    private static final int MAX_ATTEMPTS = 10_000;

    private final List<Rule> rules;
    private final List<Duration> attempts;
    private final String text;

    private record Rule(char type, Duration cutoff, Duration interval, double multiplier) {
    }

    private RetrySchedule(List<Rule> rules, String text) {
        this.rules = List.copyOf(rules);
        this.text = text;
        this.attempts = timeline(rules);
    }

    /** Parses {@code text}; an {@link IllegalArgumentException} names the bad rule. */
    public static RetrySchedule parse(String text) {
        List<Rule> rules = new ArrayList<>();
        Duration lastCutoff = Duration.ZERO;
        for (String raw : text.split(";")) {
            String rule = raw.trim();
            if (rule.isEmpty()) {
                continue;
            }
            String[] parts = rule.split("\\s*,\\s*");
            char type = parts[0].toUpperCase(Locale.ROOT).charAt(0);
            if (parts[0].length() != 1 || (type != 'F' && type != 'G')) {
                throw new IllegalArgumentException("rule '" + rule + "': type must be F or G (H is not supported)");
            }
            if ((type == 'F' && parts.length != 3) || (type == 'G' && parts.length != 4)) {
                throw new IllegalArgumentException("rule '" + rule + "': expected " + (type == 'F' ? "F,cutoff,interval"
                    : "G,cutoff,start,multiplier"));
            }
            Duration cutoff = time(parts[1], rule);
            Duration interval = time(parts[2], rule);
            double multiplier = 1.0;
            if (type == 'G') {
                try {
                    multiplier = Double.parseDouble(parts[3]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("rule '" + rule + "': '" + parts[3] + "' is not a number");
                }
                if (multiplier < 1.0) {
                    throw new IllegalArgumentException("rule '" + rule + "': the multiplier must be at least 1");
                }
            }
            if (interval.isZero()) {
                throw new IllegalArgumentException("rule '" + rule + "': the interval must be positive");
            }
            if (cutoff.compareTo(lastCutoff) <= 0) {
                throw new IllegalArgumentException("rule '" + rule + "': cutoffs must grow from rule to rule");
            }
            lastCutoff = cutoff;
            rules.add(new Rule(type, cutoff, interval, multiplier));
        }
        if (rules.isEmpty()) {
            throw new IllegalArgumentException("no retry rule in '" + text + "'");
        }
        return new RetrySchedule(rules, text.trim());
    }

    private static Duration time(String value, String rule) {
        Matcher m = TIME_PART.matcher(value.trim().toLowerCase(Locale.ROOT));
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                break;
            }
            long n = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "s": total = total.plusSeconds(n); break;
                case "m": total = total.plusMinutes(n); break;
                case "h": total = total.plusHours(n); break;
                case "d": total = total.plusDays(n); break;
                default: total = total.plusDays(7 * n); break;
            }
            end = m.end();
        }
        if (end == 0 || end != value.trim().length()) {
            throw new IllegalArgumentException("rule '" + rule + "': '" + value + "' is not an exim time (e.g. 15m, 2h, 1h30m, 4d)");
        }
        return total;
    }

    private static List<Duration> timeline(List<Rule> rules) {
        List<Duration> out = new ArrayList<>();
        Duration t = Duration.ZERO;
        for (Rule r : rules) {
            Duration interval = r.interval();
            while (t.compareTo(r.cutoff()) < 0 && out.size() < MAX_ATTEMPTS) {
                t = t.plus(interval);
                out.add(t);
                if (r.type() == 'G') {
                    interval = Duration.ofMillis(Math.round(interval.toMillis() * r.multiplier()));
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * How long to wait after a failure at {@code sinceFirstFailure} (zero for the first failure);
     * empty when the schedule is over and the message should be given up.
     */
    public Optional<Duration> nextDelay(Duration sinceFirstFailure) {
        if (sinceFirstFailure.compareTo(lastCutoff()) >= 0) {
            return Optional.empty();
        }
        for (Duration at : attempts) {
            if (at.compareTo(sinceFirstFailure) > 0) {
                return Optional.of(at.minus(sinceFirstFailure));
            }
        }
        return Optional.empty();
    }

    /** The cutoff of the last rule: after it, exim gives up. */
    public Duration lastCutoff() {
        return rules.get(rules.size() - 1).cutoff();
    }

    /** The interval of the last rule (for slow retries that never give up). */
    public Duration lastInterval() {
        return rules.get(rules.size() - 1).interval();
    }

    @Override
    public String toString() {
        return text;
    }
}
