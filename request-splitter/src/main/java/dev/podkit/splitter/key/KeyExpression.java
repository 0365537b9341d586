package dev.podkit.splitter.key;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A split key written as nginx writes the first argument of {@code split_clients}: literal text
 * and variables, {@code $name} or {@code ${name}} (names of letters, digits and {@code _}).
 * Supported variables: {@code $arg_NAME}, {@code $http_NAME}, {@code $cookie_NAME} and
 * {@code $remote_addr}. A missing variable is the empty string, so a key that is all missing is
 * empty and lands on the first variant, as in nginx.
 */
public final class KeyExpression {
    private final String source;
    private final List<Part> parts;

    private sealed interface Part permits Literal, Arg, Header, Cookie, Remote {
        void append(RequestView request, ByteSink out);
    }

    private record Literal(byte[] bytes) implements Part {
        public void append(RequestView request, ByteSink out) {
            out.add(bytes);
        }
    }

    private record Arg(String name) implements Part {
        public void append(RequestView request, ByteSink out) {
            QueryArgs.find(request.target(), name, out);
        }
    }

    private record Header(String name) implements Part {
        public void append(RequestView request, ByteSink out) {
            Headers.find(request.headers(), name, out);
        }
    }

    private record Cookie(String name) implements Part {
        public void append(RequestView request, ByteSink out) {
            Cookies.find(request.headers().getAll(io.netty.handler.codec.http.HttpHeaderNames.COOKIE), name, out);
        }
    }

    private record Remote() implements Part {
        public void append(RequestView request, ByteSink out) {
            String text = RemoteAddress.text(request.remoteAddress());
            for (int i = 0; i < text.length(); i++) {
                out.add((byte) text.charAt(i));
            }
        }
    }

    private KeyExpression(String source, List<Part> parts) {
        this.source = source;
        this.parts = List.copyOf(parts);
    }

    /**
     * Parses a key such as {@code $arg_token}, {@code ${remote_addr}-$http_x_user}.
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static KeyExpression parse(String text) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c != '$') {
                literal.append(c);
                i++;
                continue;
            }
            i++;
            boolean bracket = i < n && text.charAt(i) == '{';
            if (bracket) {
                i++;
            }
            int start = i;
            while (i < n && isNameChar(text.charAt(i))) {
                i++;
            }
            String name = text.substring(start, i).toLowerCase(Locale.ROOT);
            if (bracket) {
                if (i >= n || text.charAt(i) != '}') {
                    throw new IllegalArgumentException("the closing bracket of variable \"" + name + "\" is missing in \"" + text + "\"");
                }
                i++;
            }
            if (name.isEmpty()) {
                throw new IllegalArgumentException("a '$' without a variable name in \"" + text + "\"");
            }
            if (!literal.isEmpty()) {
                parts.add(new Literal(literal.toString().getBytes(StandardCharsets.UTF_8)));
                literal.setLength(0);
            }
            parts.add(variable(name));
        }
        if (!literal.isEmpty()) {
            parts.add(new Literal(literal.toString().getBytes(StandardCharsets.UTF_8)));
        }
        return new KeyExpression(text, parts);
    }

    private static Part variable(String name) {
        if (name.startsWith("arg_") && name.length() > 4) {
            return new Arg(name.substring(4));
        }
        if (name.startsWith("http_") && name.length() > 5) {
            return new Header(name.substring(5));
        }
        if (name.startsWith("cookie_") && name.length() > 7) {
            return new Cookie(name.substring(7));
        }
        if (name.equals("remote_addr")) {
            return new Remote();
        }
        throw new IllegalArgumentException("unsupported variable \"$" + name
                + "\" (supported: $arg_NAME, $http_NAME, $cookie_NAME, $remote_addr)");
    }

    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }

    /** The key's raw bytes for a request. */
    public byte[] evaluate(RequestView request) {
        ByteSink out = new ByteSink();
        for (Part p : parts) {
            p.append(request, out);
        }
        return out.toByteArray();
    }

    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return source;
    }
}
