//! Sharing one subscriber's bandwidth among the videos it should receive.
//!
//! Audio is served first (reserved by the caller), then screen shares, then cameras in the
//! subscriber's priority order: every camera first gets its lowest layer, then cameras are
//! raised one layer at a time, in order, up to the layer their displayed size needs. When the
//! caller allows pausing, a video that does not fit even at its lowest layer is paused;
//! otherwise every video keeps at least its lowest layer.

use crate::Layer;

/// One video a subscriber could receive.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub screen: bool,
    /// The best layer worth sending for the size it is displayed at.
    pub wanted: Layer,
    /// Bitrate of each layer the publisher is sending now (bits/s), `None` when absent.
    pub rates: [Option<u64>; 3],
}

impl Candidate {
    fn lowest(&self) -> Option<Layer> {
        Layer::ALL.into_iter().find(|l| self.rates[*l as usize].is_some())
    }

    /// The next available layer above `from`, not above what is wanted.
    fn next_up(&self, from: Layer) -> Option<Layer> {
        Layer::ALL
            .into_iter()
            .filter(|l| *l > from && *l <= self.wanted.max(self.lowest().unwrap_or(Layer::Low)))
            .find(|l| self.rates[*l as usize].is_some())
    }

    fn rate(&self, l: Layer) -> u64 {
        self.rates[l as usize].unwrap_or(0)
    }
}

/// The layer each candidate gets (`None`: paused), within `budget` bits/s — or, when `pause`
/// is false, at least its lowest layer even past the budget.
pub fn allocate(budget: u64, candidates: &[Candidate], pause: bool) -> Vec<Option<Layer>> {
    let mut chosen: Vec<Option<Layer>> = vec![None; candidates.len()];
    let mut left = budget;
    // Screens first, each as high as wanted and affordable.
    for (i, c) in candidates.iter().enumerate().filter(|(_, c)| c.screen) {
        let Some(low) = c.lowest() else { continue };
        if pause && c.rate(low) > left {
            continue;
        }
        let mut layer = low;
        while let Some(up) = c.next_up(layer) {
            if c.rate(up) > left {
                break;
            }
            layer = up;
        }
        left = left.saturating_sub(c.rate(layer));
        chosen[i] = Some(layer);
    }
    // Every camera at its lowest layer, in priority order, while it fits.
    for (i, c) in candidates.iter().enumerate().filter(|(_, c)| !c.screen) {
        if let Some(low) = c.lowest()
            && (!pause || c.rate(low) <= left)
        {
            left = left.saturating_sub(c.rate(low));
            chosen[i] = Some(low);
        }
    }
    // Then raise cameras one layer at a time, in priority order, until nothing more fits.
    loop {
        let mut raised = false;
        for (i, c) in candidates.iter().enumerate().filter(|(_, c)| !c.screen) {
            let Some(current) = chosen[i] else { continue };
            let Some(up) = c.next_up(current) else { continue };
            let extra = c.rate(up).saturating_sub(c.rate(current));
            if extra <= left {
                left -= extra;
                chosen[i] = Some(up);
                raised = true;
            }
        }
        if !raised {
            break;
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIMULCAST: [Option<u64>; 3] = [Some(150_000), Some(500_000), Some(1_500_000)];

    fn camera(wanted: Layer) -> Candidate {
        Candidate { screen: false, wanted, rates: SIMULCAST }
    }

    #[test]
    fn plenty_of_bandwidth_gives_what_the_display_needs() {
        let got = allocate(10_000_000, &[camera(Layer::High), camera(Layer::Low), camera(Layer::Mid)], true);
        assert_eq!(got, vec![Some(Layer::High), Some(Layer::Low), Some(Layer::Mid)]);
    }

    #[test]
    fn cameras_are_lowered_layer_by_layer_then_paused_in_priority_order() {
        let cams = [camera(Layer::High), camera(Layer::High), camera(Layer::High)];
        assert_eq!(allocate(3_500_000, &cams, true), vec![Some(Layer::High), Some(Layer::High), Some(Layer::Mid)]);
        assert_eq!(allocate(2_300_000, &cams, true), vec![Some(Layer::Mid), Some(Layer::Mid), Some(Layer::Mid)]);
        assert_eq!(allocate(1_200_000, &cams, true), vec![Some(Layer::Mid), Some(Layer::Mid), Some(Layer::Low)]);
        assert_eq!(allocate(450_000, &cams, true), vec![Some(Layer::Low), Some(Layer::Low), Some(Layer::Low)]);
        assert_eq!(allocate(300_000, &cams, true), vec![Some(Layer::Low), Some(Layer::Low), None]);
        assert_eq!(allocate(100_000, &cams, true), vec![None, None, None]);
    }

    #[test]
    fn without_pausing_every_video_keeps_its_lowest_layer_and_the_rest_is_shared_as_usual() {
        let cams = [camera(Layer::High), camera(Layer::High), camera(Layer::High)];
        assert_eq!(allocate(100_000, &cams, false), vec![Some(Layer::Low); 3]);
        assert_eq!(allocate(0, &cams, false), vec![Some(Layer::Low); 3]);
        let screen = Candidate { screen: true, wanted: Layer::High, rates: [None, None, Some(300_000)] };
        assert_eq!(allocate(100_000, &[camera(Layer::High), screen], false), vec![Some(Layer::Low), Some(Layer::High)]);
        assert_eq!(allocate(1_200_000, &cams, false), allocate(1_200_000, &cams, true), "within the budget, the same choice");
    }

    #[test]
    fn the_screen_share_is_served_before_cameras() {
        let screen = Candidate { screen: true, wanted: Layer::High, rates: [None, None, Some(300_000)] };
        let got = allocate(400_000, &[camera(Layer::High), screen.clone(), camera(Layer::Mid)], true);
        assert_eq!(got, vec![None, Some(Layer::High), None], "screen 300k leaves 100k: no camera fits");
        let got = allocate(600_000, &[camera(Layer::High), screen, camera(Layer::Mid)], true);
        assert_eq!(got, vec![Some(Layer::Low), Some(Layer::High), Some(Layer::Low)]);
    }

    #[test]
    fn missing_layers_are_skipped() {
        let only_low_and_high = Candidate { screen: false, wanted: Layer::High, rates: [Some(150_000), None, Some(1_500_000)] };
        assert_eq!(allocate(1_000_000, std::slice::from_ref(&only_low_and_high), true), vec![Some(Layer::Low)]);
        assert_eq!(allocate(2_000_000, &[only_low_and_high], true), vec![Some(Layer::High)]);
        let single = Candidate { screen: false, wanted: Layer::Low, rates: [None, None, Some(800_000)] };
        assert_eq!(allocate(1_000_000, &[single], true), vec![Some(Layer::High)], "a non-simulcast video is sent as it is");
    }
}
