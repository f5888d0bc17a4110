//! The run's report: the sum of the bots' counts, the server's CPU and memory, a one-line
//! summary, and the SVG plot of several runs.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::bot::BotSpec;
use crate::media::Kind;
use crate::stats::BotStats;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub target: String,
    pub scenario: String,
    pub participants: u32,
    /// The steady window, in seconds.
    pub seconds: f64,
    /// Server CPU (user + system) over the window, from /proc.
    pub server_cpu_seconds: f64,
    pub server_cpu_percent: f64,
    pub server_rss_before_kib: u64,
    pub server_rss_kib: u64,
    pub server_rss_per_participant_kib: f64,
    /// RTP packets the bots received (what the server forwarded to them).
    pub forwarded_packets: u64,
    pub forwarded_bytes: u64,
    pub forwarded_packets_per_second: f64,
    /// The headline.
    pub forwarded_packets_per_cpu_second: f64,
    pub frames_sent: u64,
    pub frames_received: u64,
    pub frames_lost: u64,
    pub loss_percent: f64,
    pub latency_p50_ms: f64,
    pub latency_p99_ms: f64,
    pub latency_max_ms: f64,
    /// Voice frames alone (video frames are larger, and a keyframe spans many packets).
    #[serde(default)]
    pub voice_latency_p50_ms: f64,
    #[serde(default)]
    pub voice_latency_p99_ms: f64,
    pub jitter_ms: f64,
    /// (subscriber, publisher, kind) that should have arrived in the window and did not.
    pub tracks_expected: u64,
    pub tracks_missing: u64,
    /// The first few of them: "subscriber <- publisher kind".
    #[serde(default)]
    pub missing: Vec<String>,
    /// The load generator's own CPU over the window.
    pub loadgen_cpu_seconds: f64,
    /// The machine's CPU time taken by the hypervisor over the window, % of all CPU time.
    #[serde(default)]
    pub steal_percent: f64,
    /// How long the server's threads waited, runnable, for a CPU over the window (summed over
    /// threads): the bots and the server share the machine.
    #[serde(default)]
    pub server_wait_seconds: f64,
    /// Préau only: the SFU's own count of packets forwarded over the window (/metrics), to
    /// cross-check `forwarded_packets` (which also counts retransmissions and probes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_packets_out: Option<u64>,
}

pub struct Measured {
    pub seconds: f64,
    pub server_cpu_seconds: f64,
    pub server_rss_before_kib: u64,
    pub server_rss_kib: u64,
    pub loadgen_cpu_seconds: f64,
    pub steal_percent: f64,
    pub server_wait_seconds: f64,
    pub server_packets_out: Option<u64>,
}

pub fn build(
    target: &str,
    scenario: &str,
    specs: &[BotSpec],
    stats: &[BotStats],
    m: Measured,
) -> Report {
    let n = specs.len() as u32;
    let sorted = |each: fn(&BotStats) -> &[u32]| {
        let mut v: Vec<u32> = stats.iter().flat_map(|s| each(s).iter().copied()).collect();
        v.sort_unstable();
        v
    };
    let lat = sorted(|s| &s.latencies_us);
    let voice = sorted(|s| &s.voice_latencies_us);
    let pct = |lat: &[u32], q: f64| -> f64 {
        if lat.is_empty() {
            return 0.0;
        }
        let i = ((lat.len() as f64 - 1.0) * q).round() as usize;
        f64::from(lat[i]) / 1000.0
    };
    let jitters: Vec<f64> = stats.iter().flat_map(|s| s.jitters_ns()).collect();
    let jitter_ms = if jitters.is_empty() {
        0.0
    } else {
        jitters.iter().sum::<f64>() / jitters.len() as f64 / 1e6
    };
    // Every bot should hear every voice that spoke in the window and see every camera and screen.
    let mut expected = 0u64;
    let mut missing = 0u64;
    let mut which = vec![];
    for (spec, st) in specs.iter().zip(stats) {
        for (other, ost) in specs.iter().zip(stats) {
            if other.n == spec.n {
                continue;
            }
            let mut kinds = BTreeSet::new();
            if other.voice.is_some() && ost.voiced {
                kinds.insert(Kind::Audio);
            }
            if other.camera {
                kinds.insert(Kind::Camera);
            }
            if other.screen {
                kinds.insert(Kind::Screen);
            }
            for k in kinds {
                expected += 1;
                if !st.seen.contains(&(other.n, k)) {
                    missing += 1;
                    if which.len() < 20 {
                        which.push(format!("bot-{} <- bot-{} {k:?}", spec.n, other.n));
                    }
                }
            }
        }
    }
    let packets: u64 = stats.iter().map(|s| s.rtp_packets_in).sum();
    let bytes: u64 = stats.iter().map(|s| s.rtp_bytes_in).sum();
    let received: u64 = stats.iter().map(|s| s.frames_in).sum();
    let lost: u64 = stats.iter().map(|s| s.frames_lost).sum();
    let per_cpu = if m.server_cpu_seconds > 0.0 {
        packets as f64 / m.server_cpu_seconds
    } else {
        0.0
    };
    Report {
        target: target.into(),
        scenario: scenario.into(),
        participants: n,
        seconds: m.seconds,
        server_cpu_seconds: m.server_cpu_seconds,
        server_cpu_percent: 100.0 * m.server_cpu_seconds / m.seconds,
        server_rss_before_kib: m.server_rss_before_kib,
        server_rss_kib: m.server_rss_kib,
        server_rss_per_participant_kib: m.server_rss_kib.saturating_sub(m.server_rss_before_kib)
            as f64
            / f64::from(n.max(1)),
        forwarded_packets: packets,
        forwarded_bytes: bytes,
        forwarded_packets_per_second: packets as f64 / m.seconds,
        forwarded_packets_per_cpu_second: per_cpu,
        frames_sent: stats.iter().map(|s| s.frames_out).sum(),
        frames_received: received,
        frames_lost: lost,
        loss_percent: if received + lost > 0 {
            100.0 * lost as f64 / (received + lost) as f64
        } else {
            0.0
        },
        latency_p50_ms: pct(&lat, 0.5),
        latency_p99_ms: pct(&lat, 0.99),
        latency_max_ms: pct(&lat, 1.0),
        voice_latency_p50_ms: pct(&voice, 0.5),
        voice_latency_p99_ms: pct(&voice, 0.99),
        jitter_ms,
        tracks_expected: expected,
        tracks_missing: missing,
        missing: which,
        loadgen_cpu_seconds: m.loadgen_cpu_seconds,
        steal_percent: m.steal_percent,
        server_wait_seconds: m.server_wait_seconds,
        server_packets_out: m.server_packets_out,
    }
}

