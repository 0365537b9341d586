package dev.podkit.splitter.route;

import dev.podkit.splitter.config.RuleConfig;
import dev.podkit.splitter.config.SplitterConfig;
import dev.podkit.splitter.config.StickyConfig;
import dev.podkit.splitter.config.VariantConfig;
import dev.podkit.splitter.key.Cookies;
import dev.podkit.splitter.key.KeyExpression;
import dev.podkit.splitter.key.QueryArgs;
import dev.podkit.splitter.key.RequestView;
import dev.podkit.splitter.split.SplitTable;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.List;
import java.util.Map;

/**
 * Decides a request's variant: force rules first (in order, the first match wins), then the split
 * key bucketed as nginx's {@code split_clients} does; in sticky mode a request whose key is empty
 * keeps the variant its cookie names (also one at weight 0: a draining variant keeps its sticky
 * users until it is removed from the config), or else gets a weighted random one and the cookie.
 */
public final class Router {
    private static final byte[] EMPTY = new byte[0];

    private final SplitTable<VariantConfig> table;
    private final KeyExpression key;
    private final StickyConfig sticky;
    private final List<RuleConfig> rules;
    private final Map<String, VariantConfig> byName;

    public Router(SplitterConfig config) {
        this.table = SplitterConfig.table(config.variants());
        this.key = config.key();
        this.sticky = config.sticky();
        this.rules = config.rules();
        this.byName = config.variantsByName();
    }

    public Route route(RequestView request) {
        for (RuleConfig rule : rules) {
            if (rule.accepts(lookup(rule, request))) {
                return new Route(byName.get(rule.variant()), Route.Reason.RULE, null);
            }
        }
        byte[] k = key == null ? EMPTY : key.evaluate(request);
        if (sticky == null || k.length > 0) {
            return new Route(table.pick(k), Route.Reason.SPLIT, null);
        }
        String named = Cookies.value(request.headers().getAll(HttpHeaderNames.COOKIE), sticky.cookie());
        VariantConfig kept = named == null ? null : byName.get(named);
        if (kept != null) {
            return new Route(kept, Route.Reason.STICKY, null);
        }
        VariantConfig assigned = table.pickRandom();
        return new Route(assigned, Route.Reason.STICKY, sticky.setCookie(assigned.name()));
    }

    private static String lookup(RuleConfig rule, RequestView request) {
        return switch (rule.source()) {
            case HEADER -> request.headers().get(rule.name());
            case COOKIE -> Cookies.value(request.headers().getAll(HttpHeaderNames.COOKIE), rule.name());
            case QUERY -> QueryArgs.value(request.target(), rule.name());
        };
    }

    /** The variant a key's raw bytes go to by the split alone (for the admin endpoint and tests). */
    public VariantConfig split(byte[] rawKey) {
        return table.pick(rawKey);
    }
}
