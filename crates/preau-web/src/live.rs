//! What the web front needs to know about rooms in session, whoever runs them.
//!
//! The room page asks how many people are in a room to enforce its capacity. The media layer
//! (the SFU and the signalling registry) answers; until it is wired in, and in tests that do not
//! need it, [`NoLiveRooms`] says every room is empty.

use preau_core::RoomId;

/// Rooms in session on this node.
pub trait LiveRooms {
    /// How many people are in `room` right now (0 for a room not in session).
    fn participants(&self, room: &RoomId) -> usize;
}

/// No room is ever in session: the default until the media layer replaces it.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLiveRooms;

impl LiveRooms for NoLiveRooms {
    fn participants(&self, _room: &RoomId) -> usize {
        0
    }
}
