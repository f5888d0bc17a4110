//! The limit: the least CPU one forwarded media packet can cost on this machine.
//!
//! To forward a video packet to one receiver, an SFU must at least SRTP-protect it with that
//! receiver's keys and hand it to the kernel as a UDP datagram. It has also received and
//! unprotected the packet once, a cost shared by every receiver of that packet. This module
//! measures each of those steps on its own, in one process, with the CPU clock of the thread
//! doing the work. That gives a floor to compare Préau's own cost per forwarded packet against
//! ("the SFU spends 2.7× what the machine needs").
//!
//! # Which SRTP profile
//!
//! str0m 0.25.0 leaves DTLS to dimpl 0.9.0, and the SRTP profile comes from there:
//! `str0m::crypto::dtls::SrtpProfile` is dimpl's `SrtpProfile` re-exported. Its preference
//! order, `SrtpProfile::ALL` (dimpl `src/crypto/keying.rs`), is **AEAD_AES_256_GCM**, then
//! AEAD_AES_128_GCM, then AES128_CM_SHA1_80.
//!
//! - As a DTLS client, str0m offers them in that order (dimpl's `UseSrtpExtension::default`,
//!   in `src/dtls12/message/extensions/use_srtp.rs` and its DTLS 1.3 twin).
//! - As a DTLS 1.2 server (str0m's default DTLS version), it picks the first of its own list
//!   that the client offers, whatever the client's order (`src/dtls12/server.rs`).
//! - As a DTLS 1.3 server, it takes the client's first supported choice.
//!
//! So str0m talking to str0m, or to any browser that offers AES-256-GCM, ends up on
//! AEAD_AES_256_GCM, not the 128-bit variant. (Current Chrome and Firefox offer both GCM
//! profiles before AES_CM; that part comes from their sources and was not checked against a live
//! browser here.) The benchmark reads `SrtpProfile::ALL` at run time, so its default follows
//! str0m if that order changes, and a unit test flags the change. It also measures the other
//! two profiles for comparison.
//!
//! # What is measured
//!
//! - **protect**: RFC 7714 AEAD (AES-GCM): the RTP header is the AAD, the IV is
//!   `salt XOR (0 ‖ SSRC ‖ ROC ‖ SEQ)`, and the payload is sealed in place with the 16-byte tag
//!   appended. Or RFC 3711 AES-CM with HMAC-SHA1-80: AES-128 in counter mode over the payload,
//!   then HMAC-SHA1 over header, payload and ROC, truncated to 10 bytes. Both use aws-lc-rs (the
//!   library str0m's crypto backend is built on), keyed once, in place, with no allocation per
//!   packet. That is the floor. str0m's own `SrtpContext` is not public API (only behind its
//!   `_internal_test_exports` feature), but the ciphers it calls are public, through
//!   `str0m::crypto::from_feature_flags().srtp_provider`. **protect_str0m** drives those
//!   ciphers the way `SrtpContext::protect_rtp` does: a fresh `Vec` per packet, a copy of
//!   header and payload, and for AES_CM an AES key schedule and HMAC key per packet. It shows
//!   what str0m itself pays above the floor.
//! - **sendmmsg**: batches of datagrams are sent from a UDP socket on 127.0.0.1 to another
//!   socket on 127.0.0.1. Each message names its destination, as an SFU's would. The same
//!   thread takes them off the receiving socket between rounds of a few batches, with its
//!   clock stopped (see [`Loopback`] for why there is no separate draining thread). So only
//!   sending is counted, no datagram is dropped, and nobody is ever woken up. One read of the
//!   clock is subtracted per round ([`LimitReport::clock_overhead_ns`]).
//!   **send_to** is the same with one `sendto` per packet. **protect+sendmmsg** does both in
//!   one loop, as a check on the sum.
//! - **recvmmsg+unprotect** (optional): the reverse. A round is queued with the clock stopped,
//!   then taken off a full queue with `recvmmsg` with the clock running, and each datagram is
//!   decrypted into a scratch buffer the way str0m does it.
//!
//! Each figure is the median of `repeats` runs of `packets` packets, after a warm-up. Runs of
//! different figures are interleaved, so a slow spell spreads over all of them.
//!
//! # Caveats
//!
//! - On loopback, the receive half of the kernel path (IP and UDP input, socket lookup,
//!   enqueue) runs in the sender's softirq context and is charged to the sending thread. The
//!   send figure is therefore more than a NIC send would cost, and the receive figure (dequeue
//!   and copy only) is less than a NIC receive would cost. Their sum is roughly one hop either
//!   way. The NIC driver, interrupts and GRO are not measured at all. If softirq work is
//!   pushed off to `ksoftirqd` ([`LimitReport::late_deliveries`] counts that), or the kernel
//!   accounts IRQ time separately, the send figure shrinks.
//! - Datagrams come out of the receiving socket on the CPU that sent them, so their data is
//!   still in cache. A NIC's DMA would not be, so the receive figure is optimistic there too.
//! - There is no RTP parsing, no routing decision, no replay window, no pacing and no
//!   congestion control here. This is a floor, not a model of an SFU.
//! - The CPU here supports AES-NI, VAES and VPCLMULQDQ. Without them, GCM is far slower.
//! - Other processes' time is not counted in this thread's CPU time, but they still share
//!   caches and the CPU clock. In a VM, time the hypervisor steals may be counted. On this
//!   2-vCPU VM, repeats within one run agree to within 5–15 %, but whole runs minutes apart
//!   differ by up to ±25 %, all figures together. Run it a few times before quoting a number.
//!   Every repeat's figure is in [`LimitReport::samples`].

use std::io;
use std::mem::size_of;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, UdpSocket};
use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;

use anyhow::{Context as _, anyhow, bail, ensure};
use aws_lc_rs::aead::{AES_128_GCM, AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::cipher::{AES_128, EncryptingKey, EncryptionContext, UnboundCipherKey};
use aws_lc_rs::{constant_time, hmac, iv::FixedLength, rand};
use str0m::crypto::dtls::SrtpProfile;
use str0m::crypto::{AeadAes128GcmCipher, AeadAes256GcmCipher, Aes128CmSha1_80Cipher};
use str0m::crypto::{Aes128CmSha1_80, CryptoError, Sha1HmacProvider};

/// `sendmmsg`/`recvmmsg` refuse more messages than this per call (`UIO_MAXIOV`).
const MAX_BATCH: usize = 1024;
/// The largest UDP payload over IPv4.
const MAX_DATAGRAM: usize = 65_507;
/// The receive buffer asked for. The kernel caps it at `net.core.rmem_max` (4 MiB here) and
/// then doubles it.
const RCVBUF_BYTES: libc::c_int = 4 << 20;
/// A conservative guess at the kernel memory one ~1.2 kB datagram takes in a receive queue
/// (its `truesize`). It sizes the rounds so that the receiving socket never overflows.
const QUEUED_DATAGRAM_COST: usize = 4096;
/// Default round of the network benchmarks, in batches.
const DEFAULT_ROUND_BATCHES: usize = 4;
/// How many transient send failures in a row (ENOBUFS, EAGAIN, EINTR) before the rest of a batch
/// is given up and counted as lost.
const MAX_SEND_STRIKES: u32 = 1000;
/// The SSRC of the synthetic stream. Its value does not matter to the cost.
const SSRC: u32 = 0x5052_4541; // "PREA"
/// `SrtpContext::protect_rtp` allocates this much slack after an AES_CM packet (str0m's
/// `CTR_BUFFER_PADDING`). It is reproduced so that the str0m path allocates what str0m does.
const STR0M_CTR_PADDING: usize = 15;

// ---------------------------------------------------------------------------------------------
// Options and report
// ---------------------------------------------------------------------------------------------

/// What to measure. Every field has a sensible default ([`LimitOptions::default`]), and the
/// struct can be flattened into a clap subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct LimitOptions {
    /// Packets per measured run.
    #[arg(long, default_value_t = 200_000)]
    pub packets: usize,
    /// Datagrams per sendmmsg/recvmmsg call.
    #[arg(long, default_value_t = 32)]
    pub batch: usize,
    /// Size of the RTP packet before protection, 12-byte header included.
    #[arg(long, default_value_t = 1200)]
    pub rtp_bytes: usize,
    /// Measured runs per figure. The report gives their median.
    #[arg(long, default_value_t = 3)]
    pub repeats: usize,
    /// SRTP profile to measure. The default is the one str0m prefers (AEAD_AES_256_GCM in
    /// str0m 0.25).
    #[arg(long, value_enum)]
    pub profile: Option<Profile>,
    /// Datagrams sent per round before they are taken off the receiving socket again (0: four
    /// batches). It is capped at what the receive buffer holds. Rounds from 32 to 1024 made no
    /// difference beyond the noise here.
    #[arg(long, default_value_t = 0)]
    pub round: usize,
    /// Skip the receive (recvmmsg + unprotect) measurement.
    #[arg(long)]
    pub no_receive: bool,
    /// Measure protection only for the selected profile, not for the other two as well.
    #[arg(long)]
    pub only_selected_profile: bool,
}

