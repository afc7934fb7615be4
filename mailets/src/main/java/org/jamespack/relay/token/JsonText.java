package org.jamespack.relay.token;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.util.JSONObjectUtils;

import net.jcip.annotations.Immutable;
import net.minidev.json.JSONStyle;
import net.minidev.json.JSONValue;

/**
 * JSON reading and writing for the sasl-xoauth2 files through Nimbus' json-smart, which is
 * already on the classpath (no Jackson in main scope). Stateless and thread-safe.
 *
 * <p>Messages never quote the input: a token file holds secrets.
 */
@Immutable
final class JsonText {

    private JsonText() {
    }

    /**
     * Parses a JSON object into an ordered map: the keys in {@code knownOrder} first (as
     * sasl-xoauth2 writes them), the rest sorted, so that a rewrite is deterministic.
     */
    static Map<String, Object> parseObject(String json, List<String> knownOrder) {
        Map<String, Object> parsed;
        try {
            parsed = JSONObjectUtils.parse(json);
        } catch (ParseException e) {
            throw new IllegalArgumentException("is not a JSON object");
        }
        Map<String, Object> ordered = new LinkedHashMap<>();
        for (String key : knownOrder) {
            if (parsed.containsKey(key)) {
                ordered.put(key, parsed.get(key));
            }
        }
        List<String> rest = new ArrayList<>(parsed.keySet());
        rest.removeAll(knownOrder);
        rest.sort(null);
        for (String key : rest) {
            ordered.put(key, parsed.get(key));
        }
        return ordered;
    }

    /** The object as pretty enough JSON: one key per line, as a person would edit it. */
    static String write(Map<String, Object> fields) {
        StringBuilder out = new StringBuilder("{\n");
        int i = 0;
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            out.append("  ").append(JSONValue.toJSONString(e.getKey(), JSONStyle.LT_COMPRESS))
                .append(" : ").append(JSONValue.toJSONString(e.getValue(), JSONStyle.LT_COMPRESS));
            out.append(++i < fields.size() ? ",\n" : "\n");
        }
        return out.append("}\n").toString();
    }

    /**
     * A string-valued setting; sasl-xoauth2 writes numbers and booleans as strings, but an
     * operator may not, so numbers and booleans are accepted too.
     */
    static Optional<String> string(Map<String, Object> fields, String key) {
        Object v = fields.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof String || v instanceof Number || v instanceof Boolean) {
            return Optional.of(v.toString());
        }
        throw new IllegalArgumentException("'" + key + "' is not a string");
    }
}
