// Compares the processor's packet counts per flow and vantage (ww.flows, FlowRecord vantages origPackets +
// respPackets) with tshark's count of the same captures, for TCP and UDP flows. Run against the wirewatch jar:
//   java -cp "$WW_JAR" deploy/faults/lib/FlowCounts.java BOOTSTRAP FLOWS_TOPIC HOST=TSHARK_FIELDS_FILE...
// Each TSHARK_FIELDS_FILE holds `tshark -n -r CAPTURE -Y '(tcp or udp) and not icmp and not icmpv6' -T fields
// -E separator=';' -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst -e tcp.srcport -e udp.srcport -e tcp.dstport
// -e udp.dstport`. Prints "flows=F equal=E differing=D packets_expected=X packets_counted=Y" (and the first
// differing flows on stderr); exits 0 only if every flow's count is tshark's.
import dev.wirewatch.record.FlowRecord;
import dev.wirewatch.record.VantageView;
import dev.wirewatch.schemas.AvroSerde;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public class FlowCounts {
    public static void main(String[] args) throws Exception {
        Map<String, Long> truth = new TreeMap<>();
        for (String hostFile : Arrays.copyOfRange(args, 2, args.length)) {
            String host = hostFile.substring(0, hostFile.indexOf('='));
            for (String line : Files.readAllLines(Path.of(hostFile.substring(host.length() + 1)))) {
                String[] f = line.split(";", -1);
                boolean tcp = !f[4].isEmpty();
                truth.merge(host + " " + flow(tcp ? 6 : 17, f[0] + f[1], Integer.parseInt(tcp ? f[4] : f[5]), f[2] + f[3],
                        Integer.parseInt(tcp ? f[6] : f[7])), 1L, Long::sum);
            }
        }
        Map<String, Long> counted = new TreeMap<>();
        var flows = AvroSerde.of(FlowRecord.class).deserializer();
        Map<String, Object> config = new HashMap<>(Map.of("bootstrap.servers", args[0], "isolation.level", "read_committed",
                "enable.auto.commit", false));
        try (Consumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(args[1]).stream()
                    .map(p -> new TopicPartition(args[1], p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
                    FlowRecord flow = flows.deserialize(args[1], record.value());
                    if (flow.getProtocol() == 6 || flow.getProtocol() == 17) {
                        for (VantageView view : flow.getVantages()) {
                            counted.merge(view.getHost() + " " + flow(flow.getProtocol(), flow.getClient(), flow.getClientPort(),
                                    flow.getServer(), flow.getServerPort()), view.getOrigPackets() + view.getRespPackets(), Long::sum);
                        }
                    }
                }
            }
        }
        Set<String> all = new TreeSet<>(truth.keySet());
        all.addAll(counted.keySet());
        List<String> differing = all.stream().filter(key -> !Objects.equals(truth.get(key), counted.get(key))).toList();
        differing.stream().limit(10).forEach(key -> System.err.println(key + ": tshark " + truth.get(key)
                + ", processor " + counted.get(key)));
        System.out.printf("flows=%d equal=%d differing=%d packets_expected=%d packets_counted=%d%n", all.size(),
                all.size() - differing.size(), differing.size(), sum(truth), sum(counted));
        System.exit(differing.isEmpty() && !truth.isEmpty() ? 0 : 1);
    }

    static long sum(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** A flow named the same whichever side is first and however an address is spelled. */
    static String flow(int protocol, String a, int aPort, String b, int bPort) throws Exception {
        String first = InetAddress.getByName(a).getHostAddress() + "#" + aPort;
        String second = InetAddress.getByName(b).getHostAddress() + "#" + bPort;
        return protocol + " " + (first.compareTo(second) < 0 ? first + " " + second : second + " " + first);
    }
}
