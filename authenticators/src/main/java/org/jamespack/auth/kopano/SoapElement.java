package org.jamespack.auth.kopano;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import net.jcip.annotations.NotThreadSafe;

/**
 * One element of a SOAP answer: its local name, text and children. Not thread-safe while being
 * built by {@link Soap#parse}, read-only afterwards.
 */
@NotThreadSafe
final class SoapElement {
    private final String name;
    private final boolean nil;
    // allocated on first use: most elements of an answer are leaves, and most leaves are short
    private @Nullable StringBuilder textBuffer;
    private List<SoapElement> children = List.of();

    SoapElement(String name, boolean nil) {
        this.name = name;
        this.nil = nil;
    }

    String name() {
        return name;
    }

    boolean isNil() {
        return nil;
    }

    List<SoapElement> children() {
        return children;
    }

    void add(SoapElement child) {
        if (children.isEmpty()) {
            children = new ArrayList<>(4);
        }
        children.add(child);
    }

    void append(String chars) {
        if (textBuffer == null) {
            textBuffer = new StringBuilder(chars.length());
        }
        textBuffer.append(chars);
    }

    String ownText() {
        return textBuffer == null ? "" : textBuffer.toString().trim();
    }

    Optional<SoapElement> child(String local) {
        for (SoapElement c : children) {
            if (c.name.equals(local)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    List<SoapElement> all(String local) {
        List<SoapElement> found = new ArrayList<>();
        for (SoapElement c : children) {
            if (c.name.equals(local)) {
                found.add(c);
            }
        }
        return found;
    }

    /** The text of a child; absent or {@code xsi:nil} means null, an empty element is "". */
    Optional<String> text(String local) {
        return child(local).filter(c -> !c.nil).map(SoapElement::ownText);
    }

    /** An unsigned number child; absent or nil means 0, as gSOAP reads it. */
    long unsigned(String local) throws Soap.SoapException {
        Optional<String> t = text(local);
        if (t.isEmpty() || t.get().isEmpty()) {
            return 0;
        }
        try {
            return Long.parseUnsignedLong(t.get());
        } catch (NumberFormatException e) {
            throw new Soap.SoapException(local + " is not an unsigned number: '" + Soap.abbreviate(t.get()) + "'");
        }
    }

    /**
     * The error code {@code er} of a method response, which must be there and a number. gSOAP
     * would read an absent, nil or empty {@code er} as 0, success; a server (or something
     * posing as one) that sends no error code has not said that the logon worked, so this
     * throws {@link MalformedAnswerException} instead: the check fails closed (UNAVAILABLE).
     */
    long errorCode() throws Soap.SoapException {
        Optional<SoapElement> er = child("er");
        if (er.isEmpty()) {
            throw new Soap.MalformedAnswerException(name + " without an er (error code)");
        }
        if (er.get().nil) {
            throw new Soap.MalformedAnswerException(name + " with a nil er (error code)");
        }
        String text = er.get().ownText();
        if (text.isEmpty()) {
            throw new Soap.MalformedAnswerException(name + " with an empty er (error code)");
        }
        try {
            return Long.parseUnsignedLong(text);
        } catch (NumberFormatException e) {
            throw new Soap.MalformedAnswerException(name + " with an er that is not an unsigned number: '"
                + Soap.abbreviate(text) + "'");
        }
    }

    /** The values of an {@code lpsMVPropmap} item with {@code propId}, if present. */
    Optional<List<String>> multiValued(long propId) throws Soap.SoapException {
        Optional<SoapElement> map = child("lpsMVPropmap");
        if (map.isEmpty()) {
            return Optional.empty();
        }
        for (SoapElement item : map.get().all("item")) {
            if (item.unsigned("ulPropId") == propId) {
                List<String> values = new ArrayList<>();
                Optional<SoapElement> sValues = item.child("sValues");
                if (sValues.isPresent()) {
                    for (SoapElement v : sValues.get().all("item")) {
                        if (!v.nil) {
                            values.add(v.ownText());
                        }
                    }
                }
                return Optional.of(values);
            }
        }
        return Optional.empty();
    }
}
