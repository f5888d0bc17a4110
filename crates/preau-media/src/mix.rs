//! Mixing a room's voices into one track, for its recording: sans-IO, like the room's core.
//!
//! Each speaker's Opus packets are decoded and laid on one timeline at 48 kHz. A packet's place
//! is its RTP timestamp (RFC 7587: Opus runs at 48 kHz whatever it carries) measured from an
//! anchor: a packet of that speaker and its arrival. The anchor moves earlier when a packet
//! arrives sooner than its place says (the anchor's packet had come late), and is set again
//! when the timestamps jump (a new stream, a sender that restarted) or when packets keep
//! arriving too late for their place (a sender's clock slower than ours); a packet that is
//! merely late (a burst after a stall) keeps its place, or is dropped if that place has left
//! the timeline. Packets wait in their speaker's jitter buffer and
//! are decoded in order (an Opus decoder has state) as the frame they fall in leaves the
//! timeline, [`PLAYOUT`] after it was due: packets that arrive late or out of order still find
//! their place; what comes later than that is dropped. Nobody speaking is silence, so the recording keeps the meeting's
//! own time.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

use opus_pure::OpusDecoder;

/// Samples per second.
pub const RATE: usize = 48_000;
/// Samples in one 20 ms frame, the unit that leaves the mixer.
pub const FRAME: usize = RATE / 50;
/// How long a frame waits for late packets before it leaves.
pub const PLAYOUT: Duration = Duration::from_millis(200);
/// A speaker silent (no packet) for this long is forgotten: their decoder goes.
const FORGET: Duration = Duration::from_secs(10);
/// The loudest the mix gets (-0.2 dBFS).
const CEILING: f32 = 0.977;
/// How fast the limiter's gain comes back up: ×1.05 a frame (full gain about 0.5 s after a
/// loud passage that halved it).
const RELEASE: f32 = 1.05;
/// Packets in a row too late for their place before the anchor is set again.
const LATE_IN_A_ROW: u32 = 25;
/// A timestamp jump (either way) past this is a new stream, not a late or early packet.
const JUMP: i64 = RATE as i64 * 2;
/// The most one Opus packet decodes to (120 ms).
const MAX_PACKET: usize = RATE * 120 / 1000;

pub struct Mixer {
    start: Instant,
    voices: HashMap<u64, Voice>,
    /// Samples from `out_pos` on, summed.
    timeline: VecDeque<f32>,
    /// Position (in samples since `start`) of the first sample of `timeline`.
    out_pos: i64,
    decoded: Vec<f32>,
    /// The gain of the limiter at the end of the last frame: voices that add up past full
    /// scale are turned down smoothly (looking a frame ahead), never clipped flat.
    gain: f32,
    /// Packets that could not be decoded, or came too late for their place.
    pub dropped: u64,
}

struct Voice {
    decoder: OpusDecoder,
    /// An RTP timestamp and the timeline position it was anchored to.
    anchor: Option<(u32, i64)>,
    /// Packets in a row that came too late for their place.
    late_in_a_row: u32,
    last_heard: Instant,
    /// Packets waiting to be decoded, by timeline position.
    waiting: BTreeMap<i64, Vec<u8>>,
}

impl Mixer {
    pub fn new(start: Instant) -> Mixer {
        Mixer {
            start,
            voices: HashMap::new(),
            timeline: VecDeque::new(),
            out_pos: 0,
            decoded: vec![0.0; MAX_PACKET],
            gain: 1.0,
            dropped: 0,
        }
    }

    fn position(&self, at: Instant) -> i64 {
        (at.saturating_duration_since(self.start).as_micros() as i64) * RATE as i64 / 1_000_000
    }

