//! The client's address, for login delays and the public pages' rate limit: the
//! connection's peer, or, when that peer is a reverse proxy the operator trusts
//! (`BILAN_TRUSTED_PROXIES`), the address the proxy received the request from.
//! `X-Forwarded-For` is never believed from anyone else: a client could name any
//! address and escape its own delays.

use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

/// The client's address (`None` when the server cannot tell, as in unit tests).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        Ok(ClientAddr(client_ip(peer, &forwarded, &state.config.trusted_proxies)))
    }
}

/// The peer, or, walking `X-Forwarded-For` from the right past trusted proxies,
/// the first address that is not one of them.
pub fn client_ip(peer: Option<IpAddr>, forwarded_for: &str, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let mut client = peer;
    for hop in forwarded_for.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !trusted.contains(&ip) {
                    break;
                }
            }
            // A hop that is not an address ends what can be believed.
            Err(_) => break,
        }
    }
    Some(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let proxy = ip("10.0.0.2");
        let trusted = [proxy];
        // A client talking to Bilan directly cannot pretend to be someone else.
        assert_eq!(
            client_ip(Some(ip("203.0.113.9")), "198.51.100.1", &trusted),
            Some(ip("203.0.113.9"))
        );
        // Behind the proxy: the address the proxy saw, not what the client wrote before it.
        assert_eq!(
            client_ip(Some(proxy), "6.6.6.6, 203.0.113.9", &trusted),
            Some(ip("203.0.113.9"))
        );
        // Two trusted proxies in a row are walked past.
        let two = [proxy, ip("10.0.0.3")];
        assert_eq!(
            client_ip(Some(proxy), "203.0.113.9, 10.0.0.3", &two),
            Some(ip("203.0.113.9"))
        );
        // No header from the proxy: the proxy's own address.
        assert_eq!(client_ip(Some(proxy), "", &trusted), Some(proxy));
        assert_eq!(client_ip(Some(proxy), "garbage", &trusted), Some(proxy));
        assert_eq!(client_ip(None, "203.0.113.9", &trusted), None);
    }
}
