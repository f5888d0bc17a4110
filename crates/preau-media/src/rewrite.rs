//! What one subscriber's outgoing stream says about the packets forwarded on it.
//!
//! The SFU forwards RTP packets untouched but for their header: each subscriber's stream must
//! look like one continuous stream although it carries, in turn, different simulcast layers
//! (each with its own sequence numbers, timestamps and VP8 picture ids) with pauses between.
//! At each switch of layer (the room's core makes it on a keyframe), on a keyframe after a pause,
//! when the publisher's SSRC changes and when the slot is given another track, the offsets are
//! set again so that the stream continues where it stopped — the outgoing SSRC and its roll-over
//! count never start over. In between, sequence numbers keep their gaps, so the subscriber asks
//! (NACK) for what was lost upstream and the retransmission fills the hole; a packet older than
//! the last re-offset belongs to what came before and is not forwarded (its number would collide).
//! A pause that does not end on a keyframe keeps its gap: the subscriber sees the loss and asks
//! for a keyframe. Audio, whose silent packets are not forwarded, is renumbered without gaps.

use std::time::{Duration, Instant};

use crate::Layer;

/// After this long without a packet, the stream starts again as after a switch.
pub const RESUME_AFTER: Duration = Duration::from_millis(500);

/// One received packet, as far as rewriting goes.
#[derive(Debug, Clone, Copy)]
pub struct In {
    /// The publisher's SSRC for this layer.
    pub ssrc: u32,
    /// Extended sequence number (str0m counts the roll-overs).
    pub seq: u64,
    pub ts: u32,
    pub layer: Layer,
    /// VP8 PictureID (15 bits) and TL0PICIDX, when the payload descriptor has them.
    pub picture_id: Option<u16>,
    pub tl0: Option<u8>,
    /// The packet starts a keyframe.
    pub keyframe: bool,
    pub at: Instant,
    /// RTP clock rate of the codec.
    pub clock_hz: u32,
}

/// The header fields to send instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Out {
    pub seq: u64,
    pub ts: u32,
    pub picture_id: Option<u16>,
    pub tl0: Option<u8>,
}

#[derive(Debug, Default, Clone)]
pub struct Rewriter {
    started: bool,
    layer: Option<Layer>,
    ssrc: Option<u32>,
    /// The incoming sequence number of the last re-offset: older packets are not forwarded.
    since: u64,
    /// Audio: the next packet re-offsets its timestamps (the track or the SSRC changed).
    audio_rebase: bool,
    seq_off: i64,
    ts_off: u32,
    pid_off: u16,
    tl0_off: u8,
    last_seq: u64,
    last_ts: u32,
    last_pid: Option<u16>,
    last_tl0: Option<u8>,
    last_at: Option<Instant>,
}

impl Rewriter {
    /// The slot now carries another track: its stream goes on where it stopped.
    pub fn retarget(&mut self) {
        self.layer = None;
        self.ssrc = None;
        self.audio_rebase = true;
    }

    fn ticks_since_last(&self, p: &In) -> u32 {
        let elapsed = self.last_at.map(|t| p.at.saturating_duration_since(t)).unwrap_or_default();
        (elapsed.as_micros() as u64 * u64::from(p.clock_hz) / 1_000_000).max(1) as u32
    }

