package org.jamespack.auth.james;

import java.util.Map;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.webadmin.Constants;
import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.jamespack.auth.LogSafe;
import org.jamespack.auth.cache.CacheStats;
import org.jamespack.auth.cache.CachingVerifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jamespack.auth.pack.AuthPack;

import net.jcip.annotations.ThreadSafe;
import spark.Request;
import spark.Response;
import spark.Service;

/**
 * WebAdmin routes of the authenticators' verdict cache: an operator who changed or
 * locked a password in the directory drops the cached verdicts at once instead of waiting for
 * them to expire. Thread-safe.
 *
 * <table>
 * <caption>Endpoints</caption>
 * <tr><th>endpoint</th><th>answer</th></tr>
 * <tr><td>{@code GET /authpack/cache}</td><td>200 {@code {"hits":…,"misses":…,"staleServed":…,"entries":…}}</td></tr>
 * <tr><td>{@code DELETE /authpack/cache/users/{login}}</td><td>204; every entry of the user the login names is gone:
 *   any case, any protocol, and every other login form of the same account
 *   ({@link CachingVerifier#invalidate(String)})</td></tr>
 * <tr><td>{@code DELETE /authpack/cache}</td><td>204; every entry is gone</td></tr>
 * </table>
 * Without {@code <cache>} in {@code <authpack>} each answers 404. No password or hash is ever in an
 * answer.
 */
@ThreadSafe
public final class AuthPackRoutes implements Routes {

    public static final String BASE = "/authpack";
    public static final String CACHE = BASE + "/cache";
    public static final String CACHE_USER = CACHE + "/users/:login";

    private static final Logger LOGGER = LoggerFactory.getLogger(AuthPackRoutes.class);

    private final AuthPack pack;
    private final JsonTransformer json;

    @Inject
    public AuthPackRoutes(AuthPack pack, JsonTransformer json) {
        this.pack = pack;
        this.json = json;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.get(CACHE, (request, response) -> {
            CacheStats s = cache().stats();
            response.type(Constants.JSON_CONTENT_TYPE);
            return Map.of("hits", s.hits(), "misses", s.misses(), "staleServed", s.staleServed(), "entries", s.entries());
        }, json);
        service.delete(CACHE_USER, this::invalidateUser);
        service.delete(CACHE, (request, response) -> {
            cache().invalidateAll();
            LOGGER.info("authpack: WebAdmin dropped every cached verdict");
            return noContent(response);
        });
    }

    private Object invalidateUser(Request request, Response response) {
        String login = request.params("login");
        // by user, not by the login as typed: every form that reached the same account goes
        int dropped = cache().invalidate(login);
        LOGGER.info("authpack: WebAdmin dropped the {} cached verdicts of the user of {}", dropped, LogSafe.of(login));
        return noContent(response);
    }

    private CachingVerifier cache() {
        Optional<CachingVerifier> cache = pack.cache();
        if (cache.isEmpty()) {
            throw ErrorResponder.builder()
                .statusCode(404)
                .type(ErrorResponder.ErrorType.NOT_FOUND)
                .message("no verdict cache: <authpack> in usersrepository.xml has no <cache> element")
                .haltError();
        }
        return cache.get();
    }

    private static String noContent(Response response) {
        response.status(204);
        return Constants.EMPTY_BODY;
    }
}
