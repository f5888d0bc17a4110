//! Batched UDP: up to [`BATCH`] datagrams per system call each way (`recvmmsg`, `sendmmsg`).
//!
//! The media task receives a burst (a keyframe is a dozen packets) and fans each packet out to
//! many subscribers: one system call per datagram was a measurable share of its CPU. The socket
//! stays a tokio socket (non-blocking); these calls only replace `recv_from` and `send_to`.

use std::io;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use socket2::SockAddr;
use tokio::io::Interest;
use tokio::net::UdpSocket;

/// Datagrams per system call.
pub const BATCH: usize = 32;
/// Largest datagram read; WebRTC keeps under the path MTU, so 2 KiB is plenty.
const MAX_DATAGRAM: usize = 2048;

/// Buffers for one `recvmmsg`. The headers, their iovecs and the source addresses are made once,
/// on the heap, and point at each other with pointers taken by `Vec::as_mut_ptr` (which stay
/// valid wherever the `Inbox` moves): zeroing them for every call was 3 % of the process's
/// instructions. Not `Clone`: a copy's pointers would lead into the original's buffers.
pub struct Inbox {
    bufs: Vec<u8>,
    hdrs: Vec<libc::mmsghdr>,
    iov: Vec<libc::iovec>,
    storage: Vec<libc::sockaddr_storage>,
    lens: [usize; BATCH],
    from: [Option<SocketAddr>; BATCH],
    count: usize,
}

// SAFETY: the raw pointers in `hdrs` and `iov` point only into the Inbox's own heap buffers,
// which move with it and are never shared.
unsafe impl Send for Inbox {}

impl Default for Inbox {
    fn default() -> Self {
        // SAFETY: all-zero is a valid mmsghdr, iovec and sockaddr_storage (null pointers, zero
        // lengths); the pointers are set just below.
        let mut inbox = Inbox {
            bufs: vec![0u8; BATCH * MAX_DATAGRAM],
            hdrs: (0..BATCH).map(|_| unsafe { std::mem::zeroed() }).collect(),
            iov: (0..BATCH).map(|_| unsafe { std::mem::zeroed() }).collect(),
            storage: (0..BATCH).map(|_| unsafe { std::mem::zeroed() }).collect(),
            lens: [0; BATCH],
            from: [None; BATCH],
            count: 0,
        };
        let (bufs, iov, storage) = (inbox.bufs.as_mut_ptr(), inbox.iov.as_mut_ptr(), inbox.storage.as_mut_ptr());
        for (i, h) in inbox.hdrs.iter_mut().enumerate() {
            // SAFETY: i < BATCH, within each buffer.
            unsafe {
                *iov.add(i) = libc::iovec { iov_base: bufs.add(i * MAX_DATAGRAM).cast(), iov_len: MAX_DATAGRAM };
                h.msg_hdr.msg_name = storage.add(i).cast();
                h.msg_hdr.msg_iov = iov.add(i);
            }
            h.msg_hdr.msg_iovlen = 1;
        }
        inbox
    }
}

impl Inbox {
    /// Reads what the socket holds, up to [`BATCH`] datagrams, without waiting. `Ok(0)` or
    /// `WouldBlock` when there is nothing (tokio's readiness is cleared on `WouldBlock`).
    pub fn receive(&mut self, socket: &UdpSocket) -> io::Result<usize> {
        self.count = 0;
        let fd = socket.as_raw_fd();
        let Inbox { hdrs, lens, from, .. } = self;
        let n = socket.try_io(Interest::READABLE, || {
            // The kernel wrote each address's length into the last call's headers.
            for h in hdrs.iter_mut() {
                h.msg_hdr.msg_namelen = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
            }
            // SAFETY: every pointer in `hdrs` points into `storage`, `iov` or `bufs`, heap
            // buffers owned by this Inbox that outlive the call; lengths match the buffers.
            let n = unsafe { libc::recvmmsg(fd, hdrs.as_mut_ptr(), BATCH as _, libc::MSG_DONTWAIT, std::ptr::null_mut()) };
            if n < 0 {
                return Err(io::Error::last_os_error());
            }
            let n = n as usize;
            for i in 0..n {
                lens[i] = hdrs[i].msg_len as usize;
                // No address (never seen on UDP): not this slot's previous sender's either.
                if hdrs[i].msg_hdr.msg_namelen == 0 {
                    from[i] = None;
                    continue;
                }
                let mut copy = socket2::SockAddrStorage::zeroed();
                // SAFETY: the kernel filled the address msg_name points at (in `storage`) with
                // msg_namelen bytes; SockAddrStorage is a transparent sockaddr_storage.
                let addr = unsafe {
                    *copy.view_as::<libc::sockaddr_storage>() =
                        hdrs[i].msg_hdr.msg_name.cast::<libc::sockaddr_storage>().read();
                    SockAddr::new(copy, hdrs[i].msg_hdr.msg_namelen)
                };
                from[i] = addr.as_socket();
            }
            Ok(n)
        })?;
        self.count = n;
        Ok(n)
    }

