//! Synthetic media shaped like a browser's, and the probe every frame carries.
//!
//! Audio is shaped like Opus (a 20 ms frame, 50 a second, 80 bytes: 32 kbit/s) with the RFC 6464
//! audio level set; video like VP8 with three simulcast layers (about 150 / 500 / 1,500 kbit/s at
//! 30 frames a second, a keyframe every 3 s) and a screen share (one layer, 5 frames a second).
//! str0m packetizes them as a browser would: RTP headers, marker bit on a frame's last packet,
//! VP8 payload descriptors with picture ids.
//!
//! Every frame starts (after its VP8 frame header) with a [`Probe`]: who sent it, what, its index
//! and the instant it was sent on this process's clock, so a receiving bot measures one-way
//! latency, loss (gaps in the index) and jitter. All layers of a video share the capture index,
//! as a real encoder's layers share capture instants: a layer switch does not look like loss.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The process's clock origin: probes carry nanoseconds since it.
pub fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

pub fn nanos_since_epoch(t: Instant) -> u64 {
    t.saturating_duration_since(epoch()).as_nanos() as u64
}

const MAGIC: [u8; 4] = *b"PRB1";
pub const PROBE_LEN: usize = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Audio = 0,
    Camera = 1,
    Screen = 2,
}

impl Kind {
    fn from_u8(v: u8) -> Option<Kind> {
        match v {
            0 => Some(Kind::Audio),
            1 => Some(Kind::Camera),
            2 => Some(Kind::Screen),
            _ => None,
        }
    }
}

/// What every synthetic frame carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// The sending bot's number.
    pub publisher: u32,
    pub kind: Kind,
    /// 0, 1, 2: quarter, half, full resolution (0 for audio and the screen share).
    pub layer: u8,
    /// Audio: this packet is silence (the SFU may drop it; it is not counted as lost).
    pub silent: bool,
    /// The capture index: audio counts voiced packets only, video counts capture instants.
    pub index: u32,
    pub sent_ns: u64,
}

impl Probe {
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&self.publisher.to_be_bytes());
        out.push(self.kind as u8);
        out.push(self.layer);
        out.push(u8::from(self.silent));
        out.push(0);
        out.extend_from_slice(&self.index.to_be_bytes());
        out.extend_from_slice(&self.sent_ns.to_be_bytes());
    }

    /// Finds the probe at the start of a received frame: right at the start (audio), after a
    /// VP8 interframe header (3 bytes) or a keyframe header (10 bytes).
    pub fn find(frame: &[u8]) -> Option<Probe> {
        [0usize, 3, 10]
            .into_iter()
            .find_map(|at| Probe::read(frame.get(at..at + PROBE_LEN)?))
    }

    fn read(b: &[u8]) -> Option<Probe> {
        if b[..4] != MAGIC {
            return None;
        }
        Some(Probe {
            publisher: u32::from_be_bytes(b[4..8].try_into().ok()?),
            kind: Kind::from_u8(b[8])?,
            layer: b[9],
            silent: b[10] != 0,
            index: u32::from_be_bytes(b[12..16].try_into().ok()?),
            sent_ns: u64::from_be_bytes(b[16..24].try_into().ok()?),
        })
    }
}

pub const AUDIO_INTERVAL: Duration = Duration::from_millis(20);
/// 32 kbit/s in 20 ms frames.
pub const AUDIO_BYTES: usize = 80;
/// RFC 6464 level (-dBov, negated as str0m wants it) of a voiced and of a silent packet.
pub const VOICED_LEVEL: i8 = -30;
pub const SILENT_LEVEL: i8 = -127;

pub const VIDEO_FPS: u32 = 30;
pub const SCREEN_FPS: u32 = 5;
/// Bits per second of each simulcast layer (q, h, f), and of the screen share.
pub const LAYER_BPS: [u32; 3] = [150_000, 500_000, 1_500_000];
pub const SCREEN_BPS: u32 = 300_000;
pub const LAYER_RIDS: [&str; 3] = ["q", "h", "f"];
const LAYER_SIZE: [(u16, u16); 3] = [(320, 180), (640, 360), (1280, 720)];
/// A keyframe every this many capture instants (3 s of camera, 10 s of screen).
pub const CAMERA_KEYFRAME_EVERY: u32 = 90;
pub const SCREEN_KEYFRAME_EVERY: u32 = 50;

