package dev.podkit.it.splitter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A keep-alive HTTP/1.1 client that sends requests byte for byte as given (no normalization: raw
 * bytes in the target, repeated headers, odd spacing, smuggling attempts) and parses the responses.
 */
final class RawHttp implements AutoCloseable {
    /** A parsed response; {@code closed} when the server closed the connection after it. */
    record Response(int status, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.get(0);
        }

        String text() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    private final String host;
    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private int connects;

    RawHttp(String host, int port) {
        this.host = host;
        this.port = port;
    }

    private void connect() throws IOException {
        connects++;
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 5000);
        socket.setSoTimeout(15_000);
        socket.setTcpNoDelay(true);
        in = new java.io.BufferedInputStream(socket.getInputStream(), 65536);
        out = socket.getOutputStream();
    }

    /** Sends {@code request} (reconnecting if the last response closed the connection) and reads one response. */
    Response send(byte[] request) throws IOException {
        if (socket == null) {
            connect();
        }
        out.write(request);
        out.flush();
        Response r = read();
        if (r == null) {
            // the server had closed an idle keep-alive connection: once more on a fresh one
            close();
            connect();
            out.write(request);
            out.flush();
            r = read();
            if (r == null) {
                throw new IOException("connection closed without a response");
            }
        }
        String connection = r.header("connection");
        if (connection != null && connection.equalsIgnoreCase("close")) {
            close();
        }
        return r;
    }

    Response send(String latin1) throws IOException {
        return send(latin1.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** How many TCP connections this client opened so far. */
    int connects() {
        return connects;
    }

    /** Writes bytes without reading (for Expect: 100-continue and tunnels). */
    void write(byte[] bytes) throws IOException {
        if (socket == null) {
            connect();
        }
        out.write(bytes);
        out.flush();
    }

    /** Reads one response from the connection, or null at end of stream before it. */
    Response read() throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            return null;
        }
        String[] parts = statusLine.split(" ", 3);
        int status = Integer.parseInt(parts[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String l;
        while ((l = line()) != null && !l.isEmpty()) {
            int colon = l.indexOf(':');
            headers.computeIfAbsent(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(l.substring(colon + 1).trim());
        }
        byte[] body;
        List<String> te = headers.get("transfer-encoding");
        List<String> cl = headers.get("content-length");
        if (status / 100 == 1 || status == 204 || status == 304) {
            body = new byte[0];
        } else if (te != null && te.get(0).equalsIgnoreCase("chunked")) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            while (true) {
                int size = Integer.parseInt(line().split(";")[0].trim(), 16);
                if (size == 0) {
                    while (!line().isEmpty()) {
                        // trailers
                    }
                    break;
                }
                b.write(in.readNBytes(size));
                line();
            }
            body = b.toByteArray();
        } else if (cl != null) {
            body = in.readNBytes(Integer.parseInt(cl.get(0)));
        } else {
            body = in.readAllBytes();
        }
        return new Response(status, headers, body);
    }

    /** Reads exactly {@code n} raw bytes (after a protocol switch). */
    byte[] readBytes(int n) throws IOException {
        return in.readNBytes(n);
    }

    /** Whether the server closed the connection (reads EOF within {@code millis}). */
    boolean closedByServer(int millis) throws IOException {
        if (socket == null) {
            return true;
        }
        socket.setSoTimeout(millis);
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(15_000);
            }
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
            socket = null;
        }
    }
}
