//! preau-core's integration tests: what an outside program makes of what the core writes.

mod ical;
