//! Préau's SFU. This crate holds the forwarding core: a sans-IO state machine per room that is
//! fed packet metadata and timestamps and answers who receives each packet, which simulcast
//! layer each subscriber gets, and which keyframes to ask publishers for.
//!
//! Architecture invariant: nothing here does IO, spawns, blocks, or reads the clock. Time is an
//! `Instant` passed in; the caller (the UDP driver around str0m) drains [`room::Output`]s with
//! `poll_output` after each input, the way str0m's `Rtc` is driven. The IO shells are
//! `driver.rs` (the UDP socket and str0m) and `record.rs` (a recording's thread and file).

pub mod alloc;
pub mod driver;
pub mod mix;
pub mod record;
pub mod rewrite;
pub mod room;
pub mod speakers;
pub mod udp;

pub use room::{Output, Packet, Room, RoomConfig};

/// A participant of a room (room-local number, chosen by the driver).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ParticipantId(pub u64);

/// A published track (room-local number, chosen by the driver).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TrackId(pub u64);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackKind {
    Audio,
    Camera,
    /// A screen share: its own track, served before cameras.
    Screen,
}

/// A simulcast layer. Browsers publish three (RIDs `q`, `h`, `f`: quarter, half, full); a
/// video without simulcast has only `High`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layer {
    Low = 0,
    Mid = 1,
    High = 2,
}

impl Layer {
    pub const ALL: [Layer; 3] = [Layer::Low, Layer::Mid, Layer::High];

    /// The layer of a simulcast RID as browsers name them.
    pub fn from_rid(rid: &str) -> Option<Layer> {
        match rid {
            "q" | "l" | "0" => Some(Layer::Low),
            "h" | "m" | "1" => Some(Layer::Mid),
            "f" | "2" => Some(Layer::High),
            _ => None,
        }
    }

    /// The smallest layer that looks sharp at a displayed height in CSS pixels.
    pub fn for_height(height: u32) -> Layer {
        match height {
            0..=200 => Layer::Low,
            201..=400 => Layer::Mid,
            _ => Layer::High,
        }
    }
}