    /// The datagrams read by the last [`Inbox::receive`], with their sender.
    pub fn datagrams(&self) -> impl Iterator<Item = (&[u8], SocketAddr)> + '_ {
        (0..self.count).filter_map(|i| Some((&self.bufs[i * MAX_DATAGRAM..i * MAX_DATAGRAM + self.lens[i]], self.from[i]?)))
    }
}

/// Datagrams waiting to be sent, flushed with `sendmmsg`.
#[derive(Default)]
pub struct Outbox {
    queue: Vec<(SocketAddr, Vec<u8>)>,
    /// When the oldest queued datagram was queued.
    since: Option<Instant>,
    /// Datagrams the kernel refused (send buffer full): dropped, as a congested network would.
    pub dropped: u64,
}

impl Outbox {
    pub fn push(&mut self, to: SocketAddr, datagram: Vec<u8>) {
        self.since.get_or_insert_with(Instant::now);
        self.queue.push((to, datagram));
    }

    /// Has the oldest queued datagram waited `limit` or more?
    pub fn waited(&self, limit: Duration) -> bool {
        self.since.is_some_and(|t| t.elapsed() >= limit)
    }

    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Sends everything queued, [`BATCH`] per system call, and empties the queue.
    pub fn flush(&mut self, socket: &UdpSocket) {
        let fd = socket.as_raw_fd();
        let mut start = 0;
        while start < self.queue.len() {
            let chunk = &self.queue[start..(start + BATCH).min(self.queue.len())];
            let addrs: Vec<SockAddr> = chunk.iter().map(|(a, _)| SockAddr::from(*a)).collect();
            // SAFETY: the iovecs and headers point into `chunk` and `addrs`, alive for the call.
            let mut iov: [libc::iovec; BATCH] = unsafe { std::mem::zeroed() };
            let mut hdrs: [libc::mmsghdr; BATCH] = unsafe { std::mem::zeroed() };
            for (i, (_, d)) in chunk.iter().enumerate() {
                iov[i] = libc::iovec { iov_base: d.as_ptr() as *mut libc::c_void, iov_len: d.len() };
                hdrs[i].msg_hdr.msg_name = addrs[i].as_ptr() as *mut libc::c_void;
                hdrs[i].msg_hdr.msg_namelen = addrs[i].len();
                hdrs[i].msg_hdr.msg_iov = &mut iov[i];
                hdrs[i].msg_hdr.msg_iovlen = 1;
            }
            let n = unsafe { libc::sendmmsg(fd, hdrs.as_mut_ptr(), chunk.len() as _, 0) };
            if n > 0 {
                start += n as usize;
                continue;
            }
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            // The first datagram of the chunk was refused: a full buffer, or an address the
            // kernel will not reach. Drop it and go on with the rest.
            self.dropped += 1;
            tracing::trace!(error = %e, to = %chunk[0].0, "media: datagram not sent");
            start += 1;
        }
        self.queue.clear();
        self.since = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn batches_go_out_and_come_in_whole_with_their_senders() {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let to = b.local_addr().unwrap();
        let mut out = Outbox::default();
        for i in 0..(BATCH + 5) {
            out.push(to, vec![i as u8; 100 + i]);
        }
        out.flush(&a);
        assert!(out.is_empty());
        assert_eq!(out.dropped, 0);
        let mut inbox = Inbox::default();
        let mut got = vec![];
        while got.len() < BATCH + 5 {
            b.readable().await.unwrap();
            match inbox.receive(&b) {
                Ok(_) => got.extend(inbox.datagrams().map(|(d, from)| (d.to_vec(), from))),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => panic!("{e}"),
            }
        }
        for (i, (d, from)) in got.iter().enumerate() {
            assert_eq!(d, &vec![i as u8; 100 + i], "datagram {i} intact and in order");
            assert_eq!(*from, a.local_addr().unwrap());
        }
        assert!(matches!(inbox.receive(&b), Err(e) if e.kind() == io::ErrorKind::WouldBlock));
    }
}