impl Default for LimitOptions {
    fn default() -> Self {
        Self {
            packets: 200_000,
            batch: 32,
            rtp_bytes: 1200,
            repeats: 3,
            round: 0,
            profile: None,
            no_receive: false,
            only_selected_profile: false,
        }
    }
}

impl LimitOptions {
    fn validate(&self) -> anyhow::Result<()> {
        ensure!(self.packets >= 1, "--packets must be at least 1");
        ensure!(self.repeats >= 1, "--repeats must be at least 1");
        ensure!(
            (1..=MAX_BATCH).contains(&self.batch),
            "--batch must be between 1 and {MAX_BATCH} (the kernel's UIO_MAXIOV)"
        );
        ensure!(
            self.rtp_bytes >= 12 && self.rtp_bytes + Profile::MAX_TAG_LEN <= MAX_DATAGRAM,
            "--rtp-bytes must be between 12 (a bare RTP header) and {}",
            MAX_DATAGRAM - Profile::MAX_TAG_LEN
        );
        Ok(())
    }

    /// Long enough for the CPU to reach its steady clock and for caches and the allocator to
    /// settle before anything is timed.
    fn warmup(&self) -> usize {
        (self.packets / 2).max(1)
    }
}

/// The limit, per forwarded packet. All `*_ns` figures are CPU nanoseconds per packet of the
/// thread doing the work, each the median of [`LimitReport::repeats`] runs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LimitReport {
    /// Profile measured, named as str0m prints it, e.g. `SRTP_AEAD_AES_256_GCM`.
    pub srtp_profile: String,
    /// The profile str0m 0.25 negotiates by preference (first of `SrtpProfile::ALL`).
    pub str0m_preferred_profile: String,
    /// RTP packet size before protection, header included.
    pub rtp_bytes: usize,
    /// Datagram size on the wire (RTP packet plus SRTP tag).
    pub datagram_bytes: usize,
    pub batch: usize,
    /// Packets per measured run.
    pub packets: usize,
    pub repeats: usize,

    /// SRTP protection, in place with aws-lc-rs: the floor.
    pub protect_ns: f64,
    /// The same protection through str0m's public cipher API, framed as
    /// `SrtpContext::protect_rtp` does it: a new `Vec` and a copy per packet.
    pub protect_str0m_ns: f64,
    /// Authenticate and decrypt one datagram into a scratch buffer.
    pub unprotect_ns: f64,
    /// Sender CPU per datagram with `sendmmsg` in batches of [`LimitReport::batch`].
    pub sendmmsg_ns_per_packet: f64,
    /// Sender CPU per datagram with one `sendto` each.
    pub send_to_ns_per_packet: f64,
    /// protect + sendmmsg measured in one loop (should be close to the sum).
    pub protect_sendmmsg_ns: f64,
    /// Receiver CPU per datagram: `recvmmsg` on a full queue, then unprotect. `None` if skipped.
    pub recvmmsg_unprotect_ns_per_packet: Option<f64>,

    /// The headline: 1e9 / (protect_ns + sendmmsg_ns_per_packet).
    pub forwarded_per_cpu_second: f64,
    /// 1e9 / (protect_ns + send_to_ns_per_packet).
    pub forwarded_per_cpu_second_unbatched: f64,
    /// 1e9 / (protect + sendmmsg + recvmmsg+unprotect): every packet received for one
    /// receiver only (fan-out 1, the worst case). With fan-out k, the receive share is 1/k.
    pub forwarded_per_cpu_second_incl_receive: Option<f64>,

    /// Whether any datagram of the network benchmarks was dropped: never received, or given
    /// up on after repeated send failures.
    pub sends_dropped: bool,
    /// Datagrams the network benchmarks handed to the kernel (warm-ups included).
    pub datagrams_sent: u64,
    /// Of those, how many came out of the receiving socket.
    pub datagrams_received: u64,
    /// Datagrams sent but never received.
    pub datagrams_lost: u64,
    /// Transient send failures (ENOBUFS, EAGAIN, EINTR) that were retried.
    pub send_retries: u64,
    /// Datagrams given up after repeated transient send failures.
    pub sends_abandoned: u64,
    /// Rounds whose datagrams were not all queued by the time the send returned. This means
    /// the kernel deferred some receive-side work to ksoftirqd, outside the sender's clock.
    /// It should be 0 or close to it; if not, the send figure is a little optimistic.
    pub late_deliveries: u64,
    /// Datagrams sent per round before the thread takes them off the receiving socket.
    pub round: usize,
    /// CPU cost of one read of the thread CPU clock. One read per timed round has been
    /// subtracted from the network figures.
    pub clock_overhead_ns: f64,

    /// Protection cost of each profile. The measured profile comes first.
    pub profiles: Vec<ProfileCost>,
    /// Every run's figure, so the spread behind the medians can be seen.
    pub samples: Samples,
    pub machine: Machine,
}

/// Protection cost of one SRTP profile, in CPU ns per packet (medians).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProfileCost {
    pub profile: String,
    pub datagram_bytes: usize,
    pub protect_ns: f64,
    pub protect_str0m_ns: f64,
    pub unprotect_ns: f64,
}

/// Per-run figures (CPU ns per packet) behind the medians of [`LimitReport`].
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Samples {
    pub protect_ns: Vec<f64>,
    pub protect_str0m_ns: Vec<f64>,
    pub unprotect_ns: Vec<f64>,
    pub sendmmsg_ns_per_packet: Vec<f64>,
    pub send_to_ns_per_packet: Vec<f64>,
    pub protect_sendmmsg_ns: Vec<f64>,
    pub recvmmsg_unprotect_ns_per_packet: Vec<f64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Machine {
    pub cpu_model: String,
    pub logical_cpus: usize,
    pub kernel: String,
}

// ---------------------------------------------------------------------------------------------
// SRTP profiles and protection
// ---------------------------------------------------------------------------------------------

/// The SRTP profiles str0m supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Profile {
    #[value(name = "aead-aes-256-gcm")]
    AeadAes256Gcm,
    #[value(name = "aead-aes-128-gcm")]
    AeadAes128Gcm,
    #[value(name = "aes128-cm-sha1-80")]
    Aes128CmSha1_80,
}

impl Profile {
    const ALL: [Profile; 3] = [
        Profile::AeadAes256Gcm,
        Profile::AeadAes128Gcm,
        Profile::Aes128CmSha1_80,
    ];
    const MAX_TAG_LEN: usize = 16;

    /// The profile str0m puts first, so the one two str0m peers (or str0m and a browser that
    /// offers it) agree on.
    pub fn str0m_preferred() -> Profile {
        SrtpProfile::ALL
            .iter()
            .find_map(|&p| Profile::from_str0m(p))
            .unwrap_or(Profile::AeadAes256Gcm)
    }

    fn from_str0m(p: SrtpProfile) -> Option<Profile> {
        match p {
            SrtpProfile::AEAD_AES_256_GCM => Some(Profile::AeadAes256Gcm),
            SrtpProfile::AEAD_AES_128_GCM => Some(Profile::AeadAes128Gcm),
            SrtpProfile::AES128_CM_SHA1_80 => Some(Profile::Aes128CmSha1_80),
            // dimpl marks the enum non-exhaustive; a profile added later is not one we can run.
            _ => None,
        }
    }

    /// The name str0m (dimpl) prints for the profile.
    pub fn name(self) -> &'static str {
        match self {
            Profile::AeadAes256Gcm => "SRTP_AEAD_AES_256_GCM",
            Profile::AeadAes128Gcm => "SRTP_AEAD_AES_128_GCM",
            Profile::Aes128CmSha1_80 => "SRTP_AES128_CM_SHA1_80",
        }
    }

    fn tag_len(self) -> usize {
        match self {
            Profile::AeadAes256Gcm | Profile::AeadAes128Gcm => 16,
            Profile::Aes128CmSha1_80 => 10,
        }
    }

    fn key_len(self) -> usize {
        match self {
            Profile::AeadAes256Gcm => 32,
            Profile::AeadAes128Gcm | Profile::Aes128CmSha1_80 => 16,
        }
    }

    fn salt_len(self) -> usize {
        match self {
            Profile::AeadAes256Gcm | Profile::AeadAes128Gcm => 12,
            Profile::Aes128CmSha1_80 => 14,
        }
    }
}