    /// A video packet of the layer the subscriber receives now; `None`: not to be forwarded (it
    /// is older than the last re-offset).
    pub fn video(&mut self, p: &In) -> Option<Out> {
        let paused = self.last_at.is_some_and(|t| p.at.saturating_duration_since(t) > RESUME_AFTER);
        let rebase = !self.started
            || self.layer != Some(p.layer)
            || self.ssrc != Some(p.ssrc)
            || (paused && p.keyframe);
        if !rebase && p.seq < self.since {
            return None;
        }
        if rebase {
            let (seq, ts, pid, tl0) = match self.last_at.filter(|_| self.started) {
                Some(_) => {
                    let ticks = self.ticks_since_last(p);
                    (
                        self.last_seq + 1,
                        self.last_ts.wrapping_add(ticks),
                        self.last_pid.map(|x| (x + 1) & 0x7fff),
                        self.last_tl0.map(|x| x.wrapping_add(1)),
                    )
                }
                // A new stream starts below 65,536: no roll-over count to tell the receiver.
                None => (p.seq & 0xffff, p.ts, p.picture_id, p.tl0),
            };
            self.seq_off = seq as i64 - p.seq as i64;
            self.ts_off = ts.wrapping_sub(p.ts);
            self.pid_off = match (pid, p.picture_id) {
                (Some(next), Some(now)) => next.wrapping_sub(now) & 0x7fff,
                _ => 0,
            };
            self.tl0_off = match (tl0, p.tl0) {
                (Some(next), Some(now)) => next.wrapping_sub(now),
                _ => 0,
            };
            self.layer = Some(p.layer);
            self.ssrc = Some(p.ssrc);
            self.since = p.seq;
            self.started = true;
        }
        let out = Out {
            seq: (p.seq as i64 + self.seq_off).max(0) as u64,
            ts: p.ts.wrapping_add(self.ts_off),
            picture_id: p.picture_id.map(|x| x.wrapping_add(self.pid_off) & 0x7fff),
            tl0: p.tl0.map(|x| x.wrapping_add(self.tl0_off)),
        };
        // A late retransmission must not move the stream's end backwards.
        if rebase || out.seq > self.last_seq {
            self.last_seq = out.seq;
            self.last_ts = out.ts;
            self.last_at = Some(p.at);
            self.last_pid = out.picture_id.or(self.last_pid);
            self.last_tl0 = out.tl0.or(self.last_tl0);
        }
        Some(out)
    }

