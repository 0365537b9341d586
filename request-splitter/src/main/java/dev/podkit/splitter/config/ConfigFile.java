package dev.podkit.splitter.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.podkit.splitter.key.KeyExpression;
import dev.podkit.splitter.split.Weight;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The YAML config file, bound strictly (unknown fields are errors). See the README for the format;
 * every record validates itself, so a bad file is one error line naming the field.
 */
public record ConfigFile(Listen listen, Split split, List<Variant> variants, List<Rule> rules, Headers headers,
        Mirror mirror, TimeoutsSection timeouts, Upstream upstream) {

    public record Listen(String address, Integer port) {
        public Listen {
            if (port != null && (port < 1 || port > 65535)) {
                throw new IllegalArgumentException("expected a port number 1-65535, got " + port);
            }
        }
    }

    public record Split(String key, Sticky sticky) {
        public Split {
            if (key != null) {
                KeyExpression.parse(key);
            }
        }
    }

    public record Sticky(String cookie, @JsonProperty("max_age") Duration maxAge, String path, String domain,
            Boolean secure, @JsonProperty("http_only") Boolean httpOnly, @JsonProperty("same_site") String sameSite) {
        public Sticky {
            toConfig(cookie, maxAge, path, domain, secure, httpOnly, sameSite);
        }

        StickyConfig toConfig() {
            return toConfig(cookie, maxAge, path, domain, secure, httpOnly, sameSite);
        }

        private static StickyConfig toConfig(String cookie, Duration maxAge, String path, String domain, Boolean secure,
                Boolean httpOnly, String sameSite) {
            return new StickyConfig(cookie == null ? "podkit_variant" : cookie, maxAge, path, domain,
                    secure != null && secure, httpOnly == null || httpOnly, sameSite);
        }
    }

    public record Variant(String name, String weight, List<String> servers) {
        public Variant {
            toConfig(name, weight, servers);
        }

        VariantConfig toConfig() {
            return toConfig(name, weight, servers);
        }

        private static VariantConfig toConfig(String name, String weight, List<String> servers) {
            if (weight == null) {
                throw new IllegalArgumentException("weight missing: " + Weight.EXPECTED + " (quote \"*\" in YAML)");
            }
            List<ServerAddress> parsed = new ArrayList<>();
            if (servers != null) {
                servers.forEach(s -> parsed.add(ServerAddress.parse(s)));
            }
            return new VariantConfig(name, Weight.parse(weight), parsed);
        }
    }

    public record Rule(String variant, String header, String cookie, String query, String value, String regex) {
        public Rule {
            toConfig(variant, header, cookie, query, value, regex);
        }

        RuleConfig toConfig() {
            return toConfig(variant, header, cookie, query, value, regex);
        }

        private static RuleConfig toConfig(String variant, String header, String cookie, String query, String value,
                String regex) {
            int given = (header != null ? 1 : 0) + (cookie != null ? 1 : 0) + (query != null ? 1 : 0);
            if (given != 1) {
                throw new IllegalArgumentException("a rule names exactly one of header, cookie or query");
            }
            RuleConfig.Source source = header != null ? RuleConfig.Source.HEADER
                    : cookie != null ? RuleConfig.Source.COOKIE : RuleConfig.Source.QUERY;
            String name = header != null ? header : cookie != null ? cookie : query;
            Pattern pattern = null;
            if (regex != null) {
                try {
                    pattern = Pattern.compile(regex);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("bad regex: " + e.getDescription());
                }
            }
            return new RuleConfig(variant, source, name, value, pattern);
        }
    }

    public record Headers(@JsonProperty("request_variant") String requestVariant,
            @JsonProperty("response_variant") String responseVariant) {
    }

    public record Mirror(List<String> servers, String percent, @JsonProperty("max_body_bytes") Integer maxBodyBytes,
            @JsonProperty("max_in_flight") Integer maxInFlight) {
        public Mirror {
            toConfig(servers, percent, maxBodyBytes, maxInFlight);
        }

        MirrorConfig toConfig() {
            return toConfig(servers, percent, maxBodyBytes, maxInFlight);
        }

        private static MirrorConfig toConfig(List<String> servers, String percent, Integer maxBodyBytes,
                Integer maxInFlight) {
            List<ServerAddress> parsed = new ArrayList<>();
            if (servers != null) {
                servers.forEach(s -> parsed.add(ServerAddress.parse(s)));
            }
            return new MirrorConfig(parsed, percent == null ? null : Weight.parse(percent),
                    maxBodyBytes == null ? 1 << 20 : maxBodyBytes, maxInFlight == null ? 64 : maxInFlight);
        }
    }

    public record TimeoutsSection(Duration connect, Duration read, @JsonProperty("client_idle") Duration clientIdle,
            @JsonProperty("upstream_idle") Duration upstreamIdle) {
    }

    public record Upstream(Integer keepalive) {
        public Upstream {
            if (keepalive != null && keepalive < 0) {
                throw new IllegalArgumentException("expected 0 or more idle connections, got " + keepalive);
            }
        }
    }

    /** The validated configuration; {@code defaults} supply what the file leaves out (from the environment). */
    public SplitterConfig toConfig(SplitterConfig defaults) {
        List<VariantConfig> vs = new ArrayList<>();
        if (variants != null) {
            variants.forEach(v -> vs.add(v.toConfig()));
        }
        if (vs.isEmpty()) {
            throw new IllegalArgumentException("variants: at least one variant is needed");
        }
        List<RuleConfig> rs = new ArrayList<>();
        if (rules != null) {
            rules.forEach(r -> rs.add(r.toConfig()));
        }
        Timeouts t = defaults.timeouts();
        if (timeouts != null) {
            t = t.with(timeouts.connect(), timeouts.read(), timeouts.clientIdle(), timeouts.upstreamIdle());
        }
        return new SplitterConfig(
                listen != null && listen.address() != null ? listen.address() : defaults.listenAddress(),
                listen != null && listen.port() != null ? listen.port() : defaults.listenPort(),
                split != null && split.key() != null ? KeyExpression.parse(split.key()) : null,
                vs,
                split != null && split.sticky() != null ? split.sticky().toConfig() : null,
                rs,
                headers != null ? headers.requestVariant() : null,
                headers != null ? headers.responseVariant() : null,
                mirror != null ? mirror.toConfig() : null,
                t,
                upstream != null && upstream.keepalive() != null ? upstream.keepalive() : defaults.upstreamKeepalive());
    }
}
