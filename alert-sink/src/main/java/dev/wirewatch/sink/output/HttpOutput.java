package dev.wirewatch.sink.output;

import java.net.URI;
import java.time.Duration;

/** An output that POSTs JSON to one URL; named by kind and host only, since the URL may be the credential. */
abstract class HttpOutput implements Output {
    private final String name;
    protected final URI uri;
    protected final HttpDelivery http;

    HttpOutput(String name, URI uri, Duration timeout) {
        this.name = name;
        this.uri = uri;
        this.http = new HttpDelivery(timeout);
    }

    @Override
    public String name() {
        return name;
    }
}