/// The session keys for one direction of one SRTP stream, i.e. what the SRTP key derivation
/// produces from the DTLS export. The derivation runs once per session, so it is not measured.
/// Random keys stand in for it.
#[derive(Clone)]
struct SessionKeys {
    profile: Profile,
    key: Vec<u8>,
    salt: Vec<u8>,
    /// HMAC-SHA1 key. AES_CM only.
    auth: Vec<u8>,
}

impl SessionKeys {
    fn random(profile: Profile) -> anyhow::Result<Self> {
        let mut keys = SessionKeys {
            profile,
            key: vec![0; profile.key_len()],
            salt: vec![0; profile.salt_len()],
            auth: vec![
                0;
                if profile == Profile::Aes128CmSha1_80 {
                    20
                } else {
                    0
                }
            ],
        };
        for part in [&mut keys.key, &mut keys.salt, &mut keys.auth] {
            rand::fill(part).map_err(|_| anyhow!("the system random source failed"))?;
        }
        Ok(keys)
    }
}

/// Why a packet could not be protected or unprotected. It is a `&'static str` so that the hot
/// path never allocates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SrtpError(&'static str);

impl std::fmt::Display for SrtpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for SrtpError {}

/// SRTP for one stream, keyed once. Protection works in place: the fastest a packet can be
/// protected with this library.
// The HMAC key holds precomputed SHA-1 states and is large. Protectors are built a few times
// per run and never moved on the hot path, so it is not worth boxing.
#[allow(clippy::large_enum_variant)]
enum Protector {
    Gcm {
        key: LessSafeKey,
        salt: [u8; 12],
    },
    CmSha1 {
        /// AES-CTR is its own inverse, so this one key both encrypts and decrypts.
        ctr: EncryptingKey,
        auth: hmac::Key,
        salt: [u8; 14],
    },
}

impl Protector {
    fn new(keys: &SessionKeys) -> anyhow::Result<Self> {
        let bad_key = |_| anyhow!("bad {} key", keys.profile.name());
        Ok(match keys.profile {
            Profile::AeadAes256Gcm | Profile::AeadAes128Gcm => {
                let algorithm = if keys.profile == Profile::AeadAes256Gcm {
                    &AES_256_GCM
                } else {
                    &AES_128_GCM
                };
                Protector::Gcm {
                    key: LessSafeKey::new(UnboundKey::new(algorithm, &keys.key).map_err(bad_key)?),
                    salt: keys.salt.as_slice().try_into()?,
                }
            }
            Profile::Aes128CmSha1_80 => Protector::CmSha1 {
                ctr: EncryptingKey::ctr(
                    UnboundCipherKey::new(&AES_128, &keys.key).map_err(bad_key)?,
                )
                .map_err(bad_key)?,
                auth: hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &keys.auth),
                salt: keys.salt.as_slice().try_into()?,
            },
        })
    }

    fn tag_len(&self) -> usize {
        match self {
            Protector::Gcm { .. } => 16,
            Protector::CmSha1 { .. } => 10,
        }
    }

    /// Protects the RTP packet in `buf[..rtp_len]` in place and writes the tag right after it.
    /// Returns the length of the SRTP datagram. `roc` is the rollover counter: the high
    /// 32 bits of the packet index above the 16-bit sequence number.
    fn protect(&self, buf: &mut [u8], rtp_len: usize, roc: u32) -> Result<usize, SrtpError> {
        let tag_len = self.tag_len();
        let buf = buf
            .get_mut(..rtp_len + tag_len)
            .ok_or(SrtpError("no room for the SRTP tag"))?;
        let (ssrc, seq, hlen) =
            rtp_fields(&buf[..rtp_len]).ok_or(SrtpError("not an RTP packet"))?;
        match self {
            Protector::Gcm { key, salt } => {
                // RFC 7714 §8.1: the header is authenticated but not encrypted.
                let nonce = Nonce::assume_unique_for_key(gcm_iv(salt, ssrc, roc, seq));
                let (header, rest) = buf.split_at_mut(hlen);
                let (payload, tag_out) = rest.split_at_mut(rtp_len - hlen);
                let tag = key
                    .seal_in_place_separate_tag(nonce, Aad::from(&*header), payload)
                    .map_err(|_| SrtpError("AES-GCM seal failed"))?;
                tag_out.copy_from_slice(tag.as_ref());
            }
            Protector::CmSha1 { ctr, auth, salt } => {
                // RFC 3711 §3.3: encrypt the payload, then authenticate header, encrypted
                // payload and ROC.
                let index = (u64::from(roc) << 16) | u64::from(seq);
                let iv = FixedLength::from(cm_iv(salt, ssrc, index));
                ctr.less_safe_encrypt(&mut buf[hlen..rtp_len], EncryptionContext::Iv128(iv))
                    .map_err(|_| SrtpError("AES-CTR failed"))?;
                let tag = cm_tag(auth, &buf[..rtp_len], roc);
                buf[rtp_len..].copy_from_slice(&tag.as_ref()[..10]);
            }
        }
        Ok(rtp_len + tag_len)
    }

    /// Authenticates the SRTP datagram and decrypts its payload into `payload_out`, leaving the
    /// datagram untouched, as str0m's `SrtpContext::unprotect_rtp` does. Returns the payload
    /// length.
    fn unprotect(
        &self,
        datagram: &[u8],
        roc: u32,
        payload_out: &mut [u8],
    ) -> Result<usize, SrtpError> {
        let rtp_len = datagram
            .len()
            .checked_sub(self.tag_len())
            .ok_or(SrtpError("shorter than an SRTP tag"))?;
        let (rtp, tag) = datagram.split_at(rtp_len);
        let (ssrc, seq, hlen) = rtp_fields(rtp).ok_or(SrtpError("not an RTP packet"))?;
        let out = payload_out
            .get_mut(..rtp_len - hlen)
            .ok_or(SrtpError("payload buffer too small"))?;
        match self {
            Protector::Gcm { key, salt } => {
                let nonce = Nonce::assume_unique_for_key(gcm_iv(salt, ssrc, roc, seq));
                key.open_separate_gather(nonce, Aad::from(&rtp[..hlen]), &rtp[hlen..], tag, out)
                    .map_err(|_| SrtpError("SRTP authentication failed"))?;
            }
            Protector::CmSha1 { ctr, auth, salt } => {
                let expected = cm_tag(auth, rtp, roc);
                constant_time::verify_slices_are_equal(&expected.as_ref()[..10], tag)
                    .map_err(|_| SrtpError("SRTP authentication failed"))?;
                out.copy_from_slice(&rtp[hlen..]);
                let index = (u64::from(roc) << 16) | u64::from(seq);
                let iv = FixedLength::from(cm_iv(salt, ssrc, index));
                ctr.less_safe_encrypt(out, EncryptionContext::Iv128(iv))
                    .map_err(|_| SrtpError("AES-CTR failed"))?;
            }
        }
        Ok(rtp_len - hlen)
    }
}

/// SSRC, sequence number and header length (CSRCs and extension included) of an RTP packet.
fn rtp_fields(rtp: &[u8]) -> Option<(u32, u16, usize)> {
    if rtp.len() < 12 || rtp[0] >> 6 != 2 {
        return None;
    }
    let mut hlen = 12 + 4 * usize::from(rtp[0] & 0x0f);
    if rtp[0] & 0x10 != 0 {
        let words = rtp.get(hlen + 2..hlen + 4)?;
        hlen += 4 + 4 * usize::from(u16::from_be_bytes([words[0], words[1]]));
    }
    if hlen > rtp.len() {
        return None;
    }
    let seq = u16::from_be_bytes([rtp[2], rtp[3]]);
    let ssrc = u32::from_be_bytes([rtp[8], rtp[9], rtp[10], rtp[11]]);
    Some((ssrc, seq, hlen))
}

/// RFC 7714 §8.1: IV = (0x0000 ‖ SSRC ‖ ROC ‖ SEQ) XOR salt.
fn gcm_iv(salt: &[u8; 12], ssrc: u32, roc: u32, seq: u16) -> [u8; 12] {
    let mut iv = [0u8; 12];
    iv[2..6].copy_from_slice(&ssrc.to_be_bytes());
    iv[6..10].copy_from_slice(&roc.to_be_bytes());
    iv[10..12].copy_from_slice(&seq.to_be_bytes());
    for (b, s) in iv.iter_mut().zip(salt) {
        *b ^= s;
    }
    iv
}

