package dev.podkit.it;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests: it rejects what
 * Prometheus would reject (bad names, bad label escapes, unparsable values, a TYPE after its
 * samples, a family split in two).
 */
public final class PrometheusText {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern TYPE_LINE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern HELP_LINE = Pattern.compile("# HELP (" + NAME + ") ?(.*)");
    private static final Set<String> SUFFIXES = Set.of("_bucket", "_sum", "_count", "_total", "_created");

    public record Sample(String name, Map<String, String> labels, double value) {
    }

    public final Map<String, String> types = new LinkedHashMap<>();
    public final List<Sample> samples = new ArrayList<>();

    public static PrometheusText parse(String text) {
        PrometheusText result = new PrometheusText();
        Set<String> closedFamilies = new HashSet<>();
        String currentFamily = null;
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.isEmpty()) {
                continue;
            }
            try {
                if (line.startsWith("#")) {
                    Matcher type = TYPE_LINE.matcher(line);
                    if (type.matches()) {
                        String family = type.group(1);
                        if (result.types.put(family, type.group(2)) != null) {
                            throw new IllegalArgumentException("second TYPE for " + family);
                        }
                        if (closedFamilies.contains(family) || family.equals(currentFamily)) {
                            throw new IllegalArgumentException("TYPE after samples of " + family);
                        }
                    } else if (line.startsWith("# HELP ") && !HELP_LINE.matcher(line).matches()) {
                        throw new IllegalArgumentException("bad HELP line");
                    } else if (line.startsWith("# TYPE ")) {
                        throw new IllegalArgumentException("bad TYPE line");
                    }
                    continue;
                }
                Sample sample = sample(line);
                String family = result.familyOf(sample.name());
                if (!family.equals(currentFamily)) {
                    if (closedFamilies.contains(family)) {
                        throw new IllegalArgumentException("samples of " + family + " are not grouped together");
                    }
                    if (currentFamily != null) {
                        closedFamilies.add(currentFamily);
                    }
                    currentFamily = family;
                }
                result.samples.add(sample);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("line " + lineNo + ": " + e.getMessage() + ": " + line, e);
            }
        }
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the last line does not end with a newline");
        }
        return result;
    }

    private String familyOf(String sampleName) {
        if (types.containsKey(sampleName)) {
            return sampleName;
        }
        for (String suffix : SUFFIXES) {
            if (sampleName.endsWith(suffix)) {
                String base = sampleName.substring(0, sampleName.length() - suffix.length());
                if (types.containsKey(base)) {
                    return base;
                }
            }
        }
        return sampleName;
    }

    private static Sample sample(String line) {
        Matcher name = NAME.matcher(line);
        if (!name.lookingAt()) {
            throw new IllegalArgumentException("bad metric name");
        }
        int i = name.end();
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                Matcher label = LABEL_NAME.matcher(line).region(i, line.length());
                if (!label.lookingAt()) {
                    throw new IllegalArgumentException("bad label name at " + i);
                }
                i = label.end();
                if (line.charAt(i) != '=' || line.charAt(i + 1) != '"') {
                    throw new IllegalArgumentException("expected =\" at " + i);
                }
                i += 2;
                StringBuilder value = new StringBuilder();
                for (char c = line.charAt(i); c != '"'; c = line.charAt(i)) {
                    if (c == '\\') {
                        char next = line.charAt(++i);
                        value.append(switch (next) {
                            case '\\' -> '\\';
                            case '"' -> '"';
                            case 'n' -> '\n';
                            default -> throw new IllegalArgumentException("bad escape \\" + next);
                        });
                    } else {
                        value.append(c);
                    }
                    i++;
                }
                i++;
                if (labels.put(label.group(), value.toString()) != null) {
                    throw new IllegalArgumentException("duplicate label " + label.group());
                }
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            throw new IllegalArgumentException("expected a space before the value");
        }
        String[] rest = line.substring(i + 1).split(" ");
        if (rest.length > 2) {
            throw new IllegalArgumentException("too many fields");
        }
        if (rest.length == 2) {
            Long.parseLong(rest[1]);
        }
        return new Sample(name.group(), labels, value(rest[0]));
    }

    private static double value(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }

    /** The value of the one sample with this name and exactly these labels (order ignored). */
    public Optional<Double> value(String sampleName, Map<String, String> labels) {
        return samples.stream()
                .filter(s -> s.name().equals(sampleName) && s.labels().equals(labels))
                .map(Sample::value)
                .findFirst();
    }

    public boolean hasFamily(String family, String type) {
        return type.equals(types.get(family)) && samples.stream().anyMatch(s -> familyOf(s.name()).equals(family));
    }
}
