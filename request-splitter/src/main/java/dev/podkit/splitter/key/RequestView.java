package dev.podkit.splitter.key;

import io.netty.handler.codec.http.HttpHeaders;
import java.net.SocketAddress;

/**
 * What keys and rules read from a request: the request-target and header values as the HTTP
 * decoder produced them (one {@code char} per raw byte, ISO-8859-1), and the client's address.
 */
public interface RequestView {
    String target();

    HttpHeaders headers();

    SocketAddress remoteAddress();
}
