//! The client's address: the TCP peer, or what trusted proxies say in `X-Forwarded-For`.

use std::net::IpAddr;

use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap};
use ipnet::IpNet;

use crate::AppState;

/// Where a request comes from.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp {
    pub ip: IpAddr,
    /// The TCP peer is one of our trusted proxies.
    pub trusted_chain: bool,
}

/// The client address of a request, from the connection and the trusted proxies' header.
pub fn client_ip(state: &AppState, headers: &HeaderMap, ext: &Extensions) -> Option<ClientIp> {
    let peer = ext.get::<ConnectInfo<std::net::SocketAddr>>()?.0.ip();
    let trusted = &state.config.trusted_proxies;
    // A proxy may append its own header line instead of extending the client's: read them all,
    // in order, as one list.
    let lines: Vec<&str> = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    let header = (!lines.is_empty()).then(|| lines.join(","));
    Some(ClientIp {
        ip: parse_forwarded_for(peer, header.as_deref(), trusted),
        trusted_chain: trusted.iter().any(|net| net.contains(&peer)),
    })
}

/// Walks `X-Forwarded-For` from the right, skipping trusted proxies, and returns the first
/// address not trusted: the client as seen by the outermost proxy we believe. Without a
/// trusted peer the header is ignored, so nobody can pick their own address.
pub fn parse_forwarded_for(peer: IpAddr, header: Option<&str>, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    if let Some(header) = header {
        for hop in header.rsplit(',') {
            match hop.trim().parse::<IpAddr>() {
                Ok(ip) => {
                    client = ip;
                    if !is_trusted(&ip) {
                        break;
                    }
                }
                // A hop we cannot read: stop at the last address we could.
                Err(_) => break,
            }
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        assert_eq!(parse_forwarded_for(ip("203.0.113.9"), Some("1.2.3.4"), &trusted), ip("203.0.113.9"));
        assert_eq!(parse_forwarded_for(ip("10.0.0.2"), Some("1.2.3.4"), &trusted), ip("1.2.3.4"));
        // A client that forges a header in front of the real chain gets its real address.
        assert_eq!(parse_forwarded_for(ip("10.0.0.2"), Some("6.6.6.6, 1.2.3.4, 10.0.0.7"), &trusted), ip("1.2.3.4"));
        assert_eq!(parse_forwarded_for(ip("10.0.0.2"), None, &trusted), ip("10.0.0.2"));
        assert_eq!(parse_forwarded_for(ip("10.0.0.2"), Some("junk"), &trusted), ip("10.0.0.2"));
        assert_eq!(parse_forwarded_for(ip("::1"), Some("1.2.3.4"), &[]), ip("::1"));
    }
}