    /// An audio packet: numbered right after the last one forwarded, whatever was skipped
    /// (silence is not forwarded); timestamps keep their pace.
    pub fn audio(&mut self, p: &In) -> Out {
        if !self.started {
            self.started = true;
            self.last_seq = p.seq & 0xffff;
            self.ts_off = 0;
        } else {
            self.last_seq += 1;
            if self.audio_rebase || self.ssrc != Some(p.ssrc) {
                // Another track or source on the same stream: time goes on from where it was.
                self.ts_off = self.last_ts.wrapping_add(self.ticks_since_last(p)).wrapping_sub(p.ts);
            }
        }
        self.audio_rebase = false;
        self.ssrc = Some(p.ssrc);
        let ts = p.ts.wrapping_add(self.ts_off);
        self.last_ts = ts;
        self.last_at = Some(p.at);
        Out { seq: self.last_seq, ts, picture_id: None, tl0: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkt(seq: u64, ts: u32, layer: Layer, pid: u16, at: Instant) -> In {
        In {
            ssrc: layer as u32 + 1,
            seq,
            ts,
            layer,
            picture_id: Some(pid),
            tl0: Some((pid % 256) as u8),
            keyframe: false,
            at,
            clock_hz: 90_000,
        }
    }

    fn key(p: In) -> In {
        In { keyframe: true, ..p }
    }

    fn audio(ssrc: u32, seq: u64, ts: u32, at: Instant) -> In {
        In { ssrc, seq, ts, layer: Layer::High, picture_id: None, tl0: None, keyframe: false, at, clock_hz: 48_000 }
    }

    #[test]
    fn a_layer_switch_continues_the_stream_where_it_stopped() {
        let t0 = Instant::now();
        let mut r = Rewriter::default();
        // The low layer: a new stream starts from the packet's own (small) numbers.
        let a = r.video(&key(pkt(70_000, 1000, Layer::Low, 500, t0))).unwrap();
        assert_eq!(a.seq, 70_000 & 0xffff, "no roll-over count on a new stream");
        let b = r.video(&pkt(70_001, 4000, Layer::Low, 501, t0 + Duration::from_millis(33))).unwrap();
        assert_eq!((b.seq, b.ts, b.picture_id), (a.seq + 1, 4000, Some(501)));
        // The switch to the high layer (on its keyframe), whose numbers are unrelated.
        let c = r.video(&key(pkt(9, 777_000, Layer::High, 12_000, t0 + Duration::from_millis(66)))).unwrap();
        assert_eq!(c.seq, b.seq + 1);
        assert_eq!(c.ts, 4000 + 2970, "33 ms later at 90 kHz");
        assert_eq!(c.picture_id, Some(502));
        assert_eq!(c.tl0, Some(b.tl0.unwrap().wrapping_add(1)));
        let d = r.video(&pkt(10, 780_000, Layer::High, 12_001, t0 + Duration::from_millis(99))).unwrap();
        assert_eq!((d.seq, d.ts, d.picture_id), (c.seq + 1, c.ts + 3000, Some(503)));
        // A late packet of the high layer from before the switch would collide: not forwarded.
        assert_eq!(r.video(&pkt(8, 774_000, Layer::High, 11_999, t0 + Duration::from_millis(100))), None);
    }

    #[test]
    fn gaps_are_kept_so_the_subscriber_asks_for_what_was_lost_and_late_packets_fill_them() {
        let t0 = Instant::now();
        let mut r = Rewriter::default();
        let a = r.video(&key(pkt(100, 0, Layer::Mid, 1, t0))).unwrap();
        let c = r.video(&pkt(102, 0, Layer::Mid, 1, t0)).unwrap();
        assert_eq!(c.seq, a.seq + 2, "the lost packet's number is left free");
        let b = r.video(&pkt(101, 0, Layer::Mid, 1, t0)).unwrap();
        assert_eq!(b.seq, a.seq + 1, "the retransmission takes it");
        let d = r.video(&pkt(103, 0, Layer::Mid, 1, t0)).unwrap();
        assert_eq!(d.seq, c.seq + 1, "and the late packet did not move the end back");
    }

    #[test]
    fn a_pause_ending_on_a_keyframe_resumes_without_a_jump_and_one_that_does_not_keeps_its_gap() {
        let t0 = Instant::now();
        let mut r = Rewriter::default();
        let a = r.video(&key(pkt(100, 0, Layer::Mid, 1, t0))).unwrap();
        // Packets lost for a second, then a delta frame: the gap stays visible.
        let b = r.video(&pkt(130, 90_000, Layer::Mid, 31, t0 + Duration::from_secs(1))).unwrap();
        assert_eq!(b.seq, a.seq + 30, "the loss is seen, so the subscriber asks for a keyframe");
        assert_eq!(b.picture_id, Some(31));
        // Paused on purpose, resumed on a keyframe: continuous.
        let c = r.video(&key(pkt(900, 90_000 * 6, Layer::Mid, 300, t0 + Duration::from_secs(6)))).unwrap();
        assert_eq!(c.seq, b.seq + 1);
        assert_eq!(c.ts, 90_000 + 90_000 * 5, "the pause's length in timestamps");
        assert_eq!(c.picture_id, Some(32));
    }

    #[test]
    fn another_track_on_the_slot_goes_on_with_the_same_numbering() {
        let t0 = Instant::now();
        let mut r = Rewriter::default();
        let a = r.video(&key(pkt(65_000, 10, Layer::Mid, 7, t0))).unwrap();
        r.retarget();
        // Someone else's camera, its numbers far away: the stream does not jump back to them.
        let mut other = key(pkt(3, 555, Layer::Mid, 9_000, t0 + Duration::from_millis(40)));
        other.ssrc = 99;
        let b = r.video(&other).unwrap();
        assert_eq!((b.seq, b.ts, b.picture_id), (a.seq + 1, 10 + 3600, Some(8)));
        // Audio likewise.
        let mut r = Rewriter::default();
        let x = r.audio(&audio(1, 40_000, 960, t0));
        r.retarget();
        let y = r.audio(&audio(2, 7, 123_456, t0 + Duration::from_millis(20)));
        assert_eq!((y.seq, y.ts), (x.seq + 1, 960 + 960));
    }

    #[test]
    fn audio_is_numbered_without_gaps() {
        let t0 = Instant::now();
        let mut r = Rewriter::default();
        let a = r.audio(&audio(1, 5, 960, t0));
        let b = r.audio(&audio(1, 9, 960 * 5, t0));
        assert_eq!((a.seq, b.seq), (5, 6));
        assert_eq!(b.ts, 960 * 5, "timestamps keep the silence's length");
    }
}