/// RFC 3711 §4.1.1: IV = (salt · 2^16) XOR (SSRC · 2^64) XOR (index · 2^16), where the index is
/// 48 bits and the low 16 bits are the block counter.
fn cm_iv(salt: &[u8; 14], ssrc: u32, index: u64) -> [u8; 16] {
    let mut iv = [0u8; 16];
    iv[..14].copy_from_slice(salt);
    for (b, s) in iv[4..8].iter_mut().zip(ssrc.to_be_bytes()) {
        *b ^= s;
    }
    for (b, s) in iv[8..14].iter_mut().zip(&index.to_be_bytes()[2..]) {
        *b ^= s;
    }
    iv
}

/// RFC 3711 §4.2: HMAC-SHA1 over the authenticated portion followed by the ROC. The caller
/// truncates it to 80 bits.
fn cm_tag(auth: &hmac::Key, rtp: &[u8], roc: u32) -> hmac::Tag {
    let mut ctx = hmac::Context::with_key(auth);
    ctx.update(rtp);
    ctx.update(&roc.to_be_bytes());
    ctx.sign()
}

/// The same protection as [`Protector`], through the ciphers str0m exposes. The framing
/// follows `SrtpContext::protect_rtp` in str0m 0.25, whose context is not public: a fresh
/// output `Vec` per packet, header copied after the cipher writes the payload, and, for
/// AES_CM, str0m's own IV and HMAC helpers with its SHA1-HMAC provider.
enum Str0mPath {
    Gcm128 {
        enc: Box<dyn AeadAes128GcmCipher>,
        salt: [u8; 12],
    },
    Gcm256 {
        enc: Box<dyn AeadAes256GcmCipher>,
        salt: [u8; 12],
    },
    CmSha1 {
        enc: Box<dyn Aes128CmSha1_80Cipher>,
        hmac: &'static dyn Sha1HmacProvider,
        auth: [u8; 20],
        salt: [u8; 14],
    },
}

impl Str0mPath {
    fn new(keys: &SessionKeys) -> anyhow::Result<Self> {
        // The provider str0m builds for itself with the `aws-lc-rs` feature.
        let provider = str0m::crypto::from_feature_flags();
        let srtp = provider.srtp_provider;
        Ok(match keys.profile {
            Profile::AeadAes128Gcm => Str0mPath::Gcm128 {
                enc: srtp
                    .aead_aes_128_gcm()
                    .create_cipher(keys.key.as_slice().try_into()?, true),
                salt: keys.salt.as_slice().try_into()?,
            },
            Profile::AeadAes256Gcm => Str0mPath::Gcm256 {
                enc: srtp
                    .aead_aes_256_gcm()
                    .create_cipher(keys.key.as_slice().try_into()?, true),
                salt: keys.salt.as_slice().try_into()?,
            },
            Profile::Aes128CmSha1_80 => Str0mPath::CmSha1 {
                enc: srtp
                    .aes_128_cm_sha1_80()
                    .create_cipher(keys.key.as_slice().try_into()?, true),
                hmac: provider.sha1_hmac_provider,
                auth: keys.auth.as_slice().try_into()?,
                salt: keys.salt.as_slice().try_into()?,
            },
        })
    }

    fn protect(&mut self, rtp: &[u8], roc: u32) -> Result<Vec<u8>, CryptoError> {
        let (ssrc, seq, hlen) =
            rtp_fields(rtp).ok_or_else(|| CryptoError::Other("not an RTP packet".into()))?;
        let (header, payload) = rtp.split_at(hlen);
        let out = match self {
            Str0mPath::Gcm128 { enc, salt } => {
                let iv = str0m::crypto::AeadAes128Gcm::rtp_iv(*salt, ssrc, roc, seq);
                let mut out = vec![0u8; rtp.len() + str0m::crypto::AeadAes128Gcm::TAG_LEN];
                enc.encrypt(&iv, header, payload, &mut out[hlen..])?;
                out[..hlen].copy_from_slice(header);
                out
            }
            Str0mPath::Gcm256 { enc, salt } => {
                let iv = str0m::crypto::AeadAes256Gcm::rtp_iv(*salt, ssrc, roc, seq);
                let mut out = vec![0u8; rtp.len() + str0m::crypto::AeadAes256Gcm::TAG_LEN];
                enc.encrypt(&iv, header, payload, &mut out[hlen..])?;
                out[..hlen].copy_from_slice(header);
                out
            }
            Str0mPath::CmSha1 {
                enc,
                hmac,
                auth,
                salt,
            } => {
                let index = (u64::from(roc) << 16) | u64::from(seq);
                let iv = Aes128CmSha1_80::rtp_iv(*salt, ssrc, index);
                let tag_len = Aes128CmSha1_80::HMAC_TAG_LEN;
                let mut out = vec![0u8; rtp.len() + tag_len.max(STR0M_CTR_PADDING)];
                enc.encrypt(&iv, payload, &mut out[hlen..])?;
                out[..hlen].copy_from_slice(header);
                let sha1_hmac = |k: &[u8], parts: &[&[u8]]| hmac.sha1_hmac(k, parts);
                Aes128CmSha1_80::rtp_hmac(sha1_hmac, auth, &mut out, index, rtp.len());
                out.truncate(rtp.len() + tag_len);
                out
            }
        };
        Ok(out)
    }
}

/// RTP sequence number with its rollover counter, as a sender advances them.
#[derive(Debug, Clone, Copy, Default)]
struct PacketIndex {
    seq: u16,
    roc: u32,
}

impl PacketIndex {
    fn next(&mut self) -> (u16, u32) {
        self.seq = self.seq.wrapping_add(1);
        if self.seq == 0 {
            self.roc = self.roc.wrapping_add(1);
        }
        (self.seq, self.roc)
    }
}

/// A plain RTP packet: 12-byte header (V=2, PT 96, no CSRC, no extension) and a random payload,
/// as incompressible as real video.
fn sample_rtp_packet(rtp_bytes: usize, seq: u16) -> anyhow::Result<Vec<u8>> {
    let mut rtp = vec![0u8; rtp_bytes];
    rand::fill(&mut rtp[12..]).map_err(|_| anyhow!("the system random source failed"))?;
    rtp[0] = 0x80;
    rtp[1] = 96;
    rtp[2..4].copy_from_slice(&seq.to_be_bytes());
    rtp[4..8].copy_from_slice(&0x0001_0000u32.to_be_bytes());
    rtp[8..12].copy_from_slice(&SSRC.to_be_bytes());
    Ok(rtp)
}

fn set_seq(rtp: &mut [u8], seq: u16) {
    rtp[2..4].copy_from_slice(&seq.to_be_bytes());
}

// ---------------------------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------------------------

/// CPU time consumed so far by the calling thread. Blocked and preempted time is not counted.
fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock exists on every Linux.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    debug_assert_eq!(rc, 0, "CLOCK_THREAD_CPUTIME_ID unavailable");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// What one read of the thread CPU clock costs. It is a system call, not a vDSO read. The
/// median of a few tries.
fn clock_overhead_ns() -> f64 {
    const READS: u64 = 1000;
    let tries: Vec<f64> = (0..5)
        .map(|_| {
            let t0 = thread_cpu_ns();
            for _ in 0..READS {
                std::hint::black_box(thread_cpu_ns());
            }
            (thread_cpu_ns() - t0) as f64 / READS as f64
        })
        .collect();
    median(&tries)
}

/// Adds up timed stretches of the thread's CPU time, less one clock read per stretch: the
/// return from the first read plus the entry into the second is what a stretch adds. With
/// rounds of a few dozen datagrams that would otherwise be a few ns per datagram.
struct Stopwatch {
    clock_overhead_ns: f64,
    total_ns: f64,
}

impl Stopwatch {
    fn new(clock_overhead_ns: f64) -> Self {
        Stopwatch {
            clock_overhead_ns,
            total_ns: 0.0,
        }
    }

    fn time<T>(&mut self, work: impl FnOnce() -> T) -> T {
        let t0 = thread_cpu_ns();
        let result = work();
        let t1 = thread_cpu_ns();
        self.total_ns += (t1 - t0) as f64 - self.clock_overhead_ns;
        result
    }
}

fn per_packet(cpu_ns: f64, packets: u64) -> f64 {
    if packets == 0 {
        f64::NAN
    } else {
        cpu_ns.max(0.0) / packets as f64
    }
}

fn median(samples: &[f64]) -> f64 {
    let mut v: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    }
}

/// Per-run protection figures for one profile.
#[derive(Default)]
struct CryptoSamples {
    protect: Vec<f64>,
    protect_str0m: Vec<f64>,
    unprotect: Vec<f64>,
}

