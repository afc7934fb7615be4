package org.jamespack.auth.kopano;

import static org.jamespack.auth.kopano.KopanoSettings.KEY_SERVICE;
import static org.jamespack.auth.kopano.KopanoSettings.KEY_SERVICE_PROTOCOL;
import static org.jamespack.auth.kopano.KopanoSettings.KEY_UNGATED_PROTOCOLS;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.jamespack.auth.Protocol;
import org.jamespack.foundation.config.ConfigNode;

import net.jcip.annotations.Immutable;

/**
 * The feature gates of a {@code <kopano>} element: the {@code service} elements (a default one
 * without {@code protocol}, one per protocol with it) and {@code ungatedProtocols}. Read apart
 * from the other keys because the gates must agree with each other: an empty per-protocol gate,
 * a protocol both gated and ungated, or {@code ungatedProtocols} without any gate is a problem,
 * recorded with its file, line and key and left out, so that what is returned always holds
 * together.
 *
 * <p>Immutable and thread-safe.
 *
 * @param service    the default gate ({@link ServiceGate#NONE} when none is given)
 * @param byProtocol the gates of single protocols, never empty ones
 * @param ungated    the protocols let through on the password alone, none of them in {@code byProtocol}
 */
@Immutable
record GateConfig(ServiceGate service, Map<Protocol, ServiceGate> byProtocol, Set<Protocol> ungated) {

    GateConfig {
        byProtocol = Map.copyOf(byProtocol);
        ungated = Set.copyOf(ungated);
    }

    /** Whether any protocol has a gate that is not open. */
    boolean anyGate() {
        return !service.isOpen() || byProtocol.values().stream().anyMatch(g -> !g.isOpen());
    }

    /** Reads the gate keys of {@code node}, recording every problem on it. */
    static GateConfig from(ConfigNode node) {
        ServiceGate service = ServiceGate.NONE;
        Map<Protocol, ServiceGate> byProtocol = new EnumMap<>(Protocol.class);
        List<ConfigNode> services = node.children(KEY_SERVICE);
        if (services.isEmpty()) {
            service = node.parsed(KEY_SERVICE, ServiceGate::parse).orElse(ServiceGate.NONE);
        }
        boolean defaultSeen = false;
        for (ConfigNode s : services) {
            Optional<Protocol> protocol = s.parsed(KEY_SERVICE_PROTOCOL, Protocol::fromConfigName);
            boolean protocolGiven = s.has(KEY_SERVICE_PROTOCOL);
            ServiceGate gate;
            try {
                gate = ServiceGate.parse(s.text());
            } catch (IllegalArgumentException e) {
                node.problems().add(s.location(), node.keyPath(KEY_SERVICE), e.getMessage());
                continue;
            }
            if (protocol.isPresent()) {
                if (gate.isOpen()) {
                    // an empty element is ambiguous (open the protocol, or forgot the features?): say so rather than guess
                    node.problems().add(s.location(), node.keyPath(KEY_SERVICE), "empty for protocol "
                        + protocol.get().configName() + ": to let it through on the password alone, list it in "
                        + KEY_UNGATED_PROTOCOLS + "; to gate it, name its features");
                    continue;
                }
                if (byProtocol.put(protocol.get(), gate) != null) {
                    node.problems().add(s.location(), node.keyPath(KEY_SERVICE),
                        "given more than once for protocol " + protocol.get().configName());
                }
            } else if (!protocolGiven) {
                if (defaultSeen) {
                    node.problems().add(s.location(), node.keyPath(KEY_SERVICE),
                        "the default (no protocol attribute) is given more than once");
                }
                defaultSeen = true;
                service = gate;
            }
        }

        Set<Protocol> ungated = EnumSet.noneOf(Protocol.class);
        for (String name : node.list(KEY_UNGATED_PROTOCOLS)) {
            for (String part : name.split("[,\\s]+")) {
                if (part.isEmpty()) {
                    continue;
                }
                try {
                    ungated.add(Protocol.fromConfigName(part));
                } catch (IllegalArgumentException e) {
                    node.problem(KEY_UNGATED_PROTOCOLS, e.getMessage());
                }
            }
        }
        for (Protocol p : ungated) {
            if (byProtocol.containsKey(p)) {
                node.problem(KEY_UNGATED_PROTOCOLS, p.configName() + " also has a service gate: choose one");
            }
        }
        boolean anyGateGiven = !service.isOpen() || !byProtocol.isEmpty();
        if (!ungated.isEmpty() && !anyGateGiven) {
            node.problem(KEY_UNGATED_PROTOCOLS, "has no effect without a service gate (every protocol is checked on "
                + "the password alone then)");
            ungated.clear();
        }
        ungated.removeAll(byProtocol.keySet());
        return new GateConfig(service, byProtocol, ungated);
    }
}
