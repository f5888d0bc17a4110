//! The scenarios: who publishes what and who watches at which size.

use crate::bot::{BotSpec, Voice};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scenario {
    /// One teacher (voice, camera with three layers, screen share) and N pupils who watch the
    /// teacher large; five pupils speak in turn, two have their camera on.
    Lecture,
    /// Everyone speaks in turn and has a camera on; a grid of medium tiles.
    Meeting,
    /// Everyone speaks in turn; eight cameras; a grid of medium tiles.
    Council,
}

impl Scenario {
    pub fn default_participants(self) -> u32 {
        match self {
            Scenario::Lecture => 30,
            Scenario::Meeting => 10,
            Scenario::Council => 25,
        }
    }

    /// The bots of a run with `n` participants (the teacher included in a lecture: n - 1 pupils).
    pub fn bots(self, n: u32) -> Vec<BotSpec> {
        let n = n.max(2);
        match self {
            Scenario::Lecture => {
                let speakers = 5.min(n - 1);
                (0..n)
                    .map(|i| {
                        if i == 0 {
                            BotSpec {
                                n: i,
                                host: true,
                                voice: Some(Voice::Always),
                                camera: true,
                                screen: true,
                                host_height: 180,
                                other_height: 180,
                            }
                        } else {
                            BotSpec {
                                n: i,
                                host: false,
                                voice: (i <= speakers).then_some(Voice::Turn {
                                    slot: i - 1,
                                    of: speakers,
                                }),
                                camera: (speakers + 1..=speakers + 2).contains(&i),
                                screen: false,
                                host_height: 720,
                                other_height: 180,
                            }
                        }
                    })
                    .collect()
            }
            Scenario::Meeting | Scenario::Council => {
                let cameras = if self == Scenario::Meeting {
                    n
                } else {
                    8.min(n)
                };
                (0..n)
                    .map(|i| BotSpec {
                        n: i,
                        host: i == 0,
                        voice: Some(Voice::Turn { slot: i, of: n }),
                        camera: i < cameras,
                        screen: false,
                        host_height: 360,
                        other_height: 360,
                    })
                    .collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lecture_has_one_teacher_five_voices_and_two_cameras() {
        let bots = Scenario::Lecture.bots(30);
        assert_eq!(bots.len(), 30);
        assert_eq!(bots.iter().filter(|b| b.host).count(), 1);
        assert!(bots[0].camera && bots[0].screen);
        assert_eq!(
            bots.iter().filter(|b| !b.host && b.voice.is_some()).count(),
            5
        );
        assert_eq!(bots.iter().filter(|b| !b.host && b.camera).count(), 2);
        assert_eq!(bots[3].layer_for(true), 2, "pupils watch the teacher large");
    }

    #[test]
    fn a_council_has_eight_cameras() {
        let bots = Scenario::Council.bots(25);
        assert_eq!(bots.iter().filter(|b| b.camera).count(), 8);
        assert!(bots.iter().all(|b| b.voice.is_some()));
    }
}
