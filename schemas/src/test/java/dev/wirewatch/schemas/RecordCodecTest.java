package dev.wirewatch.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.record.Alert;
import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.record.DeadLetter;
import dev.wirewatch.record.Evidence;
import dev.wirewatch.record.DirectionActivity;
import dev.wirewatch.record.FlowActivity;
import dev.wirewatch.record.FlowFinding;
import dev.wirewatch.record.FlowRecord;
import dev.wirewatch.record.HostInfo;
import dev.wirewatch.record.IcmpHeader;
import dev.wirewatch.record.InterfaceInfo;
import dev.wirewatch.record.KernelDrop;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.QuotedHeader;
import dev.wirewatch.record.SensorStatus;
import dev.wirewatch.record.Severity;
import dev.wirewatch.record.TcpHeader;
import dev.wirewatch.record.Tick;
import dev.wirewatch.record.UndeliveredAlert;
import dev.wirewatch.record.VantageView;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class RecordCodecTest {
    private final RecordCodec codec = RecordCodec.shared();

    static PacketEvent tcpSyn() {
        return PacketEvent.newBuilder().setHost("client").setIface("eth0").setTsMicros(1_700_000_000_123_456L)
                .setSrcMac(ByteBuffer.wrap(new byte[] {2, 0, 0, 0, 0, 1})).setDstMac(null).setVlan(null)
                .setIpVersion(4).setSrc(ByteBuffer.wrap(new byte[] {10, 0, 0, 1}))
                .setDst(ByteBuffer.wrap(new byte[] {10, 0, 0, 2})).setProtocol(6).setSrcPort(40000).setDstPort(80)
                .setTtl(64).setIpLength(60)
                .setTcp(TcpHeader.newBuilder().setFlags(0x02).setSeq(4_000_000_000L).setAck(0).setWindow(64240)
                        .setPayloadLength(0).setMss(1460).setWindowScale(7).setSackPermitted(true)
                        .setTsVal(3_000_000_000L).setTsEcr(0L).build())
                .setIcmp(null).build();
    }

    static List<SpecificRecord> oneOfEach() {
        PacketEvent icmpError = PacketEvent.newBuilder(tcpSyn()).setProtocol(1).setTcp(null).setSrcPort(0).setDstPort(0)
                .setIcmp(IcmpHeader.newBuilder().setType(3).setCode(3).setIdentifier(null).setGateway(null)
                        .setRedirectDestination(null)
                        .setQuoted(QuotedHeader.newBuilder().setSrc(ByteBuffer.wrap(new byte[] {10, 0, 0, 2}))
                                .setDst(ByteBuffer.wrap(new byte[] {10, 0, 0, 1})).setProtocol(17).setSrcPort(53)
                                .setDstPort(5353).setSeq(null).build()).build()).build();
        InterfaceInfo eth0 = InterfaceInfo.newBuilder().setName("eth0").setMac("02:00:00:00:00:01")
                .setAddresses(List.of("10.0.0.1/24")).setGateway("10.0.0.254").build();
        return List.of(
                tcpSyn(), icmpError,
                Tick.newBuilder().setHost("client").setTsMicros(5).setEndOfInput(true).build(),
                FlowActivity.newBuilder().setHost("client").setIface("eth0").setTsMicros(9).setIpVersion(4)
                        .setSrc(ByteBuffer.wrap(new byte[] {10, 0, 0, 1})).setDst(ByteBuffer.wrap(new byte[] {10, 0, 0, 2}))
                        .setProtocol(6).setSrcPort(40000).setDstPort(80)
                        .setForward(DirectionActivity.newBuilder().setPackets(10).setDataPackets(9).setIpBytes(14_520)
                                .setPayloadBytes(13_140).setFirstTsMicros(1).setLastTsMicros(9)
                                .setHighestSeqEnd(4_294_967_000L).setHighestAck(77L).setLastTsVal(5L).setLastWindow(501)
                                .setRetransmissions(1).build())
                        .setReverse(DirectionActivity.newBuilder().setPackets(5).build()).build(),
                ArpEvent.newBuilder().setHost("h").setIface("eth0").setTsMicros(7).setSrcMac(null).setDstMac(null)
                        .setVlan(10).setOperation(2).setSenderMac(ByteBuffer.wrap(new byte[6]))
                        .setSenderIp(ByteBuffer.wrap(new byte[4])).setTargetMac(ByteBuffer.wrap(new byte[6]))
                        .setTargetIp(ByteBuffer.wrap(new byte[4])).build(),
                SensorStatus.newBuilder().setSensorId("s1").setHost("h").setVersion("0.1").setTsMicros(1)
                        .setInterfaces(List.of(eth0)).setCaptured(List.of("eth0")).setPcapDropped(3)
                        .setReason("broker unreachable").setDegraded(true).setKafkaUnacknowledgedMs(45_000)
                        .setKernelDrops(java.util.Map.of("NETFILTER_DROP", 4L)).build(),
                HostInfo.newBuilder().setName("h").setInterfaces(List.of(eth0)).setCapture(List.of()).build(),
                FlowRecord.newBuilder().setCommunityId("1:abc").setProtocol(6).setClient("10.0.0.1").setClientPort(1)
                        .setServer("10.0.0.2").setServerPort(80).setFirstSeenMicros(1).setLastSeenMicros(2)
                        .setVantages(List.of(VantageView.newBuilder().setHost("h").setIface("eth0")
                                .setConnState("REJ").setHistory("Sr").setOrigPackets(1).setOrigBytes(0)
                                .setRespPackets(1).setRespBytes(0).setFirstSeenMicros(1).setLastSeenMicros(2)
                                .setSynCount(1).setHandshakeRttMicros(null).build())).build(),
                Alert.newBuilder().setId("a1").setType("CONNECTION_REFUSED").setSeverity(Severity.warning)
                        .setServer("10.0.0.2:80").setObservedBy(List.of("h")).setFirstSeenMicros(1).setLastSeenMicros(2)
                        .setCount(3).setSummary("s").setHint("h").setAcceptingPorts(List.of(8081))
                        .setDistinctClients(1L)
                        .setEvidence(List.of(Evidence.newBuilder().setHost("h").setTsMicros(1).setLine("x").build()))
                        .build(),
                DeadLetter.newBuilder().setTopic("ww.packets").setPartition(0).setOffset(9).setReason("garbage")
                        .setPayload(ByteBuffer.wrap(new byte[] {1})).build(),
                KernelDrop.newBuilder().setHost("h").setIface("eth0").setTsMicros(11).setSynTsMicros(10).setIpVersion(4)
                        .setSrc(ByteBuffer.wrap(new byte[] {10, 0, 0, 1})).setDst(ByteBuffer.wrap(new byte[] {10, 0, 0, 2}))
                        .setSrcPort(40000).setDstPort(80).setReason("NETFILTER_DROP").setLocation("nft_do_chain+0x46f/0x690")
                        .build(),
                UndeliveredAlert.newBuilder().setAlert(Alert.newBuilder().setId("a2").setType("UNANSWERED_SYN")
                                .setSeverity(Severity.critical).setFirstSeenMicros(1).setLastSeenMicros(1).setCount(1)
                                .setSummary("s").setHint("h").build())
                        .setOutput("webhook:hooks.example.com").setReason("HTTP 400").setAttempts(1).setFailedAtMillis(5)
                        .build(),
                FlowBatches.pack(tcpSyn(), List.of(tcpSyn(), PacketEvent.newBuilder(tcpSyn()).setTsMicros(1_700_000_000_124_000L)
                        .setSrc(ByteBuffer.wrap(new byte[] {10, 0, 0, 2})).setDst(ByteBuffer.wrap(new byte[] {10, 0, 0, 1}))
                        .setSrcPort(80).setDstPort(40000).build())),
                FlowFinding.newBuilder().setAlert(Alert.newBuilder().setId("a3").setType("UNANSWERED_SYN")
                                .setSeverity(Severity.info).setExplainedBy("a4").setFirstSeenMicros(1).setLastSeenMicros(1)
                                .setCount(2).setSummary("s").setHint("h").build())
                        .setFlow(FlowRecord.newBuilder().setCommunityId("1:abc").setProtocol(6).setClient("10.0.0.1")
                                .setClientPort(1).setServer("10.0.0.2").setServerPort(80).setFirstSeenMicros(1)
                                .setLastSeenMicros(2).setVantages(List.of()).build())
                        .build(),
                dev.wirewatch.record.VrrpAdvertisement.newBuilder().setHost("node2").setIface("eth0").setTsMicros(12)
                        .setSrcMac(ByteBuffer.wrap(new byte[6])).setVlan(null).setSrc(ByteBuffer.wrap(new byte[16]))
                        .setTtl(255).setVersion(3).setType(1).setVrid(11).setPriority(100).setIntervalCentis(100)
                        .setAuthType(null).setAddressCount(1).setAddresses(List.of(ByteBuffer.wrap(new byte[16]))).build());
    }

    @Test
    void everyRecordTypeSurvivesARoundTripUnchanged() {
        List<SpecificRecord> records = oneOfEach();
        assertEquals(RecordCodec.CURRENT_SCHEMAS.size(), records.stream().map(r -> r.getSchema().getFullName()).distinct().count(),
                "the test covers every record type the codec knows");
        for (SpecificRecord record : records) {
            assertEquals(record, codec.decode(codec.encode(record)), record.getSchema().getName());
        }
    }

    @Test
    void oneTopicCarriesSeveralTypesTellingThemApartByFingerprint() {
        AvroSerde<SpecificRecord> serde = AvroSerde.anyRecord();
        Tick tick = Tick.newBuilder().setHost("a").setTsMicros(1).build();
        byte[] tickBytes = serde.serializer().serialize("t", tick);
        byte[] packetBytes = serde.serializer().serialize("t", tcpSyn());
        assertTrue(serde.deserializer().deserialize("t", tickBytes) instanceof Tick);
        assertTrue(serde.deserializer().deserialize("t", packetBytes) instanceof PacketEvent);
        RecordDecodeException wrongType = assertThrows(RecordDecodeException.class,
                () -> AvroSerde.of(Alert.class).deserializer().deserialize("t", tickBytes));
        assertTrue(wrongType.getMessage().contains("expected Alert but found Tick"), wrongType.getMessage());
    }

    @Test
    void readerWithAnAddedOptionalFieldReadsDataWrittenWithTheOldSchema() throws Exception {
        // The old Tick, as an earlier version wrote it: without endOfInput.
        Schema oldTick = new Schema.Parser().parse("""
                {"type":"record","name":"Tick","namespace":"dev.wirewatch.record","fields":[
                  {"name":"host","type":"string"},{"name":"tsMicros","type":"long"}]}""");
        GenericRecord old = new GenericData.Record(oldTick);
        old.put("host", "sensor-a");
        old.put("tsMicros", 42L);
        ByteBuffer oldBytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), oldTick).encode(old);
        byte[] bytes = new byte[oldBytes.remaining()];
        oldBytes.get(bytes);

        RecordCodec reader = new RecordCodec(RecordCodec.CURRENT_SCHEMAS);
        assertThrows(RecordDecodeException.class, () -> reader.decode(bytes), "unknown writer schema is refused");
        reader.addWriterSchema(oldTick);
        Tick tick = reader.decode(bytes, Tick.class);
        assertEquals("sensor-a", tick.getHost());
        assertEquals(42L, tick.getTsMicros());
        assertEquals(false, tick.getEndOfInput(), "the added field takes its default");
    }

    /** Alerts written before explainedBy (on ww.alerts, in the processor's stores) still read after an upgrade. */
    @Test
    void anAlertWrittenBeforeExplainedByStillReads() throws Exception {
        Schema oldAlert = RecordCodec.PREVIOUS_SCHEMAS.get(0);
        assertNull(oldAlert.getField("explainedBy"), "Alert-1 is from before explainedBy");
        GenericRecord old = new GenericData.Record(oldAlert);
        old.put("id", "a1");
        old.put("type", "UNANSWERED_SYN");
        old.put("severity", new GenericData.EnumSymbol(oldAlert.getField("severity").schema(), "warning"));
        old.put("observedBy", List.of());
        old.put("firstSeenMicros", 1L);
        old.put("lastSeenMicros", 2L);
        old.put("count", 3L);
        old.put("summary", "s");
        old.put("hint", "h");
        old.put("evidence", List.of());
        ByteBuffer oldBytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), oldAlert).encode(old);
        byte[] bytes = new byte[oldBytes.remaining()];
        oldBytes.get(bytes);
        Alert alert = codec.decode(bytes, Alert.class);
        assertEquals("a1", alert.getId());
        assertEquals(Severity.warning, alert.getSeverity());
        assertNull(alert.getExplainedBy(), "the added field takes its default");
        assertEquals(1, alert.getRevision(), "an alert from before revisions is its finding's first");
    }

    /** Alerts (alone, undelivered, or in a FlowFinding on the processor's internal topic) from before revision read as revision 1. */
    @Test
    void everyRecordWrittenBeforeRevisionStillReadsAsTheFirstRevision() throws Exception {
        Schema oldFinding = RecordCodec.PREVIOUS_SCHEMAS.stream().filter(schema -> schema.getName().equals("FlowFinding"))
                .filter(schema -> schema.getField("alert").schema().getField("revision") == null)
                .findFirst().orElseThrow();
        FlowFinding current = FlowFinding.newBuilder()
                .setAlert(Alert.newBuilder().setId("a2").setType("UNANSWERED_SYN").setSeverity(Severity.warning)
                        .setFirstSeenMicros(1).setLastSeenMicros(2).setCount(3).setSummary("s").setHint("h").build())
                .setFlow(FlowRecord.newBuilder().setCommunityId("1:abc").setProtocol(6).setClient("10.0.0.1")
                        .setClientPort(1).setServer("10.0.0.2").setServerPort(80).setFirstSeenMicros(1)
                        .setLastSeenMicros(2).setVantages(List.of()).build())
                .build();
        // The same data as the previous version wrote it: under its schema, which has no revision.
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(body, null);
        new org.apache.avro.specific.SpecificDatumWriter<FlowFinding>(FlowFinding.class).write(current, encoder);
        encoder.flush();
        GenericRecord old = new org.apache.avro.generic.GenericDatumReader<GenericRecord>(FlowFinding.getClassSchema(),
                oldFinding).read(null, org.apache.avro.io.DecoderFactory.get().binaryDecoder(body.toByteArray(), null));
        ByteBuffer oldBytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), oldFinding).encode(old);
        byte[] bytes = new byte[oldBytes.remaining()];
        oldBytes.get(bytes);
        FlowFinding read = codec.decode(bytes, FlowFinding.class);
        assertEquals("a2", read.getAlert().getId());
        assertEquals(1, read.getAlert().getRevision());
    }

    /** ARP events on ww.l2 and alerts written before neighbour discovery and VRRP (a replay of older topics) still read. */
    @Test
    void recordsWrittenBeforeIpv6AndVrrpStillRead() throws Exception {
        ArpEvent arp = ArpEvent.newBuilder().setHost("node1").setTsMicros(5).setOperation(1)
                .setSenderMac(ByteBuffer.wrap(new byte[] {2, 0, 0, 0, 7, 1})).setSenderIp(ByteBuffer.wrap(new byte[] {192 - 256, 0, 2, 100}))
                .setTargetMac(ByteBuffer.wrap(new byte[6])).setTargetIp(ByteBuffer.wrap(new byte[] {192 - 256, 0, 2, 100})).build();
        ArpEvent readArp = codec.decode(underPrevious(arp, "ArpEvent", "ndFlags"), ArpEvent.class);
        assertEquals("node1", readArp.getHost());
        assertNull(readArp.getNdFlags(), "an ARP event from before neighbour discovery has no ND flags");
        Alert alert = Alert.newBuilder().setId("a3").setType("ARP_IP_MOVED").setSeverity(Severity.warning)
                .setFirstSeenMicros(1).setLastSeenMicros(2).setCount(1).setSummary("s").setHint("h").build();
        Alert readAlert = codec.decode(underPrevious(alert, "Alert", "protocol"), Alert.class);
        assertEquals("a3", readAlert.getId());
        assertNull(readAlert.getProtocol(), "an alert from before the protocol field has none");
    }

    /** {@code current} as the previous version wrote it: under the registered earlier schema that lacks {@code field}. */
    private static byte[] underPrevious(SpecificRecord current, String name, String field) throws Exception {
        Schema previous = RecordCodec.PREVIOUS_SCHEMAS.stream().filter(schema -> schema.getName().equals(name))
                .filter(schema -> schema.getField(field) == null).reduce((first, second) -> second).orElseThrow();
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(body, null);
        new org.apache.avro.specific.SpecificDatumWriter<SpecificRecord>(current.getSchema()).write(current, encoder);
        encoder.flush();
        GenericRecord old = new org.apache.avro.generic.GenericDatumReader<GenericRecord>(current.getSchema(), previous)
                .read(null, org.apache.avro.io.DecoderFactory.get().binaryDecoder(body.toByteArray(), null));
        ByteBuffer oldBytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), previous).encode(old);
        byte[] bytes = new byte[oldBytes.remaining()];
        oldBytes.get(bytes);
        return bytes;
    }

    @Test
    void garbageBytesGiveAClearDecodeExceptionAndNothingElse() {
        Random random = new Random(7);
        byte[] valid = codec.encode(tcpSyn());
        RecordDecodeException empty = assertThrows(RecordDecodeException.class, () -> codec.decode(new byte[0]));
        assertTrue(empty.getMessage().contains("not an Avro single-object record"), empty.getMessage());
        RecordDecodeException text = assertThrows(RecordDecodeException.class,
                () -> codec.decode("hello world".getBytes()));
        assertTrue(text.getMessage().contains("0x68656c6c"), text.getMessage());
        byte[] truncated = java.util.Arrays.copyOf(valid, valid.length / 2);
        RecordDecodeException body = assertThrows(RecordDecodeException.class, () -> codec.decode(truncated));
        assertTrue(body.getMessage().startsWith("corrupt record body"), body.getMessage());
        for (int i = 0; i < 20_000; i++) {
            byte[] mutated = valid.clone();
            mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
            byte[] cut = java.util.Arrays.copyOf(mutated, random.nextInt(mutated.length + 1));
            try {
                codec.decode(cut);
            } catch (RecordDecodeException expected) {
                // the only exception a caller ever has to handle
            }
        }
        assertNull(AvroSerde.anyRecord().deserializer().deserialize("t", null), "tombstones stay null");
    }

    @Test
    void aRecordWithBytesLeftAfterItsBodyIsCorruptNotATickWithAHugeHostName() {
        // A 900 KB record whose header names Tick: random bytes read as a Tick whose host name takes most of them.
        byte[] header = java.util.Arrays.copyOf(codec.encode(Tick.newBuilder().setHost("a").setTsMicros(1).build()), 10);
        byte[] huge = new byte[900 * 1024];
        new Random(18).nextBytes(huge);
        System.arraycopy(header, 0, huge, 0, header.length);
        huge[10] = (byte) 0x80; // the host name's length, a varint: 0x80 0xC0 0x37 = 450,560 characters
        huge[11] = (byte) 0xC0;
        huge[12] = (byte) 0x37;
        RecordDecodeException error = assertThrows(RecordDecodeException.class, () -> codec.decode(huge));
        // Which field gives out first depends on Tick's fields; that it is corrupt, not a Tick, does not.
        assertTrue(error.getMessage().startsWith("corrupt record body"), error.getMessage());
        byte[] valid = codec.encode(tcpSyn());
        byte[] padded = java.util.Arrays.copyOf(valid, valid.length + 1);
        RecordDecodeException padding = assertThrows(RecordDecodeException.class, () -> codec.decode(padded),
                "one byte too many is not the record");
        assertTrue(padding.getMessage().contains("bytes left after a"), padding.getMessage());
    }

    @Test
    void flowKeyIsTheSameForBothDirectionsAndRoundTripsThroughBytes() {
        byte[] a = {10, 0, 0, 1};
        byte[] b = {10, 0, 0, 2};
        FlowKey forward = FlowKey.of(6, a, 40000, b, 80);
        FlowKey backward = FlowKey.of(6, b, 80, a, 40000);
        assertEquals(forward, backward);
        assertArrayEquals(forward.toBytes(), backward.toBytes());
        assertEquals(forward, FlowKey.fromBytes(forward.toBytes()));
        assertEquals("tcp 10.0.0.1:40000 <-> 10.0.0.2:80", forward.toString());
        byte[] high = {(byte) 200, 0, 0, 1};
        assertArrayEquals(a, FlowKey.of(6, high, 1, a, 2).lowAddress(), "addresses compare unsigned");
    }

    @Test
    void icmpErrorIsKeyedByTheFlowItQuotes() {
        PacketEvent error = (PacketEvent) oneOfEach().get(1);
        assertEquals(FlowKey.of(17, new byte[] {10, 0, 0, 1}, 5353, new byte[] {10, 0, 0, 2}, 53), FlowKey.of(error));
    }

    @Test
    void ipv6AddressesPrintInRfc5952Form() {
        assertEquals("2001:db8::1", Addresses.ip(Addresses.parse("2001:0db8:0:0:0:0:0:1")));
        assertEquals("2001:db8:0:1:1:1:1:1", Addresses.ip(Addresses.parse("2001:db8:0:1:1:1:1:1")));
        assertEquals("::", Addresses.ip(new byte[16]));
        assertEquals("[fe80::1]:443", Addresses.endpoint(Addresses.parse("fe80::1"), 443));
    }
}
