package dev.wirewatch.processor.flow;

import dev.wirewatch.processor.detect.HalfOpenSessionDetector;
import dev.wirewatch.processor.detect.IcmpRedirectIgnoredDetector;
import dev.wirewatch.processor.detect.InjectedRstDetector;
import dev.wirewatch.processor.detect.KeepAliveUnansweredDetector;
import dev.wirewatch.processor.detect.UnansweredSynDetector;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A flow state in text, one value a line: every field (by reflection, so a field the codec forgets shows) and what
 * the detectors read through the public methods. Two states with the same dump are the same state.
 */
final class FlowStateDump {
    private static final List<String> FLOW_DETECTORS = List.of(UnansweredSynDetector.TYPE, InjectedRstDetector.TYPE,
            KeepAliveUnansweredDetector.TYPE, HalfOpenSessionDetector.TYPE, IcmpRedirectIgnoredDetector.TYPE);

    /** Each class's instance fields by name, looked up once: the capture test dumps every state twice per record. */
    private static final ClassValue<List<Field>> FIELDS = new ClassValue<>() {
        @Override
        protected List<Field> computeValue(Class<?> type) {
            List<Field> fields = new ArrayList<>();
            for (Field field : type.getDeclaredFields()) {
                if (!Modifier.isStatic(field.getModifiers())) {
                    field.setAccessible(true);
                    fields.add(field);
                }
            }
            fields.sort(Comparator.comparing(Field::getName));
            return fields;
        }
    };

    /** The live monitor's timers when the fixtures were written: Zeek's, with a 130 s SYN attempt window. */
    private static final ConnectionTimeouts MONITOR_AS_FIXTURES_WERE_WRITTEN = ConnectionTimeouts.ZEEK_DEFAULTS
            .withAttemptDelay(130_000_000L).withSynTimeout(130_000_000L);

    private FlowStateDump() {}

    static String of(FlowState state) {
        StringBuilder out = new StringBuilder();
        fields("flow", state, out);
        observables(state, out);
        return out.toString();
    }

    /** Only the fields: for states that no connection could reach, whose addresses may not even be addresses. */
    static String fieldsOf(FlowState state) {
        StringBuilder out = new StringBuilder();
        fields("flow", state, out);
        return out.toString();
    }

    /** One line per object (its plain fields), then its objects; sentinels by name. */
    private static void fields(String path, Object value, StringBuilder out) {
        if (value instanceof Collection<?> items) {
            out.append(path).append(": ").append(items.size()).append(" items");
            List<Object> objects = new ArrayList<>();
            for (Object item : items) {
                String plain = text(item);
                if (plain != null) {
                    out.append(' ').append(plain);
                } else {
                    objects.add(item);
                }
            }
            out.append('\n');
            for (int i = 0; i < objects.size(); i++) {
                fields(path + "[" + i + "]", objects.get(i), out);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            out.append(path).append(":");
            map.forEach((key, item) -> out.append(' ').append(text(key)).append('=').append(text(item)));
            out.append('\n');
            return;
        }
        if (!value.getClass().getPackageName().equals(FlowState.class.getPackageName())) {
            throw new IllegalArgumentException("no dump for " + value.getClass() + " at " + path);
        }
        StringBuilder line = new StringBuilder(path).append(':');
        Map<String, Object> objects = new TreeMap<>();
        for (Field field : FIELDS.get(value.getClass())) {
            Object fieldValue;
            try {
                fieldValue = field.get(value);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
            String plain = text(fieldValue);
            if (plain != null) {
                line.append(' ').append(field.getName()).append('=').append(plain);
            } else {
                objects.put(field.getName(), fieldValue);
            }
        }
        out.append(line).append('\n');
        objects.forEach((name, object) -> fields(path + "." + name, object, out));
    }

    /** A plain value as text; null for an object or collection to dump field by field. */
    private static String text(Object value) {
        if (value == null) {
            return "null";
        } else if (value instanceof CharSequence chars) {
            return '"' + chars.toString() + '"';
        } else if (value instanceof Long number && (number == Long.MIN_VALUE || number == Long.MAX_VALUE)) {
            return number == Long.MIN_VALUE ? "MIN" : "MAX";
        } else if (value instanceof Number || value instanceof Boolean || value instanceof Enum<?>) {
            return value.toString();
        } else if (value instanceof byte[] bytes) {
            return Arrays.toString(bytes).replace(" ", "");
        } else if (value instanceof long[] longs) {
            return Arrays.toString(longs).replace(" ", "");
        }
        return null;
    }

    private static void observables(FlowState flow, StringBuilder out) {
        for (String type : FLOW_DETECTORS) {
            line(out, "settled " + type, flow.settled(type));
        }
        line(out, "deadline", flow.deadlineMicros());
        line(out, "timer", flow.timerMicros());
        line(out, "first seen", flow.firstSeenMicros());
        line(out, "last seen", flow.lastSeenMicros());
        flow.redirect().ifPresent(watch -> line(out, "redirect", List.of(watch.vantage(), watch.host(),
                watch.destination(), String.valueOf(watch.oldMac()), watch.gateway(), String.valueOf(watch.suggested()),
                watch.firstMicros(), watch.lastMicros(), watch.redirects(), watch.viaOld(), watch.viaOther(),
                watch.firstViaOldMicros(), watch.lastViaOldMicros(), watch.answers(), watch.retransmittedBefore())));
        for (FlowState.Seen seen : flow.views()) {
            ConnectionView view = seen.view();
            String at = seen.vantage() + " ";
            line(out, at + "drop reason", flow.dropReason(seen.vantage().host()));
            line(out, at + "conn", List.of(view.protocol(), view.originatorEndpoint(), view.responderEndpoint(),
                    view.communityId(), view.connState(), view.history()));
            line(out, at + "counts", List.of(view.originatorPackets(), view.originatorBytes(), view.responderPackets(),
                    view.responderBytes()));
            line(out, at + "times", List.of(view.firstSeenMicros(), view.lastSeenMicros(),
                    view.expiresAtMicros(ConnectionTimeouts.ZEEK_DEFAULTS), view.expiresAtMicros(MONITOR_AS_FIXTURES_WERE_WRITTEN)));
            line(out, at + "syn", List.of(view.synCount(), view.firstSynMicros(), view.lastSynMicros(),
                    view.sawSynAck(), view.sawRstFromResponder(), view.originatorSentOnlySyns(),
                    String.valueOf(view.synTsVal()), view.synAnswered(), String.valueOf(view.handshakeRttMicros())));
            line(out, at + "ends", List.of(view.sawHandshake(), view.reset(), view.closed()));
        }
        line(out, "primary", flow.views().isEmpty() ? "-" : flow.primary().communityId());
    }

    private static void line(StringBuilder out, String name, Object value) {
        out.append(name).append(": ").append(value).append('\n');
    }
}
