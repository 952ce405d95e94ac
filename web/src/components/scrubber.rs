//! The scrubber: a slider over every step of the run, dragged or moved with the arrow
//! keys, with ticks where steps fail and where an experiment first differs.

use yew::{classes, component, html, Callback, Html, InputEvent, Properties, TargetCast};

/// The scrubber's properties.
#[derive(Properties, PartialEq)]
pub struct ScrubberProps {
    /// The step shown (0-based).
    pub step: usize,
    /// How many steps the run has.
    pub len: usize,
    /// The steps that fail.
    pub errors: Vec<usize>,
    /// Where an experiment's run first differs from the unmodified one.
    pub difference: Option<usize>,
    /// The title of the step shown, for the slider's spoken value.
    pub title: String,
    /// Goes to a step.
    pub on_go: Callback<usize>,
}

/// The slider and its ticks.
#[component]
pub fn Scrubber(props: &ScrubberProps) -> Html {
    let last = props.len.saturating_sub(1);
    let oninput = {
        let on_go = props.on_go.clone();
        Callback::from(move |e: InputEvent| {
            let input = e.target_unchecked_into::<web_sys::HtmlInputElement>();
            if let Ok(step) = input.value().parse::<usize>() {
                on_go.emit(step);
            }
        })
    };
    // Ticks in a 0..1000 box the width of the track (the stylesheet insets it by half a
    // thumb on each side, where the thumb's centre can go): the strict CSP allows no
    // inline style, and an SVG attribute is not one.
    let x = |i: usize| {
        if last == 0 {
            500.0
        } else {
            i as f64 * 1000.0 / last as f64
        }
    };
    let fill = x(props.step);
    html! {
        <div class={classes!("scrubber", (props.len < 2).then_some("single"))}>
            <svg class="scrubber-ticks" viewBox="0 0 1000 20" preserveAspectRatio="none"
                 aria-hidden="true" focusable="false">
                <rect class="track" x="0" y="8" width="1000" height="4" />
                <rect class="track-fill" x="0" y="8" width={format!("{fill:.1}")} height="4" />
                { for props.errors.iter().map(|&i| html! {
                    <rect class="tick error" x={format!("{:.1}", x(i) - 3.0)} y="1" width="6" height="18" />
                }) }
                if let Some(d) = props.difference {
                    <rect class="tick difference" x={format!("{:.1}", x(d) - 3.0)} y="0" width="6" height="20" />
                }
            </svg>
            <input type="range" class="scrubber-input" min="0" max={last.to_string()}
                   value={props.step.min(last).to_string()} step="1"
                   aria-label="Step" data-testid="scrubber"
                   aria-valuetext={format!("Step {} of {}: {}", props.step + 1, props.len, props.title)}
                   disabled={props.len < 2} {oninput} />
        </div>
    }
}
