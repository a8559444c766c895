package dev.wirewatch.sink.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetLedgerTest {
    private static final TopicPartition P0 = new TopicPartition("ww.alerts", 0);
    private static final TopicPartition P1 = new TopicPartition("ww.alerts", 1);

    private static AlertPosition at(TopicPartition partition, long offset) {
        return new AlertPosition(partition, offset, 0);
    }

    @Test
    void commitsStopAtTheFirstAlertAnOutputStillHolds() {
        OffsetLedger ledger = new OffsetLedger();
        ledger.open(at(P0, 10), 2); // two outputs
        ledger.open(at(P0, 11), 2);
        ledger.open(at(P0, 12), 0); // a duplicate: finished on arrival
        ledger.open(at(P1, 5), 1);
        ledger.finish(at(P0, 11));
        ledger.finish(at(P0, 11)); // both outputs done with 11, but 10 is still out
        ledger.finish(at(P1, 5));
        assertEquals(Map.of(P0, new OffsetAndMetadata(10), P1, new OffsetAndMetadata(6)), commit(ledger));

        ledger.finish(at(P0, 10));
        assertEquals(Map.of(), commit(ledger), "10 still held by the second output");
        ledger.finish(at(P0, 10));
        assertEquals(Map.of(P0, new OffsetAndMetadata(13)), commit(ledger), "past the duplicate too");
        assertEquals(Map.of(), commit(ledger), "nothing new");
    }

    @Test
    void holdsAddedWhileGroupedKeepTheRecordOpenUntilEveryOutputFinished() {
        OffsetLedger ledger = new OffsetLedger();
        ledger.open(at(P0, 0), 1);   // held by the grouper
        ledger.hold(at(P0, 0), 2);   // handed to two outputs
        ledger.finish(at(P0, 0));    // the grouper lets go
        ledger.finish(at(P0, 0));    // the first output
        assertEquals(Map.of(P0, new OffsetAndMetadata(0)), commit(ledger));
        ledger.finish(at(P0, 0));
        assertEquals(Map.of(P0, new OffsetAndMetadata(1)), commit(ledger));
    }

    @Test
    void anUncommittedAdvanceIsOfferedAgainAndForgottenPartitionsAreLeftToTheirNewOwner() {
        OffsetLedger ledger = new OffsetLedger();
        ledger.open(at(P0, 3), 0);
        assertEquals(Map.of(P0, new OffsetAndMetadata(4)), ledger.advanced());
        assertEquals(Map.of(P0, new OffsetAndMetadata(4)), ledger.advanced(), "the commit failed: offer it again");
        ledger.forget(List.of(P0));
        assertEquals(Map.of(), ledger.advanced());
    }

    @Test
    void aDeliveryFromBeforeARebalanceCannotFinishTheSameOffsetReadAgain() {
        OffsetLedger ledger = new OffsetLedger();
        AlertPosition before = ledger.position(P0, 7);
        ledger.open(before, 1);
        ledger.forget(List.of(P0));          // revoked while an output still retries offset 7
        AlertPosition again = ledger.position(P0, 7);
        ledger.open(again, 1);               // assigned back and read again
        ledger.finish(before);               // the old delivery ends
        assertEquals(Map.of(P0, new OffsetAndMetadata(7)), commit(ledger), "7 is open until its new delivery ends");
        ledger.finish(again);
        assertEquals(Map.of(P0, new OffsetAndMetadata(8)), commit(ledger));
    }

    @Test
    void retriesBackOffExponentiallyUpToTheCap() {
        RetryPolicy policy = new RetryPolicy(6, Duration.ofSeconds(1), Duration.ofSeconds(5));
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(5),
                Duration.ofSeconds(5)), List.of(policy.backoff(1), policy.backoff(2), policy.backoff(3), policy.backoff(4),
                policy.backoff(5)));
        assertEquals(Duration.ofSeconds(17), policy.worstCase());
    }

    @Test
    void aRateLimitLetsABurstThroughThenRefillsEvenly() {
        long second = 1_000_000_000L;
        RateLimit limit = RateLimit.parse("2/s", 0);
        assertEquals(List.of(true, true, false), List.of(limit.tryAcquire(0), limit.tryAcquire(0), limit.tryAcquire(0)));
        assertEquals(false, limit.tryAcquire(second / 4));
        assertEquals(true, limit.tryAcquire(second / 2 + 1));
    }

    private static Map<TopicPartition, OffsetAndMetadata> commit(OffsetLedger ledger) {
        Map<TopicPartition, OffsetAndMetadata> offsets = ledger.advanced();
        ledger.committed(offsets);
        return offsets;
    }
}
