//! The current step in one sentence, and the buttons that move through the steps.

use yew::{classes, component, html, Callback, Html, Properties};

use crate::state::Action;

/// The step controls' properties.
#[derive(Properties, PartialEq)]
pub struct StepControlsProps {
    /// The step shown (0-based).
    pub step: usize,
    /// How many steps the run has.
    pub len: usize,
    /// Whether autoplay is on.
    pub playing: bool,
    /// Who acted in the step, and what it called.
    pub actor: String,
    /// The step's title.
    pub title: String,
    /// The step's sentence.
    pub sentence: String,
    /// Whether the step's call failed.
    pub failed: bool,
    /// Sends an action.
    pub on_action: Callback<Action>,
    /// Show the buttons and the progress bar (an embed may hide them).
    #[prop_or(true)]
    pub controls: bool,
}

/// The step bar: where we are, what happens, and first / previous / play / next / last.
#[component]
pub fn StepControls(props: &StepControlsProps) -> Html {
    let send = |action: Action| {
        let on_action = props.on_action.clone();
        Callback::from(move |_| on_action.emit(action.clone()))
    };
    let at_start = props.step == 0;
    let at_end = props.step + 1 >= props.len;
    let percent = if props.len > 1 {
        props.step as f64 * 100.0 / (props.len - 1) as f64
    } else {
        100.0
    };
    let (play_label, play_icon) = if props.playing {
        ("Pause", "M7 5h3.5v14H7zM13.5 5H17v14h-3.5z")
    } else {
        ("Play", "M7 4.5l12 7.5-12 7.5z")
    };
    html! {
        <section class={classes!("step-bar", (!props.controls).then_some("no-controls"))} aria-label="Current step">
            <div class="step-now">
                <p class="step-count">
                    <span data-testid="step-count">{ format!("Step {} of {}", props.step + 1, props.len) }</span>
                    <span class="step-actor">{ props.actor.clone() }</span>
                </p>
                <p class="step-title">
                    if props.failed { <span class="badge bad">{ "Error" }</span>{ " " } }
                    { props.title.clone() }
                </p>
                <p class="step-sentence" data-testid="step-sentence" aria-live="polite">
                    { props.sentence.clone() }
                </p>
            </div>
            if props.controls {
                <>
                <div class="step-buttons" role="group" aria-label="Step through the scenario">
                    <button type="button" class="icon" onclick={send(Action::First)}
                            aria-disabled={at_start.to_string()} aria-label="First step"
                            title="First step (Home)">{ icon("M5 4v16M19 5l-9 7 9 7z") }</button>
                    <button type="button" class="step-back" onclick={send(Action::Previous)}
                            aria-disabled={at_start.to_string()} aria-label="Back to the previous step"
                            title="Previous step (←)">{ icon("M15 5l-7 7 7 7") }<span>{ "Back" }</span></button>
                    <button type="button" class="icon play" onclick={send(Action::TogglePlay)}
                            aria-disabled={(props.len < 2).to_string()} aria-label={play_label}
                            aria-pressed={props.playing.to_string()}
                            title={format!("{play_label} (Space)")}>{ icon(play_icon) }</button>
                    <button type="button" class="primary step-next" onclick={send(Action::Next)}
                            aria-disabled={at_end.to_string()} aria-label="Next step"
                            title="Next step (→)"><span>{ "Next" }</span>{ icon("M9 5l7 7-7 7") }</button>
                    <button type="button" class="icon" onclick={send(Action::Last)}
                            aria-disabled={at_end.to_string()} aria-label="Last step"
                            title="Last step (End)">{ icon("M19 4v16M5 5l9 7-9 7z") }</button>
                </div>
                // An SVG bar: its width is an attribute, so the strict CSP needs no inline style.
                <svg class="progress" viewBox="0 0 100 4" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                    <rect class="progress-fill" width={format!("{percent:.1}")} height="4" />
                </svg>
                </>
            }
        </section>
    }
}

/// A 24 × 24 stroke icon.
fn icon(d: &'static str) -> Html {
    html! {
        <svg class="btn-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
            <path d={d} />
        </svg>
    }
}
