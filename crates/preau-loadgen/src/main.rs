//! preau-loadgen: headless WebRTC bots (str0m) that load an SFU — Préau's, or Janus's VideoRoom
//! as the yardstick — with a school's scenarios, and measure what the server forwards per CPU
//! second, loss, latency and memory. See docs/performance.md.

mod bot;
mod janus;
mod janus_bot;
mod limit;
mod media;
mod preau_bot;
mod report;
mod scenario;
mod stats;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};

use crate::bot::Ctx;
use crate::scenario::Scenario;
use crate::stats::Window;

#[derive(Parser)]
#[command(
    name = "preau-loadgen",
    about = "WebRTC load bots for Préau's SFU and Janus, side by side."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Target {
    Preau,
    Janus,
}

#[derive(Subcommand)]
enum Command {
    /// Join bots to one room, let them run, and report.
    Run {
        #[arg(long, value_enum)]
        target: Target,
        /// Préau: its http:// address. Janus: its WebSocket address (ws://…).
        #[arg(long)]
        url: String,
        /// Préau: the bench token (the content of `preau serve --bench-token-file`); better given
        /// in the environment, as PREAU_BENCH_TOKEN, than on the command line.
        #[arg(
            long,
            env = "PREAU_BENCH_TOKEN",
            default_value = "",
            hide_env_values = true
        )]
        token: String,
        /// The server's process id, for its CPU and memory (from /proc).
        #[arg(long)]
        server_pid: u32,
        #[arg(long, value_enum, default_value = "lecture")]
        scenario: Scenario,
        /// Participants, the teacher included (default: 30, 10 or 25 by scenario).
        #[arg(long)]
        participants: Option<u32>,
        /// Length of the measured window, in seconds.
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// Seconds between the last connection and the window: congestion control ramps up
        /// meanwhile (an SFU that adapts layers to each subscriber's estimate starts low).
        #[arg(long, default_value_t = 20)]
        warmup: u64,
        /// Bots joining per second.
        #[arg(long, default_value_t = 20.0)]
        join_rate: f64,
        /// Write the JSON report here (it is also printed).
        #[arg(long)]
        json: Option<PathBuf>,
        /// Fail unless loss is zero and every expected track arrived (the CI smoke).
        #[arg(long)]
        strict: bool,
        /// The server runs under `valgrind --tool=callgrind --instr-atstart=no`: count its
        /// instructions over the window only (`callgrind_control -i on/off`).
        #[arg(long)]
        callgrind: bool,
    },
    /// The least one forwarded packet can cost on this machine.
    Limit {
        #[command(flatten)]
        options: limit::LimitOptions,
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Plot reports (JSON files of `run`) as an SVG: server CPU and latency p99 against N.
    Plot {
        #[arg(long)]
        out: PathBuf,
        reports: Vec<PathBuf>,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    media::epoch();
    match cli.command {
        Command::Run {
            target,
            url,
            token,
            server_pid,
            scenario,
            participants,
            seconds,
            warmup,
            join_rate,
            json,
            strict,
            callgrind,
        } => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            let n = participants.unwrap_or_else(|| scenario.default_participants());
            let opts = RunOpts {
                target,
                url,
                token,
                server_pid,
                scenario,
                n,
                seconds,
                warmup,
                join_rate,
                callgrind,
            };
            let report = runtime.block_on(run(opts))?;
            let text = serde_json::to_string_pretty(&report)?;
            if let Some(path) = json {
                std::fs::write(&path, &text)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            println!("{}", report::summary(&report));
            if strict {
                anyhow::ensure!(report.frames_received > 0, "no frame arrived");
                anyhow::ensure!(
                    report.frames_lost == 0,
                    "{} frames lost",
                    report.frames_lost
                );
                anyhow::ensure!(
                    report.tracks_missing == 0,
                    "{} of {} tracks did not arrive: {}",
                    report.tracks_missing,
                    report.tracks_expected,
                    report.missing.join(", ")
                );
            }
            Ok(())
        }
        Command::Limit { options, json } => {
            let r = limit::run(&options)?;
            if let Some(path) = json {
                std::fs::write(&path, serde_json::to_string_pretty(&r)?)?;
            }
            println!("{}", limit::summary(&r));
            Ok(())
        }
        Command::Plot { out, reports } => {
            let mut all = vec![];
            for p in reports {
                let text = std::fs::read_to_string(&p)
                    .with_context(|| format!("cannot read {}", p.display()))?;
                all.push(
                    serde_json::from_str::<report::Report>(&text)
                        .with_context(|| format!("{} is not a report", p.display()))?,
                );
            }
            std::fs::write(&out, report::plot(&all))?;
            Ok(())
        }
    }
}

struct RunOpts {
    target: Target,
    url: String,
    token: String,
    server_pid: u32,
    scenario: Scenario,
    n: u32,
    seconds: u64,
    warmup: u64,
    join_rate: f64,
    callgrind: bool,
}

/// Turns callgrind's instrumentation of the server on or off.
fn callgrind(pid: u32, on: bool) -> anyhow::Result<()> {
    let status = std::process::Command::new("callgrind_control")
        .args(["-i", if on { "on" } else { "off" }, &pid.to_string()])
        .stdout(std::process::Stdio::null())
        .status()
        .context("cannot run callgrind_control")?;
    anyhow::ensure!(status.success(), "callgrind_control failed");
    Ok(())
}

async fn run(o: RunOpts) -> anyhow::Result<report::Report> {
    let specs = o.scenario.bots(o.n);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let connected = Arc::new(AtomicUsize::new(0));
    let ctx = Ctx {
        window: Window::default(),
        start: Instant::now(),
        stop: stop_rx,
        connected: connected.clone(),
    };
    let rss_before = proc_rss_kib(o.server_pid)?;
    let room = room_id();
    let janus_room = if o.target == Target::Janus {
        Some(janus_bot::create_room(&o.url, o.n).await?)
    } else {
        None
    };
    let mut tasks = vec![];
    let gap = Duration::from_secs_f64(1.0 / o.join_rate.max(0.1));
    for spec in specs.clone() {
        let ctx = ctx.clone();
        let url = o.url.clone();
        let token = o.token.clone();
        let room = room.clone();
        let target = o.target;
        tasks.push(tokio::spawn(async move {
            match target {
                Target::Preau => {
                    let base = url.replacen("http://", "ws://", 1);
                    preau_bot::run(spec, ctx, &preau_bot::Target { base, token, room }).await
                }
                Target::Janus => {
                    janus_bot::run(spec, ctx, &url, janus_room.unwrap_or_default()).await
                }
            }
        }));
        tokio::time::sleep(gap).await;
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while connected.load(Ordering::Relaxed) < specs.len() {
        if Instant::now() > deadline || tasks.iter().any(|t| t.is_finished()) {
            let _ = stop_tx.send(true);
            for t in tasks {
                if let Ok(Err(e)) = t.await {
                    eprintln!("bot failed: {e:#}");
                }
            }
            anyhow::bail!(
                "only {} of {} bots connected",
                connected.load(Ordering::Relaxed),
                specs.len()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(o.warmup)).await;

    let metrics_url = (o.target == Target::Preau).then(|| o.url.clone());
    let packets_before = match &metrics_url {
        Some(u) => metric(u, "preau_media_packets_out_total").await.ok(),
        None => None,
    };
    let cpu0 = proc_cpu_seconds(o.server_pid)?;
    let self0 = self_cpu_seconds();
    let steal0 = machine_steal();
    let wait0 = proc_run_delays_ns(o.server_pid);
    if o.callgrind {
        callgrind(o.server_pid, true)?;
    }
    let t0 = Instant::now();
    ctx.window.set(true);
    tokio::time::sleep(Duration::from_secs(o.seconds)).await;
    ctx.window.set(false);
    if o.callgrind {
        callgrind(o.server_pid, false)?;
    }
    let seconds = t0.elapsed().as_secs_f64();
    let cpu1 = proc_cpu_seconds(o.server_pid)?;
    let self1 = self_cpu_seconds();
    let steal1 = machine_steal();
    let wait1 = proc_run_delays_ns(o.server_pid);
    let rss = proc_rss_kib(o.server_pid)?;
    let packets_after = match &metrics_url {
        Some(u) => metric(u, "preau_media_packets_out_total").await.ok(),
        None => None,
    };
    let _ = stop_tx.send(true);
    let mut stats = vec![];
    for t in tasks {
        stats.push(t.await?.context("a bot failed")?);
    }
    let m = report::Measured {
        seconds,
        server_cpu_seconds: cpu1 - cpu0,
        server_rss_before_kib: rss_before,
        server_rss_kib: rss,
        loadgen_cpu_seconds: self1 - self0,
        steal_percent: 100.0 * steal1.0.saturating_sub(steal0.0) as f64
            / steal1.1.saturating_sub(steal0.1).max(1) as f64,
        server_wait_seconds: run_delay_between(&wait0, &wait1) as f64 / 1e9,
        server_packets_out: packets_before.zip(packets_after).map(|(a, b)| (b - a) as u64),
    };
    let name = match o.target {
        Target::Preau => "preau",
        Target::Janus => "janus",
    };
    Ok(report::build(
        name,
        &format!("{:?}", o.scenario).to_lowercase(),
        &specs,
        &stats,
        m,
    ))
}

/// A fresh room id, shaped like Préau's (a ULID, lower case).
fn room_id() -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(1) as u64;
    let mut out = String::from("0");
    for _ in 0..25 {
        // xorshift: a room name need not be secret, only fresh.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        out.push(ALPHABET[(seed % 32) as usize] as char);
    }
    out
}

/// User + system CPU seconds of a process, all its threads.
fn proc_cpu_seconds(pid: u32) -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("no process {pid}"))?;
    // The command name may hold spaces: fields count from the last ')'.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    Ok((ticks(11) + ticks(12)) as f64 / hz)
}

/// The machine's CPU time stolen by the hypervisor, and all CPU time, in ticks since boot
/// (/proc/stat): a virtual machine's steal stalls a server however little it has to do.
fn machine_steal() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let ticks: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .take(8)
        .filter_map(|v| v.parse().ok())
        .collect();
    (ticks.get(7).copied().unwrap_or(0), ticks.iter().sum())
}

