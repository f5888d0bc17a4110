//! The recording's mixer on a virtual clock, and a recording written to a file and read back
//! with the Ogg Opus reader.

use std::time::{Duration, Instant};

use opus_pure::{Application, OggOpusReader, OpusDecoder, OpusEncoder};
use preau_media::mix::{FRAME, Mixer, RATE};

/// 20 ms Opus packets of a sine at `hz`, as a browser would send them.
fn voice(hz: f32, seconds: usize) -> Vec<Vec<u8>> {
    let mut enc = OpusEncoder::new(RATE as i32, 1, Application::Voip).unwrap();
    let mut out = vec![0u8; opus_pure::MAX_PACKET_BYTES];
    (0..seconds * 50)
        .map(|k| {
            let frame: Vec<f32> = (0..FRAME)
                .map(|i| 0.3 * (2.0 * std::f32::consts::PI * hz * (k * FRAME + i) as f32 / RATE as f32).sin())
                .collect();
            let n = enc.encode(&frame, FRAME, &mut out).unwrap();
            out[..n].to_vec()
        })
        .collect()
}

/// The relative power of `hz` in `samples` (Goertzel), 1.0 for a full-scale pure tone.
fn power(samples: &[f32], hz: f32) -> f32 {
    let w = 2.0 * std::f32::consts::PI * hz / RATE as f32;
    let (mut s1, mut s2) = (0f32, 0f32);
    for x in samples {
        let s = x + 2.0 * w.cos() * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    let p = s1 * s1 + s2 * s2 - 2.0 * w.cos() * s1 * s2;
    4.0 * p / (samples.len() as f32 * samples.len() as f32)
}

fn window(mix: &[f32], from_s: f32, to_s: f32) -> &[f32] {
    &mix[(from_s * RATE as f32) as usize..(to_s * RATE as f32) as usize]
}

#[test]
fn two_voices_late_and_out_of_order_land_in_their_place() {
    let t0 = Instant::now();
    let ms = |m: u64| t0 + Duration::from_millis(m);
    let mut mixer = Mixer::new(t0);
    let a = voice(440.0, 2);
    let b = voice(660.0, 2);
    // (arrival ms, speaker, rtp timestamp, packet): A from 0 s, B from 1 s with up to 60 ms of
    // jitter and each pair of packets swapped. B's RTP clock starts anywhere, near wrapping.
    let mut arrivals: Vec<(u64, u64, u32, &[u8])> = vec![];
    for (k, p) in a.iter().enumerate() {
        arrivals.push((k as u64 * 20 + 5, 1, 1000 + (k * FRAME) as u32, p));
    }
    for (k, p) in b.iter().enumerate() {
        let swapped = k ^ 1;
        let jitter = (k as u64 * 37) % 60;
        arrivals.push((1000 + swapped as u64 * 20 + jitter, 2, (u32::MAX - 5000).wrapping_add((k * FRAME) as u32), p));
    }
    arrivals.sort_by_key(|a| a.0);
    let mut mix = vec![];
    for (at, speaker, ts, p) in arrivals {
        while let Some(f) = mixer.pull(ms(at)) {
            mix.extend_from_slice(&f);
        }
        mixer.push(speaker, ms(at), ts, p);
    }
    while let Some(f) = mixer.flush() {
        mix.extend_from_slice(&f);
    }
    assert_eq!(mixer.dropped, 0, "every packet found its place");
    let seconds = mix.len() as f32 / RATE as f32;
    assert!((3.0..3.2).contains(&seconds), "the meeting's time is kept: {seconds} s");
    assert_eq!(mixer.duration(), Duration::from_micros(mix.len() as u64 * 1_000_000 / RATE as u64));
    // A alone, both, B alone: each voice where it was spoken, at its level (a 0.3 sine: 0.09).
    let (only_a, both, only_b) = (window(&mix, 0.2, 0.9), window(&mix, 1.2, 1.9), window(&mix, 2.2, 2.9));
    for (w, a_on, b_on) in [(only_a, true, false), (both, true, true), (only_b, false, true)] {
        let (pa, pb) = (power(w, 440.0), power(w, 660.0));
        assert_eq!(pa > 0.05, a_on, "440 Hz power {pa}");
        assert_eq!(pb > 0.05, b_on, "660 Hz power {pb}");
    }
    assert!(mix.iter().all(|s| s.abs() <= 1.0));
}

#[test]
fn voices_that_add_up_past_full_scale_are_turned_down_not_clipped_flat() {
    let t0 = Instant::now();
    let mut mixer = Mixer::new(t0);
    let loud: Vec<Vec<u8>> = {
        let mut enc = OpusEncoder::new(RATE as i32, 1, Application::Voip).unwrap();
        let mut out = vec![0u8; opus_pure::MAX_PACKET_BYTES];
        (0..25)
            .map(|k| {
                let frame: Vec<f32> = (0..FRAME).map(|i| 0.9 * (2.0 * std::f32::consts::PI * 200.0 * (k * FRAME + i) as f32 / RATE as f32).sin()).collect();
                let n = enc.encode(&frame, FRAME, &mut out).unwrap();
                out[..n].to_vec()
            })
            .collect()
    };
    for (k, p) in loud.iter().enumerate() {
        for speaker in [1, 2, 3] {
            mixer.push(speaker, t0 + Duration::from_millis(k as u64 * 20), (k * FRAME) as u32, p);
        }
    }
    let mut mix = vec![];
    while let Some(f) = mixer.flush() {
        mix.extend_from_slice(&f);
    }
    assert!(mix.iter().all(|s| s.abs() <= 1.0));
    // Hard clipping would leave runs of samples stuck at full scale.
    let flat = mix.windows(3).filter(|w| w.iter().all(|s| s.abs() > 0.999)).count();
    assert_eq!(flat, 0, "flat tops");
    let peak = mix.iter().fold(0f32, |m, s| m.max(s.abs()));
    assert!(peak > 0.9, "turned down no more than needed: peak {peak}");
}

#[test]
fn a_packet_later_than_the_playout_is_dropped_and_the_voice_goes_on() {
    let t0 = Instant::now();
    let mut mixer = Mixer::new(t0);
    let a = voice(440.0, 1);
    let mut mix = vec![];
    // Packet 10 is held back and comes after packet 30, 400 ms late.
    let order = (0..50).filter(|k| *k != 10).flat_map(|k| if k == 30 { vec![30, 10] } else { vec![k] });
    for k in order {
        let at = t0 + Duration::from_millis(if k == 10 { 600 } else { k as u64 * 20 });
        while let Some(f) = mixer.pull(at) {
            mix.extend_from_slice(&f);
        }
        mixer.push(7, at, (k * FRAME) as u32, &a[k]);
    }
    assert_eq!(mixer.dropped, 1);
    while let Some(f) = mixer.flush() {
        mix.extend_from_slice(&f);
    }
    let seconds = mix.len() as f32 / RATE as f32;
    assert!((1.0..1.1).contains(&seconds), "the voice was not moved: {seconds} s");
    assert!(power(window(&mix, 0.7, 0.95), 440.0) > 0.05);
}

#[test]
fn a_recording_is_an_ogg_opus_file_with_the_voices_and_its_title() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.opus");
    let (sink, recording) = preau_media::record::start(std::fs::File::create(&path).unwrap(), "Conseil de classe 3e B").unwrap();
    let t0 = Instant::now();
    for (k, p) in voice(440.0, 1).iter().enumerate() {
        sink.offer(1, t0 + Duration::from_millis(k as u64 * 20), (k * FRAME) as u32, p);
    }
    drop(sink);
    let summary = recording.finish().unwrap();
    assert!(summary.duration >= Duration::from_secs(1), "{summary:?}");
    assert_eq!(summary.dropped, 0);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(summary.bytes, bytes.len() as u64);
    let mut reader = OggOpusReader::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(reader.tags().get("TITLE"), Some("Conseil de classe 3e B"));
    let mut decoder = OpusDecoder::new(RATE as i32, 1).unwrap();
    let mut pcm = vec![];
    let mut out = vec![0f32; 5760];
    while let Some(packet) = reader.read_packet().unwrap() {
        let n = decoder.decode(&packet.data, 5760, &mut out).unwrap();
        pcm.extend_from_slice(&out[..n]);
    }
    let end = pcm.len() as f32 / RATE as f32;
    assert!(power(window(&pcm, end - 0.8, end - 0.2), 440.0) > 0.05);
}

