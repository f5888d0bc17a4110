//! Login throttling: a leaky bucket of failures per key (an account, a client address).
//!
//! Only failures fill the bucket, so a whole school behind one address, typing correct
//! passwords at 8 o'clock, is never locked out; a guesser is. Each key may fail `burst` times
//! in a row, then once per `refill_ms`. The caller keeps one [`Bucket`] per key and passes the
//! time in.

use crate::Millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub burst: u32,
    pub refill_ms: Millis,
}

/// The state of one key: the time at which its bucket will be empty again (GCRA's
/// "theoretical arrival time").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bucket {
    empty_at: Millis,
}

impl Bucket {
    /// `Err(retry_after_ms)` when the key must wait before trying again.
    pub fn check(&self, limit: Limit, now: Millis) -> Result<(), Millis> {
        let level = self.empty_at - now;
        let allowance = limit.refill_ms * Millis::from(limit.burst.saturating_sub(1));
        if level > allowance { Err(level - allowance) } else { Ok(()) }
    }

    /// Counts one failure.
    pub fn fail(&mut self, limit: Limit, now: Millis) {
        self.empty_at = self.empty_at.max(now) + limit.refill_ms;
    }

    /// Takes back one failure counted in advance, for an attempt that succeeded.
    pub fn refund(&mut self, limit: Limit, now: Millis) {
        self.empty_at = (self.empty_at - limit.refill_ms).max(now.min(self.empty_at));
    }

    /// True once the bucket has fully drained, so the key can be forgotten.
    pub fn is_idle(&self, now: Millis) -> bool {
        self.empty_at <= now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Limit = Limit { burst: 3, refill_ms: 60_000 };

    #[test]
    fn burst_then_one_per_refill() {
        let mut b = Bucket::default();
        let t = 1_000_000;
        for i in 0..3 {
            assert_eq!(b.check(LIMIT, t), Ok(()), "attempt {i}");
            b.fail(LIMIT, t);
        }
        let wait = b.check(LIMIT, t).unwrap_err();
        assert!(wait > 0 && wait <= 60_000, "wait {wait}");
        assert!(b.check(LIMIT, t + wait - 1).is_err());
        assert_eq!(b.check(LIMIT, t + wait), Ok(()));
        b.fail(LIMIT, t + wait);
        assert!(b.check(LIMIT, t + wait).is_err(), "one failure per refill after the burst");
        assert!(b.is_idle(t + 5 * 60_000));
    }

    #[test]
    fn a_refunded_attempt_does_not_count() {
        let mut b = Bucket::default();
        for _ in 0..10 {
            assert_eq!(b.check(LIMIT, 0), Ok(()));
            b.fail(LIMIT, 0);
            b.refund(LIMIT, 0);
        }
        assert!(b.is_idle(0));
    }

    #[test]
    fn an_idle_key_starts_fresh() {
        let mut b = Bucket::default();
        b.fail(LIMIT, 0);
        b.fail(LIMIT, 0);
        b.fail(LIMIT, 0);
        assert!(b.check(LIMIT, 0).is_err());
        assert_eq!(b.check(LIMIT, 3 * 60_000), Ok(()));
        for _ in 0..3 {
            assert_eq!(b.check(LIMIT, 10 * 60_000), Ok(()));
            b.fail(LIMIT, 10 * 60_000);
        }
    }
}
