//! What each bot measures while the run is in its steady window, and their sum.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::media::{Kind, Probe, nanos_since_epoch};

/// Set by the orchestrator for the steady window only: bots count nothing outside it.
#[derive(Clone, Default)]
pub struct Window(Arc<AtomicBool>);

impl Window {
    pub fn open(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
    pub fn set(&self, open: bool) {
        self.0.store(open, Ordering::Relaxed)
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Stream {
    last_index: Option<u32>,
    last_transit: Option<i64>,
    /// RFC 3550 interarrival jitter, in nanoseconds.
    jitter: f64,
}

/// One bot's counts.
#[derive(Debug, Default)]
pub struct BotStats {
    pub rtp_packets_in: u64,
    pub rtp_bytes_in: u64,
    pub frames_in: u64,
    /// Frames missing from a stream's index sequence.
    pub frames_lost: u64,
    pub frames_out: u64,
    pub latencies_us: Vec<u32>,
    /// The same for voice frames alone: what a class hears late.
    pub voice_latencies_us: Vec<u32>,
    streams: HashMap<(u32, Kind), Stream>,
    /// (publisher, kind) heard from in the window.
    pub seen: BTreeSet<(u32, Kind)>,
    /// This bot sent voiced audio in the window.
    pub voiced: bool,
    pub connected_at: Option<Instant>,
}

/// Is this datagram RTP (not STUN, DTLS or RTCP)? RFC 7983 demultiplexing, then RFC 5761 for RTCP.
pub fn is_rtp(d: &[u8]) -> bool {
    d.len() >= 12 && (128..=191).contains(&d[0]) && !(72..=76).contains(&(d[1] & 0x7f))
}

impl BotStats {
    /// A frame received at `now`; counted when `count` (the window is open), followed always.
    pub fn frame(&mut self, data: &[u8], now: Instant, count: bool) {
        let Some(p) = Probe::find(data) else { return };
        if p.silent {
            return;
        }
        let transit = nanos_since_epoch(now) as i64 - p.sent_ns as i64;
        if count {
            self.frames_in += 1;
            self.seen.insert((p.publisher, p.kind));
            let us = (transit.max(0) / 1000).min(u32::MAX as i64) as u32;
            self.latencies_us.push(us);
            if p.kind == Kind::Audio {
                self.voice_latencies_us.push(us);
            }
        }
        let s = self.streams.entry((p.publisher, p.kind)).or_default();
        if let Some(last) = s.last_index
            && p.index > last
            && count
        {
            self.frames_lost += u64::from(p.index - last - 1);
        }
        if s.last_index.is_none_or(|l| p.index > l) {
            s.last_index = Some(p.index);
        }
        if let Some(prev) = s.last_transit {
            let d = (transit - prev).abs() as f64;
            s.jitter += (d - s.jitter) / 16.0;
        }
        s.last_transit = Some(transit);
    }

    /// The SFU paused or resumed a video: what was not sent meanwhile is not loss.
    pub fn reset_stream(&mut self, publisher: u32, kind: Kind) {
        if let Some(s) = self.streams.get_mut(&(publisher, kind)) {
            s.last_index = None;
        }
    }

    pub fn jitters_ns(&self) -> impl Iterator<Item = f64> + '_ {
        self.streams
            .values()
            .filter(|s| s.last_transit.is_some())
            .map(|s| s.jitter)
    }
}