/// How long each of the process's threads has waited, runnable, for a CPU, in nanoseconds, by
/// thread id (/proc/PID/task/*/schedstat, second field); empty where the kernel keeps no
/// scheduler statistics.
fn proc_run_delays_ns(pid: u32) -> std::collections::HashMap<String, u64> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Default::default();
    };
    tasks
        .flatten()
        .filter_map(|t| {
            let s = std::fs::read_to_string(t.path().join("schedstat")).ok()?;
            let ns = s.split_whitespace().nth(1)?.parse::<u64>().ok()?;
            Some((t.file_name().to_string_lossy().into_owned(), ns))
        })
        .collect()
}

/// The wait over a window, thread by thread: a thread born in it counts from zero; one that
/// ended in it is left out (what it waited is no longer to be read).
fn run_delay_between(
    before: &std::collections::HashMap<String, u64>,
    after: &std::collections::HashMap<String, u64>,
) -> u64 {
    after
        .iter()
        .map(|(tid, ns)| ns.saturating_sub(before.get(tid).copied().unwrap_or(0)))
        .sum()
}

fn proc_rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("no process {pid}"))?;
    Ok(status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

fn self_cpu_seconds() -> f64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Reads one counter from Préau's /metrics (open to loopback).
async fn metric(base: &str, name: &str) -> anyhow::Result<f64> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = base.trim_start_matches("http://").trim_end_matches('/');
    let mut s = tokio::net::TcpStream::connect(host).await?;
    s.write_all(format!("GET /metrics HTTP/1.0\r\nHost: {host}\r\n\r\n").as_bytes())
        .await?;
    let mut body = String::new();
    s.read_to_string(&mut body).await?;
    body.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse().ok()))
        .with_context(|| format!("{name} not in /metrics"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_delay_counts_each_thread_over_the_window_only() {
        let map = |v: &[(&str, u64)]| v.iter().map(|(t, n)| (t.to_string(), *n)).collect();
        // 10 waited 300 ns in the window; 11 was born in it (200); 12 ended in it (left out).
        let before = map(&[("10", 1_000), ("12", 5_000)]);
        let after = map(&[("10", 1_300), ("11", 200)]);
        assert_eq!(run_delay_between(&before, &after), 500);
        assert_eq!(run_delay_between(&after, &after), 0);
    }
}
