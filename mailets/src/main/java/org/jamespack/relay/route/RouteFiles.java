package org.jamespack.relay.route;

import java.nio.file.Path;
import java.util.List;

/**
 * Files that together give routes, in one format: exim's smart-hosts file, or Postfix's sender-dependent relayhost
 * map with its SASL password map. {@link RouteSource} polls the files and reads them again, all together, when any
 * of them changes. Implementations are immutable and thread-safe.
 */
public interface RouteFiles {

    /** The files read, in the order {@link #parse} takes their texts. */
    List<Path> paths();

    /** For log lines: what these files are, e.g. {@code smart-hosts file /etc/exim4/exim-smart-hosts}. */
    String describe();

    /** The routes of the files' texts (one per path, in order) and the lines that gave none. */
    SmartHostsParser.Result parse(List<String> texts);

    /** An exim smart-hosts file of cloud_mdir_sync, read by {@link SmartHostsParser}. */
    static RouteFiles eximSmartHosts(Path file) {
        return new RouteFiles() {
            @Override
            public List<Path> paths() {
                return List.of(file);
            }

            @Override
            public String describe() {
                return "smart-hosts file " + file;
            }

            @Override
            public SmartHostsParser.Result parse(List<String> texts) {
                return SmartHostsParser.parse(texts.get(0), file.toString());
            }
        };
    }
}