fn measure_crypto(profile: Profile, opts: &LimitOptions) -> anyhow::Result<CryptoSamples> {
    let keys = SessionKeys::random(profile)?;
    let protector = Protector::new(&keys)?;
    let mut str0m_path = Str0mPath::new(&keys)?;
    let rtp_len = opts.rtp_bytes;

    let mut work = sample_rtp_packet(rtp_len, 1)?;
    work.resize(rtp_len + profile.tag_len(), 0);
    let mut plain = sample_rtp_packet(rtp_len, 1)?;
    let mut sealed = plain.clone();
    sealed.resize(rtp_len + profile.tag_len(), 0);
    protector.protect(&mut sealed, rtp_len, 0)?;
    let mut scratch = vec![0u8; rtp_len];
    let mut index = PacketIndex::default();

    // Runs are interleaved (protect, str0m, unprotect, protect, ...) so that a slow spell on
    // the shared machine spreads over all figures instead of skewing one.
    let mut samples = CryptoSamples::default();
    for run in 0..=opts.repeats {
        let (n, measured) = if run == 0 {
            (opts.warmup(), false)
        } else {
            (opts.packets, true)
        };

        let t0 = thread_cpu_ns();
        for _ in 0..n {
            let (seq, roc) = index.next();
            set_seq(&mut work, seq);
            let len = protector.protect(&mut work, rtp_len, roc)?;
            std::hint::black_box(&work[..len]);
        }
        let protect = per_packet((thread_cpu_ns() - t0) as f64, n as u64);

        let t0 = thread_cpu_ns();
        for _ in 0..n {
            let (seq, roc) = index.next();
            set_seq(&mut plain, seq);
            let out = str0m_path.protect(&plain, roc)?;
            // Dropped here, as the SFU drops it once the datagram is sent.
            std::hint::black_box(out);
        }
        let protect_str0m = per_packet((thread_cpu_ns() - t0) as f64, n as u64);

        // The same datagram over and over. There is no replay window here, and the cost does
        // not depend on the contents.
        let t0 = thread_cpu_ns();
        for _ in 0..n {
            let len = protector.unprotect(&sealed, 0, &mut scratch)?;
            std::hint::black_box(&scratch[..len]);
        }
        let unprotect = per_packet((thread_cpu_ns() - t0) as f64, n as u64);

        if measured {
            samples.protect.push(protect);
            samples.protect_str0m.push(protect_str0m);
            samples.unprotect.push(unprotect);
        }
    }
    Ok(samples)
}

/// Datagram buffers laid out for `sendmmsg`/`recvmmsg`: one contiguous buffer, plus an iovec
/// and an `mmsghdr` per slot, all allocated once. The headers point into the other fields'
/// heap memory, so none of the vectors may be resized after `new`. Moving the struct is fine.
/// `iovs` and `dest` are only read by the kernel, through `hdrs`, and are kept here so that
/// they live as long as the headers.
struct MmsgBatch {
    bufs: Vec<u8>,
    stride: usize,
    iovs: Vec<libc::iovec>,
    hdrs: Vec<libc::mmsghdr>,
    // Read by the kernel only, through `hdrs`: kept so that it lives as long as they do.
    #[allow(dead_code)]
    dest: Option<Box<libc::sockaddr_in>>,
}

impl MmsgBatch {
    /// `slots` buffers of `stride` bytes. Each message covers the first `len` bytes of its
    /// buffer and, if `dest` is given, is addressed to it (sockets stay unconnected, as an
    /// SFU's serving many peers would be).
    fn new(slots: usize, stride: usize, len: usize, dest: Option<SocketAddrV4>) -> Self {
        let mut bufs = vec![0u8; slots * stride];
        let base = bufs.as_mut_ptr();
        let mut iovs: Vec<libc::iovec> = (0..slots)
            .map(|i| libc::iovec {
                iov_base: base.wrapping_add(i * stride).cast(),
                iov_len: len,
            })
            .collect();
        let mut dest = dest.map(|addr| Box::new(sockaddr_in(addr)));
        let iov_base = iovs.as_mut_ptr();
        let name: *mut libc::c_void = match dest.as_mut() {
            Some(d) => (&mut **d as *mut libc::sockaddr_in).cast(),
            None => std::ptr::null_mut(),
        };
        let hdrs = (0..slots)
            .map(|i| {
                // SAFETY: mmsghdr is plain data; all-zero is a valid (empty) value.
                let mut h: libc::mmsghdr = unsafe { std::mem::zeroed() };
                h.msg_hdr.msg_iov = iov_base.wrapping_add(i);
                h.msg_hdr.msg_iovlen = 1;
                if !name.is_null() {
                    h.msg_hdr.msg_name = name;
                    h.msg_hdr.msg_namelen = size_of::<libc::sockaddr_in>() as libc::socklen_t;
                }
                h
            })
            .collect();
        MmsgBatch {
            bufs,
            stride,
            iovs,
            hdrs,
            dest,
        }
    }

    fn slots(&self) -> usize {
        self.hdrs.len()
    }

    fn slot_mut(&mut self, i: usize) -> &mut [u8] {
        &mut self.bufs[i * self.stride..(i + 1) * self.stride]
    }

    fn slot(&self, i: usize) -> &[u8] {
        &self.bufs[i * self.stride..(i + 1) * self.stride]
    }
}

fn sockaddr_in(addr: SocketAddrV4) -> libc::sockaddr_in {
    // SAFETY: sockaddr_in is plain data; all-zero is valid, and the fields are set below.
    let mut sa: libc::sockaddr_in = unsafe { std::mem::zeroed() };
    sa.sin_family = libc::AF_INET as libc::sa_family_t;
    sa.sin_port = addr.port().to_be();
    sa.sin_addr.s_addr = u32::from(*addr.ip()).to_be();
    sa
}

fn v4(addr: SocketAddr) -> anyhow::Result<SocketAddrV4> {
    match addr {
        SocketAddr::V4(a) => Ok(a),
        SocketAddr::V6(a) => bail!("expected an IPv4 address, got {a}"),
    }
}