pub fn summary(r: &Report) -> String {
    format!(
        "{} {} n={}: {:.0} forwarded packets per server CPU-second ({:.0} packets/s, server CPU {:.1} %, RSS {:.0} KiB/participant), loss {:.3} %, latency p50 {:.2} ms p99 {:.2} ms (voice {:.2} / {:.2} ms), jitter {:.2} ms, tracks missing {}/{}; server waited for a CPU {:.0} ms/s, steal {:.1} %",
        r.target,
        r.scenario,
        r.participants,
        r.forwarded_packets_per_cpu_second,
        r.forwarded_packets_per_second,
        r.server_cpu_percent,
        r.server_rss_per_participant_kib,
        r.loss_percent,
        r.latency_p50_ms,
        r.latency_p99_ms,
        r.voice_latency_p50_ms,
        r.voice_latency_p99_ms,
        r.jitter_ms,
        r.tracks_missing,
        r.tracks_expected,
        1000.0 * r.server_wait_seconds / r.seconds.max(1e-9),
        r.steal_percent
    )
}

/// An SVG with two panels, server CPU (%) and latency p99 (ms) against the number of
/// participants, one line per target and scenario.
pub fn plot(reports: &[Report]) -> String {
    use std::collections::BTreeMap;
    use std::fmt::Write;
    let mut series: BTreeMap<(String, String), Vec<&Report>> = BTreeMap::new();
    for r in reports {
        series
            .entry((r.target.clone(), r.scenario.clone()))
            .or_default()
            .push(r);
    }
    for v in series.values_mut() {
        v.sort_by_key(|r| r.participants);
    }
    let max_n = reports
        .iter()
        .map(|r| r.participants)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let (w, h, pad) = (360.0, 240.0, 48.0);
    let colours = [
        "#1f5fa8", "#c0392b", "#2e7d32", "#8e44ad", "#e67e22", "#555555",
    ];
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" font-family="sans-serif" font-size="11"><title>Server CPU and latency p99 against participants</title>"#,
        2.0 * w + 20.0,
        h + 60.0
    );
    type Panel = (&'static str, fn(&Report) -> f64);
    let panels: [Panel; 2] = [
        ("server CPU (% of one core)", |r| r.server_cpu_percent),
        ("latency p99 (ms)", |r| r.latency_p99_ms),
    ];
    for (pi, (label, value)) in panels.iter().enumerate() {
        let x0 = pi as f64 * (w + 20.0);
        let max_y = reports.iter().map(value).fold(1.0f64, f64::max) * 1.1;
        let _ = write!(
            svg,
            r##"<g transform="translate({x0},0)"><rect x="{pad}" y="10" width="{}" height="{}" fill="none" stroke="#999"/><text x="{pad}" y="{}">{label} — max {max_y:.1}</text><text x="{}" y="{}" text-anchor="end">participants (max {max_n})</text>"##,
            w - pad - 10.0,
            h - pad,
            h - pad + 24.0,
            w - 10.0,
            h - pad + 38.0,
        );
        for (si, ((target, scenario), runs)) in series.iter().enumerate() {
            let colour = colours[si % colours.len()];
            let points: Vec<String> = runs
                .iter()
                .map(|r| {
                    let x = pad + (w - pad - 10.0) * f64::from(r.participants) / max_n;
                    let y = 10.0 + (h - pad - 10.0) * (1.0 - value(r) / max_y);
                    format!("{x:.1},{y:.1}")
                })
                .collect();
            let _ = write!(
                svg,
                r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"#,
                points.join(" ")
            );
            for p in &points {
                let (x, y) = p.split_once(',').unwrap_or(("0", "0"));
                let _ = write!(svg, r#"<circle cx="{x}" cy="{y}" r="3" fill="{colour}"/>"#);
            }
            if pi == 0 {
                let _ = write!(
                    svg,
                    r#"<text x="{}" y="{}" fill="{colour}">{target} {scenario}</text>"#,
                    pad + 6.0,
                    26.0 + 14.0 * si as f64
                );
            }
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>\n");
    svg
}
