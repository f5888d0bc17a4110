//! The web front's source of time. Tests may set a fixed or shifted clock to test timeouts.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use preau_core::Millis;

/// Wall-clock time plus an offset that tests can move forward.
#[derive(Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> Millis {
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as Millis)
            .unwrap_or(0);
        wall + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Moves this clock (and every copy of it) forward: for tests of timeouts.
    pub fn advance(&self, ms: Millis) {
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }
}

/// Fresh random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    // The OS source failing leaves no safe way to make tokens: stopping is the right answer.
    getrandom::fill(&mut buf).expect("the operating system's random source failed");
    buf
}

pub fn random_u128() -> u128 {
    u128::from_le_bytes(random_bytes())
}