fn set_int_sockopt(fd: RawFd, name: libc::c_int, value: libc::c_int) -> io::Result<()> {
    // SAFETY: a valid fd, a pointer to a live c_int and its exact size.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            name,
            (&value as *const libc::c_int).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

fn get_int_sockopt(fd: RawFd, name: libc::c_int) -> io::Result<libc::c_int> {
    let mut value: libc::c_int = 0;
    let mut len = size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: a valid fd and a writable c_int with its size.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            name,
            (&mut value as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    if rc == 0 {
        Ok(value)
    } else {
        Err(io::Error::last_os_error())
    }
}

fn is_transient(err: &io::Error) -> bool {
    matches!(
        err.raw_os_error(),
        Some(libc::EAGAIN | libc::ENOBUFS | libc::EINTR)
    ) || err.kind() == io::ErrorKind::WouldBlock
}

/// What happened to the datagrams of the network benchmarks.
#[derive(Debug, Default, Clone, Copy)]
struct LinkStats {
    sent: u64,
    received: u64,
    /// Transient send failures (ENOBUFS, EAGAIN, EINTR) that were retried.
    retries: u64,
    /// Datagrams given up after [`MAX_SEND_STRIKES`] transient failures in a row.
    abandoned: u64,
    /// Datagrams sent but never received.
    lost: u64,
    /// Times a round's datagrams were not all queued when the send returned.
    late: u64,
}

/// Sends every message in `hdrs`, resuming after partial sends and retrying transient
/// failures. After [`MAX_SEND_STRIKES`] failures in a row, gives the rest up.
fn sendmmsg_all(fd: RawFd, hdrs: &mut [libc::mmsghdr], stats: &mut LinkStats) -> io::Result<()> {
    let mut done = 0;
    let mut strikes = 0;
    while done < hdrs.len() {
        let rest = &mut hdrs[done..];
        // SAFETY: the headers point at iovecs, buffers and an address owned by the MmsgBatch
        // they came from, which outlives this call; `rest.len()` ≤ UIO_MAXIOV.
        let rc = unsafe { libc::sendmmsg(fd, rest.as_mut_ptr(), rest.len() as libc::c_uint, 0) };
        if rc > 0 {
            done += rc as usize;
            stats.sent += rc as u64;
            strikes = 0;
            continue;
        }
        let err = io::Error::last_os_error();
        if rc < 0 && !is_transient(&err) {
            return Err(err);
        }
        stats.retries += 1;
        strikes += 1;
        if strikes >= MAX_SEND_STRIKES {
            stats.abandoned += (hdrs.len() - done) as u64;
            break;
        }
        std::thread::yield_now();
    }
    Ok(())
}

/// Two UDP sockets on 127.0.0.1 and one thread that alternates between them, a round of
/// datagrams at a time. The thread either sends a round with the clock running and then
/// takes it off the receiving socket with the clock stopped, or the reverse.
///
/// A concurrent draining thread was tried first. It lost 0.2–8 % of the datagrams whenever it
/// was descheduled on this shared 2-vCPU machine. It also made the sender's figure depend on
/// another thread's scheduling, and on the two CPUs contending for the receive queue, which a
/// NIC does not cause. Alternating avoids all of that: a round always fits in the receive
/// buffer, and nobody is ever asleep on the socket, so no wake-up is charged to the sender.
/// Both designs gave send figures in the same range, 1.1–2.0 µs per datagram, which varied
/// from run to run with the load on the machine.
struct Loopback {
    tx: UdpSocket,
    rx: UdpSocket,
    dest: SocketAddr,
    /// Datagrams per round. A round always fits in the receive buffer.
    round: usize,
    clock_overhead_ns: f64,
    /// Protected datagrams ready to send, addressed to `rx`.
    out: MmsgBatch,
    /// Receive buffers.
    inn: MmsgBatch,
    stats: LinkStats,
}

impl Loopback {
    fn new(
        batch: usize,
        datagram_len: usize,
        round: usize,
        clock_overhead_ns: f64,
    ) -> anyhow::Result<Self> {
        let rx = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
            .context("binding the receiving UDP socket on 127.0.0.1")?;
        let fd = rx.as_raw_fd();
        // Asking for more than `net.core.rmem_max` is silently capped, not refused.
        set_int_sockopt(fd, libc::SO_RCVBUF, RCVBUF_BYTES).context("SO_RCVBUF")?;
        let rcvbuf = get_int_sockopt(fd, libc::SO_RCVBUF).context("SO_RCVBUF")? as usize;
        let cost = QUEUED_DATAGRAM_COST.max(2 * datagram_len.next_power_of_two());
        let fits = (rcvbuf / cost).max(1);
        let round = if round == 0 {
            DEFAULT_ROUND_BATCHES * batch
        } else {
            round
        };
        let round = round.min(fits);
        let tx = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
            .context("binding the sending UDP socket on 127.0.0.1")?;
        let dest = rx.local_addr()?;
        Ok(Loopback {
            out: MmsgBatch::new(batch, datagram_len, datagram_len, Some(v4(dest)?)),
            inn: MmsgBatch::new(batch, datagram_len, datagram_len, None),
            tx,
            rx,
            dest,
            round,
            clock_overhead_ns,
            stats: LinkStats::default(),
        })
    }

    /// Fills the send slots with protected copies of `template`, sequence numbers 1, 2, …,
    /// rollover counter 0, so that the receiving side can check them.
    fn fill(&mut self, protector: &Protector, template: &[u8]) -> Result<(), SrtpError> {
        for i in 0..self.out.slots() {
            let slot = self.out.slot_mut(i);
            slot[..template.len()].copy_from_slice(template);
            set_seq(slot, i as u16 + 1);
            protector.protect(slot, template.len(), 0)?;
        }
        Ok(())
    }

    /// Sends `n` datagrams from the ready slots with `sendmmsg`, a batch per call.
    fn send_batched(&mut self, n: usize) -> io::Result<()> {
        let fd = self.tx.as_raw_fd();
        let mut left = n;
        while left > 0 {
            let k = left.min(self.out.slots());
            sendmmsg_all(fd, &mut self.out.hdrs[..k], &mut self.stats)?;
            left -= k;
        }
        Ok(())
    }

    /// Protects a batch in the slots it is sent from, then sends it, until `n` are sent.
    fn protect_and_send(
        &mut self,
        protector: &Protector,
        index: &mut PacketIndex,
        rtp_len: usize,
        n: usize,
    ) -> anyhow::Result<()> {
        let fd = self.tx.as_raw_fd();
        let mut left = n;
        while left > 0 {
            let k = left.min(self.out.slots());
            for i in 0..k {
                let (seq, roc) = index.next();
                let slot = self.out.slot_mut(i);
                set_seq(slot, seq);
                protector.protect(slot, rtp_len, roc)?;
            }
            sendmmsg_all(fd, &mut self.out.hdrs[..k], &mut self.stats).context("sendmmsg")?;
            left -= k;
        }
        Ok(())
    }

    /// Sends `n` copies of the first slot, one `sendto` each.
    fn send_each(&mut self, n: usize) -> io::Result<()> {
        let datagram = &self.out.slot(0)[..self.out.iovs[0].iov_len];
        for _ in 0..n {
            let mut strikes = 0;
            loop {
                match self.tx.send_to(datagram, self.dest) {
                    Ok(_) => {
                        self.stats.sent += 1;
                        break;
                    }
                    Err(e) if is_transient(&e) && strikes < MAX_SEND_STRIKES => {
                        self.stats.retries += 1;
                        strikes += 1;
                        std::thread::yield_now();
                    }
                    Err(e) if is_transient(&e) => {
                        self.stats.abandoned += 1;
                        break;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }

    /// Takes `expected` datagrams off the receiving socket with `recvmmsg`, handing each to
    /// `each`. On loopback, a datagram is normally queued before its send returns. If some are
    /// missing, their delivery was deferred to ksoftirqd (and escaped the sender's clock) or
    /// they were dropped, so wait a little, then count the rest as lost.
    fn receive(&mut self, expected: u64, mut each: impl FnMut(&[u8])) -> io::Result<u64> {
        let fd = self.rx.as_raw_fd();
        let mut got = 0u64;
        let mut waits = 0u32;
        while got < expected {
            let k = (expected - got).min(self.inn.slots() as u64) as usize;
            // SAFETY: the headers point into `self.inn`, alive for the call; k ≤ UIO_MAXIOV.
            let rc = unsafe {
                libc::recvmmsg(
                    fd,
                    self.inn.hdrs.as_mut_ptr(),
                    k as libc::c_uint,
                    libc::MSG_DONTWAIT,
                    std::ptr::null_mut(),
                )
            };
            if rc > 0 {
                for j in 0..rc as usize {
                    let len = self.inn.hdrs[j].msg_len as usize;
                    each(&self.inn.slot(j)[..len]);
                }
                got += rc as u64;
                continue;
            }
            let err = io::Error::last_os_error();
            if rc < 0 && !is_transient(&err) {
                return Err(err);
            }
            if waits == 0 {
                self.stats.late += 1;
            }
            waits += 1;
            if waits > 200 {
                self.stats.lost += expected - got;
                break;
            }
            std::thread::sleep(Duration::from_micros(100));
        }
        self.stats.received += got;
        Ok(got)
    }

    /// Sender CPU per datagram for `n` datagrams sent by `send`, a round at a time, each round
    /// received untimed before the next.
    fn timed_sends(
        &mut self,
        n: usize,
        mut send: impl FnMut(&mut Self, usize) -> anyhow::Result<()>,
    ) -> anyhow::Result<f64> {
        let mut watch = Stopwatch::new(self.clock_overhead_ns);
        let mut sent = 0;
        let mut left = n;
        while left > 0 {
            let round = left.min(self.round);
            let before = self.stats.sent;
            watch.time(|| send(self, round))?;
            let in_flight = self.stats.sent - before;
            sent += in_flight;
            self.receive(in_flight, |_| ())?;
            left -= round;
        }
        Ok(per_packet(watch.total_ns, sent))
    }
}

#[derive(Default)]
struct NetSamples {
    sendmmsg: Vec<f64>,
    send_to: Vec<f64>,
    joint: Vec<f64>,
    receive: Vec<f64>,
    stats: LinkStats,
    round: usize,
    clock_overhead_ns: f64,
}

fn measure_network(profile: Profile, opts: &LimitOptions) -> anyhow::Result<NetSamples> {
    let rtp_len = opts.rtp_bytes;
    let clock_overhead_ns = clock_overhead_ns();
    let mut link = Loopback::new(
        opts.batch,
        rtp_len + profile.tag_len(),
        opts.round,
        clock_overhead_ns,
    )?;
    let protector = Protector::new(&SessionKeys::random(profile)?)?;
    let template = sample_rtp_packet(rtp_len, 0)?;
    let mut scratch = vec![0u8; rtp_len];
    let mut index = PacketIndex::default();

    let mut s = NetSamples {
        round: link.round,
        clock_overhead_ns,
        ..NetSamples::default()
    };
    for run in 0..=opts.repeats {
        let (n, measured) = if run == 0 {
            (opts.warmup(), false)
        } else {
            (opts.packets, true)
        };

        link.fill(&protector, &template)?;
        let sendmmsg = link.timed_sends(n, |l, k| l.send_batched(k).context("sendmmsg"))?;
        let send_to = link.timed_sends(n, |l, k| l.send_each(k).context("send_to"))?;
        let joint = link.timed_sends(n, |l, k| {
            l.protect_and_send(&protector, &mut index, rtp_len, k)
        })?;

        // The receiving side: queue a round untimed, then time taking it off the socket and
        // unprotecting each datagram into a scratch buffer, as str0m does.
        let mut receive = f64::NAN;
        if !opts.no_receive {
            link.fill(&protector, &template)?;
            let mut watch = Stopwatch::new(clock_overhead_ns);
            let (mut received, mut failures) = (0, 0u64);
            let mut left = n;
            while left > 0 {
                let round = left.min(link.round);
                let before = link.stats.sent;
                link.send_batched(round).context("sendmmsg")?;
                let in_flight = link.stats.sent - before;
                received += watch.time(|| {
                    link.receive(in_flight, |datagram| {
                        match protector.unprotect(datagram, 0, &mut scratch) {
                            Ok(len) => {
                                std::hint::black_box(&scratch[..len]);
                            }
                            Err(_) => failures += 1,
                        }
                    })
                })?;
                left -= round;
            }
            ensure!(
                failures == 0,
                "{failures} received datagrams failed SRTP authentication"
            );
            receive = per_packet(watch.total_ns, received);
        }

        if measured {
            s.sendmmsg.push(sendmmsg);
            s.send_to.push(send_to);
            s.joint.push(joint);
            if !opts.no_receive {
                s.receive.push(receive);
            }
        }
    }
    s.stats = link.stats;
    Ok(s)
}

fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu_model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")?
                .split_once(':')
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "unknown".into());
    Machine {
        cpu_model,
        logical_cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
        kernel,
    }
}

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

/// Measures the limit. With the defaults this takes several seconds of CPU on two threads.
pub fn run(opts: &LimitOptions) -> anyhow::Result<LimitReport> {
    opts.validate()?;
    let preferred = Profile::str0m_preferred();
    let profile = opts.profile.unwrap_or(preferred);

    let mut order = vec![profile];
    if !opts.only_selected_profile {
        order.extend(Profile::ALL.iter().copied().filter(|&p| p != profile));
    }
    let mut profiles = Vec::with_capacity(order.len());
    let mut samples = Samples::default();
    for p in order {
        let c = measure_crypto(p, opts).with_context(|| format!("measuring {}", p.name()))?;
        profiles.push(ProfileCost {
            profile: p.name().to_owned(),
            datagram_bytes: opts.rtp_bytes + p.tag_len(),
            protect_ns: median(&c.protect),
            protect_str0m_ns: median(&c.protect_str0m),
            unprotect_ns: median(&c.unprotect),
        });
        if p == profile {
            samples.protect_ns = c.protect;
            samples.protect_str0m_ns = c.protect_str0m;
            samples.unprotect_ns = c.unprotect;
        }
    }

    let net = measure_network(profile, opts).context("measuring UDP on 127.0.0.1")?;

    let protect_ns = profiles[0].protect_ns;
    let sendmmsg_ns = median(&net.sendmmsg);
    let send_to_ns = median(&net.send_to);
    let receive_ns = (!opts.no_receive).then(|| median(&net.receive));
    let stats = net.stats;

    samples.sendmmsg_ns_per_packet = net.sendmmsg;
    samples.send_to_ns_per_packet = net.send_to;
    samples.protect_sendmmsg_ns = net.joint;
    samples.recvmmsg_unprotect_ns_per_packet = net.receive;

    Ok(LimitReport {
        srtp_profile: profile.name().to_owned(),
        str0m_preferred_profile: preferred.name().to_owned(),
        rtp_bytes: opts.rtp_bytes,
        datagram_bytes: opts.rtp_bytes + profile.tag_len(),
        batch: opts.batch,
        packets: opts.packets,
        repeats: opts.repeats,
        protect_ns,
        protect_str0m_ns: profiles[0].protect_str0m_ns,
        unprotect_ns: profiles[0].unprotect_ns,
        sendmmsg_ns_per_packet: sendmmsg_ns,
        send_to_ns_per_packet: send_to_ns,
        protect_sendmmsg_ns: median(&samples.protect_sendmmsg_ns),
        recvmmsg_unprotect_ns_per_packet: receive_ns,
        forwarded_per_cpu_second: 1e9 / (protect_ns + sendmmsg_ns),
        forwarded_per_cpu_second_unbatched: 1e9 / (protect_ns + send_to_ns),
        forwarded_per_cpu_second_incl_receive: receive_ns
            .map(|r| 1e9 / (protect_ns + sendmmsg_ns + r)),
        sends_dropped: stats.lost + stats.abandoned > 0,
        datagrams_sent: stats.sent,
        datagrams_received: stats.received,
        datagrams_lost: stats.lost,
        send_retries: stats.retries,
        sends_abandoned: stats.abandoned,
        late_deliveries: stats.late,
        round: net.round,
        clock_overhead_ns: net.clock_overhead_ns,
        profiles,
        samples,
        machine: machine(),
    })
}

/// One line for a terminal, e.g. `limit: 1,234,567 forwarded packets per CPU-second
/// (SRTP_AEAD_AES_256_GCM 1200 B: 310 ns, sendmmsg ×32: 500 ns/packet) …`.
pub fn summary(r: &LimitReport) -> String {
    let mut line = format!(
        "limit: {} forwarded packets per CPU-second ({} {} B: {:.0} ns, sendmmsg ×{}: {:.0} ns/packet); \
         unbatched send_to {:.0} ns/packet → {}/s",
        thousands(r.forwarded_per_cpu_second),
        r.srtp_profile,
        r.rtp_bytes,
        r.protect_ns,
        r.batch,
        r.sendmmsg_ns_per_packet,
        r.send_to_ns_per_packet,
        thousands(r.forwarded_per_cpu_second_unbatched),
    );
    if let (Some(rx), Some(pps)) = (
        r.recvmmsg_unprotect_ns_per_packet,
        r.forwarded_per_cpu_second_incl_receive,
    ) {
        line += &format!(
            "; recvmmsg+unprotect {rx:.0} ns/packet → {}/s at fan-out 1",
            thousands(pps)
        );
    }
    if r.sends_dropped {
        line += &format!(
            "; {} of {} datagrams lost",
            thousands((r.datagrams_lost + r.sends_abandoned) as f64),
            thousands((r.datagrams_sent + r.sends_abandoned) as f64)
        );
    } else {
        line += "; no datagram lost";
    }
    if r.late_deliveries > 0 {
        line += &format!(" ({} late deliveries)", r.late_deliveries);
    }
    line
}

/// `1234567.8` → `"1,234,568"`.
fn thousands(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let digits = format!("{:.0}", x.abs());
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if x < -0.5 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn keys(profile: Profile, key: &str, salt: &str, auth: &str) -> SessionKeys {
        SessionKeys {
            profile,
            key: hex(key),
            salt: hex(salt),
            auth: hex(auth),
        }
    }

    // RFC 7714 §16: session salt "Quid pro quo" and the RTP packet whose payload is
    // "Gallia est omnis divisa in partes tres" (SSRC 0x5501a0b2, sequence 0xf17b, ROC 0).
    const RFC7714_SALT: &str = "517569642070726f2071756f";
    const RFC7714_RTP: &str = "8040f17b8041f8d35501a0b2 47616c6c696120657374206f6d6e6973
                               20646976697361 20696e207061727465732074726573";

    fn known_answer(profile: Profile, key: &str, expected: &str) {
        let p = Protector::new(&keys(profile, key, RFC7714_SALT, "")).unwrap();
        let rtp = hex(RFC7714_RTP);
        let mut buf = rtp.clone();
        buf.resize(rtp.len() + 16, 0);
        let len = p.protect(&mut buf, rtp.len(), 0).unwrap();
        assert_eq!(buf[..len], hex(expected)[..]);

        let mut payload = vec![0; rtp.len()];
        let n = p.unprotect(&buf[..len], 0, &mut payload).unwrap();
        assert_eq!(payload[..n], rtp[12..]);
    }

    #[test]
    fn aead_aes_128_gcm_matches_rfc_7714_16_1_1() {
        known_answer(
            Profile::AeadAes128Gcm,
            "000102030405060708090a0b0c0d0e0f",
            "8040f17b8041f8d35501a0b2 f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf8833
             899d7f27beb16a9152cf765ee4390cce",
        );
    }

    #[test]
    fn aead_aes_256_gcm_matches_rfc_7714_16_2_1() {
        known_answer(
            Profile::AeadAes256Gcm,
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
            "8040f17b8041f8d35501a0b2 32b1de78a822fe12ef9f78fa332e33aab18012389a58e2f3b50b2a0276ffae0f1ba63799b87b
             7aa3db36dfffd6b0f9bb7878d7a76c13",
        );
    }

    #[test]
    fn gcm_iv_matches_rfc_7714_16_1_1() {
        let salt: [u8; 12] = hex(RFC7714_SALT).try_into().unwrap();
        assert_eq!(
            gcm_iv(&salt, 0x5501_a0b2, 0, 0xf17b)[..],
            hex("51753c6580c2726f20718414")[..]
        );
    }

    #[test]
    fn aes_cm_keystream_matches_rfc_3711_b_2() {
        // RFC 3711 B.2: with SSRC, ROC and SEQ all zero the counter is the shifted salt, so
        // encrypting zeros yields the published keystream.
        let p = Protector::new(&keys(
            Profile::Aes128CmSha1_80,
            "2B7E151628AED2A6ABF7158809CF4F3C",
            "F0F1F2F3F4F5F6F7F8F9FAFBFCFD",
            "0000000000000000000000000000000000000000",
        ))
        .unwrap();
        let mut buf = vec![0u8; 12 + 48 + 10];
        buf[0] = 0x80;
        p.protect(&mut buf, 60, 0).unwrap();
        assert_eq!(
            buf[12..60],
            hex(
                "E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB
                 41E95B3BB0A2E8DD477901E4FCA894C0"
            )[..]
        );
    }

    #[test]
    fn gcm_tag_verifies_with_an_independent_aws_lc_open() {
        for profile in [Profile::AeadAes256Gcm, Profile::AeadAes128Gcm] {
            let k = SessionKeys::random(profile).unwrap();
            let p = Protector::new(&k).unwrap();
            let rtp = sample_rtp_packet(1200, 4711).unwrap();
            let mut buf = rtp.clone();
            buf.resize(1216, 0);
            assert_eq!(p.protect(&mut buf, 1200, 3).unwrap(), 1216);
            assert_ne!(buf[12..1200], rtp[12..], "payload must be encrypted");
            assert_eq!(buf[..12], rtp[..12], "header must stay in the clear");

            // A separately built key, opening with the tag appended (the other aws-lc-rs path).
            let algorithm = if profile == Profile::AeadAes256Gcm {
                &AES_256_GCM
            } else {
                &AES_128_GCM
            };
            let key = LessSafeKey::new(UnboundKey::new(algorithm, &k.key).unwrap());
            let salt: [u8; 12] = k.salt.clone().try_into().unwrap();
            let nonce = || Nonce::assume_unique_for_key(gcm_iv(&salt, SSRC, 3, 4711));
            let mut sealed = buf.clone();
            let (header, body) = sealed.split_at_mut(12);
            let opened = key
                .open_in_place(nonce(), Aad::from(&*header), body)
                .unwrap();
            assert_eq!(opened, &rtp[12..]);

            // Any flipped bit, in the header or the tag, must be refused.
            for at in [1, 100, 1215] {
                let mut bad = buf.clone();
                bad[at] ^= 0x01;
                let mut out = vec![0; 1200];
                assert!(
                    p.unprotect(&bad, 3, &mut out).is_err(),
                    "bit flip at {at} accepted"
                );
            }
            // The wrong rollover counter is a different IV.
            assert!(p.unprotect(&buf, 4, &mut vec![0; 1200]).is_err());
        }
    }

    #[test]
    fn every_profile_round_trips_and_matches_str0m_byte_for_byte() {
        for profile in Profile::ALL {
            let k = SessionKeys::random(profile).unwrap();
            let p = Protector::new(&k).unwrap();
            let mut str0m_path = Str0mPath::new(&k).unwrap();
            // Include a wrap of the sequence number so that the ROC matters.
            for (seq, roc) in [(1u16, 0u32), (0xffff, 0), (0, 1), (0x1234, 0xdead)] {
                let rtp = sample_rtp_packet(1200, seq).unwrap();
                let mut buf = rtp.clone();
                buf.resize(1200 + profile.tag_len(), 0);
                let len = p.protect(&mut buf, 1200, roc).unwrap();
                assert_eq!(len, 1200 + profile.tag_len());
                assert_eq!(
                    str0m_path.protect(&rtp, roc).unwrap(),
                    buf,
                    "{profile:?} seq {seq}"
                );

                let mut out = vec![0; 1200];
                let n = p.unprotect(&buf, roc, &mut out).unwrap();
                assert_eq!(out[..n], rtp[12..]);
                buf[40] ^= 0x80;
                assert!(
                    p.unprotect(&buf, roc, &mut out).is_err(),
                    "{profile:?} accepted a forgery"
                );
            }
        }
    }

    #[test]
    fn header_extensions_and_csrcs_are_authenticated_not_encrypted() {
        let p = Protector::new(&SessionKeys::random(Profile::AeadAes256Gcm).unwrap()).unwrap();
        // One CSRC and a one-word extension: a 24-byte header.
        let mut rtp = sample_rtp_packet(200, 9).unwrap();
        rtp[0] = 0x80 | 0x10 | 1;
        rtp[16..20].copy_from_slice(&[0xbe, 0xde, 0, 1]);
        assert_eq!(rtp_fields(&rtp).unwrap().2, 24);
        let mut buf = rtp.clone();
        buf.resize(216, 0);
        p.protect(&mut buf, 200, 0).unwrap();
        assert_eq!(buf[..24], rtp[..24]);
        buf[20] ^= 1; // inside the extension
        assert!(p.unprotect(&buf, 0, &mut [0; 200]).is_err());
    }

    #[test]
    fn str0m_prefers_aead_aes_256_gcm() {
        // If this fails, str0m changed its preference: update the module documentation.
        assert_eq!(Profile::str0m_preferred(), Profile::AeadAes256Gcm);
        assert_eq!(
            SrtpProfile::ALL[0].to_string(),
            Profile::AeadAes256Gcm.name()
        );
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1234567.8), "1,234,568");
        assert_eq!(thousands(1000.0), "1,000");
    }

    #[test]
    fn median_of_odd_and_even_samples() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn bad_options_are_refused() {
        for opts in [
            LimitOptions {
                batch: 0,
                ..Default::default()
            },
            LimitOptions {
                batch: 2000,
                ..Default::default()
            },
            LimitOptions {
                rtp_bytes: 8,
                ..Default::default()
            },
            LimitOptions {
                packets: 0,
                ..Default::default()
            },
        ] {
            assert!(run(&opts).is_err(), "{opts:?}");
        }
    }

    #[test]
    fn a_tiny_run_gives_sane_figures() {
        // Figures only have to be positive and finite: the machine is shared, so no timing
        // assertion would be reliable.
        let opts = LimitOptions {
            packets: 1000,
            batch: 8,
            ..Default::default()
        };
        let r = run(&opts).unwrap();
        assert_eq!(r.srtp_profile, "SRTP_AEAD_AES_256_GCM");
        assert_eq!(r.datagram_bytes, 1216);
        assert_eq!(r.profiles.len(), 3);
        let figures = [
            r.protect_ns,
            r.protect_str0m_ns,
            r.unprotect_ns,
            r.sendmmsg_ns_per_packet,
            r.send_to_ns_per_packet,
            r.protect_sendmmsg_ns,
            r.recvmmsg_unprotect_ns_per_packet.unwrap(),
            r.forwarded_per_cpu_second,
            r.forwarded_per_cpu_second_unbatched,
            r.forwarded_per_cpu_second_incl_receive.unwrap(),
        ];
        for (i, f) in figures.iter().enumerate() {
            assert!(f.is_finite() && *f > 0.0, "figure {i} is {f}");
        }
        for p in &r.profiles {
            assert!(p.protect_ns > 0.0 && p.unprotect_ns > 0.0 && p.protect_str0m_ns > 0.0);
        }
        assert_eq!(r.samples.protect_ns.len(), 3);
        // Warm-up (500) + 3 runs of 1000, for each of the three send loops and the receive.
        assert_eq!(r.datagrams_sent + r.sends_abandoned, 4 * 3500);
        assert_eq!(r.datagrams_received + r.datagrams_lost, r.datagrams_sent);
        assert!(summary(&r).starts_with("limit: "));
        serde_json::to_string(&r).unwrap();
    }

    /// `cargo test -p preau-loadgen --release limit -- --ignored --nocapture`
    #[test]
    #[ignore = "a benchmark: run it in release mode"]
    fn print_limit_report() {
        let r = run(&LimitOptions::default()).unwrap();
        println!("{}", serde_json::to_string_pretty(&r).unwrap());
        println!("{}", summary(&r));
    }
}
