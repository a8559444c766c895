package dev.wirewatch.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The published Community ID v1 vectors (Zeek's community_id_v1 btest and the spec's examples; BSD licence):
 * each flow must hash to the published id, from both directions.
 */
class CommunityIdTest {
    @ParameterizedTest(name = "{0} seed {1}")
    @CsvSource({
        "tcp,   0, 1.2.3.4, 1122, 5.6.7.8, 3344, 6,  1:wCb3OG7yAFWelaUydu0D+125CLM=",
        "udp,   0, 1.2.3.4, 1122, 5.6.7.8, 3344, 17, 1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=",
        "icmp,  0, 1.2.3.4, 8, 5.6.7.8, 0, 1,        1:crodRHL2FEsHjbv3UkRrfbs4bZ0=",
        "icmp6, 0, fe80:1:203:405:607:809:a0b:c0d, 128, fe80:1011:1213:1415:1617:1819:1a1b:1c1d, 0, 58, 1:0bf7hyMJUwt3fMED7z8LIfRpBeo=",
        "rsvp,  0, 1.2.3.4, 0, 5.6.7.8, 0, 46,       1:ikv3kmf89luf73WPz1jOs49S768=",
        "tcp,   1, 1.2.3.4, 1122, 5.6.7.8, 3344, 6,  1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=",
        "udp,   1, 1.2.3.4, 1122, 5.6.7.8, 3344, 17, 1:OShq+iKDAMVouh/4bMxB9Sz4amw=",
        "icmp,  1, 1.2.3.4, 8, 5.6.7.8, 0, 1,        1:9pr4ZGTICiuZoIh90RRYE2RyXpU=",
        "icmp6, 1, fe80:1:203:405:607:809:a0b:c0d, 128, fe80:1011:1213:1415:1617:1819:1a1b:1c1d, 0, 58, 1:IO27GQzPuCtNnwFvjWALMHu5tJE=",
    })
    void everyPublishedVectorHashesToItsIdFromBothDirections(String name, int seed, String src, int srcPort, String dst,
                                                            int dstPort, int protocol, String expected) {
        byte[] a = Addresses.parse(src);
        byte[] b = Addresses.parse(dst);
        assertEquals(expected, CommunityId.v1(seed, a, b, protocol, srcPort, dstPort), name + " forward");
        if (protocol == 1 || protocol == 58) {
            int replyType = protocol == 1 ? 0 : 129;
            assertEquals(expected, CommunityId.v1(seed, b, a, protocol, replyType, 0), name + " reply");
        } else {
            assertEquals(expected, CommunityId.v1(seed, b, a, protocol, dstPort, srcPort), name + " backward");
        }
    }
}
