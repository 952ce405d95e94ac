//! Every step of the run in one sentence each, grouped by the scenario action that
//! produced it (named by its call: the page numbers steps one way only, as the run shows
//! them); the current one marked; a click jumps there.

use std::rc::Rc;

use kmsplay_core::scenario::Expectation;
use kmsplay_core::view::failure::explain;
use wasm_bindgen::JsCast;
use yew::{classes, component, html, use_effect_with, use_node_ref, Callback, Html, Properties};

use crate::state::Loaded;

/// The step list's properties.
#[derive(Properties, PartialEq)]
pub struct StepListProps {
    /// The run.
    pub loaded: Rc<Loaded>,
    /// The step shown.
    pub step: usize,
    /// Jumps to a step.
    pub on_go: Callback<usize>,
    /// Where an experiment's run first differs from the unmodified run.
    #[prop_or_default]
    pub first_difference: Option<usize>,
}

/// The list of steps.
#[component]
pub fn StepList(props: &StepListProps) -> Html {
    let scroller = use_node_ref();
    {
        // Keep the current step in view inside the list (never scrolling the page).
        let scroller = scroller.clone();
        use_effect_with((props.loaded.id, props.step), move |_| {
            keep_current_in_view(&scroller);
        });
    }
    let loaded = &props.loaded;
    let steps = loaded.steps();
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        match groups.last_mut() {
            Some((action, members)) if *action == s.action => members.push(i),
            _ => groups.push((s.action, vec![i])),
        }
    }
    let stopped = loaded.run.stopped.as_ref();
    html! {
        <nav class="panel step-list" aria-labelledby="steps-heading">
            <h2 id="steps-heading">{ "Steps" }</h2>
            <div class="step-scroll" ref={scroller} tabindex="-1">
                <ol class="step-groups">
                    { for groups.iter().map(|(action, members)| {
                        let result = loaded.run.steps.get(*action);
                        let call = result.map(|r| r.call.clone()).unwrap_or_default();
                        let id = result.and_then(|r| r.id.clone());
                        let expectation = result.and_then(|r| r.expectation);
                        let unmet = expectation == Some(Expectation::Failed);
                        let why = result.and_then(|r| r.expectation_message.clone());
                        let stop_here = stopped.is_some_and(|s| s.step == *action);
                        html! {
                            <li class="step-group">
                                <p class="group-head">
                                    <code>{ call }</code>
                                    if let Some(id) = id { <span class="muted">{ format!(" · {id}") }</span> }
                                    if expectation == Some(Expectation::Met) {
                                        <span class="badge ok" title="The scenario's expectation held">{ "✓ as expected" }</span>
                                    }
                                    if unmet {
                                        <span class="badge bad" title={why.clone().unwrap_or_default()}>{ "✗ unexpected" }</span>
                                    }
                                </p>
                                if let Some(why) = why.filter(|_| unmet) {
                                    <p class="group-note bad-text">{ why }</p>
                                }
                                if stop_here {
                                    <p class="group-note bad-text">
                                        { format!("The run stopped here: {}", stopped.map(|s| s.message.clone()).unwrap_or_default()) }
                                    </p>
                                }
                                <ol class="steps">
                                    { for members.iter().map(|&i| step_item(props, i)) }
                                </ol>
                            </li>
                        }
                    }) }
                </ol>
            </div>
        </nav>
    }
}

fn step_item(props: &StepListProps, i: usize) -> Html {
    let Some(step) = props.loaded.step(i) else {
        return Html::default();
    };
    let current = i == props.step;
    let differs = props.first_difference == Some(i);
    let onclick = {
        let on_go = props.on_go.clone();
        Callback::from(move |_| on_go.emit(i))
    };
    html! {
        <li key={i}>
            <button type="button"
                    class={classes!("step-item", current.then_some("current"), step.failed().then_some("failed"), differs.then_some("differs"))}
                    aria-current={current.then_some("step")}
                    data-testid={differs.then_some("first-difference")}
                    {onclick}>
                <span class="step-num">{ i + 1 }</span>
                <span class="step-text">
                    <span class="step-item-title">
                        if step.failed() { <span class="sr-only">{ "Error: " }</span> }
                        { step.title.clone() }
                    </span>
                    // A failure in one line: its full explanation is the Step tab's.
                    <span class="step-item-sentence">
                        { if step.failed() {
                            explain(props.loaded.steps(), i).map(|e| e.summary()).unwrap_or_else(|| step.sentence.clone())
                        } else {
                            step.sentence.clone()
                        } }
                    </span>
                    if differs {
                        <span class="badge changed">{ "First difference from the unmodified run" }</span>
                    }
                </span>
            </button>
        </li>
    }
}

fn keep_current_in_view(scroller: &yew::NodeRef) {
    let Some(container) = scroller.cast::<web_sys::HtmlElement>() else {
        return;
    };
    let Some(item) = container
        .query_selector("[aria-current=step]")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let top = item.offset_top();
    let bottom = top + item.offset_height();
    let view_top = container.scroll_top();
    let view_bottom = view_top + container.client_height();
    if top < view_top || bottom > view_bottom {
        // Out of view: bring it to the upper third, with what comes before it in sight.
        container.set_scroll_top((top - container.client_height() / 3).max(0));
    }
}
