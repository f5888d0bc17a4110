//! A room's recording: the IO shell around [`Mixer`]. The driver offers each Opus packet it
//! receives in a recorded room to a [`RecordSink`] (a bounded channel: when the recorder falls
//! behind, packets are dropped, never the forwarding slowed); a thread of its own mixes them,
//! encodes the mix as Opus (mono, 32 kbit/s) and writes an Ogg Opus file (RFC 7845) page by
//! page, so a file cut short by a crash still plays up to its last page.
//! The recording ends when every sink is dropped: the driver drops its sink when told to stop
//! or when it stops itself.

use std::io::{BufWriter, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use opus_pure::{Application, OggOpusWriter, OpusEncoder, OpusHead, OpusTags};

use crate::mix::{FRAME, Mixer, RATE};

/// Packets waiting for the recorder: 10 s of 25 speakers.
const QUEUE: usize = 12_500;
const BITRATE: i32 = 32_000;

struct Packet {
    speaker: u64,
    arrival: Instant,
    rtp_time: u32,
    payload: Vec<u8>,
}

/// Where the driver offers a recorded room's audio.
#[derive(Clone)]
pub struct RecordSink(mpsc::SyncSender<Packet>);

impl RecordSink {
    /// Offers one Opus packet; dropped if the recorder is behind.
    pub fn offer(&self, speaker: u64, arrival: Instant, rtp_time: u32, payload: &[u8]) {
        let _ = self.0.try_send(Packet { speaker, arrival, rtp_time, payload: payload.to_vec() });
    }
}

impl std::fmt::Debug for RecordSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecordSink")
    }
}

/// What a finished recording holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub duration: Duration,
    pub bytes: u64,
    /// Packets lost to the mix: undecodable, or too late for their place.
    pub dropped: u64,
}

/// A recording in progress; [`Recording::finish`] waits for its file to be complete.
pub struct Recording(std::thread::JoinHandle<std::io::Result<Summary>>);

impl Recording {
    /// Waits (blocking) until every sink is dropped and the file is written and synced.
    pub fn finish(self) -> std::io::Result<Summary> {
        self.0.join().unwrap_or_else(|_| Err(std::io::Error::other("the recorder panicked")))
    }
}

/// Starts recording into `file` (which the caller created), with `title` in its tags.
pub fn start(file: std::fs::File, title: &str) -> std::io::Result<(RecordSink, Recording)> {
    let (tx, rx) = mpsc::sync_channel(QUEUE);
    let mut encoder = OpusEncoder::new(RATE as i32, 1, Application::Voip).map_err(std::io::Error::other)?;
    encoder.bitrate_bps = BITRATE;
    let head = OpusHead::for_encoder(&encoder, RATE as u32);
    let mut tags = OpusTags::new();
    tags.push("TITLE", title).map_err(std::io::Error::other)?;
    let writer = OggOpusWriter::with_tags(BufWriter::new(file), head, tags).map_err(std::io::Error::other)?;
    // The timeline starts now, not when the thread gets to run: a packet offered meanwhile
    // keeps its place.
    let began = Instant::now();
    let thread = std::thread::Builder::new()
        .name("preau-record".into())
        .spawn(move || run(rx, encoder, writer, began))?;
    Ok((RecordSink(tx), Recording(thread)))
}

fn run(
    rx: mpsc::Receiver<Packet>,
    mut encoder: OpusEncoder,
    mut writer: OggOpusWriter<BufWriter<std::fs::File>>,
    began: Instant,
) -> std::io::Result<Summary> {
    let mut mixer = Mixer::new(began);
    let mut out = vec![0u8; opus_pure::MAX_PACKET_BYTES];
    let mut write = |frame: &[f32; FRAME], writer: &mut OggOpusWriter<_>| -> std::io::Result<()> {
        let n = encoder.encode(frame, FRAME, &mut out).map_err(std::io::Error::other)?;
        writer.write_packet(&out[..n]).map_err(std::io::Error::other)
    };
    loop {
        match rx.recv_timeout(Duration::from_millis(20)) {
            Ok(p) => mixer.push(p.speaker, p.arrival, p.rtp_time, &p.payload),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        while let Some(frame) = mixer.pull(Instant::now()) {
            write(&frame, &mut writer)?;
        }
    }
    // What is still waiting for late packets is written out: nothing more will come.
    while let Some(frame) = mixer.flush() {
        write(&frame, &mut writer)?;
    }
    let mut file = writer.finish().map_err(std::io::Error::other)?;
    file.flush()?;
    let file = file.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok(Summary { duration: mixer.duration(), bytes: file.metadata()?.len(), dropped: mixer.dropped })
}