    /// One Opus packet from `speaker`, that arrived at `arrival` with RTP timestamp `rtp_time`.
    pub fn push(&mut self, speaker: u64, arrival: Instant, rtp_time: u32, payload: &[u8]) {
        let arrived = self.position(arrival);
        let voice = match self.voices.entry(speaker) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => match OpusDecoder::new(RATE as i32, 1) {
                Ok(decoder) => e.insert(Voice { decoder, anchor: None, late_in_a_row: 0, last_heard: arrival, waiting: BTreeMap::new() }),
                Err(_) => return,
            },
        };
        voice.last_heard = arrival;
        let late = (PLAYOUT.as_micros() as i64) * RATE as i64 / 1_000_000;
        let placed = voice.anchor.map(|(t, p)| p + i64::from(rtp_time.wrapping_sub(t) as i32));
        let at = match placed {
            // In time, or late but still within the playout: its place.
            Some(p) if p <= arrived + FRAME as i64 && p > arrived - late + FRAME as i64 => {
                voice.late_in_a_row = 0;
                p
            }
            // Later than the playout allows, now and then: a burst after a stall. It keeps its
            // place (and is dropped below if that place has gone).
            Some(p) if p <= arrived && arrived - p < JUMP && voice.late_in_a_row < LATE_IN_A_ROW => {
                voice.late_in_a_row += 1;
                p
            }
            // First packet, sooner than its place (the anchor's packet came late), a jump in
            // the timestamps, or late again and again: anchored here.
            _ => {
                voice.late_in_a_row = 0;
                voice.anchor = Some((rtp_time, arrived));
                arrived
            }
        };
        if at < self.out_pos {
            self.dropped += 1;
            return;
        }
        // The same place twice (a packet sent again): the first one stays.
        if voice.waiting.contains_key(&at) {
            self.dropped += 1;
            return;
        }
        voice.waiting.insert(at, payload.to_vec());
    }

    /// Decodes, in order, each speaker's packets that start before `until`, into the timeline.
    fn decode(&mut self, until: i64) {
        for voice in self.voices.values_mut() {
            while let Some(entry) = voice.waiting.first_entry() {
                if *entry.key() >= until {
                    break;
                }
                let (at, payload) = entry.remove_entry();
                // The payload is whatever a participant sent: a decoder that fails, or panics,
                // costs that packet, and a panic the decoder's state.
                let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    voice.decoder.decode(&payload, MAX_PACKET, &mut self.decoded)
                }));
                let n = match decoded {
                    Ok(Ok(n)) => n,
                    Ok(Err(_)) => {
                        self.dropped += 1;
                        continue;
                    }
                    Err(_) => {
                        self.dropped += 1;
                        if let Ok(fresh) = OpusDecoder::new(RATE as i32, 1) {
                            voice.decoder = fresh;
                        }
                        continue;
                    }
                };
                // Behind what already left (a position set again): only the rest is heard.
                let skip = ((self.out_pos - at).max(0) as usize).min(n);
                let first = (at + skip as i64 - self.out_pos) as usize;
                if self.timeline.len() < first + n - skip {
                    self.timeline.resize(first + n - skip, 0.0);
                }
                for (slot, s) in self.timeline.range_mut(first..).zip(&self.decoded[skip..n]) {
                    *slot += *s;
                }
            }
        }
    }

    /// The next frame, once it is [`PLAYOUT`] old at `now`.
    pub fn pull(&mut self, now: Instant) -> Option<[f32; FRAME]> {
        let due = self.position(now) - (PLAYOUT.as_micros() as i64) * RATE as i64 / 1_000_000;
        if self.out_pos + FRAME as i64 > due {
            return None;
        }
        if (self.out_pos + FRAME as i64) % (RATE as i64) == 0 {
            self.voices.retain(|_, v| now.saturating_duration_since(v.last_heard) < FORGET);
        }
        // A frame ahead is decoded too, for the limiter to see it coming.
        self.decode(self.out_pos + 2 * FRAME as i64);
        Some(self.take())
    }

    /// At the end: the frames still waiting, whenever they were due.
    pub fn flush(&mut self) -> Option<[f32; FRAME]> {
        self.decode(i64::MAX);
        (!self.timeline.is_empty()).then(|| self.take())
    }

    fn take(&mut self) -> [f32; FRAME] {
        let n = FRAME.min(self.timeline.len());
        let peak = |m: f32, s: &f32| m.max(s.abs());
        let here = self.timeline.range(..n).fold(0.0, peak);
        let ahead = self.timeline.range(..(2 * FRAME).min(self.timeline.len())).fold(0.0, peak);
        let limit = |p: f32| if p > CEILING { CEILING / p } else { 1.0 };
        // From the gain that ends the last frame (lower, if a late packet made this one louder
        // than foreseen) to one that keeps this frame and the next within full scale, rising
        // again slowly: every sample of the ramp stays under the ceiling.
        let start = self.gain.min(limit(here));
        let end = limit(ahead).min(start * RELEASE);
        let mut frame = [0.0f32; FRAME];
        for (i, (f, s)) in frame.iter_mut().zip(self.timeline.drain(..n)).enumerate() {
            *f = s * (start + (end - start) * (i + 1) as f32 / FRAME as f32);
        }
        self.gain = end;
        self.out_pos += FRAME as i64;
        frame
    }

    /// How much has left the mixer.
    pub fn duration(&self) -> Duration {
        Duration::from_micros(self.out_pos as u64 * 1_000_000 / RATE as u64)
    }
}
