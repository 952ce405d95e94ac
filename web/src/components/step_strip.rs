//! The step strip, docked to the diagram: buttons that never move, the step in at most
//! two lines (more on demand), and the scrubber. On a failed step the text is the
//! failure's one-line summary; the inspector has the rest.

use yew::{
    classes, component, html, use_effect_with, use_node_ref, use_state_eq, Callback, Html,
    Properties,
};

use crate::components::scrubber::Scrubber;

/// The step strip's properties.
#[derive(Properties, PartialEq)]
pub struct StepStripProps {
    /// The step shown (0-based).
    pub step: usize,
    /// How many steps the run has.
    pub len: usize,
    /// Whether autoplay is on.
    pub playing: bool,
    /// Who acted in the step.
    pub actor: String,
    /// The step's title.
    pub title: String,
    /// The step's sentence (for a failure: its one-line summary).
    pub sentence: String,
    /// Whether the step's call failed.
    pub failed: bool,
    /// The steps that fail (ticks on the scrubber).
    #[prop_or_default]
    pub errors: Vec<usize>,
    /// Where an experiment's run first differs (a tick).
    #[prop_or_default]
    pub difference: Option<usize>,
    /// Show the buttons and the scrubber (an embed may hide them).
    #[prop_or(true)]
    pub controls: bool,
    /// Goes to a step.
    pub on_go: Callback<usize>,
    /// Starts or stops autoplay.
    pub on_play: Callback<()>,
}

/// The strip: where we are, what happens, and first / back / play / next / last.
#[component]
pub fn StepStrip(props: &StepStripProps) -> Html {
    let text = use_node_ref();
    let more = use_state_eq(|| false);
    let clipped = use_state_eq(|| false);
    {
        // Whether the two lines hide anything: then "More" shows it.
        let text = text.clone();
        let clipped = clipped.clone();
        let more = more.clone();
        use_effect_with((props.step, props.sentence.clone()), move |_| {
            more.set(false);
            if let Some(el) = text.cast::<web_sys::Element>() {
                clipped.set(el.scroll_height() > el.client_height() + 1);
            }
        });
    }
    let last = props.len.saturating_sub(1);
    let go = |to: usize| {
        let on_go = props.on_go.clone();
        Callback::from(move |_| on_go.emit(to))
    };
    let at_start = props.step == 0;
    let at_end = props.step >= last;
    let (play_label, play_icon) = if props.playing {
        ("Pause", "M7 5h3.5v14H7zM13.5 5H17v14h-3.5z")
    } else {
        ("Play", "M7 4.5l12 7.5-12 7.5z")
    };
    let on_play = {
        let on_play = props.on_play.clone();
        Callback::from(move |_| on_play.emit(()))
    };
    let toggle_more = {
        let more = more.clone();
        Callback::from(move |_| more.set(!*more))
    };
    html! {
        <section class={classes!("step-strip", (!props.controls).then_some("no-controls"), props.failed.then_some("failed"))}
                 aria-label="Current step" data-testid="step-strip">
            if props.controls {
                <div class="step-buttons" role="group" aria-label="Step through the scenario">
                    <button type="button" class="icon" onclick={go(0)}
                            aria-disabled={at_start.to_string()} aria-label="First step"
                            title="First step (Home)">{ icon("M5 4v16M19 5l-9 7 9 7z") }</button>
                    <button type="button" class="icon step-back" onclick={go(props.step.saturating_sub(1))}
                            aria-disabled={at_start.to_string()} aria-label="Back to the previous step"
                            title="Previous step (←)">{ icon("M15 5l-7 7 7 7") }</button>
                    <button type="button" class="icon play" onclick={on_play}
                            aria-disabled={(props.len < 2).to_string()} aria-label={play_label}
                            aria-pressed={props.playing.to_string()}
                            title={format!("{play_label} (Space)")}>{ icon(play_icon) }</button>
                    <button type="button" class="primary step-next" onclick={go((props.step + 1).min(last))}
                            aria-disabled={at_end.to_string()} aria-label="Next step"
                            title="Next step (→)"><span>{ "Next" }</span>{ icon("M9 5l7 7-7 7") }</button>
                    <button type="button" class="icon" onclick={go(last)}
                            aria-disabled={at_end.to_string()} aria-label="Last step"
                            title="Last step (End)">{ icon("M19 4v16M5 5l9 7-9 7z") }</button>
                </div>
            }
            <div class="step-now">
                <p class="step-count">
                    <span data-testid="step-count">{ format!("Step {} of {}", props.step + 1, props.len) }</span>
                    <span class="step-actor">{ props.actor.clone() }</span>
                </p>
                <p class="strip-text" ref={text} aria-live="polite">
                    if props.failed { <span class="badge bad">{ "Failed" }</span>{ " " } }
                    <strong class="step-title">{ props.title.clone() }</strong>
                    <span class="sep" aria-hidden="true">{ " — " }</span>
                    <span data-testid="step-sentence">{ props.sentence.clone() }</span>
                </p>
                if *clipped {
                    <button type="button" class="link more" aria-expanded={more.to_string()}
                            aria-controls="step-more" onclick={toggle_more}>
                        { if *more { "Less" } else { "More" } }
                    </button>
                }
                if *more {
                    <div id="step-more" class="step-more" role="note">
                        <p><strong>{ props.title.clone() }</strong></p>
                        <p>{ props.sentence.clone() }</p>
                    </div>
                }
            </div>
            if props.controls {
                <Scrubber step={props.step} len={props.len} errors={props.errors.clone()}
                          difference={props.difference} title={props.title.clone()}
                          on_go={props.on_go.clone()} />
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