/// Feeds `packets` (arrival ms, rtp timestamp, payload) of speaker 1, pulling frames on the way.
fn run(packets: &[(u64, u32, &[u8])]) -> (Vec<f32>, u64) {
    let t0 = Instant::now();
    let mut mixer = Mixer::new(t0);
    let mut mix = vec![];
    for (at, ts, p) in packets {
        while let Some(f) = mixer.pull(t0 + Duration::from_millis(*at)) {
            mix.extend_from_slice(&f);
        }
        mixer.push(1, t0 + Duration::from_millis(*at), *ts, p);
    }
    while let Some(f) = mixer.flush() {
        mix.extend_from_slice(&f);
    }
    (mix, mixer.dropped)
}

#[test]
fn a_burst_after_a_stall_keeps_its_places_and_only_what_the_playout_passed_is_dropped() {
    let a = voice(440.0, 2);
    // Packets 20 to 34 are held 300 ms, then all arrive in one batch, at the same instant.
    let packets: Vec<(u64, u32, &[u8])> = a
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let at = if (20..35).contains(&k) { 35 * 20 } else { k as u64 * 20 };
            (at, (k * FRAME) as u32, &p[..])
        })
        .collect();
    let (mix, dropped) = run(&packets);
    // Held 300 ms past a 200 ms playout: the first ~100 ms of them (5 packets) came too late.
    assert!((4..=6).contains(&dropped), "dropped {dropped}");
    let seconds = mix.len() as f32 / RATE as f32;
    assert!((2.0..2.1).contains(&seconds), "nothing moved: {seconds} s");
    // The rest of the burst and what follows are in their places: the tone goes on.
    assert!(power(window(&mix, 0.55, 0.7), 440.0) > 0.05);
    assert!(power(window(&mix, 0.8, 1.9), 440.0) > 0.08);
}

#[test]
fn a_stream_that_starts_over_is_heard_at_once() {
    let a = voice(440.0, 2);
    // After one second the sender restarts: its timestamps begin again from a new random base.
    let packets: Vec<(u64, u32, &[u8])> = a
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let ts = if k < 50 { 90_000 + (k * FRAME) as u32 } else { ((k - 50) * FRAME) as u32 };
            (k as u64 * 20, ts, &p[..])
        })
        .collect();
    let (mix, dropped) = run(&packets);
    assert_eq!(dropped, 0);
    assert!(power(window(&mix, 1.1, 1.9), 440.0) > 0.05, "the voice goes on after the restart");
}
