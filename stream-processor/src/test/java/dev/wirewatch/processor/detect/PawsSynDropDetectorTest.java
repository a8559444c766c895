package dev.wirewatch.processor.detect;

import static dev.wirewatch.processor.Packets.ACK;
import static dev.wirewatch.processor.Packets.FIN;
import static dev.wirewatch.processor.Packets.SYN;
import static dev.wirewatch.processor.Packets.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.KernelDrop;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.Severity;
import dev.wirewatch.record.TcpHeader;
import dev.wirewatch.schemas.Addresses;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class PawsSynDropDetectorTest {
    static final long T0 = 1_700_000_000_000_000L;
    static final long S = 1_000_000L;
    static final String NAT = "198.51.100.1";
    static final String SERVER = "198.51.100.20";

    private static PacketEvent withTsVal(PacketEvent packet, long tsVal) {
        TcpHeader tcp = TcpHeader.newBuilder(packet.getTcp()).setTsVal(tsVal).setTsEcr(0L).build();
        return PacketEvent.newBuilder(packet).setTcp(tcp).build();
    }

    private static void accepted(ProcessorDriver driver, long at, int port, long tsVal) {
        accepted(driver, at, port, 80, tsVal);
    }

    private static void accepted(ProcessorDriver driver, long at, int port, int service, long tsVal) {
        driver.send(withTsVal(tcp("server", at, NAT, port, SERVER, service, SYN, 1000, 0, 0), tsVal));
        driver.send(tcp("server", at + 100, SERVER, service, NAT, port, SYN | ACK, 5000, 1001, 0));
        driver.send(tcp("server", at + 200, NAT, port, SERVER, service, ACK, 1001, 5001, 0));
        driver.send(tcp("server", at + 300, NAT, port, SERVER, service, FIN | ACK, 1001, 5001, 0));
        driver.send(tcp("server", at + 400, SERVER, service, NAT, port, FIN | ACK, 5001, 1002, 0));
        driver.send(tcp("server", at + 500, NAT, port, SERVER, service, ACK, 1002, 5002, 0));
    }

    /** Four SYNs a second apart, never answered; each retransmission's TSval one second on. */
    private static void dropped(ProcessorDriver driver, long at, int port, long tsVal) {
        dropped(driver, at, port, 80, tsVal);
    }

    private static void dropped(ProcessorDriver driver, long at, int port, int service, long tsVal) {
        for (int i = 0; i < 4; i++) {
            driver.send(withTsVal(tcp("server", at + i * S, NAT, port, SERVER, service, SYN, 1000, 0, 0),
                    tsVal + i * 1000));
        }
    }

    /** Three connections accepted from the address, TSvals rising (the last 3,000,000,000): a PAWS chain. */
    private static void chainOfThree(ProcessorDriver driver) {
        accepted(driver, T0, 39998, 1_000_000_000L);
        accepted(driver, T0 + S / 4, 39999, 2_000_000_000L);
        accepted(driver, T0 + S / 2, 40000, 3_000_000_000L);
    }

    private static List<Alert> paws(ProcessorDriver driver, long end) {
        driver.tick(T0, end, "server");
        driver.endOfInput(end + S, "server");
        return driver.alerts().stream().filter(alert -> alert.getType().equals(PawsSynDropDetector.TYPE)).toList();
    }

    private static ProcessorDriver driver() {
        return new ProcessorDriver(ProcessorDriver.topology("""
                hosts:
                  server:
                    interfaces:
                      eth0: {addresses: [198.51.100.20/24]}
                """), ProcessorConfig.DEFAULTS);
    }

    @Test
    void aDroppedSynOlderThanTheLastAcceptedOneFromTheSameAddressIsPaws() {
        try (ProcessorDriver driver = driver()) {
            accepted(driver, T0, 40000, 3_000_000_000L);
            dropped(driver, T0 + 2 * S, 40001, 1_000_000_000L);
            List<Alert> alerts = paws(driver, T0 + 30 * S);
            assertEquals(1, alerts.size(), alerts.toString());
            assertEquals(NAT, alerts.get(0).getClientIp());
            assertEquals(NAT + ":40001", alerts.get(0).getClient());
            assertEquals(4, alerts.get(0).getCount());
            assertEquals("server", alerts.get(0).getHost());
        }
    }

    @Test
    void aDropIsReportedWhileTheInputRunsOnceItsFlowHasClosedNotOnlyAtTheEnd() {
        try (ProcessorDriver driver = driver()) {
            accepted(driver, T0, 40000, 3_000_000_000L);
            dropped(driver, T0 + 2 * S, 40001, 1_000_000_000L);
            driver.tick(T0, T0 + 200 * S, "server"); // past the SYN attempt window and the close delay; no end
            List<Alert> live = driver.alerts().stream()
                    .filter(alert -> alert.getType().equals(PawsSynDropDetector.TYPE)).toList();
            assertEquals(1, live.size(), "judged by its due time, before the input ends: " + live);
            assertEquals(List.of(), paws(driver, T0 + 201 * S), "and not again when the input ends");
        }
    }

    @Test
    void answeredSynsWithTsvalsGoingBackwardsAreNormal() {
        try (ProcessorDriver driver = driver()) {
            accepted(driver, T0, 40000, 3_000_000_000L);
            accepted(driver, T0 + S, 40001, 1_000_000_000L);
            accepted(driver, T0 + 2 * S, 40002, 2_000_000_000L);
            assertEquals(List.of(), paws(driver, T0 + 30 * S));
        }
    }

    @Test
    void aDroppedSynNewerThanEverythingAcceptedIsNotPaws() {
        try (ProcessorDriver driver = driver()) {
            accepted(driver, T0, 40000, 1_000_000_000L);
            dropped(driver, T0 + 2 * S, 40001, 3_000_000_000L);
            assertEquals(List.of(), paws(driver, T0 + 30 * S));
        }
    }

    @Test
    void anAcceptedConnectionMoreThanAMinuteBeforeNoLongerCounts() {
        try (ProcessorDriver driver = driver()) {
            accepted(driver, T0, 40000, 3_000_000_000L);
            driver.tick(T0, T0 + 70 * S, "server");
            dropped(driver, T0 + 70 * S, 40001, 1_000_000_000L);
            assertEquals(List.of(), paws(driver, T0 + 100 * S));
        }
    }

    /** Seed case 1's trap: a firewall drops every SYN to 8080 while 443 answers; random TSvals must not make it PAWS. */
    @Test
    void aPortThatAnswersNobodyIsAFirewallNotPaws() {
        try (ProcessorDriver driver = driver()) {
            accepted(driver, T0, 40000, 443, 3_000_000_000L);
            dropped(driver, T0 + 2 * S, 40001, 8080, 1_000_000_000L);
            assertEquals(List.of(), paws(driver, T0 + 30 * S));
        }
    }

    /** A server that just accepted an older TSval than before does not enforce PAWS: a drop then has another cause. */
    @Test
    void aDropAfterAnsweredTsvalsWentBackwardsIsNotPaws() {
        try (ProcessorDriver driver = driver()) {
            accepted(driver, T0, 40000, 3_000_000_000L);
            accepted(driver, T0 + S, 40001, 2_000_000_000L);
            dropped(driver, T0 + 2 * S, 40002, 1_000_000_000L);
            assertEquals(List.of(), paws(driver, T0 + 30 * S));
        }
    }

    private static List<Alert> ofType(List<Alert> alerts, String type) {
        return alerts.stream().filter(alert -> alert.getType().equals(type)).toList();
    }

    /**
     * One fault, one alert: the drop's UNANSWERED_SYN waits until the accepted connections before its last SYN have
     * arrived (its last SYN + close delay 5 s + twice the clock skew 1 s), PAWS_SYN_DROP comes then — not after the
     * SYN attempt window — and the UNANSWERED_SYN goes out beside it as info, explained by it.
     */
    @Test
    void aPawsDropIsOneWarningSecondsAfterItsLastSynAndItsUnansweredSynIsExplainedByIt() {
        try (ProcessorDriver driver = driver()) {
            chainOfThree(driver);
            dropped(driver, T0 + 2 * S, 40001, 1_000_000_000L); // last SYN at T0 + 5 s
            driver.tick(T0, T0 + 11 * S, "server");
            assertEquals(List.of(), driver.alerts(), "held until the last SYN + 7 s");
            driver.tick(T0 + 12 * S, T0 + 12 * S, "server");
            List<Alert> alerts = driver.alerts();
            List<Alert> paws = ofType(alerts, PawsSynDropDetector.TYPE);
            List<Alert> unanswered = ofType(alerts, UnansweredSynDetector.TYPE);
            assertEquals(1, paws.size(), alerts.toString());
            assertEquals(Severity.warning, paws.get(0).getSeverity());
            assertEquals(1, unanswered.size(), alerts.toString());
            assertEquals(Severity.info, unanswered.get(0).getSeverity());
            assertEquals(paws.get(0).getId(), unanswered.get(0).getExplainedBy());
            assertEquals(paws.get(0).getHint(), unanswered.get(0).getHint());
            assertTrue(unanswered.get(0).getSummary().contains("Explained by PAWS_SYN_DROP " + paws.get(0).getId()),
                    unanswered.get(0).getSummary());
            driver.tick(T0 + 13 * S, T0 + 200 * S, "server"); // past the SYN attempt window: its flow closes
            driver.endOfInput(T0 + 201 * S, "server");
            assertEquals(List.of(), driver.alerts(), "and nothing again when its flow closes or the input ends");
        }
    }

    /**
     * The server's kernel said it dropped the SYNs for another reason (here its firewall): the timestamps only look
     * like PAWS, so the UNANSWERED_SYN stays a warning, unexplained; the PAWS detector still says what it sees.
     */
    @Test
    void aDropTheKernelBlamesOnSomethingElseIsNotExplainedByPaws() {
        try (ProcessorDriver driver = driver()) {
            chainOfThree(driver);
            dropped(driver, T0 + 2 * S, 40001, 1_000_000_000L);
            driver.sink().publish(KernelDrop.newBuilder().setHost("server").setIface("eth0").setTsMicros(T0 + 2 * S + 10)
                    .setSynTsMicros(T0 + 2 * S).setIpVersion(4).setSrc(ByteBuffer.wrap(Addresses.parse(NAT)))
                    .setDst(ByteBuffer.wrap(Addresses.parse(SERVER))).setSrcPort(40001).setDstPort(80)
                    .setReason("NETFILTER_DROP").setLocation(null).build());
            driver.tick(T0, T0 + 12 * S, "server");
            List<Alert> unanswered = ofType(driver.alerts(), UnansweredSynDetector.TYPE);
            assertEquals(1, unanswered.size(), unanswered.toString());
            assertEquals("NETFILTER_DROP", unanswered.get(0).getDropReason());
            assertEquals(Severity.warning, unanswered.get(0).getSeverity());
            assertEquals(null, unanswered.get(0).getExplainedBy());
        }
    }

    /**
     * After a single accepted connection, random TSvals put an unrelated drop behind it half the time: PAWS_SYN_DROP
     * says what it sees, and the UNANSWERED_SYN stays a warning beside it, unexplained.
     */
    @Test
    void aDropBehindASingleAcceptedConnectionIsNotExplainedByPaws() {
        try (ProcessorDriver driver = driver()) {
            accepted(driver, T0, 40000, 3_000_000_000L);
            dropped(driver, T0 + 2 * S, 40001, 1_000_000_000L);
            driver.tick(T0, T0 + 12 * S, "server");
            List<Alert> alerts = driver.alerts();
            assertEquals(List.of(PawsSynDropDetector.TYPE, UnansweredSynDetector.TYPE),
                    alerts.stream().map(Alert::getType).toList(), alerts.toString());
            alerts.forEach(alert -> assertEquals(Severity.warning, alert.getSeverity(), alert.toString()));
            assertEquals(null, alerts.get(1).getExplainedBy());
        }
    }

    /** A drop that is not PAWS is an UNANSWERED_SYN warning, held no longer than a PAWS drop would be. */
    @Test
    void aDropThatIsNotPawsStaysAnUnansweredSynWarningAndComesAsSoon() {
        try (ProcessorDriver driver = driver()) {
            accepted(driver, T0, 40000, 1_000_000_000L);
            dropped(driver, T0 + 2 * S, 40001, 3_000_000_000L); // newer than the accepted one: not PAWS
            driver.tick(T0, T0 + 12 * S, "server");
            List<Alert> alerts = driver.alerts();
            assertEquals(1, alerts.size(), alerts.toString());
            assertEquals(UnansweredSynDetector.TYPE, alerts.get(0).getType());
            assertEquals(Severity.warning, alerts.get(0).getSeverity());
            assertEquals(null, alerts.get(0).getExplainedBy());
            assertEquals("DROPPED_AT_SERVER_HOST", alerts.get(0).getCause());
        }
    }

    /** The input ends while a finding is held: it comes out all the same, judged with what arrived. */
    @Test
    void aHeldFindingComesOutAtTheEndOfTheInput() {
        try (ProcessorDriver driver = driver()) {
            chainOfThree(driver);
            dropped(driver, T0 + 2 * S, 40001, 1_000_000_000L);
            driver.tick(T0, T0 + 7 * S, "server");
            assertEquals(List.of(), driver.alerts());
            driver.endOfInput(T0 + 8 * S, "server");
            List<Alert> alerts = driver.alerts();
            assertEquals(List.of(PawsSynDropDetector.TYPE, UnansweredSynDetector.TYPE),
                    alerts.stream().map(Alert::getType).toList(), alerts.toString());
            assertEquals(alerts.get(0).getId(), alerts.get(1).getExplainedBy());
        }
    }

    /**
     * The accepted connection that explains a drop is still open at its last SYN, so PAWS cannot tell yet: the
     * UNANSWERED_SYN goes out as a warning when it is found, and PAWS_SYN_DROP, once, when the drop's flow closes
     * (as before), naming the UNANSWERED_SYN that reported the same SYNs.
     */
    @Test
    void anAcceptedConnectionStillOpenAtTheDropMakesAPawsAlertAfterTheUnansweredSyn() {
        try (ProcessorDriver driver = driver()) {
            driver.send(withTsVal(tcp("server", T0, NAT, 40000, SERVER, 80, SYN, 1000, 0, 0), 3_000_000_000L));
            driver.send(tcp("server", T0 + 100, SERVER, 80, NAT, 40000, SYN | ACK, 5000, 1001, 0));
            driver.send(tcp("server", T0 + 200, NAT, 40000, SERVER, 80, ACK, 1001, 5001, 0));
            dropped(driver, T0 + 2 * S, 40001, 1_000_000_000L);
            driver.tick(T0, T0 + 15 * S, "server");
            List<Alert> first = driver.alerts();
            assertEquals(List.of(UnansweredSynDetector.TYPE), first.stream().map(Alert::getType).toList(), first.toString());
            assertEquals(Severity.warning, first.get(0).getSeverity());
            driver.send(tcp("server", T0 + 20 * S, NAT, 40000, SERVER, 80, FIN | ACK, 1001, 5001, 0));
            driver.send(tcp("server", T0 + 20 * S + 100, SERVER, 80, NAT, 40000, FIN | ACK, 5001, 1002, 0));
            driver.send(tcp("server", T0 + 20 * S + 200, NAT, 40000, SERVER, 80, ACK, 1002, 5002, 0));
            driver.tick(T0 + 20 * S, T0 + 200 * S, "server");
            driver.endOfInput(T0 + 201 * S, "server");
            List<Alert> later = driver.alerts();
            assertEquals(List.of(PawsSynDropDetector.TYPE), later.stream().map(Alert::getType).toList(), later.toString());
            assertTrue(later.get(0).getSummary().contains("UNANSWERED_SYN " + first.get(0).getId()),
                    later.get(0).getSummary());
        }
    }

    /** TSvals compare as 32-bit serial numbers: just past the wrap is newer than just before it. */
    @Test
    void timestampsCompareAcrossTheWrap() {
        try (ProcessorDriver driver = driver()) {
            accepted(driver, T0, 40000, 10L);
            dropped(driver, T0 + 2 * S, 40001, 4_294_967_000L);
            assertEquals(1, paws(driver, T0 + 30 * S).size());
        }
    }
}
