package dev.wirewatch.processor.flow;

/**
 * Zeek's conn.log {@code history}, upper case from the originator, lower case from the responder: {@code S} SYN
 * without ACK, {@code H} SYN-ACK, {@code A} pure ACK, {@code D} packet with payload, {@code F} FIN, {@code R} RST,
 * {@code Q} SYN+FIN or SYN+RST, {@code I} FIN+RST, {@code T} retransmitted payload, {@code G} content gap (the peer
 * acknowledged sequence space this vantage never saw), {@code W} zero window; {@code ^} the roles were flipped
 * (the first packet was judged to come from the responder). Each letter is added once per side ({@link #check}),
 * except that {@link TcpAnalyzer} adds S, H, F and R again for a packet with a new sequence number, and T, G and
 * W at the 1st, 10th, 100th, ... occurrence ({@link TcpEndpoint#countScaled}).
 */
final class ConnectionHistory {
    // Which letters a side has shown, one bit each; the responder's are 16 bits higher (as Zeek keeps them).
    static final int SYN = 0x1;
    static final int FIN = 0x2;
    static final int RST = 0x4;
    static final int FIN_RST = 0x8;
    static final int DATA = 0x10;
    static final int ACK = 0x20;
    static final int MULTI_FLAG = 0x40;

    StringBuilder letters = new StringBuilder();
    int seen;

    /**
     * Adds {@code code} the first time a side shows it; true when it had shown it before (Zeek's
     * {@code Connection::CheckHistory}).
     */
    boolean check(boolean isOrig, int mask, char code) {
        int bit = isOrig ? mask : mask << 16;
        if ((seen & bit) == 0) {
            seen |= bit;
            add(isOrig, code);
            return false;
        }
        return true;
    }

    void add(boolean isOrig, char code) {
        letters.append(isOrig ? code : Character.toLowerCase(code));
    }

    /** The roles were flipped. */
    void flipped() {
        letters.append('^');
    }

    /** All so far is the originator's SYN-ACK: the stealth-scan guess that the first ACK or data undoes. */
    boolean onlySynAck() {
        return letters.length() == 1 && letters.charAt(0) == 'H';
    }

    /** After the roles flipped on a lone SYN-ACK: it reads as the responder's, the missing SYN noted by {@code ^}. */
    void restartAsResponderSynAck() {
        letters.setLength(0);
        letters.append("^h");
    }

    /** The originator sent a SYN, then a RST, and nothing of a handshake or close in between (RSTOS0's history). */
    boolean synThenReset() {
        return letters.toString().matches("\\^?S[^HAFGIQ]*R.*");
    }

    @Override
    public String toString() {
        return letters.toString();
    }
}
