//! Every push-to-talk sequence, as events in and effects out.

use super::KeyKind::*;
use super::{Effect, Key as K, Ptt, PttEvent, Status, TurnMachine};
use Effect as E;
use PttEvent::*;

/// Runs events at the given times and returns every effect, in order.
fn run(turn: &mut TurnMachine, events: &[(f64, PttEvent)]) -> Vec<Effect> {
    events
        .iter()
        .flat_map(|(t, e)| turn.on(e.clone(), *t))
        .collect()
}

fn ready(ptt: Ptt) -> TurnMachine {
    let mut t = TurnMachine::new(ptt, Some(0.8), true);
    t.on(ReplyDone { ended: false }, 0.0);
    t.on(PlaybackDone, 0.0);
    assert_eq!(t.status, Status::Ready);
    t
}

fn sends(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            E::Send(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn hold_records_from_press_to_release_then_confirms_and_sends() {
    let mut t = ready(Ptt::Hold);
    let fx = run(
        &mut t,
        &[
            (1.0, Key(K::Space, Press)),
            (1.1, Key(K::Space, Repeat)),
            (1.2, Key(K::Space, Repeat)),
            (3.0, Tick),
            (4.5, Key(K::Space, Release)),
        ],
    );
    assert_eq!(
        fx,
        vec![
            E::StartRecording,
            E::Status(Status::Recording),
            E::Transcribe,
            E::Status(Status::Transcribing)
        ]
    );
    let fx = run(
        &mut t,
        &[
            (5.0, Transcribed(Ok("use PR-AUC".into()))),
            (6.0, Key(K::Enter, Press)),
        ],
    );
    assert_eq!(fx[0], E::ShowTranscript("use PR-AUC".into()));
    assert_eq!(sends(&fx), vec!["use PR-AUC"]);
    assert_eq!(t.status, Status::Thinking);
}

#[test]
fn hold_ignores_enter_and_a_trailing_silence() {
    let mut t = ready(Ptt::Hold);
    let fx = run(
        &mut t,
        &[
            (1.0, Key(K::Space, Press)),
            (1.5, Level(0.2)),
            (1.6, Key(K::Enter, Press)),
            (5.0, Tick),
        ],
    );
    assert!(!fx.contains(&E::Transcribe));
    assert_eq!(t.status, Status::Recording);
}

#[test]
fn toggle_starts_and_stops_on_the_same_key() {
    let mut t = ready(Ptt::Toggle);
    let fx = run(
        &mut t,
        &[
            (1.0, Key(K::Enter, Press)),
            (1.0, Key(K::Enter, Release)),
            (2.0, Key(K::Space, Press)),
            (3.0, Key(K::Enter, Press)),
        ],
    );
    assert_eq!(fx.iter().filter(|e| **e == E::Transcribe).count(), 1);
    assert_eq!(t.status, Status::Transcribing);
}

#[test]
fn toggle_auto_stops_after_trailing_silence_only_once_voice_was_heard() {
    let mut t = ready(Ptt::Toggle);
    // Silence before any voice never ends a recording: the candidate may be thinking.
    let fx = run(
        &mut t,
        &[
            (0.0, Key(K::Space, Press)),
            (0.5, Level(0.001)),
            (3.0, Tick),
        ],
    );
    assert!(!fx.contains(&E::Transcribe));
    let fx = run(
        &mut t,
        &[
            (3.2, Level(0.1)),
            (3.5, Level(0.1)),
            (3.6, Level(0.001)),
            (4.2, Tick),
        ],
    );
    assert!(
        !fx.contains(&E::Transcribe),
        "0.7 s of silence is not enough"
    );
    let fx = run(&mut t, &[(4.3, Tick)]);
    assert_eq!(fx[0], E::Transcribe);
}

#[test]
fn in_a_noisy_room_auto_stop_still_hears_the_end_of_speech() {
    let mut t = ready(Ptt::Toggle);
    t.on(Key(K::Space, Press), 0.0);
    // Fan noise at 0.05 throughout; speech at 0.3 until 2.0 s.
    let mut at = 0.0;
    let mut stopped_at = None;
    while at < 6.0 && stopped_at.is_none() {
        let level = if (0.5..2.0).contains(&at) { 0.3 } else { 0.05 };
        t.on(Level(level), at);
        if t.on(Tick, at).contains(&E::Transcribe) {
            stopped_at = Some(at);
        }
        at += 0.03;
    }
    let stopped_at = stopped_at.expect("the noise was taken for speech");
    assert!(
        (2.75..2.95).contains(&stopped_at),
        "stopped at {stopped_at}"
    );
}

#[test]
fn auto_stop_can_be_turned_off() {
    let mut t = TurnMachine::new(Ptt::Toggle, None, true);
    t.on(ReplyDone { ended: false }, 0.0);
    t.on(PlaybackDone, 0.0);
    let fx = run(
        &mut t,
        &[(0.0, Key(K::Space, Press)), (0.5, Level(0.3)), (9.0, Tick)],
    );
    assert!(!fx.contains(&E::Transcribe));
}

#[test]
fn esc_cancels_a_recording_and_a_tap_is_too_short() {
    let mut t = ready(Ptt::Hold);
    let fx = run(
        &mut t,
        &[(1.0, Key(K::Space, Press)), (2.0, Key(K::Esc, Press))],
    );
    assert!(fx.contains(&E::Discard));
    assert_eq!(t.status, Status::Ready);
    // A release arriving after the cancel does nothing.
    assert!(t.on(Key(K::Space, Release), 2.1).is_empty());
    let fx = run(
        &mut t,
        &[(3.0, Key(K::Space, Press)), (3.1, Key(K::Space, Release))],
    );
    assert!(fx.contains(&E::Discard) && !fx.contains(&E::Transcribe));
    assert_eq!(t.status, Status::Ready);
}

#[test]
fn confirm_offers_re_record_edit_and_drop() {
    let mut t = ready(Ptt::Hold);
    let heard = |t: &mut TurnMachine, at: f64| {
        run(
            t,
            &[
                (at, Key(K::Space, Press)),
                (at + 1.0, Key(K::Space, Release)),
                (at + 1.5, Transcribed(Ok("pure talk".into()))),
            ],
        )
    };
    heard(&mut t, 0.0);
    // r re-records: back to the talk key.
    let fx = t.on(Key(K::Char('r'), Press), 2.0);
    assert_eq!(fx, vec![E::Status(Status::Ready)]);
    t.on(Key(K::Space, Press), 2.1);
    t.on(Key(K::Space, Release), 3.0);
    t.on(Transcribed(Ok("pure talk".into())), 3.5);
    // e edits; the edited text is what is sent.
    let fx = t.on(Key(K::Char('e'), Press), 4.0);
    assert_eq!(fx[0], E::LineEditor(Some("pure talk".into())));
    let fx = t.on(Typed(Some(" PR-AUC ".into())), 5.0);
    assert_eq!(sends(&fx), vec!["PR-AUC"]);
    t.on(ReplyDone { ended: false }, 6.0);
    t.on(PlaybackDone, 6.0);
    heard(&mut t, 7.0);
    let fx = t.on(Key(K::Esc, Press), 9.0);
    assert!(sends(&fx).is_empty());
    assert_eq!(t.status, Status::Ready);
}

#[test]
fn empty_transcript_is_not_sent_and_a_failure_keeps_the_recording() {
    let mut t = ready(Ptt::Toggle);
    run(
        &mut t,
        &[(0.0, Key(K::Space, Press)), (1.0, Key(K::Space, Press))],
    );
    let fx = t.on(Transcribed(Ok("  ".into())), 1.5);
    assert!(sends(&fx).is_empty());
    assert_eq!(t.status, Status::Ready);
    run(
        &mut t,
        &[(1.6, Key(K::Space, Press)), (2.6, Key(K::Space, Press))],
    );
    let fx = t.on(
        Silent {
            seconds: 1.0,
            peak: 0.004,
        },
        2.6,
    );
    assert!(
        matches!(&fx[0], E::Notice(n) if n.contains("no speech in that 1.0 s recording (peak level 0%)"))
    );
    assert_eq!(t.status, Status::Ready);
    run(
        &mut t,
        &[(2.0, Key(K::Space, Press)), (3.0, Key(K::Space, Press))],
    );
    t.on(Transcribed(Err("the endpoint is down".into())), 3.5);
    assert_eq!(t.status, Status::Failed);
    let fx = t.on(Key(K::Char('r'), Press), 4.0);
    assert_eq!(fx[0], E::Retry);
    t.on(Transcribed(Err("still down".into())), 4.5);
    let fx = t.on(Key(K::Char('t'), Press), 5.0);
    assert_eq!(fx[0], E::LineEditor(None));
    let fx = t.on(Typed(Some("typed instead".into())), 6.0);
    assert_eq!(sends(&fx), vec!["typed instead"]);
}

#[test]
fn the_turn_returns_only_when_the_reply_is_in_and_the_speaker_is_quiet() {
    let mut t = ready(Ptt::Hold);
    t.on(Key(K::Char('t'), Press), 0.0);
    t.on(Typed(Some("answer".into())), 1.0);
    assert_eq!(t.on(AudioStarted, 1.2), vec![E::Status(Status::Speaking)]);
    assert!(t.on(ReplyDone { ended: false }, 1.5).is_empty());
    assert_eq!(t.status, Status::Speaking);
    assert_eq!(t.on(PlaybackDone, 4.0), vec![E::Status(Status::Ready)]);
}

#[test]
fn talk_key_while_speaking_barges_in_and_records() {
    let mut t = ready(Ptt::Hold);
    t.on(Key(K::Char('t'), Press), 0.0);
    t.on(Typed(Some("answer".into())), 1.0);
    t.on(AudioStarted, 1.2);
    let fx = t.on(Key(K::Space, Press), 2.0);
    assert_eq!(
        fx,
        vec![
            E::StopSpeaking,
            E::StartRecording,
            E::Status(Status::Recording)
        ]
    );
    // The reply's text finishing later does not pull the candidate out of recording.
    assert!(t.on(ReplyDone { ended: false }, 2.5).is_empty());
    assert!(t.on(PlaybackDone, 2.6).is_empty());
    let fx = t.on(Key(K::Space, Release), 4.0);
    assert!(fx.contains(&E::Transcribe));
}

#[test]
fn t_types_over_the_speech_only_once_the_line_is_all_in() {
    let mut t = ready(Ptt::Toggle);
    t.on(Key(K::Char('t'), Press), 0.0);
    t.on(Typed(Some("answer".into())), 1.0);
    t.on(AudioStarted, 1.2);
    // Still streaming: t does nothing yet.
    assert!(t.on(Key(K::Char('t'), Press), 1.3).is_empty());
    t.on(ReplyDone { ended: false }, 1.5);
    let fx = t.on(Key(K::Char('t'), Press), 2.0);
    assert_eq!(
        fx,
        vec![
            E::StopSpeaking,
            E::LineEditor(None),
            E::Status(Status::Typing)
        ]
    );
    assert_eq!(
        sends(&t.on(Typed(Some("typed".into())), 3.0)),
        vec!["typed"]
    );
}

#[test]
fn the_closing_reply_quits_after_it_is_spoken_and_ctrl_c_always_quits() {
    let mut t = ready(Ptt::Toggle);
    t.on(Key(K::Char('t'), Press), 0.0);
    t.on(Typed(Some("/end".into())), 1.0);
    t.on(AudioStarted, 1.1);
    assert!(t.on(ReplyDone { ended: true }, 1.2).is_empty());
    assert_eq!(
        t.on(PlaybackDone, 9.0),
        vec![E::Status(Status::Done), E::Quit]
    );
    let mut t = ready(Ptt::Hold);
    t.on(Key(K::Space, Press), 0.0);
    let fx = t.on(Key(K::CtrlC, Press), 1.0);
    assert_eq!(fx, vec![E::Discard, E::Status(Status::Done), E::Quit]);
    assert!(t.on(Key(K::Space, Release), 2.0).is_empty());
}

mod toggle_race {
    use crate::voice::turn::*;

    #[test]
    fn a_late_stop_press_after_auto_stop_does_not_start_a_new_recording() {
        let mut t = TurnMachine::new(Ptt::Toggle, Some(0.8), true);
        t.on(PttEvent::ReplyDone { ended: false }, 0.0);
        t.on(PttEvent::PlaybackDone, 0.0);
        t.on(PttEvent::Key(Key::Space, KeyKind::Press), 0.0);
        t.on(PttEvent::Level(0.2), 0.5);
        t.on(PttEvent::Level(0.001), 0.53);
        t.on(PttEvent::Tick, 1.3);
        assert_eq!(t.status, Status::Transcribing);
        t.on(PttEvent::Transcribed(Ok("heard".into())), 1.4);
        // The candidate meant to stop; the recording had already stopped itself.
        assert!(
            t.on(PttEvent::Key(Key::Space, KeyKind::Press), 1.5)
                .is_empty()
        );
        assert_eq!(t.status, Status::Confirming);
    }
}

#[test]
fn a_recording_that_reaches_the_limit_is_sent_as_it_stands() {
    for ptt in [Ptt::Hold, Ptt::Toggle] {
        let mut t = ready(ptt).with_most(120.0);
        let fx = run(
            &mut t,
            &[
                (1.0, Key(K::Space, Press)),
                (1.0, Level(0.2)),
                (60.0, Tick),
                (60.0, Level(0.2)),
                (120.9, Tick),
            ],
        );
        assert!(!fx.contains(&E::Transcribe), "{ptt:?}: {fx:?}");
        let fx = run(&mut t, &[(121.0, Tick)]);
        assert_eq!(fx[1], E::Transcribe, "{ptt:?}: {fx:?}");
        assert!(
            matches!(&fx[0], E::Notice(n) if n.contains("2-minute limit")),
            "{fx:?}"
        );
        assert_eq!(t.status, Status::Transcribing);
        // The key let go afterwards changes nothing.
        let fx = run(&mut t, &[(125.0, Key(K::Space, Release))]);
        assert!(!fx.contains(&E::Transcribe), "{fx:?}");
    }
}
