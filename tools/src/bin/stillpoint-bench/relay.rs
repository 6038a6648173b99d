//! A network link in the bench: a TCP relay on 127.0.0.1 that forwards to the server (its
//! Unix socket or its TCP port) and delays every chunk by a fixed time in each direction, so
//! a round trip costs what it would between a treatment room and the clinic's server. (This
//! kernel has no `netem` qdisc.) It also counts round trips: each time the client speaks
//! after the server has, a new exchange began.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Where the relay connects to.
#[derive(Clone)]
pub(crate) enum Upstream {
    Unix(std::path::PathBuf),
    Tcp(String),
}

impl Upstream {
    /// From a key=value conninfo: its host (a socket folder, or a name) and port.
    pub(crate) fn of(conninfo: &str) -> Upstream {
        let get = |k: &str| {
            conninfo
                .split_whitespace()
                .find_map(|kv| kv.strip_prefix(&format!("{k}=")))
                .map(str::to_owned)
        };
        let host = get("host").unwrap_or_else(|| "/var/run/postgresql".to_owned());
        let port = get("port").unwrap_or_else(|| "5432".to_owned());
        if host.starts_with('/') {
            Upstream::Unix(std::path::Path::new(&host).join(format!(".s.PGSQL.{port}")))
        } else {
            Upstream::Tcp(format!("{host}:{port}"))
        }
    }
}

/// One relay: a listening port, and the round trips seen on its connections.
pub(crate) struct Relay {
    pub(crate) port: u16,
    trips: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

trait Duplex: Read + Write + Send {
    fn split(&self) -> std::io::Result<Box<dyn Duplex>>;
}
impl Duplex for TcpStream {
    fn split(&self) -> std::io::Result<Box<dyn Duplex>> {
        Ok(Box::new(self.try_clone()?))
    }
}
impl Duplex for std::os::unix::net::UnixStream {
    fn split(&self) -> std::io::Result<Box<dyn Duplex>> {
        Ok(Box::new(self.try_clone()?))
    }
}

impl Relay {
    /// Listen on 127.0.0.1 (any free port) and relay each connection to `upstream`, every
    /// chunk held `one_way` before it is passed on.
    pub(crate) fn start(upstream: Upstream, one_way: Duration) -> std::io::Result<Relay> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let trips = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (t, st) = (trips.clone(), stop.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if st.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(client) = client else { continue };
                let _ = client.set_nodelay(true);
                let server: std::io::Result<Box<dyn Duplex>> = match &upstream {
                    Upstream::Unix(path) => std::os::unix::net::UnixStream::connect(path)
                        .map(|s| Box::new(s) as Box<dyn Duplex>),
                    Upstream::Tcp(addr) => TcpStream::connect(addr).map(|s| {
                        let _ = s.set_nodelay(true);
                        Box::new(s) as Box<dyn Duplex>
                    }),
                };
                let Ok(server) = server else { continue };
                // Which side spoke last: a client chunk after a server chunk is a new trip.
                let server_spoke = Arc::new(AtomicBool::new(true));
                let (Ok(c2), Ok(s2)) = (client.try_clone(), server.split()) else {
                    continue;
                };
                pump(Box::new(client), server, one_way, {
                    let (spoke, trips) = (server_spoke.clone(), t.clone());
                    move || {
                        if spoke.swap(false, Ordering::Relaxed) {
                            trips.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                });
                pump(s2, Box::new(c2), one_way, move || {
                    server_spoke.store(true, Ordering::Relaxed);
                });
            }
        });
        Ok(Relay { port, trips, stop })
    }

    pub(crate) fn round_trips(&self) -> u64 {
        self.trips.load(Ordering::Relaxed)
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Copy `from` to `to`, each chunk delivered `delay` after it was read; `seen` is called as
/// each chunk is read.
fn pump(
    mut from: Box<dyn Duplex>,
    mut to: Box<dyn Duplex>,
    delay: Duration,
    seen: impl Fn() + Send + 'static,
) {
    let (tx, rx) = mpsc::channel::<(Instant, Vec<u8>)>();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    seen();
                    if tx
                        .send((Instant::now() + delay, buf[..n].to_vec()))
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
    });
    std::thread::spawn(move || {
        while let Ok((due, bytes)) = rx.recv() {
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
            if to.write_all(&bytes).is_err() {
                break;
            }
        }
    });
}
