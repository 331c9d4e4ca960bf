# Methodical behind Varnish. Varnish's built-in VCL already does the right
# thing with what Methodical sends: it caches public reads of collections
# with `cache` for their s-maxage (or max-age), never stores `private`,
# `no-cache` or responses with Set-Cookie, and passes every request that
# carries a Cookie or Authorization straight to Methodical. This file only
# adds what the built-in VCL lacks. Start it with
#   varnishd -a :80 -f /etc/varnish/methodical.vcl -s malloc,256m
# and set "trustProxy": true in methodical.config.json (Varnish sends
# X-Forwarded-For; put TLS in front and have that proxy set
# X-Forwarded-Proto). test/proxy/varnish.test.ts runs this very file (only
# the backend port is replaced). See docs/behind-a-proxy.md.
vcl 4.1;

backend methodical {
    .host = "127.0.0.1";
    .port = "3000";
}

sub vcl_backend_response {
    # Keep expired objects a while, so Varnish revalidates them with
    # If-None-Match and a 304 from Methodical refreshes them.
    set beresp.keep = 1h;
    if (beresp.was_304) {
        set beresp.http.X-Cache-Revalidated = "1";
    } else {
        unset beresp.http.X-Cache-Revalidated;
    }
}

sub vcl_deliver {
    # HIT or MISS, to see what the cache does.
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
