//! Attempts per client address, against two limits: for wrong conference PINs, and for guests'
//! passes (knocking at a meeting's door). A leaky bucket of attempts per key (core's `Bucket`).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use preau_core::Millis;
use preau_core::throttle::{Bucket, Limit};

/// Addresses followed at most; when that many still wait, a new one waits too.
pub(crate) const MAX_KEYS: usize = 20_000;

/// Attempts counted per client address — per /56 for IPv6, which hands a whole block to one
/// customer — against two limits: a short one (slowed) and a long one (locked out).
pub struct AddressThrottle {
    limits: [Limit; 2],
    buckets: Mutex<HashMap<IpAddr, [Bucket; 2]>>,
}

/// The key of an address: itself for IPv4 (and IPv4 mapped into IPv6), its /56 for IPv6.
pub(crate) fn key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 72) - 1)).into()),
        },
    }
}

impl AddressThrottle {
    pub fn new(limits: [Limit; 2]) -> AddressThrottle {
        AddressThrottle { limits, buckets: Mutex::new(HashMap::new()) }
    }

    /// Counts an attempt in advance (refunded by [`AddressThrottle::refund`] when it should not
    /// count), or the wait in milliseconds when this address must wait.
    pub fn begin(&self, ip: IpAddr, now: Millis) -> Result<(), Millis> {
        let [short, long] = self.limits;
        let ip = key(ip);
        let mut map = self.buckets.lock().unwrap();
        if map.len() >= MAX_KEYS && !map.contains_key(&ip) {
            map.retain(|_, b| !b.iter().all(|k| k.is_idle(now)));
            // Still full: a guesser spread over many addresses is at work; newcomers wait.
            if map.len() >= MAX_KEYS {
                return Err(short.refill_ms);
            }
        }
        let buckets = map.entry(ip).or_default();
        let waits = [buckets[0].check(short, now), buckets[1].check(long, now)];
        if let Some(wait) = waits.iter().filter_map(|w| w.err()).max() {
            return Err(wait);
        }
        buckets[0].fail(short, now);
        buckets[1].fail(long, now);
        Ok(())
    }

    pub fn refund(&self, ip: IpAddr, now: Millis) {
        let [short, long] = self.limits;
        if let Some(b) = self.buckets.lock().unwrap().get_mut(&key(ip)) {
            b[0].refund(short, now);
            b[1].refund(long, now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: [Limit; 2] = [Limit { burst: 5, refill_ms: 60_000 }, Limit { burst: 20, refill_ms: 3_600_000 }];

    #[test]
    fn an_ipv6_customer_block_is_one_key() {
        let a: IpAddr = "2001:db8:1:100::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:1ff:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:200::1".parse().unwrap();
        assert_eq!(key(a), key(b));
        assert_ne!(key(a), key(c));
        assert_eq!(key("::ffff:10.0.0.1".parse().unwrap()), key([10, 0, 0, 1].into()));
        let t = AddressThrottle::new(LIMITS);
        for _ in 0..5 {
            t.begin(a, 0).unwrap();
        }
        assert!(t.begin(b, 0).is_err(), "another address of the same block waits too");
        assert!(t.begin(c, 0).is_ok());
    }

    #[test]
    fn a_full_table_makes_newcomers_wait_rather_than_forget_guessers() {
        let t = AddressThrottle::new(LIMITS);
        let now = 1_000_000_000;
        for n in 0..MAX_KEYS as u32 {
            t.begin(IpAddr::V4(n.into()), now).unwrap();
        }
        assert!(t.begin([250, 0, 0, 1].into(), now).is_err(), "a new address waits while the table is full");
        assert!(t.begin(IpAddr::V4(7u32.into()), now).is_ok(), "known ones keep their own count");
        assert!(t.begin([250, 0, 0, 1].into(), now + 4 * 3_600_000 * 24).is_ok(), "once the old entries drain, room again");
    }

}
