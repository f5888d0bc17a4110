//! The forwarder's packet entry under arbitrary input: any sequence of joins, leaves,
//! publications, views, estimates, packets (any track, layer, level, size) and ticks must never
//! panic, and a packet is never sent back to its publisher or to someone not in the room.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use preau_media::{Layer, Packet, ParticipantId, Room, RoomConfig, TrackId, TrackKind};

fuzz_target!(|data: &[u8]| {
    let t0 = Instant::now();
    let mut now = t0;
    let mut room = Room::new(RoomConfig { last_n: 3, max_audio: 2, ..RoomConfig::default() }, now);
    let mut owners: std::collections::HashMap<u64, u64> = Default::default();
    let mut members: std::collections::HashSet<u64> = Default::default();
    let mut to = Vec::new();
    for op in data.chunks(4) {
        let [kind, a, b, c] = [op[0], *op.get(1).unwrap_or(&0), *op.get(2).unwrap_or(&0), *op.get(3).unwrap_or(&0)];
        let p = u64::from(a % 8);
        let t = u64::from(b % 16);
        match kind % 10 {
            0 => {
                room.join(ParticipantId(p), now);
                members.insert(p);
            }
            1 => {
                room.leave(ParticipantId(p), now);
                members.remove(&p);
                owners.retain(|_, o| *o != p);
            }
            2 => {
                let k = [TrackKind::Audio, TrackKind::Camera, TrackKind::Screen][usize::from(c % 3)];
                room.publish(ParticipantId(p), TrackId(t), k, now);
                if members.contains(&p) {
                    owners.insert(t, p);
                }
            }
            3 => {
                room.unpublish(TrackId(t), now);
                owners.remove(&t);
            }
            4 => room.set_estimate(ParticipantId(p), u64::from(c) * 20_000, now),
            5 => room.set_display(ParticipantId(p), TrackId(t), u32::from(c) * 4, now),
            6 => room.set_pins(ParticipantId(p), vec![ParticipantId(u64::from(b % 8)), ParticipantId(u64::from(c % 8))], now),
            7 => room.set_audio_only(ParticipantId(p), c % 2 == 0, now),
            8 => {
                let packet = Packet {
                    track: TrackId(t),
                    layer: Layer::ALL[usize::from(c % 3)],
                    keyframe: c & 0x80 != 0,
                    audio_level: (c & 0x40 != 0).then_some(a & 0x7f),
                    bytes: usize::from(c) * 5,
                };
                room.on_packet(now, &packet, &mut to);
                for r in &to {
                    assert!(members.contains(&r.0), "sent to someone not in the room");
                    assert_ne!(Some(&r.0), owners.get(&t), "sent back to its publisher");
                }
            }
            _ => {
                now += Duration::from_millis(u64::from(c) * 4);
                room.handle_timeout(now);
            }
        }
        while !matches!(room.poll_output(), preau_media::Output::Timeout(_)) {}
    }
});
