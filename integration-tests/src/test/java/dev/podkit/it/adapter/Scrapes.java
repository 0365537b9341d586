package dev.podkit.it.adapter;

import dev.podkit.it.PrometheusText;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** HTTP for the adapter ITs: what Prometheus sends, and strict reading of the answer. */
final class Scrapes {
    /** The Accept header of Prometheus 2.x: OpenMetrics preferred, the text format accepted. */
    static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    static final String OPENMETRICS_ONLY = "application/openmetrics-text;version=1.0.0";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Scrapes() {
    }

    static HttpResponse<String> get(String url, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
        if (accept != null) {
            b.header("Accept", accept);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET as Prometheus does it; must be 200 in the text format; parsed strictly. */
    static PrometheusText scrape(String url) throws Exception {
        HttpResponse<String> r = get(url, PROMETHEUS_ACCEPT);
        if (r.statusCode() != 200) {
            throw new AssertionError("HTTP " + r.statusCode() + " from " + url + ": " + r.body());
        }
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith("text/plain; version=0.0.4")) {
            throw new AssertionError("Content-Type " + type);
        }
        return PrometheusText.parse(r.body());
    }

    static double value(PrometheusText text, String name, Map<String, String> labels) {
        return text.value(name, labels).orElseThrow(() -> new AssertionError("no " + name + labels + " in "
                + text.samples.stream().filter(s -> s.name().startsWith(name)).toList()));
    }

    static double value(PrometheusText text, String name) {
        return value(text, name, Map.of());
    }
}