/// One synthetic Opus frame.
pub fn audio_frame(publisher: u32, index: u32, silent: bool, now: Instant) -> Vec<u8> {
    let mut out = Vec::with_capacity(AUDIO_BYTES);
    Probe {
        publisher,
        kind: Kind::Audio,
        layer: 0,
        silent,
        index,
        sent_ns: nanos_since_epoch(now),
    }
    .write(&mut out);
    out.resize(AUDIO_BYTES, 0x5a);
    out
}

/// One synthetic VP8 frame of a layer (camera) or of the screen share. Keyframes are three
/// times the size of an interframe; interframes are sized so that the average holds the rate.
pub fn video_frame(
    publisher: u32,
    kind: Kind,
    layer: u8,
    index: u32,
    keyframe: bool,
    now: Instant,
) -> Vec<u8> {
    let (bps, fps, every, (w, h)) = match kind {
        Kind::Screen => (SCREEN_BPS, SCREEN_FPS, SCREEN_KEYFRAME_EVERY, (1280, 720)),
        _ => (
            LAYER_BPS[layer as usize],
            VIDEO_FPS,
            CAMERA_KEYFRAME_EVERY,
            LAYER_SIZE[layer as usize],
        ),
    };
    let average = (bps / 8 / fps) as usize;
    // every frames carry (every - 1) interframes and one keyframe of 3 interframes.
    let inter = average * every as usize / (every as usize + 2);
    let size = if keyframe { 3 * inter } else { inter };
    let mut out = Vec::with_capacity(size.max(40));
    // VP8 frame tag (RFC 6386 9.1): bit 0 is 0 for a keyframe; version 0, shown, and a first
    // partition size that fits in the frame.
    let first_partition = ((size / 2) as u32) & 0x7ffff;
    let tag = u32::from(!keyframe) | (1 << 4) | (first_partition << 5);
    out.extend_from_slice(&tag.to_le_bytes()[..3]);
    if keyframe {
        out.extend_from_slice(&[0x9d, 0x01, 0x2a]);
        out.extend_from_slice(&w.to_le_bytes());
        out.extend_from_slice(&h.to_le_bytes());
    }
    Probe {
        publisher,
        kind,
        layer,
        silent: false,
        index,
        sent_ns: nanos_since_epoch(now),
    }
    .write(&mut out);
    out.resize(size.max(out.len()), 0xa5);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_are_found_after_each_kind_of_header() {
        let now = Instant::now();
        let a = audio_frame(7, 42, false, now);
        assert_eq!(a.len(), AUDIO_BYTES);
        let p = Probe::find(&a).expect("audio probe");
        assert_eq!(
            (p.publisher, p.kind, p.index, p.silent),
            (7, Kind::Audio, 42, false)
        );
        for keyframe in [true, false] {
            let v = video_frame(3, Kind::Camera, 2, 9, keyframe, now);
            assert_eq!(v[0] & 1 == 0, keyframe, "the P bit says keyframe");
            let p = Probe::find(&v).expect("video probe");
            assert_eq!(
                (p.publisher, p.kind, p.layer, p.index),
                (3, Kind::Camera, 2, 9)
            );
        }
        assert!(Probe::find(&[0u8; 40]).is_none());
    }

    #[test]
    fn layers_average_their_nominal_rates() {
        let now = Instant::now();
        for layer in 0..3u8 {
            let bytes: usize = (0..CAMERA_KEYFRAME_EVERY)
                .map(|i| video_frame(1, Kind::Camera, layer, i, i == 0, now).len())
                .sum();
            let bps = bytes as f64 * 8.0 * VIDEO_FPS as f64 / CAMERA_KEYFRAME_EVERY as f64;
            let nominal = LAYER_BPS[layer as usize] as f64;
            assert!(
                (bps - nominal).abs() / nominal < 0.02,
                "layer {layer}: {bps} bit/s for {nominal}"
            );
        }
    }
}
