//! The media crate's tests: the forwarding core on a virtual clock (`room`), and the UDP driver
//! with str0m peers standing in for browsers on loopback (`driver`).

mod driver;
mod nack;
mod record;
mod room;
