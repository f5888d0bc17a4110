//! Who is speaking, from the audio-level header extension (RFC 6464: 0 is the loudest, 127
//! silence, in -dBov).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::ParticipantId;

/// A participant's recent loudness.
#[derive(Debug, Clone, Copy)]
struct Voice {
    /// Smoothed loudness, 0 (silent) to 127 (as loud as it gets).
    loudness: f32,
    last_voiced: Instant,
}

/// Tracks recent voices, answers "is this packet silent?", ranks the loudest speakers and
/// names the dominant one.
#[derive(Debug)]
pub struct Speakers {
    /// Packets at this level or quieter (higher number) are silence.
    silence_level: u8,
    /// How long a voice counts as recent after its last voiced packet.
    hold: Duration,
    voices: BTreeMap<ParticipantId, Voice>,
    dominant: Option<ParticipantId>,
}

impl Speakers {
    pub fn new(silence_level: u8, hold: Duration) -> Speakers {
        Speakers { silence_level, hold, voices: BTreeMap::new(), dominant: None }
    }

    /// Records one audio packet's level; returns true when it carries voice.
    pub fn observe(&mut self, who: ParticipantId, level: u8, now: Instant) -> bool {
        let voiced = level < self.silence_level;
        let loudness = f32::from(127u8.saturating_sub(level.min(127)));
        let v = self.voices.entry(who).or_insert(Voice { loudness: 0.0, last_voiced: now });
        // About 200 ms of memory at 50 packets per second.
        v.loudness = v.loudness * 0.9 + loudness * 0.1;
        if voiced {
            v.last_voiced = now;
        }
        voiced
    }

    pub fn forget(&mut self, who: ParticipantId) {
        self.voices.remove(&who);
        if self.dominant == Some(who) {
            self.dominant = None;
        }
    }

    fn is_recent(&self, v: &Voice, now: Instant) -> bool {
        now.saturating_duration_since(v.last_voiced) < self.hold
    }

    /// The at most `k` loudest recent voices, loudest first.
    pub fn loudest(&self, k: usize, now: Instant) -> Vec<ParticipantId> {
        let mut recent: Vec<_> = self.voices.iter().filter(|(_, v)| self.is_recent(v, now)).collect();
        recent.sort_by(|a, b| b.1.loudness.total_cmp(&a.1.loudness).then(a.0.cmp(b.0)));
        recent.into_iter().take(k).map(|(p, _)| *p).collect()
    }

    /// When each participant last spoke, most recent first (those who never spoke are absent).
    pub fn by_recency(&self) -> Vec<ParticipantId> {
        let mut all: Vec<_> = self.voices.iter().filter(|(_, v)| v.loudness > 0.0).collect();
        all.sort_by(|a, b| b.1.last_voiced.cmp(&a.1.last_voiced).then(a.0.cmp(b.0)));
        all.into_iter().map(|(p, _)| *p).collect()
    }

    /// Re-elects the dominant speaker; returns the new one when it changed. The current one
    /// keeps the floor until someone else is clearly louder or they fall silent.
    pub fn elect(&mut self, now: Instant) -> Option<Option<ParticipantId>> {
        let top = self.loudest(1, now).first().copied();
        let current = self.dominant.and_then(|d| self.voices.get(&d).filter(|v| self.is_recent(v, now)).map(|v| (d, v.loudness)));
        let next = match (current, top) {
            (Some((d, loud)), Some(t)) if t != d => {
                let challenger = self.voices[&t].loudness;
                if challenger > loud + 6.0 { Some(t) } else { Some(d) }
            }
            (Some((d, _)), _) => Some(d),
            (None, t) => t,
        };
        if next != self.dominant {
            self.dominant = next;
            Some(next)
        } else {
            None
        }
    }

    pub fn dominant(&self) -> Option<ParticipantId> {
        self.dominant
    }
}
