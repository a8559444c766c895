package dev.wirewatch.sink.output;

import dev.wirewatch.record.Alert;
import dev.wirewatch.schemas.Times;
import dev.wirewatch.sink.AlertSubject;
import dev.wirewatch.sink.Notification;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * RFC 5424 messages, one per alert, facility local0: over UDP (RFC 5426, one datagram each) or TCP (RFC 6587 octet
 * counting, {@code LENGTH SP MESSAGE}). MSGID is the alert type; the structured data element {@code wirewatch@32473}
 * carries id, status, severity and the subject, so a syslog server can filter without parsing the text.
 */
final class SyslogOutput implements Output {
    private static final int FACILITY_LOCAL0 = 16;
    private static final int CONNECT_TIMEOUT_MS = 5000;
    private static final int MAX_DATAGRAM = 8192;

    private final String target;
    private final InetSocketAddress address;
    private final boolean tcp;
    private final String hostname;
    private final long pid = ProcessHandle.current().pid();
    private DatagramSocket udpSocket;
    private Socket tcpSocket;

    private SyslogOutput(String target, InetSocketAddress address, boolean tcp) {
        this.target = target;
        this.address = address;
        this.tcp = tcp;
        this.hostname = localHostname();
    }

    static SyslogOutput connect(String target, String transport) {
        int colon = target.lastIndexOf(':');
        String host = target.substring(0, colon).replaceAll("^\\[|\\]$", "");
        int port = Integer.parseInt(target.substring(colon + 1));
        if (!transport.equals("udp") && !transport.equals("tcp")) {
            throw new IllegalArgumentException("--to syslog: transport must be udp or tcp, was '" + transport + "'");
        }
        return new SyslogOutput(target, InetSocketAddress.createUnresolved(host, port), transport.equals("tcp"));
    }

    @Override
    public String name() {
        return "syslog:" + target + (tcp ? "/tcp" : "/udp");
    }

    @Override
    public void send(Notification notification) throws DeliveryException {
        try {
            for (Alert alert : notification.alerts()) {
                byte[] message = message(alert, notification).getBytes(StandardCharsets.UTF_8);
                if (tcp) {
                    sendTcp(message);
                } else {
                    sendUdp(message);
                }
            }
        } catch (IOException e) {
            closeSockets();
            throw new DeliveryException("syslog " + target + ": " + e.getMessage(), e);
        }
    }

    String message(Alert alert, Notification notification) {
        int severity = notification.resolved() ? 5 : switch (alert.getSeverity()) {
            case critical -> 2;
            case warning -> 4;
            case info -> 6;
        };
        StringBuilder data = new StringBuilder("[wirewatch@32473");
        param(data, "id", alert.getId());
        param(data, "status", notification.status().name().toLowerCase(Locale.ROOT));
        param(data, "severity", alert.getSeverity().name());
        param(data, "cause", alert.getCause());
        param(data, "host", alert.getHost());
        param(data, "server", alert.getServer());
        param(data, "client", alert.getClient());
        param(data, "ip", AlertSubject.address(alert));
        param(data, "count", Long.toString(alert.getCount()));
        if (notification.isUpdate(alert)) {
            param(data, "revision", Integer.toString(notification.revision(alert)));
        }
        data.append(']');
        String text = (notification.resolved() ? "resolved: " : notification.isUpdate(alert) ? "updated: " : "") + alert.getSummary() + " Hint: " + alert.getHint();
        return "<" + (FACILITY_LOCAL0 * 8 + severity) + ">1 " + Times.iso(notification.at().toEpochMilli() * 1000) + " "
                + hostname + " wirewatch " + pid + " " + printable(alert.getType(), 32) + " " + data + " " + text;
    }

    private void sendUdp(byte[] message) throws IOException {
        if (udpSocket == null) {
            udpSocket = new DatagramSocket();
        }
        udpSocket.send(new DatagramPacket(message, utf8Prefix(message, MAX_DATAGRAM), resolved()));
    }

    /** The longest prefix of at most {@code limit} bytes that does not cut a UTF-8 character in two. */
    static int utf8Prefix(byte[] text, int limit) {
        int length = Math.min(text.length, limit);
        while (length < text.length && length > 0 && (text[length] & 0xC0) == 0x80) {
            length--;
        }
        return length;
    }

    private void sendTcp(byte[] message) throws IOException {
        if (tcpSocket != null && peerClosed(tcpSocket)) {
            closeSockets(); // a write to a closed peer would "succeed" once and be lost
        }
        if (tcpSocket == null) {
            Socket socket = new Socket();
            socket.connect(resolved(), CONNECT_TIMEOUT_MS);
            tcpSocket = socket;
        }
        OutputStream out = tcpSocket.getOutputStream();
        out.write((message.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.write(message);
        out.flush();
    }

    /** A syslog receiver never writes back: end of stream on a read means it has closed the connection. */
    private static boolean peerClosed(Socket socket) {
        try {
            socket.setSoTimeout(1);
            return socket.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private InetSocketAddress resolved() throws IOException {
        return new InetSocketAddress(InetAddress.getByName(address.getHostString()), address.getPort());
    }

    /** PARAM-VALUE escaping of RFC 5424: '"', '\' and ']' are preceded by a backslash. */
    private static void param(StringBuilder data, String name, String value) {
        if (value != null) {
            data.append(' ').append(name).append("=\"").append(value.replaceAll("([\"\\\\\\]])", "\\\\$1")).append('"');
        }
    }

    private static String printable(String text, int limit) {
        String ascii = text.replaceAll("[^\\x21-\\x7e]", "_");
        return ascii.isEmpty() ? "-" : ascii.substring(0, Math.min(limit, ascii.length()));
    }

    private static String localHostname() {
        try {
            return printable(InetAddress.getLocalHost().getHostName(), 255);
        } catch (IOException e) {
            return "-";
        }
    }

    private void closeSockets() {
        try {
            if (tcpSocket != null) {
                tcpSocket.close();
            }
        } catch (IOException e) {
            // reconnected on the next message
        }
        tcpSocket = null;
        if (udpSocket != null) {
            udpSocket.close();
        }
        udpSocket = null;
    }

    @Override
    public void close() {
        closeSockets();
    }
}
