//! At most `server.max_connections_per_ip` open connections per client address (an IPv6
//! client by its /64, as the keyless rate limit counts it). An admitted connection holds
//! a `Slot`, which gives its place back when the connection ends and is dropped.
//!
//! The address is the socket peer, never a forwarded header (nothing has been read yet):
//! behind a reverse proxy every client shares the proxy's address, so operators there
//! raise the cap above the proxy's pool and let the proxy limit its own clients.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::client_ip::client_network;

pub struct ConnectionCap {
    limit: usize,
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One admitted connection's place; dropped with the connection.
pub struct Slot {
    cap: Arc<ConnectionCap>,
    network: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.cap.open();
        if let Some(count) = open.get_mut(&self.network) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.network);
            }
        }
    }
}

impl ConnectionCap {
    pub fn new(limit: usize) -> Arc<Self> {
        Arc::new(Self {
            limit,
            open: Mutex::new(HashMap::new()),
        })
    }

    /// A place for one more connection from `ip`, if its network has one left.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<Slot> {
        let network = client_network(ip);
        let mut open = self.open();
        let count = open.entry(network).or_insert(0);
        if *count >= self.limit {
            return None;
        }
        *count += 1;
        Some(Slot {
            cap: self.clone(),
            network,
        })
    }

    /// Connections now open from `ip`'s network.
    pub fn open_from(&self, ip: IpAddr) -> usize {
        self.open().get(&client_network(ip)).copied().unwrap_or(0)
    }

    fn open(&self) -> MutexGuard<'_, HashMap<IpAddr, usize>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_address_gets_its_cap_and_a_place_back_when_a_connection_ends() {
        let cap = ConnectionCap::new(2);
        let first = cap.admit(ip("192.0.2.1")).unwrap();
        let _second = cap.admit(ip("192.0.2.1")).unwrap();
        assert!(cap.admit(ip("192.0.2.1")).is_none());
        assert!(
            cap.admit(ip("192.0.2.2")).is_some(),
            "others are not affected"
        );
        drop(first);
        assert_eq!(cap.open_from(ip("192.0.2.1")), 1);
        assert!(cap.admit(ip("192.0.2.1")).is_some());
    }

    #[test]
    fn an_ipv6_client_counts_by_its_64() {
        let cap = ConnectionCap::new(1);
        let _held = cap.admit(ip("2001:db8:5:6::1")).unwrap();
        assert!(cap.admit(ip("2001:db8:5:6::2")).is_none());
        assert!(cap.admit(ip("2001:db8:5:7::1")).is_some());
    }

    #[test]
    fn forgotten_addresses_take_no_memory() {
        let cap = ConnectionCap::new(4);
        let slots: Vec<Slot> = (0..1000u32)
            .filter_map(|i| cap.admit(IpAddr::from(i.to_be_bytes())))
            .collect();
        assert_eq!(cap.open().len(), 1000);
        drop(slots);
        assert!(cap.open().is_empty());
    }
}
