//! The room signalling parser under arbitrary text: it answers or refuses, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = preau_web::signal::check_client_message(text);
    }
});
